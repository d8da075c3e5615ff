"""Chapter 12: cut/join, the Combo model, tiled inference, seams, Siamese losses and step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gankit import data, losses, models, tiles, translation


def test_join_undoes_cut_and_the_tile_order_is_row_by_row():
    x = np.random.default_rng(0).random((3, 8, 8, 2)).astype("float32")
    cut = np.asarray(tiles.cut(x))
    assert cut.shape == (12, 4, 4, 2)
    for i, (r, c) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):  # TL, TR, BL, BR
        np.testing.assert_array_equal(cut[4 + i], x[1, 4 * r:4 * r + 4, 4 * c:4 * c + 4])
    np.testing.assert_array_equal(np.asarray(tiles.join(cut)), x)
    np.testing.assert_array_equal(np.asarray(tiles.join(tiles.cut(x, 4), 4)), x)


def test_combo_applies_g_to_each_tile_and_saves():
    g = models.residual_generator(4, 1, image_size=8)
    combo = tiles.combo(g)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    out = np.asarray(combo(x, training=False))
    np.testing.assert_allclose(out[0, 8:, :8], np.asarray(g(x[:1, 8:, :8], training=False))[0],
                               atol=1e-5)
    with pytest.raises(ValueError, match="fixed image_size"):
        tiles.combo(models.residual_generator(4, 1))


def test_combo_round_trips_through_keras_file(tmp_path):
    combo = tiles.combo(models.residual_generator(4, 1, image_size=8))
    combo.save(tmp_path / "combo.keras")
    again = keras.models.load_model(tmp_path / "combo.keras")
    x = np.zeros((1, 16, 16, 3), "float32")
    np.testing.assert_allclose(again(x, training=False), combo(x, training=False), atol=1e-6)


def test_translate_tiled_stitches_back_in_place():
    image = np.random.default_rng(0).uniform(-1, 1, (50, 70, 3)).astype("float32")
    np.testing.assert_allclose(tiles.translate_tiled(lambda t, training: t, image, 16), image)
    flipped = tiles.translate_tiled(lambda t, training: -t, image, 16)
    np.testing.assert_allclose(flipped, -image)


def test_seam_ratio_sees_seams():
    smooth = np.tile(np.linspace(-1, 1, 64), (64, 1))[..., None] * np.ones(3)
    assert abs(tiles.seam_ratio(smooth, 16) - 1.0) < 1e-6
    seamed = smooth.copy()
    for k in range(4):  # each 16-px tile gets its own brightness
        seamed[:, 16 * k:16 * k + 16] += 0.3 * (k % 2)
    assert tiles.seam_ratio(seamed, 16) > 3
    with pytest.raises(ValueError, match="two tiles"):
        tiles.seam_ratio(smooth, 40)


def test_book_residual_generator_matches_its_parameter_count():
    g = models.residual_generator(64, 6, image_size=128)
    assert sum(int(np.prod(w.shape)) for w in g.trainable_weights) == 8_402_176
    assert g.output.shape[1:] == (128, 128, 3)
    any_size = models.residual_generator(8, 2, norm="instance")
    assert any_size(np.zeros((1, 24, 40, 3), "float32")).shape == (1, 24, 40, 3)
    with pytest.raises(ValueError, match="multiple of 8"):
        models.residual_generator(8, 2, image_size=30)


def test_siamese_losses():
    v = tf.constant([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    # the content term is −1 when the translation keeps every difference, +1 when it flips it
    assert np.isclose(float(losses.transformation_loss(v, 2 * v)), -1.0, atol=1e-5)
    assert np.isclose(float(losses.transformation_loss(v, -v)), 1.0, atol=1e-5)
    total, real, fake = losses.siamese_d_loss(v, tf.zeros((3, 2)), 10 * v, margin=1.0)
    assert np.isclose(float(real), 0.0, atol=1e-6) and np.isclose(float(fake), 0.0)
    _, _, fake_near = losses.siamese_d_loss(v, v, tf.zeros((3, 2)), margin=1.0)
    assert np.isclose(float(fake_near), 1.0, atol=1e-3)  # (1 − ‖0‖)², finite gradient at 0
    g_total, g_fake, content = losses.siamese_g_loss(v, v)
    assert np.isclose(float(g_fake), (1 + 4 + 10) / 3, atol=1e-4)
    assert np.isclose(float(g_total), float(g_fake) + float(content))


def test_siamese_step_changes_both_players():
    keras.utils.set_random_seed(0)
    g = models.residual_generator(4, 1, image_size=8)
    d = models.siamese_discriminator(16, (8, 16), 8)
    combo = tiles.combo(g)
    step = translation.make_siamese_step(combo, g, d, keras.optimizers.Adam(1e-3),
                                         keras.optimizers.Adam(1e-3))
    g0, d0 = [w.numpy().copy() for w in g.trainable_weights], [w.numpy().copy()
                                                                for w in d.trainable_weights]
    rng = np.random.default_rng(0)
    logs = step(*(tf.constant(rng.uniform(-1, 1, (4, 16, 16, 3)), tf.float32) for _ in "ab"))
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(g0, g.trainable_weights))
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(d0, d.trainable_weights))


def test_random_crops_are_seeded_and_in_range():
    images = np.random.default_rng(0).integers(0, 256, (5, 20, 24, 3), dtype=np.uint8)
    tf.random.set_seed(0)
    first = next(iter(data.random_crops(images, 8, 4, seed=1))).numpy()
    tf.random.set_seed(5)  # another global seed (`gankit.seed(5)`): the same crops
    again = next(iter(data.random_crops(images, 8, 4, seed=1))).numpy()
    other = next(iter(data.random_crops(images, 8, 4, seed=2))).numpy()
    assert first.shape == (4, 8, 8, 3) and first.min() >= -1 and first.max() <= 1
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    with pytest.raises(ValueError, match="size"):
        data.random_crops(images, 32, 4)
    with pytest.raises(TypeError, match="uint8"):
        data.random_crops(images.astype("float32"), 8, 4)


def test_unpaired_smoke_stand_in_and_clear_error(no_data, monkeypatch):
    a, b = data.unpaired("vangogh2photo", 32)
    assert a.shape[1:] == b.shape[1:] == (32, 32, 3)
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    with pytest.raises(data.DatasetUnavailable, match="cycle_gan/vangogh2photo"):
        data.unpaired("vangogh2photo", 32)
    with pytest.raises(ValueError, match="unknown set"):
        data.unpaired("horse2zebra", 32)
