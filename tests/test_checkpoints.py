import keras
import numpy as np
import pytest

from gankit import checkpoints, data, losses, models, training
from tests.test_training import small_pair

X = np.random.default_rng(0).uniform(-1, 1, (64, 6, 6, 1)).astype("float32")


def setup(lr=1e-3, tmp=None, **ckpt_kwargs):
    g, d = small_pair()
    g_opt, d_opt = keras.optimizers.Adam(lr), keras.optimizers.Adam(lr)
    noise = training.Noise(8, seed=1)
    step = training.make_train_step(g, d, g_opt, d_opt, noise, loss=losses.BCE(from_logits=True))
    ckpt = checkpoints.Checkpoint(tmp, g, d, g_opt, d_opt, noise=noise, **ckpt_kwargs)
    return g, d, step, ckpt


def test_an_absurd_learning_rate_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    g, d, step, ckpt = setup(lr=1e12, tmp=tmp_path / "ckpt", every_steps=1)
    with pytest.raises(checkpoints.TrainingDiverged, match="diverged.*learning rate") as info:
        training.train(step, data.from_arrays(X, 16), 20, checkpoint=ckpt, log_every=0)
    good = info.value.checkpoint
    assert good is not None and good == ckpt.latest and str(good) in str(info.value)
    g2, d2, _, ckpt2 = setup(tmp=tmp_path / "ckpt")
    epoch, step_done, history = ckpt2.restore()
    assert epoch * 4 + step_done == len(history.step["d_loss"]) > 0
    assert all(np.isfinite(history.step["d_loss"]))
    assert checkpoints.weights_finite(g2, d2)
    np.testing.assert_array_equal(g2.trainable_weights[0].numpy(), _saved(good, "generator"))
    np.testing.assert_array_equal(d2.trainable_weights[0].numpy(), _saved(good, "discriminator"))


def _saved(path, model):
    """The first trainable weight of G or D as stored in the checkpoint file."""
    import tensorflow as tf

    opt = {"generator": "g_optimizer", "discriminator": "d_optimizer"}[model]
    return tf.train.load_checkpoint(path).get_tensor(
        f"{opt}/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE")


def test_guard_stops_a_discriminator_stuck_at_zero_loss():
    guard = checkpoints.Guard(d_loss_floor=1e-3, patience=5)
    guard.check({"d_loss": np.full(4, 1e-5)}, "epoch 1")
    guard.check({"d_loss": np.array([0.5])}, "epoch 1")  # the streak breaks
    guard.check({"d_loss": np.full(4, 1e-5)}, "epoch 2")
    with pytest.raises(checkpoints.TrainingDiverged, match="stayed below 0.001 for 5 steps"):
        guard.check({"d_loss": np.full(1, 1e-5)}, "epoch 2")
    checkpoints.Guard(patience=None).check({"d_loss": np.zeros(10_000)}, "off")


def test_guard_rejects_bad_patience():
    with pytest.raises(ValueError, match="patience"):
        checkpoints.Guard(patience=0)


def test_fresh_starts_over_and_the_grid_comes_back(tmp_path):
    g, d, step, ckpt = setup(tmp=tmp_path / "ckpt")
    grid = training.SampleGrid(g, np.ones((4, 8), "float32"), tmp_path / "grid",
                               render=lambda s, title: _figure())
    ckpt = checkpoints.Checkpoint(tmp_path / "ckpt", g, d, *ckpt.optimizers,
                                  sample_grid=grid)
    training.train(step, data.from_arrays(X, 16), 2, checkpoint=ckpt, callbacks=[grid],
                   log_every=0)
    grid2 = training.SampleGrid(g, np.zeros((4, 8), "float32"), tmp_path / "grid",
                                render=lambda s, title: _figure())
    g_opt, d_opt = ckpt.optimizers
    again = checkpoints.Checkpoint(tmp_path / "ckpt", g, d, g_opt, d_opt, sample_grid=grid2)
    history = training.train(step, data.from_arrays(X, 16), 3, checkpoint=again,
                             callbacks=[grid2], log_every=0)
    assert len(history.epoch["d_loss"]) == 3 and len(history.seconds) == 3
    np.testing.assert_array_equal(grid2.z, np.ones((4, 8)))  # the saved grid latents
    assert sorted(grid2.snapshots) == [0, 1, 2, 3]
    np.testing.assert_array_equal(grid2.snapshots[1], grid.snapshots[1])
    fresh = checkpoints.Checkpoint(tmp_path / "ckpt", g, d, g_opt, d_opt, fresh=True)
    assert fresh.latest is None and fresh.restore() is None


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(1, 1))


def test_fit_resumes_from_the_last_epoch(tmp_path):
    def build():
        g, d = small_pair()
        gan = training.GAN(g, d, training.Noise(8, seed=1), loss=losses.BCE(from_logits=True))
        gan.compile(d_optimizer=keras.optimizers.Adam(1e-3),
                    g_optimizer=keras.optimizers.Adam(1e-3))
        return gan

    gan = build()
    cb = checkpoints.Checkpoint.of(gan, tmp_path / "ckpt").callback()
    gan.fit(data.from_arrays(X, 16), epochs=2, callbacks=[cb], verbose=0)
    saved = [w.numpy() for w in gan.generator.weights]
    gan2 = build()
    cb2 = checkpoints.Checkpoint.of(gan2, tmp_path / "ckpt").callback()
    fit = gan2.fit(data.from_arrays(X, 16), epochs=3, callbacks=[cb2], verbose=0)
    assert len(fit.history["d_loss"]) == 1  # only epoch 3 ran
    assert cb2.history.epoch["d_loss"][:2] == cb.history.epoch["d_loss"]
    assert len(cb2.history.epoch["d_loss"]) == 3
    gan3 = build()
    checkpoints.Checkpoint.of(gan3, tmp_path / "ckpt").restore()
    assert not np.array_equal(gan3.generator.weights[0].numpy(), saved[0])  # epoch 3's weights


def test_a_truncated_newest_checkpoint_falls_back_to_the_one_before(tmp_path, capsys):
    import glob
    import os

    g, d, step, ckpt = setup(tmp=tmp_path / "ckpt")
    training.train(step, data.from_arrays(X, 16), 3, checkpoint=ckpt, log_every=0)
    older, newest = ckpt.manager.checkpoints
    shard = glob.glob(newest + ".data*")[0]
    with open(shard, "r+b") as f:  # a save cut short by a disconnect
        f.truncate(os.path.getsize(shard) // 2)
    g2, d2, step2, ckpt2 = setup(tmp=tmp_path / "ckpt")
    epoch, _, _ = ckpt2.restore()
    out = capsys.readouterr().out
    assert epoch == 2 and f"{newest} cannot be read" in out and f"one before it, {older}" in out
    np.testing.assert_array_equal(g2.trainable_weights[0].numpy(), _saved(older, "generator"))
    history = training.train(step2, data.from_arrays(X, 16), 4, checkpoint=ckpt2, log_every=0)
    assert len(history.seconds) == 4 and ckpt2.restore()[0] == 4  # the next saves replace it


def test_a_checkpoint_of_another_architecture_says_what_to_do(tmp_path):
    g, d, step, ckpt = setup(tmp=tmp_path / "ckpt")
    training.train(step, data.from_arrays(X, 16), 1, checkpoint=ckpt, log_every=0)
    g2 = models.mlp_generator(8, (32,), (6, 6, 1))  # 32 hidden units where the run had 16
    d2 = models.mlp_discriminator((6, 6, 1), (16,), output_activation=None)
    g_opt, d_opt = keras.optimizers.Adam(), keras.optimizers.Adam()
    ckpt2 = checkpoints.Checkpoint(tmp_path / "ckpt", g2, d2, g_opt, d_opt)
    with pytest.raises(checkpoints.CheckpointMismatch) as info:
        ckpt2.restore()
    message = str(info.value)
    assert str(tmp_path / "ckpt") in message and "FRESH = True" in message
    assert "another folder" in message and "different model" in message
