"""Train steps of the image-to-image chapters: one `@tf.function` per chapter, each readable in one
screen. They fit `training.train`: `train(step, tf.data.Dataset.zip((a, b)), ...)`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from gankit import checks
from gankit.losses import BCE, MSE, cycle_loss, siamese_d_loss, siamese_g_loss
from gankit.training import build_optimizers


def make_siamese_step(translator: keras.Model, generator: keras.Model,
                      discriminator: keras.Model, g_optimizer, d_optimizer,
                      margin: float = 1.0):
    """Notebook 12's step on a batch of domain-A and domain-B images of D's input size.

    translator: the model whose output D judges. `tiles.combo(generator)` (the book's Combo:
        2S×2S crops cut into tiles, translated, joined), or `generator` itself (plain training on
        S×S crops, which leaves seams when tiles are joined later).
    First D takes one Adam step on `losses.siamese_d_loss` (its vectors of A, B and the
    translations), then G one step on `losses.siamese_g_loss` (the translations made again).
    Returns the losses as a dict of scalars.
    """
    build_optimizers((d_optimizer, discriminator), (g_optimizer, generator))

    @tf.function
    def step(real_a, real_b):
        fake = translator(real_a, training=True)
        with tf.GradientTape() as tape:
            d_loss, real_term, _ = siamese_d_loss(discriminator(real_a, training=True),
                                                  discriminator(real_b, training=True),
                                                  discriminator(fake, training=True), margin)
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            v_ab = discriminator(translator(real_a, training=True), training=True)
            g_loss, fake_term, content = siamese_g_loss(discriminator(real_a, training=True),
                                                        v_ab)
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss, "content": content,
                "real_distance": tf.sqrt(real_term), "fake_distance": tf.sqrt(fake_term)}

    step.lesson = (make_siamese_step,)  # what `live.source(step)` shows
    return step


# -------------------------------------------------------------------------- CycleGAN (notebook 13)

class ImagePool(keras.layers.Layer):
    """The CycleGAN paper's history of generated images (Shrivastava et al., 2017): D is shown
    translations from earlier steps too, which damps the oscillation of the two players.

    Until `size` images are stored each new image is stored and returned; then each new image is,
    with probability ½, returned as it is, or swapped with a random stored image, which is
    returned instead. The stored images are weights, so a checkpoint keeps them.
    """

    def __init__(self, size: int = 50, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int(size, "size")
        self.size, self.seed_generator = size, keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        self.images = self.add_weight(shape=(self.size, *input_shape[1:]), initializer="zeros",
                                      trainable=False, name="images")
        self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                     trainable=False, name="count")

    def call(self, images):
        # One image at a time: the batch size is fixed, a few images per step.
        return tf.stack([self._exchange(images[i]) for i in range(images.shape[0])])

    def _exchange(self, image):
        u = keras.random.uniform((2,), seed=self.seed_generator)
        slot = tf.cast(u[1] * self.size, tf.int32)

        def put(index):  # store `image` at `index`, return what was there
            stored = tf.convert_to_tensor(self.images)
            self.images.assign(tf.tensor_scatter_nd_update(stored, [[index]], image[None]))
            return stored[index]

        def store():
            put(tf.convert_to_tensor(self.count))
            self.count.assign_add(1)
            return image

        return tf.cond(self.count < self.size, store,
                       lambda: tf.cond(u[0] < 0.5, lambda: put(slot), lambda: image))


class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The CycleGAN paper's schedule: `rate` for the first `hold` steps, then linearly down to 0
    at step `total`."""

    def __init__(self, rate: float, hold: int, total: int):
        if not 0 <= hold < total:
            raise ValueError(f"LinearDecay: expected 0 ≤ hold < total, got {hold}, {total}")
        self.rate, self.hold, self.total = float(rate), int(hold), int(total)

    def __call__(self, step):
        left = (self.total - tf.cast(step, tf.float32)) / (self.total - self.hold)
        return self.rate * tf.clip_by_value(left, 0.0, 1.0)

    def get_config(self):
        return {"rate": self.rate, "hold": self.hold, "total": self.total}


def make_cyclegan_step(g_xy: keras.Model, g_yx: keras.Model, d_x: keras.Model,
                       d_y: keras.Model, g_optimizer, d_optimizer, *, cycle_weight: float = 10.0,
                       identity_weight: float = 0.0, pools=None, halve_d: bool = False):
    """Notebook 13's iteration on a batch of X images and a batch of Y images, in the book's order.

    1. D_X and D_Y, least squares on their patch maps: real → 1, translated → 0. Their losses
       involve disjoint weights, so one Adam step on their sum is exactly the book's two Adams
       (one per D) stepping one after the other.
    2. Both generators with one joint optimizer (the book's `g_optimizer`):
       (D_X(G_YX(y)) − 1)² + λ·|y − G_XY(G_YX(y))| + (D_Y(G_XY(x)) − 1)² + λ·|x − G_YX(G_XY(x))|.

    The paper's additions, off by default (the book has none of them):
    identity_weight: + w·(|G_XY(y) − y| + |G_YX(x) − x|); the paper uses 0.5·λ.
    pools: two `ImagePool`s (for D_X's and D_Y's fakes). halve_d: D's loss × ½.
    Every call uses `training=True`, as PyTorch's train mode did throughout the book's loop.
    Returns the losses as a dict of scalars (`d_loss` = D_X's + D_Y's).
    """
    lsgan = MSE(beta_noise=None)  # least squares on D's raw scores (LSGAN)
    d_vars = d_x.trainable_variables + d_y.trainable_variables
    g_vars = g_xy.trainable_variables + g_yx.trainable_variables
    build_optimizers((d_optimizer, d_vars), (g_optimizer, g_vars))
    for pool, source in zip(pools or (), (g_yx, g_xy)):  # their stored images exist from now on:
        if not pool.built:  # a Checkpoint(variables=...) made after this keeps them
            pool.build(source.output_shape)

    @tf.function
    def step(x, y):
        fake_x, fake_y = g_yx(y, training=True), g_xy(x, training=True)
        if pools is not None:
            fake_x, fake_y = pools[0](fake_x), pools[1](fake_y)
        with tf.GradientTape() as tape:
            d_x_loss = lsgan.discriminator(d_x(x, training=True), d_x(fake_x, training=True))
            d_y_loss = lsgan.discriminator(d_y(y, training=True), d_y(fake_y, training=True))
            d_loss = (0.5 if halve_d else 1.0) * (d_x_loss + d_y_loss)
        d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))
        with tf.GradientTape() as tape:
            out_1 = g_yx(y, training=True)
            loss_1 = lsgan.generator(d_x(out_1, training=True))
            loss_2 = cycle_loss(y, g_xy(out_1, training=True), cycle_weight)
            out_3 = g_xy(x, training=True)
            loss_3 = lsgan.generator(d_y(out_3, training=True))
            loss_4 = cycle_loss(x, g_yx(out_3, training=True), cycle_weight)
            g_loss = loss_1 + loss_2 + loss_3 + loss_4
            if identity_weight:
                identity = (cycle_loss(y, g_xy(y, training=True), identity_weight)
                            + cycle_loss(x, g_yx(x, training=True), identity_weight))
                g_loss += identity
        g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
        return {"d_loss": d_x_loss + d_y_loss, "d_x_loss": d_x_loss, "d_y_loss": d_y_loss,
                "g_loss": g_loss, "cycle": (loss_2 + loss_4) / cycle_weight}

    step.lesson = (make_cyclegan_step,)  # what `live.source(step)` shows
    return step


# ---------------------------------------------------------------------- colorization (notebook 14)

def make_colorization_step(generator: keras.Model, discriminator: keras.Model, g_optimizer,
                           d_optimizer, *, adversarial_weight: float = 0.0,
                           label_noise: float = 0.1, seed: int | None = None):
    """Notebook 14's step on a batch of grey images (N, H, W, 1) and their colour originals
    (N, H, W, 3), both in [0, 1]: one forward pass, two tapes, G and D updated together.

    D: binary cross-entropy with the book's noisy labels (real 1 − U(0, 0.1), fake U(0, 0.1)),
    the real and fake terms summed.
    G: adversarial_weight = 0 is **the book's loss**: MSE(colour, G(grey)) only, so D is trained
    but never changes G (no gradient reaches G through D). adversarial_weight > 0 adds the
    missing adversarial term, w·BCE(1, D(G(grey))), the objective the book's text states.
    Returns the losses (and `mse`, D's mean output on real and colorized images) as a dict.
    """
    bce = BCE(reduction="sum", label_noise=label_noise, seed=seed)
    build_optimizers((g_optimizer, generator), (d_optimizer, discriminator))

    @tf.function
    def step(grey, colour):
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(grey, training=True)
            real_output = discriminator(colour, training=True)
            fake_output = discriminator(fake, training=True)
            mse = tf.reduce_mean(tf.square(colour - fake))
            g_loss = mse + adversarial_weight * bce.generator(fake_output) \
                if adversarial_weight else mse
            d_loss = bce.discriminator(real_output, fake_output)
        g_vars, d_vars = generator.trainable_variables, discriminator.trainable_variables
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        return {"d_loss": d_loss, "g_loss": g_loss, "mse": mse,
                "d_real": tf.reduce_mean(real_output), "d_fake": tf.reduce_mean(fake_output)}

    step.lesson = (make_colorization_step,)  # what `live.source(step)` shows
    return step


def adversarial_signal(generator: keras.Model, discriminator: keras.Model, grey, colour,
                       adversarial_weight: float) -> dict:
    """Is notebook 14's adversarial term a signal, or only a path? On one batch (grey and colour
    in [0, 1]): D's mean and spread on the originals and on G's colours, and the norm of the
    gradient reaching G's weights through D (w·BCE(1, D(G(x)))) beside the MSE's. A D whose
    output does not vary with its input passes ~0, and G trains as if D were not there."""
    bce = BCE(reduction="sum")
    with tf.GradientTape(persistent=True) as tape:
        generated = generator(grey, training=False)
        d_real = discriminator(colour, training=False)
        d_fake = discriminator(generated, training=False)
        mse = tf.reduce_mean(tf.square(colour - generated))
        adversarial = adversarial_weight * bce.generator(d_fake)
    through_d, mse_part = (
        float(tf.linalg.global_norm(tape.gradient(loss, generator.trainable_variables)))
        for loss in (adversarial, mse))
    return dict(d_real=float(tf.reduce_mean(d_real)), d_real_sd=float(tf.math.reduce_std(d_real)),
                d_fake=float(tf.reduce_mean(d_fake)), d_fake_sd=float(tf.math.reduce_std(d_fake)),
                through_d=through_d, mse_part=mse_part)
