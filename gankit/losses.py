"""GAN losses.

A loss object gives the two halves of the game and turns D's raw output into a probability:

    loss.discriminator(real_output, fake_output)   # D: real → 1, generated → 0
    loss.generator(fake_output)                    # G: make D call its samples real
    loss.probability(output)                       # D's belief that a sample is real

`BCE` is the original GAN's binary cross-entropy (Goodfellow et al., 2014). Its value function is

    V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))]

D maximises V. In theory G minimises the same V: that is the **minimax** generator loss
log(1 − D(G(z))). Early in training D rejects G's samples easily, D(G(z)) ≈ 0, and there
log(1 − D) is flat: its gradient with respect to D's logit, −σ(a), vanishes exactly when G needs
it most. So every chapter trains G with the **non-saturating** loss −log D(G(z)) instead
("flipped labels": BCE against target 1): the same fixed point, but a gradient −(1 − σ(a)) that is
largest when G is worst.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from gankit.models import output_range


class BCE:
    """Binary cross-entropy GAN losses.

    from_logits: True when D ends in a linear layer (logits), False when it ends in a sigmoid.
    real_label: target for real images in D's loss; 0.9 is one-sided label smoothing (only the
        real side is smoothed, unlike Keras' `label_smoothing=0.1`, which maps 1 → 0.95 and
        0 → 0.05).
    reduction: "mean" gives 0.5·(real term + fake term), the loss of one D step on the
        concatenated real + fake batch (≈ ln 2 = 0.693 when D is at chance); "sum" adds the two
        terms (≈ 1.386 at chance), as PyTorch code that sums two BCE losses does.
    generator_loss: "non_saturating" (−log D(G(z)), used in practice) or "minimax"
        (log(1 − D(G(z))), the formula of the paper, which saturates).
    label_noise: noisy labels in D's loss, drawn anew at every step: real targets
        real_label − label_noise·U and generated targets label_noise·U, U ~ U[0, 1) per sample
        (two-sided; notebook 06 uses 0.15). 0 turns it off.
    seed: seed of the label noise.
    """

    def __init__(self, from_logits: bool = False, real_label: float = 1.0,
                 reduction: str = "mean", generator_loss: str = "non_saturating",
                 label_noise: float = 0.0, seed: int | None = None):
        if not 0.0 < real_label <= 1.0:
            raise ValueError(f"real_label: expected a value in (0, 1], got {real_label!r}")
        if not 0.0 <= label_noise < 0.5:
            raise ValueError(f"label_noise: expected a value in [0, 0.5), got {label_noise!r}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction: expected 'mean' or 'sum', got {reduction!r}")
        if generator_loss not in ("non_saturating", "minimax"):
            raise ValueError(
                f"generator_loss: expected 'non_saturating' or 'minimax', got {generator_loss!r}"
            )
        self.from_logits = from_logits
        self.expects = "logits" if from_logits else "probabilities"  # what D must output
        self.real_label = real_label
        self.reduction = reduction
        self.generator_loss = generator_loss
        self.label_noise = float(label_noise)
        self.seed_generator = keras.random.SeedGenerator(seed) if label_noise else None

    def _bce(self, target, output, noise_sign=0.0):
        # D's output has shape (batch, 1); targets take the same shape. The output tensor is
        # passed on untouched so that Keras can recover the logits behind a sigmoid layer.
        output = tf.cast(output, tf.float32)  # a float16 D output (mixed precision) → float32
        target = tf.ones_like(output) * target
        if noise_sign and self.label_noise:
            target += noise_sign * self.label_noise * keras.random.uniform(
                tf.shape(output), seed=self.seed_generator)
        return tf.reduce_mean(
            keras.losses.binary_crossentropy(target, output, from_logits=self.from_logits)
        )

    def real(self, real_output):
        """D's loss term on real samples (target `real_label`, minus the label noise)."""
        return self._bce(self.real_label, real_output, noise_sign=-1.0)

    def fake(self, fake_output):
        """D's loss term on generated samples (target 0, plus the label noise)."""
        return self._bce(0.0, fake_output, noise_sign=1.0)

    def combine(self, real_term, fake_term):
        """D's loss from its two terms: their mean, or their sum (`reduction`)."""
        total = real_term + fake_term
        return total if self.reduction == "sum" else 0.5 * total

    def discriminator(self, real_output, fake_output):
        return self.combine(self.real(real_output), self.fake(fake_output))

    def generator(self, fake_output):
        if self.generator_loss == "minimax":
            return -self._bce(0.0, fake_output)  # minimise log(1 − D(G(z)))
        return self._bce(1.0, fake_output)  # minimise −log D(G(z))

    def probability(self, output):
        return tf.sigmoid(output) if self.from_logits else output

    def __repr__(self):
        return (f"BCE(from_logits={self.from_logits}, real_label={self.real_label}, "
                f"reduction={self.reduction!r}, generator_loss={self.generator_loss!r}, "
                f"label_noise={self.label_noise:g})")


class MSE:
    """Mean-squared-error GAN losses on D's probability (notebook 08), with noisy labels.

    D: (D(x) − real target)² on real samples plus (D(G(z)) − fake target)² on generated ones,
    summed as the book's `real_loss + fake_loss`. G: (D(G(z)) − real target)².

    beta_noise: (a, b) draws ε ~ Beta(a, b) anew per sample and per call; the real target is then
        1 − ε and the fake target ε (the book: Beta(1, 5), mean 1/6, so real ≈ 0.83 ± 0.14 and
        fake ≈ 0.17 ± 0.14). G gets the noisy real target too. None: hard 1 / 0 targets.
    seed: seed of the label noise.

    LSGAN (Mao et al., 2017) applies the squared error to D's *linear* output; the book applies it
    to a sigmoid, whose gradient vanishes once D is sure. `probability` expects that sigmoid.
    """

    def __init__(self, beta_noise=(1.0, 5.0), seed: int | None = None):
        if beta_noise is not None and (len(beta_noise) != 2 or min(beta_noise) <= 0):
            raise ValueError(f"beta_noise: expected None or two positive numbers (a, b), got "
                             f"{beta_noise!r}")
        self.beta_noise = None if beta_noise is None else tuple(float(v) for v in beta_noise)
        self.seed_generator = keras.random.SeedGenerator(seed) if beta_noise else None
        self.reduction = "sum"
        self.expects = "probabilities"

    def noise(self, shape):
        """ε: Beta(a, b) samples of `shape`, or zeros without label noise."""
        if self.beta_noise is None:
            return tf.zeros(shape)
        a, b = self.beta_noise
        return keras.random.beta(shape, a, b, seed=self.seed_generator)

    def _mse(self, output, target_is_real):
        output = tf.cast(output, tf.float32)
        eps = self.noise(tf.shape(output))
        target = 1.0 - eps if target_is_real else eps
        return tf.reduce_mean(tf.square(output - target))

    def real(self, real_output):
        return self._mse(real_output, True)

    def fake(self, fake_output):
        return self._mse(fake_output, False)

    def combine(self, real_term, fake_term):
        return real_term + fake_term

    def discriminator(self, real_output, fake_output):
        return self.combine(self.real(real_output), self.fake(fake_output))

    def generator(self, fake_output):
        return self._mse(fake_output, True)

    def probability(self, output):
        return output

    def __repr__(self):
        return f"MSE(beta_noise={self.beta_noise})"


class WGANGP:
    """The Wasserstein loss with a gradient penalty (WGAN-GP, Gulrajani et al., 2017).

    D is a **critic**: a linear output, a score rather than a probability. The critic maximises
    score(real) − score(fake), G maximises score(fake), and the critic is kept 1-Lipschitz by a
    penalty on its gradient at random mixtures x̂ of real and generated images:

        critic loss = mean D(G(z)) − mean D(x) + gp_weight · mean (‖∇ D(x̂)‖ − 1)²
        G loss      = −mean D(G(z))

    `penalty` needs D itself and both batches, so `discriminator_update` calls it beside
    `discriminator` (any loss with a `penalty(discriminator, real, fake)` gets the same).
    Train with several critic steps per G step (`make_train_step(..., critic_steps=5)`, the
    paper's) and Adam(1e-4, β = (0.5, 0.9)).
    """

    expects = "scores"

    def __init__(self, gp_weight: float = 10.0, seed: int | None = None):
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight: expected a number ≥ 0, got {gp_weight!r}")
        self.gp_weight = float(gp_weight)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.reduction = "mean"

    def discriminator(self, real_output, fake_output):
        return (tf.reduce_mean(tf.cast(fake_output, tf.float32))
                - tf.reduce_mean(tf.cast(real_output, tf.float32)))

    def generator(self, fake_output):
        return -tf.reduce_mean(tf.cast(fake_output, tf.float32))

    def penalty(self, discriminator, real, fake):
        """gp_weight · mean (‖∇ₓ D(x̂)‖ − 1)², x̂ = α·real + (1 − α)·fake, α ~ U[0, 1) per sample."""
        real, fake = tf.cast(real, tf.float32), tf.cast(fake, tf.float32)
        alpha = keras.random.uniform([tf.shape(real)[0]] + [1] * (len(real.shape) - 1),
                                     seed=self.seed_generator)
        mixed = alpha * real + (1.0 - alpha) * fake
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = discriminator(mixed, training=True)
        grads = tape.gradient(score, mixed)
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(real.shape))))
                       + 1e-12)
        return self.gp_weight * tf.reduce_mean(tf.square(norm - 1.0))

    def probability(self, output):
        """σ(score): for the logs only (d_real, d_fake); a critic's score is no probability."""
        return tf.sigmoid(tf.cast(output, tf.float32))

    def __repr__(self):
        return f"WGANGP(gp_weight={self.gp_weight:g})"


def check_outputs(loss, outputs, discriminator=None):
    """Check D's outputs on a first batch against what `loss` expects (its `expects`:
    "probabilities" or "logits"; a loss without it is not checked).

    Probabilities outside [0, 1] under a loss that takes probabilities (D ends in a linear layer,
    the loss has `from_logits=False`), or a D that ends in a sigmoid under a loss that takes
    logits: both train without an error and learn nothing, so both are errors here.
    """
    expects = getattr(loss, "expects", None)
    sigmoid_d = discriminator is not None and output_range(discriminator) == (0.0, 1.0)
    values = np.asarray(tf.cast(outputs, tf.float32))
    low, high = float(values.min()), float(values.max())
    if expects == "probabilities" and (low < 0.0 or high > 1.0):
        fix = ("BCE(from_logits=True)" if isinstance(loss, BCE) else
               "a loss on logits (gankit.losses.BCE(from_logits=True))")
        raise ValueError(
            f"D's outputs on the first batch lie in [{low:.3g}, {high:.3g}], outside [0, 1], but "
            f"{loss!r} expects probabilities: D ends in a linear layer (logits). Use {fix}, or "
            f"end D in a sigmoid (gankit.models.dcgan_discriminator(..., "
            f"output_activation='sigmoid')).")
    if expects == "scores" and sigmoid_d:
        raise ValueError(f"D ends in a sigmoid, but {loss!r} needs a critic with a linear "
                         f"output (a score, not a probability): drop D's sigmoid.")
    if expects == "logits" and sigmoid_d:
        raise ValueError(
            f"D ends in a sigmoid, so its outputs are probabilities, but {loss!r} reads them as "
            f"logits and would squash them again: use BCE(from_logits=False), or drop D's "
            f"sigmoid.")


# ----------------------------------------------------------- Siamese distances (notebook 12)

def _norm(vectors):
    """‖v‖ per row, with 1e-8 under the root: the norm's gradient is undefined at 0."""
    return tf.sqrt(tf.reduce_sum(tf.square(vectors), axis=-1) + 1e-8)


def transformation_loss(v_a, v_ab):
    """Notebook 12's content term (LossD3 = LossG2): −cos(v_A1 − v_A2, v_AB1 − v_AB2), the pairs
    being each image and the next one in the batch (batch ≥ 2). −1 when G keeps every
    difference between two images' vectors; `keras.losses.cosine_similarity` is already −cos."""
    t_a = v_a - tf.roll(v_a, 1, axis=0)
    t_ab = v_ab - tf.roll(v_ab, 1, axis=0)
    return tf.reduce_mean(keras.losses.cosine_similarity(t_a, t_ab, axis=-1))


def siamese_d_loss(v_a, v_b, v_ab, margin: float = 1.0):
    """Notebook 12's D loss from D's vectors of real A, real B and translated AB:

    LossD1 = mean ‖D(B)‖²                      real B near the origin (the book's formula says
                                                D(A), its text D(B): D(B) is meant)
    LossD2 = mean max(0, margin − ‖D(AB)‖)²    translations at least `margin` away
    LossD3 = `transformation_loss(v_a, v_ab)`   keep the differences between images

    Returns (LossD1 + LossD2 + LossD3, LossD1, LossD2): the book gives no weights.
    """
    real = tf.reduce_mean(tf.square(_norm(v_b)))
    fake = tf.reduce_mean(tf.square(tf.nn.relu(margin - _norm(v_ab))))
    return real + fake + transformation_loss(v_a, v_ab), real, fake


def siamese_g_loss(v_a, v_ab):
    """Notebook 12's G loss: LossG1 = mean ‖D(AB)‖² (pull the translations to the origin) plus
    LossG2 = `transformation_loss(v_a, v_ab)`. Returns (total, LossG1, LossG2)."""
    fake = tf.reduce_mean(tf.square(_norm(v_ab)))
    content = transformation_loss(v_a, v_ab)
    return fake + content, fake, content


# ---------------------------------------------------------------- cycle consistency (notebook 13)

def cycle_loss(real, reconstructed, weight: float = 10.0):
    """CycleGAN's cycle-consistency loss: weight · mean |real − reconstructed| (L1; the book's
    `cycle_consistency_loss` with λ = 10). Also the identity loss, with its own weight."""
    return weight * tf.reduce_mean(tf.abs(tf.cast(real, tf.float32)
                                          - tf.cast(reconstructed, tf.float32)))
