"""Chapters 13–14: CycleGAN's patch D, step and paper switches; the colorizer, its step and data."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gankit import checkpoints, data, losses, models, translation
from tests.test_dcgan import trainable
from tests.test_training import changed, weights


def test_book_patch_discriminator_matches_its_parameter_count_and_map():
    d = models.patch_discriminator(64, image_size=128)
    assert trainable(d) == 2_765_568  # the book's PyTorch D
    assert d.output_shape[1:] == (7, 7, 1)
    assert models.patch_discriminator(8, image_size=64).output_shape[1:] == (3, 3, 1)
    assert models.patch_discriminator(8)(tf.zeros((1, 256, 256, 3))).shape[1:] == (15, 15, 1)
    with pytest.raises(ValueError, match="image_size"):
        models.patch_discriminator(8, image_size=100)
    with pytest.raises(ValueError, match="norm"):
        models.patch_discriminator(8, norm="layer")


def test_book_colorization_models_match_their_parameter_counts():
    g, d = models.colorization_generator(), models.colorization_discriminator()
    assert g.count_params() == 1_406_403 and d.count_params() == 1_907_905  # the book's
    assert g.output_shape[1:] == (120, 120, 3) and d.output_shape[1:] == (1,)
    assert models.colorization_generator(None)(tf.zeros((1, 48, 48, 1))).shape == (1, 48, 48, 3)
    with pytest.raises(ValueError, match="92"):
        models.colorization_discriminator(64)
    with pytest.raises(ValueError, match="39"):
        models.colorization_generator(32)


def test_chroma_colorizer_keeps_the_grey_input_as_luma():
    """Untrained, the chroma G returns its input; trained or not, its output's luma (Y of YUV) is
    the input, and its colours come only from the two chroma channels."""
    g = models.colorization_generator(48, chroma=True)
    grey = np.random.default_rng(0).uniform(0, 1, (2, 48, 48, 1)).astype("float32")
    np.testing.assert_allclose(g(grey), np.repeat(grey, 3, axis=-1), atol=1e-6)
    chroma = g.get_layer("chroma")
    kernel, bias = chroma.get_weights()
    chroma.set_weights([np.random.default_rng(1).normal(0, 0.05, kernel.shape), bias + 0.1])
    rgb = g(grey)
    assert float(tf.reduce_max(tf.abs(tf.image.rgb_to_yuv(rgb)[..., :1] - grey))) < 1e-5
    assert float(tf.reduce_mean(tf.abs(tf.image.rgb_to_yuv(rgb)[..., 1:]))) > 0.05
    assert not g.get_layer("yuv_to_rgb").trainable
    # the book's 1,406,403 less the last layer's third output channel (5·5·32 + 1)
    assert sum(int(np.prod(v.shape)) for v in g.trainable_variables) == 1_405_602


@pytest.mark.parametrize("kernel,dilation", [(3, 2), (5, 4)])
def test_dilated_transposed_convolution_rewrite_is_exact(kernel, dilation):
    """ZeroPadding2D(d(k−1)) + dilated Conv2D equals a stride-1 dilated transposed convolution
    with the kernel flipped (computed here by scattering each input pixel)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 6, 7, 2)).astype("float32")
    inputs = keras.Input((6, 7, 2))
    model = keras.Model(inputs, models._transposed(inputs, 3, kernel, dilation, activation=None))
    conv = model.layers[-1]
    w, b = (v.numpy() for v in conv.weights)  # (k, k, in, out), (out,)
    span = dilation * (kernel - 1)
    expected = np.zeros((6 + span, 7 + span, 3)) + b
    flipped = w[::-1, ::-1]  # the transposed convolution's kernel
    for i in range(6):
        for j in range(7):
            for a in range(kernel):
                for c in range(kernel):
                    expected[i + dilation * a, j + dilation * c] += x[0, i, j] @ flipped[a, c]
    np.testing.assert_allclose(np.asarray(model(x))[0], expected, atol=1e-4)


def small_cyclegan(norm="batch", slope=0.0):
    keras.utils.set_random_seed(0)
    gs = [models.residual_generator(4, 1, image_size=48, norm=norm, name=f"g_{n}")
          for n in ("xy", "yx")]
    ds = [models.patch_discriminator(4, image_size=48, norm=norm, negative_slope=slope,
                                     name=f"d_{n}") for n in "xy"]
    return gs, ds


def batches(n=2, side=48):
    rng = np.random.default_rng(1)
    return [tf.constant(rng.uniform(-1, 1, (n, side, side, 3)), tf.float32) for _ in "xy"]


def test_cyclegan_step_trains_all_four_models_in_the_book_configuration():
    (g_xy, g_yx), (d_x, d_y) = small_cyclegan()
    before = [weights(m) for m in (g_xy, g_yx, d_x, d_y)]
    step = translation.make_cyclegan_step(g_xy, g_yx, d_x, d_y, keras.optimizers.Adam(1e-3),
                                          keras.optimizers.Adam(1e-3))
    logs = step(*batches())
    assert all(np.isfinite(float(v)) for v in logs.values())
    np.testing.assert_allclose(float(logs["d_loss"]),
                               float(logs["d_x_loss"]) + float(logs["d_y_loss"]), rtol=1e-6)
    assert float(logs["g_loss"]) > 10 * float(logs["cycle"]) > 0  # λ = 10 plus the LSGAN terms
    assert all(changed(b, m) for b, m in zip(before, (g_xy, g_yx, d_x, d_y)))


def test_cyclegan_paper_switches_pool_identity_decay():
    (g_xy, g_yx), (d_x, d_y) = small_cyclegan("instance", 0.2)
    schedule = translation.LinearDecay(1e-3, 2, 4)
    np.testing.assert_allclose([float(schedule(s)) for s in range(6)],
                               [1e-3, 1e-3, 1e-3, 5e-4, 0, 0], atol=1e-9)
    pools = (translation.ImagePool(3, seed=0), translation.ImagePool(3, seed=1))
    step = translation.make_cyclegan_step(
        g_xy, g_yx, d_x, d_y, keras.optimizers.Adam(schedule), keras.optimizers.Adam(schedule),
        identity_weight=5.0, pools=pools, halve_d=True)
    # the pools exist before the first step, so a Checkpoint(variables=...) made now keeps them
    assert [v.shape[0] for p in pools for v in p.variables if "images" in v.path] == [3, 3]
    x, y = batches()
    for _ in range(3):
        logs = step(x, y)
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert [int(p.count.numpy()) for p in pools] == [3, 3]  # full after the first two batches
    with pytest.raises(ValueError, match="hold"):
        translation.LinearDecay(1e-3, 4, 4)


def test_image_pool_returns_new_or_stored_images():
    pool = translation.ImagePool(4, seed=0)
    first = np.arange(4, dtype="float32")[:, None, None, None] * np.ones((4, 2, 2, 1), "float32")
    np.testing.assert_array_equal(pool(first), first)  # filling: returned unchanged
    seen = set(range(4))
    for batch in range(5):
        new = (10 + 2 * batch + np.arange(2, dtype="float32"))[:, None, None, None] \
            * np.ones((2, 2, 2, 1), "float32")
        out = np.asarray(pool(new))[:, 0, 0, 0]
        assert all(v in seen or v in new[:, 0, 0, 0] for v in out)
        seen |= set(new[:, 0, 0, 0].tolist())
    stored = set(np.asarray(pool.images)[:, 0, 0, 0].tolist())
    assert stored - set(range(4)), "after 10 more images some stored ones were swapped"
    with pytest.raises(ValueError, match="size"):
        translation.ImagePool(0)


def test_checkpoint_keeps_named_models_optimizers_and_pool(tmp_path):
    """CycleGAN's run by name: four networks, one optimizer over both generators, one over both
    discriminators, and the pool's stored images."""
    (g_xy, g_yx), (d_x, d_y) = small_cyclegan()
    pool = translation.ImagePool(2, seed=0)
    pool(batches()[0])
    g_opt, d_opt = keras.optimizers.Adam(), keras.optimizers.Adam()
    ckpt = checkpoints.Checkpoint(
        tmp_path, models=dict(g_xy=g_xy, g_yx=g_yx, d_x=d_x, d_y=d_y),
        optimizers=dict(g_optimizer=(g_opt, [g_xy, g_yx]), d_optimizer=(d_opt, [d_x, d_y])),
        variables=dict(pools=pool.variables))
    step = translation.make_cyclegan_step(g_xy, g_yx, d_x, d_y, g_opt, d_opt)
    step(*batches())  # the optimizers' slots hold values now
    ckpt.save(1, 0, checkpoints.History())
    saved_g, saved_pool = weights(g_yx), np.asarray(pool.images).copy()
    saved_slots = [v.numpy().copy() for v in g_opt.variables]
    for v in g_yx.trainable_weights + [pool.images] + g_opt.variables[1:]:
        v.assign(tf.zeros_like(v))
    assert ckpt.restore()[0] == 1
    assert not changed(saved_g, g_yx)
    np.testing.assert_array_equal(np.asarray(pool.images), saved_pool)
    for a, b in zip(saved_slots, g_opt.variables):
        np.testing.assert_array_equal(a, b.numpy())
    with pytest.raises(ValueError, match="not both"):
        checkpoints.Checkpoint(tmp_path, g_xy, d_x, g_opt, d_opt, models=dict(g=g_xy))
    with pytest.raises(ValueError, match="nothing to save"):
        checkpoints.Checkpoint(tmp_path)


def test_cycle_loss():
    a = tf.zeros((2, 4, 4, 3))
    assert float(losses.cycle_loss(a, a)) == 0.0
    assert float(losses.cycle_loss(a, a + 0.5)) == pytest.approx(5.0)
    assert float(losses.cycle_loss(a, a - 0.5, weight=1)) == pytest.approx(0.5)


def test_book_colorization_loss_never_lets_d_change_g():
    """With the book's loss (MSE only) G's update is the same whatever D is; with the corrected
    loss it is not."""
    rng = np.random.default_rng(0)
    grey = tf.constant(rng.uniform(0, 1, (1, 92, 92, 1)), tf.float32)
    colour = tf.constant(rng.uniform(0, 1, (1, 92, 92, 3)), tf.float32)
    keras.utils.set_random_seed(0)
    g = models.colorization_generator(92)
    g_start = g.get_weights()
    d_starts = []
    for d_seed in (1, 2):
        keras.utils.set_random_seed(d_seed)
        d_starts.append(models.colorization_discriminator(92).get_weights())
    d = models.colorization_discriminator(92)
    results = {}
    for weight in (0.0, 1.0):
        optimizers = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
        step = translation.make_colorization_step(g, d, *optimizers, adversarial_weight=weight,
                                                  seed=0)
        for d_seed, d_start in zip((1, 2), d_starts):  # the same step, restarted from scratch
            g.set_weights(g_start)
            d.set_weights(d_start)
            for v in optimizers[0].variables + optimizers[1].variables:
                if "learning_rate" not in v.path:  # a fresh Adam: step 0, zero moments
                    v.assign(tf.zeros_like(v))
            logs = step(grey, colour)
            assert all(np.isfinite(float(v)) for v in logs.values())
            assert changed(d_start, d)
            results[weight, d_seed] = weights(g)
    for a, b in zip(results[0.0, 1], results[0.0, 2]):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert any(not np.allclose(a, b, atol=1e-6) for a, b in zip(results[1.0, 1], results[1.0, 2]))
    assert any(not np.allclose(a, w) for a, w in zip(results[0.0, 1], g_start))


def test_greyscale_is_pil_luma_and_checks_its_input():
    images = np.array([[[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]]], np.uint8)
    grey = data.greyscale(images)
    assert grey.shape == (1, 2, 2, 1) and grey.dtype == np.uint8
    expected = np.round(images @ np.array([0.299, 0.587, 0.114]))
    np.testing.assert_allclose(grey[..., 0], expected, atol=1)
    with pytest.raises(TypeError, match="uint8 RGB"):
        data.greyscale(images.astype("float32"))
    with pytest.raises(TypeError, match="uint8 RGB"):
        data.greyscale(grey)


def test_colour_photos_smoke_stand_in_and_clear_error(no_data, monkeypatch):
    photos = data.colour_photos(48)
    assert photos.shape[1:] == (48, 48, 3) and photos.dtype == np.uint8
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    with pytest.raises(data.DatasetUnavailable, match="tf_flowers"):
        data.colour_photos(48)


def test_adversarial_signal_sees_a_dead_d_and_scales_with_the_weight():
    """A D whose output is constant passes no gradient to G; a live one passes one that grows
    linearly with the adversarial weight, beside an MSE part that does not depend on it."""
    rng = np.random.default_rng(0)
    grey = tf.constant(rng.uniform(0, 1, (2, 92, 92, 1)), tf.float32)
    colour = tf.constant(rng.uniform(0, 1, (2, 92, 92, 3)), tf.float32)
    keras.utils.set_random_seed(0)
    g = models.colorization_generator(92, chroma=True)
    g.get_layer("chroma").set_weights([rng.normal(0, 0.1, w.shape) for w in
                                       g.get_layer("chroma").get_weights()])
    d = models.colorization_discriminator(92)
    live = [translation.adversarial_signal(g, d, grey, colour, w) for w in (1e-3, 2e-3)]
    assert live[0]["through_d"] > 0 and live[0]["mse_part"] > 0
    assert live[1]["through_d"] == pytest.approx(2 * live[0]["through_d"], rel=1e-4)
    assert live[1]["mse_part"] == pytest.approx(live[0]["mse_part"])
    kernel, bias = d.layers[-1].get_weights()  # D's last layer outputs a constant: a dead D
    d.layers[-1].set_weights([np.zeros_like(kernel), bias])
    dead = translation.adversarial_signal(g, d, grey, colour, 1e-3)
    assert dead["through_d"] == 0 and dead["d_real_sd"] == 0 and dead["d_fake_sd"] == 0
