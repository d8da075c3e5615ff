"""Train steps of the image-to-image chapters: one `@tf.function` per chapter, each readable in one
screen. They fit `training.train`: `train(step, tf.data.Dataset.zip((a, b)), ...)`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from gankit.losses import siamese_d_loss, siamese_g_loss


def make_siamese_step(translator: keras.Model, generator: keras.Model,
                      discriminator: keras.Model, g_optimizer, d_optimizer,
                      margin: float = 1.0):
    """Chapter 12's step on a batch of domain-A and domain-B images of D's input size.

    translator: the model whose output D judges. `tiles.combo(generator)` (the book's Combo:
        2S×2S crops cut into tiles, translated, joined), or `generator` itself (plain training on
        S×S crops, which leaves seams when tiles are joined later).
    First D takes one Adam step on `losses.siamese_d_loss` (its vectors of A, B and the
    translations), then G one step on `losses.siamese_g_loss` (the translations made again).
    Returns the losses as a dict of scalars.
    """
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

    return step
