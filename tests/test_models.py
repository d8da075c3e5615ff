import keras
import numpy as np
import pytest

from gankit import models

G, D = models.mlp_generator, models.mlp_discriminator
CG, CD = models.conv_generator, models.conv_discriminator

# The book's dense GANs (chapters 0–3) and their parameter counts.
BOOK = {
    "ch0 G": (lambda: G(100, (256, 512, 1024), (28, 28, 1), batchnorm_momentum=0.7), 1_493_520),
    "ch0 D": (lambda: D((28, 28, 1), (512, 256)), 533_505),
    "ch1 G": (lambda: G(100, (32, 64, 128), (28, 28, 1), dropout=0.3), 114_800),
    "ch1 D": (lambda: D((28, 28, 1), (128, 64, 32), dropout=0.3, output_activation=None),
              110_849),
    "ch2A G": (lambda: G(2, (16, 32), 2, activation="relu", output_activation=None), 658),
    "ch2A D": (lambda: D(2, (256, 128, 64), activation="relu", dropout=0.3), 41_985),
    "ch2B G": (lambda: G(100, (256, 512, 1024), (28, 28, 1), activation="relu"), 1_486_352),
    "ch2B D": (lambda: D((28, 28, 1), (1024, 512, 256), activation="relu", dropout=0.3),
               1_460_225),
    "ch3 G": (lambda: G(64, (64, 512), 64), 70_272),
    "ch3 D": (lambda: D(64, (64, 64), activation="relu", dropout=0.4), 8_385),
    # Chapters 4–7: the conv family (4, 6) and the MLP family again (5, 7).
    "ch4 G": (lambda: CG(100, (4, 4, 256), [(128, 3, 2)] * 3, 3, dense_negative_slope=0.3),
              1_007_363),
    "ch4 D": (lambda: CD((32, 32, 3), [(64, 3, 1), (128, 3, 2), (128, 3, 2), (256, 3, 2)],
                         final_dropout=0.4), 522_497),
    "ch5 G": (lambda: G(100, (128,), (28, 28, 1), negative_slope=0.01), 114_064),
    "ch5 D": (lambda: D((28, 28, 1), (128,), negative_slope=0.01), 100_609),
    "ch6 G": (lambda: CG(128, (7, 7, 128), [(128, 5, 2), (128, 5, 2), (128, 4, 1), (128, 4, 1)],
                         1, out_kernel=4, upsample="nearest", output_activation="sigmoid"),
              2_155_137),
    "ch6 D": (lambda: CD((28, 28, 1), [(32, 5, 1), (64, 5, 1), (128, 5, 1), (256, 5, 1)],
                         padding="valid", dropout=0.4, final_dropout=0.4), 1_113_345),
    "ch7 G": (lambda: G(100, (256, 512, 1024), (28, 28, 1), batchnorm_momentum=0.8), 1_493_520),
    "ch7 D": (lambda: D((28, 28, 1), (512, 256)), 533_505),
}


@pytest.mark.parametrize("name", list(BOOK))
def test_book_parameter_counts(name):
    build, count = BOOK[name]
    assert build().count_params() == count


def test_ch0_batchnorm_weights_split():
    g = BOOK["ch0 G"][0]()
    trainable = sum(int(np.prod(w.shape)) for w in g.trainable_weights)
    assert trainable == 1_489_936 and g.count_params() - trainable == 3_584


def test_output_shapes_and_ranges():
    g, d = BOOK["ch0 G"][0](), BOOK["ch0 D"][0]()
    z = np.random.default_rng(0).normal(size=(5, 100)).astype("float32")
    images = g(z).numpy()
    assert images.shape == (5, 28, 28, 1) and np.abs(images).max() <= 1
    p = d(images).numpy()
    assert p.shape == (5, 1) and ((0 <= p) & (p <= 1)).all()
    assert BOOK["ch2A G"][0]()(np.zeros((3, 2), "float32")).shape == (3, 2)


def test_leaky_relu_slope_is_the_books():
    g = BOOK["ch0 G"][0]()
    slopes = {layer.negative_slope for layer in g.layers
              if isinstance(layer, keras.layers.LeakyReLU)}
    assert slopes == {0.2}


@pytest.mark.parametrize("kwargs, match", [
    (dict(latent_dim=0, hidden_units=(8,), output_shape=4), "latent_dim"),
    (dict(latent_dim=4, hidden_units=(), output_shape=4), "hidden_units"),
    (dict(latent_dim=4, hidden_units=(8, -1), output_shape=4), "hidden_units"),
    (dict(latent_dim=4, hidden_units=(8,), output_shape=(28, 0)), "output_shape"),
    (dict(latent_dim=4, hidden_units=(8,), output_shape=4, dropout=1.0), "dropout"),
    (dict(latent_dim=4, hidden_units=(8,), output_shape=4, activation="gelu"), "activation"),
])
def test_generator_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        G(**kwargs)


def test_discriminator_rejects_bad_arguments():
    with pytest.raises(ValueError, match="input_shape"):
        D((28, -28), (8,))
    with pytest.raises(ValueError, match="dropout"):
        D(4, (8,), dropout=-0.1)


def test_check_pair_catches_mismatches():
    models.check_pair(BOOK["ch0 G"][0](), BOOK["ch0 D"][0]())
    with pytest.raises(ValueError, match="does not match"):
        models.check_pair(BOOK["ch3 G"][0](), BOOK["ch0 D"][0]())
    assert models.latent_dim(BOOK["ch3 G"][0]()) == 64


def test_save_and_reload_round_trip(tmp_path):
    g = BOOK["ch1 G"][0]()
    z = np.random.default_rng(1).uniform(-1, 1, (4, 100)).astype("float32")
    path = tmp_path / "generator.keras"
    g.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again(z, training=False), g(z, training=False), atol=1e-6)


def test_conv_family_shapes_and_ranges():
    z = np.random.default_rng(0).normal(size=(2, 100)).astype("float32")
    g4, d4 = BOOK["ch4 G"][0](), BOOK["ch4 D"][0]()
    images = g4(z).numpy()
    assert images.shape == (2, 32, 32, 3) and np.abs(images).max() <= 1
    assert d4(images).shape == (2, 1)
    slopes = [layer.negative_slope for layer in g4.layers
              if isinstance(layer, keras.layers.LeakyReLU)]
    assert slopes == [0.3, 0.2, 0.2, 0.2]  # the book's LeakyReLU() after Dense, then 0.2
    g6, d6 = BOOK["ch6 G"][0](), BOOK["ch6 D"][0]()
    fashion = g6(np.zeros((2, 128), "float32")).numpy()
    assert fashion.shape == (2, 28, 28, 1) and fashion.min() >= 0 and fashion.max() <= 1
    assert models.output_range(g6) == (0.0, 1.0)
    # 'valid' 5x5 convs: 28 → 24 → 20 → 16 → 12 (the book's summary prints 28x28x32 first)
    conv_shapes = [layer.output.shape[1:] for layer in d6.layers
                   if isinstance(layer, keras.layers.Conv2D)]
    assert conv_shapes == [(24, 24, 32), (20, 20, 64), (16, 16, 128), (12, 12, 256)]
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in d6.layers) == 5
    models.check_pair(g6, d6)


@pytest.mark.parametrize("build, match", [
    (lambda: CG(8, (4, 4), [(8, 3, 2)], 1), "start_shape"),
    (lambda: CG(8, (4, 4, 8), [], 1), "blocks"),
    (lambda: CG(8, (4, 4, 8), [(8, 3)], 1), "blocks"),
    (lambda: CG(8, (4, 4, 8), [(8, 3, 2)], 1, upsample="bilinear"), "upsample"),
    (lambda: CD((28, 28), [(8, 3, 1)]), "input_shape"),
    (lambda: CD((28, 28, 1), [(8, 3, 0)]), "blocks"),
    (lambda: CD((28, 28, 1), [(8, 3, 1)], padding="full"), "padding"),
    (lambda: CD((28, 28, 1), [(8, 3, 1)], final_dropout=1.0), "final_dropout"),
])
def test_conv_builders_reject_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_conv_batchnorm_option():
    g = CG(8, (4, 4, 8), [(8, 3, 2)], 1, batchnorm_momentum=0.9, batchnorm_epsilon=1e-5)
    bn = [layer for layer in g.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(bn) == 1 and bn[0].momentum == 0.9 and bn[0].epsilon == 1e-5
