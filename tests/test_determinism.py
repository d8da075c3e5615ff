"""Same seed, same CPU run: identical losses, also across separate processes."""

import json
import subprocess
import sys

SCRIPT = """
import json, os, sys
os.environ["GANKIT_QUIET"] = "1"
import gankit, keras, numpy as np
from gankit import data, losses, models, training
gankit.seed(3, deterministic=sys.argv[1] == "on")
G = models.mlp_generator(8, (16,), (6, 6, 1), batchnorm_momentum=0.9, dropout=0.2)
D = models.mlp_discriminator((6, 6, 1), (16,), dropout=0.3, output_activation=None)
x = np.random.default_rng(0).uniform(-1, 1, (64, 6, 6, 1)).astype("float32")
step = training.make_train_step(G, D, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                training.Noise(8, seed=1), loss=losses.BCE(from_logits=True))
h = training.train(step, data.from_arrays(x, 16, seed=2), 3, log_every=0)
print(json.dumps(h.step["d_loss"] + h.step["g_loss"]))
"""


def _losses(deterministic):
    out = subprocess.run([sys.executable, "-c", SCRIPT, deterministic], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_same_seed_gives_identical_losses_in_two_processes():
    # With the determinism switch and without it: on a CPU both give the same numbers.
    first, second = _losses("on"), _losses("off")
    assert len(first) == 24 and first == second
