"""The train step under tf.distribute: two logical CPU devices give one device's result."""

import subprocess
import sys

SCRIPT = """
import os
os.environ["GANKIT_QUIET"] = "1"
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import gankit, keras, numpy as np
from gankit import data, losses, models, training

rng = np.random.default_rng(0)
real = rng.uniform(-1, 1, (16, 6, 6, 1)).astype("float32")
z = rng.normal(size=(16, 8)).astype("float32")

def run(strategy):
    gankit.seed(5)
    with strategy.scope():
        G = models.mlp_generator(8, (16,), (6, 6, 1))
        D = models.mlp_discriminator((6, 6, 1), (16,), output_activation=None)
        # Plain SGD: its step is proportional to the gradient, so a sum over replicas that
        # is not scaled by the replica count (2x the gradient) would show. Adam would hide it.
        g_opt, d_opt = keras.optimizers.SGD(0.5), keras.optimizers.SGD(0.5)
    step = training.make_train_step(G, D, g_opt, d_opt, training.Noise(8),
                                    loss=losses.BCE(from_logits=True), strategy=strategy)
    ds = tf.data.Dataset.from_tensor_slices((real, z)).batch(16)
    if strategy.num_replicas_in_sync > 1:
        ds = strategy.experimental_distribute_dataset(ds)
    logs = [step(*batch) for batch in ds][0]
    return ({k: float(v) for k, v in logs.items()},
            [v.numpy() for v in G.trainable_weights + D.trainable_weights])

one_logs, one_w = run(tf.distribute.OneDeviceStrategy("/cpu:0"))
two = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert two.num_replicas_in_sync == 2
two_logs, two_w = run(two)
for k in one_logs:
    assert abs(one_logs[k] - two_logs[k]) < 1e-5, (k, one_logs[k], two_logs[k])
diff = max(float(np.abs(a - b).max()) for a, b in zip(one_w, two_w))
assert diff < 1e-5, diff
print("OK", one_logs["d_loss"], two_logs["d_loss"], diff)

# train() distributes the dataset itself, and the run goes on for whole epochs.
with two.scope():
    G = models.mlp_generator(8, (16,), (6, 6, 1))
    D = models.mlp_discriminator((6, 6, 1), (16,), output_activation=None)
    g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
step = training.make_train_step(G, D, g_opt, d_opt, training.Noise(8, seed=1),
                                loss=losses.BCE(from_logits=True), strategy=two)
h = training.train(step, data.from_arrays(np.concatenate([real] * 4), 16, drop_remainder=True),
                   2, log_every=0)
assert len(h.step["d_loss"]) == 8 and all(np.isfinite(h.step["g_loss"]))
print("TRAIN OK")
"""


def test_two_cpu_replicas_match_one_device_on_the_same_global_batch():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "OK" in out.stdout and "TRAIN OK" in out.stdout, out.stdout
    print(out.stdout)
