import keras
import numpy as np
import pytest

from gankit import models

G, D = models.mlp_generator, models.mlp_discriminator

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
