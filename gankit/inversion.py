"""Working in a trained generator's latent space (notebook 11): inversion and attribute directions.

- `invert`: find latent codes z for which G(z) reproduces given images, by gradient descent on z
  with G frozen (the book's `encode_images.py`: Adam, staircase decay, log-cosh + MS-SSIM
  + an L1 pull towards the average latent, the best code blended in as it improves, stochastic
  clipping).
- `train_encoder`: a CNN that maps an image to a latent code, trained on (G(z), z) pairs: the
  initial guess for `invert` (the book's `finetuned_resnet.h5`).
- `train_boundary`, `linear_interpolate`, `project_boundary`: InterFaceGAN's linear attribute
  directions (Shen et al., 2020), as in its `utils/manipulator.py`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gankit import checks, data
from gankit.live import FitProgress, Progress
from gankit.models import io_shapes, latent_dim

# MS-SSIM's weights for its first three scales (Wang et al., 2003): images of 32–160 px are too
# small for all five.
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001)


def _ms_ssim_filter(size: int) -> int:
    """The largest odd Gaussian window (≤ 11, TF's default) that fits the smallest scale."""
    smallest = size // 2 ** (len(MS_SSIM_WEIGHTS) - 1)
    return max(3, min(11, smallest - (1 - smallest % 2)))


def reconstruction_loss(images, reconstructions, *, pixel: float = 1.5, ms_ssim: float = 200.0):
    """Per image: `pixel`·log-cosh(x − G(z)) + `ms_ssim`·(1 − MS-SSIM(x, G(z))) (book weights)."""
    per_pixel = tf.reduce_mean(tf.math.log(tf.cosh(reconstructions - images)), axis=[1, 2, 3])
    similarity = tf.image.ssim_multiscale(
        (images + 1) / 2, (reconstructions + 1) / 2, 1.0, power_factors=MS_SSIM_WEIGHTS,
        filter_size=_ms_ssim_filter(int(images.shape[1])))
    return pixel * per_pixel + ms_ssim * (1.0 - similarity)


def invert(generator: keras.Model, images, *, steps: int = 500, learning_rate: float = 0.002,
           decay_steps: int = 30, decay_rate: float = 0.95, pixel: float = 1.5,
           ms_ssim: float = 200.0, l1_penalty: float = 0.3, clip: float | None = 2.0,
           blend: bool = True, init=None, z_mean=None, seed: int = 0):
    """Latent codes z with G(z) ≈ `images`, found by Adam on z (G frozen, `training=False`).

    The book's `encode_images.py` settings are the defaults:
    - Adam with ExponentialDecay(`learning_rate`, `decay_steps`, `decay_rate`, staircase);
    - loss per image: `reconstruction_loss` + `l1_penalty`·dim·mean|z − z̄| (z̄ = `z_mean`,
      default 0, the mean of G's latent distribution);
    - `blend`: on each new best loss of an image, best ← 0.25·best + 0.75·z (upstream's rule);
      the best codes are returned;
    - `clip`: after each step, coordinates beyond ±clip are redrawn from N(0, 1) (stochastic
      clipping); None turns it off (use None for a uniform latent).
    init: starting codes (e.g. from `train_encoder`); default z̄ for every image.
    Returns `(z, losses)`: the codes (N, dim) and the mean loss per step (a list).
    All images are optimised at once; each image's loss depends on its own code only.
    """
    images = data.check_images(images, "images", shape=io_shapes(generator)[1])
    checks.positive_int(steps, "steps")
    dim, n = latent_dim(generator), len(images)
    z_mean = np.zeros(dim, "float32") if z_mean is None else np.asarray(z_mean, "float32")
    start = np.tile(z_mean, (n, 1)) if init is None else np.asarray(init, "float32")
    if start.shape != (n, dim):
        raise ValueError(f"init: expected shape ({n}, {dim}), got {start.shape}")
    target = tf.constant(images, "float32")
    z = tf.Variable(start)
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, decay_steps,
                                                           decay_rate, staircase=True)
    optimizer = keras.optimizers.Adam(schedule)
    rng = tf.random.Generator.from_seed(seed)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            per_image = reconstruction_loss(target, generator(z, training=False), pixel=pixel,
                                            ms_ssim=ms_ssim)
            per_image += l1_penalty * dim * tf.reduce_mean(tf.abs(z - z_mean), axis=1)
            total = tf.reduce_sum(per_image)
        optimizer.apply_gradients([(tape.gradient(total, z), z)])
        if clip is not None:
            z.assign(tf.where(tf.abs(z) > clip, rng.normal(z.shape), z))
        return per_image

    best, best_loss, losses = start.copy(), np.full(n, np.inf), []
    progress = Progress(steps)  # a bar with the time left; the measured seconds per step
    for done in range(1, steps + 1):
        before = z.numpy()  # the codes the loss below was computed for
        per_image = step().numpy()
        losses.append(float(per_image.mean()))
        better = per_image < best_loss
        best_loss[better] = per_image[better]
        best[better] = (0.25 * best[better] + 0.75 * before[better]) if blend else before[better]
        progress.update(done, {"loss": losses[-1]})
    progress.close({"loss": losses[-1]})
    return best, losses


def train_encoder(generator: keras.Model, noise, samples: int = 20_000, epochs: int = 10,
                  batch_size: int = 128, verbose: int = 0) -> keras.Model:
    """A CNN E with E(G(z)) ≈ z, trained on `samples` pairs (G(z), z), z from `noise` (a `Noise`).

    It gives `invert` a starting code close to the answer: the role of the book's
    `finetuned_resnet.h5` (a ResNet50 trained the same way for StyleGAN).
    """
    image_shape, dim = io_shapes(generator)[1], latent_dim(generator)
    inputs = keras.Input(image_shape, name="image")
    x = inputs
    for filters in (64, 128, 256)[:max(2, int(np.log2(image_shape[0])) - 3)]:
        x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(512)(x)
    x = layers.LeakyReLU(0.2)(x)
    encoder = keras.Model(inputs, layers.Dense(dim, name="z")(x), name="encoder")
    z = np.concatenate([np.asarray(noise(min(512, samples - i)))
                        for i in range(0, samples, 512)])
    x = np.concatenate([generator.predict(z[i:i + 512], verbose=0)
                        for i in range(0, len(z), 512)])
    encoder.compile(keras.optimizers.Adam(1e-3), loss="mse")
    encoder.fit(x, z, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                verbose=verbose, callbacks=[] if verbose else [FitProgress()])
    return encoder


def train_boundary(latents, scores, ratio: float = 0.02, split: float = 0.7, seed: int = 0):
    """InterFaceGAN's `train_boundary`: the unit normal of a linear SVM separating high scores
    from low ones.

    The latents with the top and bottom `ratio` of `scores` are the positives and negatives;
    a share `split` of each trains `sklearn.svm.SVC(kernel="linear")`, the rest validates.
    Returns `(normal, validation_accuracy)`: normal is a unit vector (dim,) pointing towards
    higher scores.
    """
    from sklearn.svm import SVC

    latents = np.asarray(latents, "float64")
    scores = np.asarray(scores, "float64").reshape(-1)
    if latents.ndim != 2 or len(latents) != len(scores):
        raise ValueError(f"latents (N, dim) and scores (N,) expected, got {latents.shape} and "
                         f"{scores.shape}")
    if not 0 < ratio <= 0.5 or not 0 < split < 1:
        raise ValueError(f"ratio in (0, 0.5] and split in (0, 1) expected, got {ratio}, {split}")
    chosen = int(len(scores) * ratio)
    if chosen < 4:
        raise ValueError(f"ratio {ratio} of {len(scores)} samples gives {chosen} per side: use "
                         "more samples or a larger ratio (at least 4 per side)")
    order = np.argsort(scores)[::-1]
    rng = np.random.default_rng(seed)
    positives, negatives = rng.permutation(order[:chosen]), rng.permutation(order[-chosen:])
    n_train = max(1, min(chosen - 1, int(chosen * split)))
    x_train = np.concatenate([latents[positives[:n_train]], latents[negatives[:n_train]]])
    x_val = np.concatenate([latents[positives[n_train:]], latents[negatives[n_train:]]])
    y_train = np.repeat([1, 0], n_train)
    y_val = np.repeat([1, 0], chosen - n_train)
    svm = SVC(kernel="linear").fit(x_train, y_train)
    normal = svm.coef_.reshape(-1)
    return (normal / np.linalg.norm(normal)).astype("float32"), float(svm.score(x_val, y_val))


def linear_interpolate(z, normal, start: float = -3.0, end: float = 3.0, steps: int = 10):
    """InterFaceGAN's edit: `steps` codes on the line through z along `normal`, placed at signed
    distances `start`…`end` from the boundary hyperplane (through the origin). Returns
    (steps, dim)."""
    z, normal = np.asarray(z, "float32").reshape(-1), np.asarray(normal, "float32").reshape(-1)
    if z.shape != normal.shape:
        raise ValueError(f"z and normal must have the same size, got {z.shape}, {normal.shape}")
    distances = np.linspace(start, end, steps, dtype="float32") - float(z @ normal)
    return z[None, :] + distances[:, None] * normal[None, :]


def project_boundary(primary, *conditions):
    """InterFaceGAN's conditional direction: `primary` with its components along each of the
    `conditions` normals removed, renormalised. Moving along it leaves the conditions' SVM
    scores unchanged (e.g. age without gender)."""
    basis = np.asarray([np.asarray(c, "float64").reshape(-1) for c in conditions])
    primary = np.asarray(primary, "float64").reshape(-1)
    if basis.size == 0 or basis.shape[1] != len(primary):
        raise ValueError("project_boundary: give conditions of the same size as primary")
    q, _ = np.linalg.qr(basis.T)  # an orthonormal basis of the conditions' span
    direction = primary - q @ (q.T @ primary)
    norm = np.linalg.norm(direction)
    if norm < 1e-6:
        raise ValueError("project_boundary: primary lies in the span of the conditions")
    return (direction / norm).astype("float32")
