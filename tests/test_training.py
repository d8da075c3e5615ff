import keras
import numpy as np
import pytest
import tensorflow as tf

from gankit import live, losses, models, training


def small_pair(noise=8, shape=(6, 6, 1)):
    g = models.mlp_generator(noise, (16,), shape, batchnorm_momentum=0.9)
    d = models.mlp_discriminator(shape, (16,), output_activation=None)
    return g, d


def real_batch(n=16, shape=(6, 6, 1)):
    return tf.constant(np.random.default_rng(0).uniform(-1, 1, (n, *shape)), tf.float32)


def weights(model):
    return [w.numpy().copy() for w in model.trainable_weights]


def changed(before, model):
    return any(not np.allclose(a, b.numpy()) for a, b in zip(before, model.trainable_weights))


def test_latent_samples():
    for dist, check in (("normal", lambda z: abs(z.std() - 2) < 0.1),
                        ("uniform", lambda z: z.min() >= -2 and z.max() <= 2)):
        lat = training.Noise(16, dist, scale=2.0, seed=1)
        z = np.asarray(lat(2000))
        assert z.shape == (2000, 16) and check(z)
        np.testing.assert_array_equal(lat.fixed(4), lat.fixed(4))


@pytest.mark.parametrize("kwargs, match", [
    (dict(dim=0), "dim"), (dict(dim=4, dist="gauss"), "dist"), (dict(dim=4, scale=0), "scale"),
])
def test_latent_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training.Noise(**kwargs)


def test_updates_touch_only_their_own_network():
    g, d = small_pair()
    loss = losses.BCE(from_logits=True)
    z = training.Noise(8)(16)
    g0, d0 = weights(g), weights(d)
    training.discriminator_update(g, d, keras.optimizers.Adam(1e-2), loss, real_batch(), z)
    assert changed(d0, d) and not changed(g0, g)
    g0, d0 = weights(g), weights(d)
    training.generator_update(g, d, keras.optimizers.Adam(1e-2), loss, z)
    assert changed(g0, g) and not changed(d0, d)


def test_train_step_changes_both_networks_and_reports():
    g, d = small_pair()
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(8), loss=losses.BCE(from_logits=True),
                                    g_steps=2)
    g0, d0 = weights(g), weights(d)
    logs = step(real_batch())
    assert changed(g0, g) and changed(d0, d)
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake", "d_acc"}
    assert 0 <= float(logs["d_acc"]) <= 1 and np.isfinite(float(logs["g_loss"]))


def test_train_step_with_given_noise():
    g, d = small_pair()
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(8), loss=losses.BCE(from_logits=True))
    logs = step(real_batch(), tf.zeros((16, 8)))
    assert np.isfinite(float(logs["d_loss"]))


def test_split_d_update_is_two_sgd_steps():
    """d_split: one SGD step on the real batch, then one on the generated batch (the book's two
    train_on_batch calls), checked against the two steps done by hand."""
    g, d = small_pair()
    d_copy = keras.models.clone_model(d)
    d_copy.set_weights(d.get_weights())
    loss, lr = losses.BCE(from_logits=True), 0.1
    z, real = training.Noise(8, seed=0)(16), real_batch()
    fake = g(z, training=True)  # BatchNorm in training mode, as inside the step
    for batch, term in ((real, loss.real), (fake, loss.fake)):
        with tf.GradientTape() as tape:
            value = term(d_copy(batch, training=True))
        grads = tape.gradient(value, d_copy.trainable_variables)
        for var, grad in zip(d_copy.trainable_variables, grads):
            var.assign_sub(lr * grad)
    step = training.make_train_step(g, d, keras.optimizers.SGD(0.0), keras.optimizers.SGD(lr),
                                    training.Noise(8), loss=loss, d_split=True,
                                    jit_compile=False)
    step(real, z)
    for a, b in zip(d.trainable_weights, d_copy.trainable_weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="simultaneous"):
        training.make_train_step(g, d, keras.optimizers.SGD(), keras.optimizers.SGD(),
                                 training.Noise(8), update="simultaneous", d_split=True)


def test_latent_size_mismatch_is_reported():
    g, d = small_pair()
    with pytest.raises(ValueError, match="noise.dim"):
        training.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                 training.Noise(9))
    with pytest.raises(ValueError, match="noise.dim"):
        training.GAN(g, d, training.Noise(9))


def test_shape_mismatch_between_g_and_d_is_reported():
    g, _ = small_pair()
    _, d = small_pair(shape=(5, 5, 1))
    with pytest.raises(ValueError, match="does not match"):
        training.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                 training.Noise(8))


def test_gan_model_trains_with_fit_and_the_grid_callback(tmp_path):
    g, d = small_pair()
    gan = training.GAN(g, d, training.Noise(8), loss=losses.BCE(from_logits=True))
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    g0, d0 = weights(g), weights(d)
    grid = training.SampleGrid(g, training.Noise(8).fixed(4), tmp_path / "grid")
    ds = tf.data.Dataset.from_tensor_slices(real_batch(32)).batch(8)
    history = gan.fit(ds, epochs=2, verbose=0, callbacks=[grid])
    assert changed(g0, g) and changed(d0, d)
    assert len(history.history["d_loss"]) == 2
    assert sorted(p.name for p in (tmp_path / "grid").glob("*[fg]")) == [
        "epoch_0000.png", "epoch_0001.png", "epoch_0002.png", "progress.gif"]
    assert gan(tf.zeros((3, 8))).shape == (3, 6, 6, 1)


def test_train_loop_history_callbacks_and_steps_per_epoch(tmp_path):
    g, d = small_pair()
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(8), loss=losses.BCE(from_logits=True))
    grid = training.SampleGrid(g, training.Noise(8).fixed(4), tmp_path / "grid", every=2)
    ds = tf.data.Dataset.from_tensor_slices(real_batch(24)).batch(8)
    history = training.train(step, ds, 4, callbacks=[grid], log_every=0)
    assert len(history.epoch["d_loss"]) == 4 and len(history.step["d_loss"]) == 12
    assert len(history.seconds) == 4 and history.last("g_loss") == history.epoch["g_loss"][-1]
    assert sorted(grid.snapshots) == [0, 2, 4]
    assert (tmp_path / "grid" / "progress.gif").stat().st_size > 0
    history = training.train(step, ds, 2, steps_per_epoch=5, log_every=0)
    assert len(history.step["d_loss"]) == 10
    # epochs 5 and 6 (initial_epoch=4) append to the 2-epoch history; snapshots at 5 and 6
    grid.every = 1
    more = training.train(step, ds, 6, initial_epoch=4, callbacks=[grid], log_every=0,
                          history=history)
    assert more is history and len(history.epoch["d_loss"]) == 4
    assert sorted(grid.snapshots) == [0, 2, 4, 5, 6]


def test_train_keeps_what_a_callback_adds_to_the_logs():
    class Evaluation:
        def on_epoch_end(self, epoch, logs):
            logs["score"] = 10.0 * epoch

    g, d = small_pair()
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(8), loss=losses.BCE(from_logits=True))
    ds = tf.data.Dataset.from_tensor_slices(real_batch(16)).batch(8)
    history = training.train(step, ds, 3, callbacks=[Evaluation()], log_every=0)
    assert history.epoch["score"] == [10.0, 20.0, 30.0]
    assert "score" not in history.step and len(history.epoch["d_loss"]) == 3


def test_train_stops_on_nan():
    def exploding_step(batch):
        return {"d_loss": tf.constant(np.nan), "g_loss": tf.constant(1.0)}

    ds = tf.data.Dataset.from_tensor_slices(real_batch(8)).batch(4)
    with pytest.raises(FloatingPointError, match="diverged"):
        training.train(exploding_step, ds, 1, log_every=0)


def test_train_rejects_bad_arguments():
    ds = tf.data.Dataset.from_tensor_slices(real_batch(8)).batch(4)
    with pytest.raises(ValueError, match="epochs"):
        training.train(lambda b: {}, ds, 0)
    with pytest.raises(ValueError, match="initial_epoch"):
        training.train(lambda b: {}, ds, 3, initial_epoch=3)
    with pytest.raises(ValueError, match="no batch"):
        training.train(lambda b: {}, ds.take(0), 1, log_every=0)


def test_sample_grid_rejects_wrong_latent(tmp_path):
    g, _ = small_pair()
    with pytest.raises(ValueError, match="z"):
        training.SampleGrid(g, np.zeros((4, 9)), tmp_path)
    with pytest.raises(ValueError, match="every"):
        training.SampleGrid(g, np.zeros((4, 8)), tmp_path, every=0)


def test_mixed_precision_step_needs_and_uses_loss_scaling():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        g, d = small_pair()
        assert g.layers[1].compute_dtype == "float16" and g.output.dtype == "float32"
        with pytest.raises(ValueError, match="LossScaleOptimizer"):
            training.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                     training.Noise(8))
        g_opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3))
        d_opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-3))
        step = training.make_train_step(g, d, g_opt, d_opt, training.Noise(8),
                                        loss=losses.BCE(from_logits=True), jit_compile=False)
        g0, d0 = weights(g), weights(d)
        logs = step(real_batch())
        assert np.isfinite(float(logs["d_loss"])) and changed(g0, g) and changed(d0, d)
        assert float(g_opt.dynamic_scale) > 1  # the loss was scaled up before the gradient
        # ... but only its gradient: the logged losses are the float32 ones (BCE of a small net)
        assert 0 < float(logs["d_loss"]) < 5 and 0 < float(logs["g_loss"]) < 5
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_xla_is_chosen_for_dense_models_and_not_for_conv_models_on_cpu():
    g, d = small_pair()
    conv_d = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(4, 3),
                               keras.layers.Flatten(), keras.layers.Dense(1)])
    assert training._xla_pays(g, d) and not training._xla_pays(g, conv_d)


def test_a_logit_d_under_a_probability_loss_is_an_error_naming_the_fix():
    """The silent failure: D outputs logits, the default BCE() reads them as probabilities, and
    the losses sit still (d_loss 8.06, g_loss 16.1) while nothing learns."""
    g, d = small_pair()
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(8), loss=losses.BCE())
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*BCE\(from_logits=True\)"):
        step(real_batch())
    gan = training.GAN(g, d, training.Noise(8))  # fit(): the same check, before training
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    with pytest.raises(ValueError, match="from_logits=True"):
        gan.fit(tf.data.Dataset.from_tensor_slices(real_batch()).batch(8), epochs=1, verbose=0)


def test_a_sigmoid_d_under_a_logit_loss_is_an_error():
    g = models.mlp_generator(8, (16,), (6, 6, 1))
    d = models.mlp_discriminator((6, 6, 1), (16,), output_activation="sigmoid")
    step = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                    training.Noise(8), loss=losses.BCE(from_logits=True))
    with pytest.raises(ValueError, match="ends in a sigmoid.*from_logits=False"):
        step(real_batch())
    ok = training.make_train_step(g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3),
                                  training.Noise(8), loss=losses.BCE())
    assert np.isfinite(float(ok(real_batch())["d_loss"]))


def test_the_rescaling_hint_matches_the_generator_range():
    from gankit import data

    pixels = np.full((2, 6, 6, 1), 200, np.uint8)
    with pytest.raises(TypeError, match=r"/ 255 \(→ \[0, 1\]\)"):
        data.check_images(pixels, value_range=(0.0, 1.0))
    with pytest.raises(TypeError, match="to_float"):
        data.check_images(pixels, value_range=(-1.0, 1.0))


def test_wgan_gp_trains_with_critic_steps_and_its_penalty_sees_d():
    g, critic = small_pair()
    loss = losses.WGANGP(gp_weight=10.0, seed=0)
    real = real_batch()
    fake = g(training.Noise(8).fixed(16))
    # the penalty is about (‖∇D‖ − 1)²: a critic that is 0 everywhere has ‖∇D‖ = 0, penalty 10
    zero = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(1, kernel_initializer="zeros")])
    assert float(loss.penalty(zero, real, fake)) == pytest.approx(10.0, rel=1e-4)
    unit = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),  # ‖∇D‖ = 1: no penalty
                             keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(
                                 1 / 6), use_bias=False)])
    assert float(loss.penalty(unit, real, fake)) == pytest.approx(0.0, abs=1e-6)
    step = training.make_train_step(g, critic, keras.optimizers.Adam(1e-3),
                                    keras.optimizers.Adam(1e-3), training.Noise(8, seed=0),
                                    loss=loss, critic_steps=3)
    d0 = weights(critic)
    calls = []
    original = loss.penalty
    loss.penalty = lambda *a: calls.append(1) or original(*a)
    logs = step(real)
    assert len(calls) == 3 and changed(d0, critic) and np.isfinite(float(logs["g_loss"]))
    with pytest.raises(ValueError, match="critic_steps"):
        training.make_train_step(g, critic, keras.optimizers.Adam(1e-3),
                                 keras.optimizers.Adam(1e-3), training.Noise(8), loss=loss,
                                 critic_steps=0)
    sigmoid_critic = models.mlp_discriminator((6, 6, 1), (16,), output_activation="sigmoid")
    bad = training.make_train_step(g, sigmoid_critic, keras.optimizers.Adam(1e-3),
                                   keras.optimizers.Adam(1e-3), training.Noise(8), loss=loss)
    with pytest.raises(ValueError, match="linear"):
        bad(real)


@pytest.mark.parametrize("kwargs", [dict(), dict(critic_steps=2, g_steps=2), dict(d_split=True),
                                    dict(update="simultaneous")])
def test_the_step_shown_is_the_step_that_trains(kwargs):
    """`make_train_step` wraps the functions in `step.lesson` (checks, tf.function) and changes
    nothing they compute: calling the shown functions by hand gives the same weights."""
    results = []
    for by_hand in (False, True):
        tf.keras.utils.set_random_seed(3)
        g, d = small_pair()
        g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
        noise, loss = training.Noise(8, seed=4), losses.BCE(from_logits=True)
        step = training.make_train_step(g, d, g_opt, d_opt, noise, loss=loss, jit_compile=False,
                                        **kwargs)
        for _ in range(3):
            if not by_hand:
                logs = step(real_batch())
            elif kwargs.get("update") == "simultaneous":
                assert step.lesson == (training.simultaneous_update,)
                z = noise(16)
                logs = training.step_logs(*training.simultaneous_update(
                    g, d, g_opt, d_opt, loss, real_batch(), z))
            else:
                assert step.lesson[0] is training.alternating_step
                logs = training.alternating_step(g, d, g_opt, d_opt, loss, noise, real_batch(),
                                                 **kwargs)
        results.append((weights(g) + weights(d), float(logs["d_loss"])))
    (a, loss_a), (b, loss_b) = results
    assert abs(loss_a - loss_b) < 1e-5
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, atol=1e-5)


def test_source_shows_the_functions_a_step_runs():
    g, d = small_pair()
    step = training.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                    training.Noise(8), loss=losses.BCE(from_logits=True),
                                    d_split=True)
    code = live.source(step).data
    assert "def alternating_step(" in code and "def split_discriminator_update(" in code
    assert "def generator_update(" in code and "tape.gradient" in code
    assert "def discriminator_update(" not in code and "strategy" not in code
