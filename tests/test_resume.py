"""Kill a training process mid-epoch, restart it, and get what an unbroken run gets (CPU)."""

import json
import signal
import subprocess
import sys

import numpy as np

# 6 epochs of 16 steps; a checkpoint every 5 steps and at each epoch's end. Dropout, BatchNorm
# and XLA are on, so every RNG state and optimizer slot must come back for the weights to match.
CHILD = """
import json, os, sys, time
os.environ["GANKIT_QUIET"] = "1"
import gankit, keras, numpy as np
from gankit import checkpoints, data, losses, models, training
ckpt_dir, out, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
gankit.seed(3)
G = models.mlp_generator(8, (16,), (6, 6, 1), batchnorm_momentum=0.9, dropout=0.2)
D = models.mlp_discriminator((6, 6, 1), (16,), dropout=0.3, output_activation=None)
x = np.random.default_rng(0).uniform(-1, 1, (256, 6, 6, 1)).astype("float32")
g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
noise = training.Noise(8, seed=1)
step = training.make_train_step(G, D, g_opt, d_opt, noise, loss=losses.BCE(from_logits=True),
                                jit_compile=True)
ckpt = checkpoints.Checkpoint(ckpt_dir, G, D, g_opt, d_opt, noise=noise, every_steps=5)
ran = 0
def counted(*args):
    global ran
    logs = step(*args)
    ran += 1
    print("step", ran, flush=True)
    time.sleep(delay)
    return logs
h = training.train(counted, data.from_arrays(x, 16, seed=2), 6, checkpoint=ckpt, log_every=0)
np.savez(out, *[v.numpy() for v in G.weights + D.weights])
print(json.dumps({"ran": ran, "d_loss": h.step["d_loss"], "epochs": h.epoch["d_loss"]}))
"""


def _run(tmp_path, name, ckpt, delay=0.0):
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / ckpt),
                           str(tmp_path / f"{name}.npz"), str(delay)],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]), np.load(tmp_path / f"{name}.npz")


def test_a_killed_run_resumes_to_the_same_weights(tmp_path):
    unbroken, unbroken_w = _run(tmp_path, "unbroken", "ckpt_unbroken")

    # Kill after step 40 (epoch 3, step 8): the last save was at epoch 3, step 5 (37 steps).
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "ckpt"),
                              str(tmp_path / "killed.npz"), "0.1"],
                             stdout=subprocess.PIPE, text=True)
    for line in child.stdout:
        if line.strip() == "step 40":
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed.npz").exists()

    resumed, resumed_w = _run(tmp_path, "resumed", "ckpt")
    assert unbroken["ran"] == 96
    assert resumed["ran"] == 96 - 37  # only the steps after the last checkpoint are redone
    assert resumed["d_loss"] == unbroken["d_loss"]  # all 96 steps' losses, history restored
    assert resumed["epochs"] == unbroken["epochs"]
    for key in unbroken_w.files:
        np.testing.assert_array_equal(resumed_w[key], unbroken_w[key])

    # Running the finished job again trains nothing and returns the same history.
    again, again_w = _run(tmp_path, "again", "ckpt")
    assert again["ran"] == 0 and again["d_loss"] == unbroken["d_loss"]
    for key in unbroken_w.files:
        np.testing.assert_array_equal(again_w[key], unbroken_w[key])
