"""Bad input at gankit's public entry points, and the error each gives.

Every row: what is wrong, the call, the exception type, and a pattern the message must match
(it names the argument and what was expected).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gankit import checkpoints, data, losses, models, training
from tests.test_training import small_pair

G, D = small_pair()  # G: z of 8 → (6, 6, 1), tanh; D: (6, 6, 1) → one logit
OK = np.random.default_rng(0).uniform(-1, 1, (16, 6, 6, 1)).astype("float32")


def step(**kwargs):
    return training.make_train_step(G, D, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                    training.Noise(8), loss=losses.BCE(from_logits=True),
                                    **kwargs)


def run_step(real, z=None):
    return step()(real, z)


CASES = [
    # (what is wrong, call, exception, message)
    ("uint8 pixels where [-1, 1] is expected", lambda: run_step((OK * 127 + 128).astype("uint8")),
     TypeError, r"real: got uint8 pixels in \[0, 255\]; expected float values in \[-1, 1\]"
                r".*to_float"),
    ("float pixels in [0, 255]", lambda: run_step((OK + 1) * 127.5),
     ValueError, r"real: values must lie in \[-1, 1\], got \[.*255\].*to_float"),
    ("one image without a batch axis", lambda: run_step(OK[0]),
     ValueError, r"real: got one sample of shape \(6, 6, 1\).*add a batch axis"),
    ("no channel axis", lambda: run_step(OK[..., 0]),
     ValueError, r"real: expected images of shape \(N, 6, 6, 1\), got \(16, 6, 6\)"),
    ("3 channels for a grey D", lambda: run_step(np.repeat(OK, 3, axis=-1)),
     ValueError, r"real: expected images of shape \(N, 6, 6, 1\), got \(16, 6, 6, 3\)"),
    ("empty batch", lambda: run_step(OK[:0]),
     ValueError, r"real: the batch is empty"),
    ("NaN in the data", lambda: run_step(np.where(OK > 0.9, np.nan, OK)),
     ValueError, r"real: contains NaN or Inf"),
    ("strings as images", lambda: run_step(np.array([["a"]])),
     TypeError, r"real: expected a numeric array, got dtype <U1"),
    ("z of the wrong size", lambda: run_step(OK, np.zeros((16, 5), "float32")),
     ValueError, r"z: expected shape \(16, 8\)"),
    ("latent size of G and Noise differ",
     lambda: training.make_train_step(G, D, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                      training.Noise(4)),
     ValueError, r"noise.dim is 4 but the generator takes z of size 8"),
    ("G's samples do not fit D", lambda: models.check_pair(G, small_pair(shape=(5, 5, 1))[1]),
     ValueError, r"generator output shape \(6, 6, 1\) does not match discriminator input "
                 r"shape \(5, 5, 1\)"),
    ("D gives 10 scores per sample",
     lambda: models.check_pair(G, keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
                                                    keras.layers.Dense(10)])),
     ValueError, r"discriminator must output one score per sample, got shape \(10,\)"),
    ("a model with no input yet",
     lambda: models.check_pair(keras.Sequential([keras.layers.Dense(3)]), D),
     ValueError, r"generator \(sequential.*\) has no defined input: start it with keras.Input"),
    ("an optimizer name instead of an optimizer",
     lambda: training.make_train_step(G, D, "adam", keras.optimizers.Adam(), training.Noise(8)),
     TypeError, r"g_optimizer: expected a keras optimizer"),
    ("unknown update rule", lambda: step(update="both"),
     ValueError, r"update: expected 'alternating' or 'simultaneous', got 'both'"),
    ("batch size 0", lambda: data.from_arrays(OK, 0),
     ValueError, r"batch_size: expected a positive int, got 0"),
    ("labels and images of different lengths", lambda: data.from_arrays(OK, 4, labels=[1, 2]),
     ValueError, r"labels: 2 labels for 16 images"),
    ("to_float on floats", lambda: data.to_float(OK),
     TypeError, r"to_float: expected uint8 pixels in \[0, 255\], got dtype float32"),
    ("Noise of size 0", lambda: training.Noise(0),
     ValueError, r"Noise dim: expected a positive int, got 0"),
    ("zero epochs", lambda: training.train(step(), data.from_arrays(OK, 4), 0),
     ValueError, r"epochs: expected a positive int, got 0"),
    ("steps_per_epoch 0", lambda: training.train(step(), data.from_arrays(OK, 4), 1,
                                                 steps_per_epoch=0),
     ValueError, r"steps_per_epoch: expected a positive int or None, got 0"),
    ("an empty dataset", lambda: training.train(step(), tf.data.Dataset.from_tensors(OK).take(0),
                                                1, log_every=0),
     ValueError, r"the dataset yielded no batch"),
    ("grid latents of the wrong size", lambda: training.SampleGrid(G, np.zeros((4, 3)), "grid"),
     ValueError, r"z: expected shape \(n, 8\), got \(4, 3\)"),
    ("a generator with no layers", lambda: models.mlp_generator(8, (), 4),
     ValueError, r"hidden_units: expected a non-empty sequence of positive ints"),
    ("checkpoint every 0 steps",
     lambda: checkpoints.Checkpoint("ckpt", G, D, keras.optimizers.Adam(),
                                    keras.optimizers.Adam(), every_steps=0),
     ValueError, r"every_steps: expected a positive int or None, got 0"),
    ("label smoothing of 0", lambda: losses.BCE(real_label=0.0),
     ValueError, r"real_label: expected a value in \(0, 1\], got 0.0"),
]


@pytest.mark.parametrize("what, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_a_clear_error(what, call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_table_is_long_enough():
    assert len(CASES) >= 15


def test_fit_rejects_uint8_batches():
    gan = training.GAN(G, D, training.Noise(8), loss=losses.BCE(from_logits=True))
    gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam())
    ds = tf.data.Dataset.from_tensor_slices((OK * 127 + 128).astype("uint8")).batch(8)
    with pytest.raises(TypeError, match=r"uint8 pixels.*gankit\.data\.to_float"):
        gan.fit(ds, epochs=1, verbose=0)  # fit() checks the first batch as the train step does
