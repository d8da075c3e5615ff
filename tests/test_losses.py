import math

import numpy as np
import pytest
import tensorflow as tf

from gankit.losses import BCE

HALF = tf.fill((8, 1), 0.5)
ZERO_LOGIT = tf.zeros((8, 1))


def test_bce_at_chance_is_ln2():
    assert float(BCE().discriminator(HALF, HALF)) == pytest.approx(math.log(2), rel=1e-5)
    assert float(BCE(reduction="sum").discriminator(HALF, HALF)) == pytest.approx(
        2 * math.log(2), rel=1e-5)
    assert float(BCE(from_logits=True).generator(ZERO_LOGIT)) == pytest.approx(math.log(2),
                                                                               rel=1e-5)


def test_one_sided_label_smoothing():
    loss = BCE(from_logits=True, real_label=0.9)
    p = tf.fill((4, 1), 0.8)
    logit = tf.math.log(p / (1 - p))
    expected = -(0.9 * math.log(0.8) + 0.1 * math.log(0.2))
    real_only = float(loss.discriminator(logit, tf.fill((4, 1), -30.0))) * 2
    assert real_only == pytest.approx(expected, rel=1e-4)
    # the generator's target stays 1: smoothing is D's real side only
    assert float(loss.generator(logit)) == pytest.approx(-math.log(0.8), rel=1e-4)


def test_sigmoid_outputs_keep_exact_large_losses():
    import keras

    dense = keras.layers.Dense(1, activation="sigmoid",
                               kernel_initializer=keras.initializers.Constant(40.0))
    out = dense(tf.ones((1, 1)))
    assert float(BCE().generator(out)) < 1e-6  # D sure the sample is real: no G loss
    assert float(BCE().discriminator(tf.ones((1, 1)), out)) == pytest.approx(20.0, rel=1e-3)


def test_non_saturating_gradient_is_large_where_minimax_vanishes():
    logit = tf.Variable(tf.fill((1, 1), -6.0))  # D(G(z)) ≈ 0.0025: D rejects the sample
    grads = {}
    for kind in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            value = BCE(from_logits=True, generator_loss=kind).generator(logit)
        grads[kind] = abs(float(tape.gradient(value, logit)[0, 0]))
    assert grads["minimax"] < 0.01 and grads["non_saturating"] > 0.99


def test_probability():
    assert np.allclose(BCE(from_logits=True).probability(tf.zeros((2, 1))), 0.5)
    assert np.allclose(BCE().probability(HALF), 0.5)


@pytest.mark.parametrize("kwargs, match", [
    (dict(real_label=0.0), "real_label"), (dict(real_label=1.2), "real_label"),
    (dict(reduction="max"), "reduction"), (dict(generator_loss="wasserstein"), "generator_loss"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BCE(**kwargs)


def test_real_and_fake_terms_make_the_discriminator_loss():
    real, fake = tf.fill((8, 1), 0.8), tf.fill((8, 1), 0.3)
    for reduction in ("mean", "sum"):
        loss = BCE(real_label=0.9, reduction=reduction)
        expected = loss.combine(loss.real(real), loss.fake(fake))
        assert float(loss.discriminator(real, fake)) == pytest.approx(float(expected))
    assert float(BCE().real(real)) == pytest.approx(-math.log(0.8), rel=1e-5)
    assert float(BCE().fake(fake)) == pytest.approx(-math.log(0.7), rel=1e-5)


def test_label_noise_draws_targets_in_range():
    # D(x) = 1 scores a loss of -log(1 - noise) per sample: 0 for target 1, up to -log(0.85).
    loss = BCE(label_noise=0.15, seed=0)
    ones, zeros = tf.fill((4000, 1), 1.0 - 1e-7), tf.fill((4000, 1), 1e-7)
    real_a, real_b = float(loss.real(ones)), float(loss.real(ones))
    assert real_a != real_b  # new noise every call
    # mean target 1 - 0.075: BCE ≈ 0.075 · (−log 1e-7) ≈ 1.2, far above the noiseless ≈ 0
    assert 0.9 < real_a < 1.5 and float(BCE().real(ones)) < 1e-3
    assert 0.9 < float(loss.fake(zeros)) < 1.5
    assert float(loss.generator(ones)) < 1e-3  # G's target stays exactly 1
    with pytest.raises(ValueError, match="label_noise"):
        BCE(label_noise=0.5)
