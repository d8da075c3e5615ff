"""Model builders, grouped by family. Each returns a `keras.Model`.

- The MLP family (`mlp_generator`, `mlp_discriminator`) covers every dense GAN of the book
  (chapters 0–3, 5, 7).
- The convolutional family (`conv_generator`, `conv_discriminator`) covers the conv GANs that
  start from a Dense projection (chapters 4 and 6).

Chapters differ only in the arguments, which their notebooks pass and the tests check against the
book's parameter counts.
"""

from __future__ import annotations

import math

import keras
from keras import layers

_ACTIVATIONS = ("relu", "leaky_relu")


def _check_units(hidden_units, name):
    units = tuple(hidden_units)
    if not units or any(not isinstance(u, int) or isinstance(u, bool) or u < 1 for u in units):
        raise ValueError(f"{name}: expected a non-empty sequence of positive ints, got "
                         f"{hidden_units!r}")
    return units


def _check_shape(shape, name):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any(not isinstance(s, int) or isinstance(s, bool) or s < 1 for s in shape):
        raise ValueError(f"{name}: expected a positive int or a tuple of them, got {shape!r}")
    return shape


def _check_latent_dim(latent_dim):
    if not isinstance(latent_dim, int) or isinstance(latent_dim, bool) or latent_dim < 1:
        raise ValueError(f"latent_dim: expected a positive int, got {latent_dim!r}")


def _check_image_shape(shape, name):
    shape = _check_shape(shape, name)
    if len(shape) != 3:
        raise ValueError(f"{name}: expected (height, width, channels), got {shape!r}")
    return shape


def _check_rate(rate, name):
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"{name}: expected a rate in [0, 1), got {rate!r}")


def _check_choice(value, choices, name):
    if value not in choices:
        raise ValueError(f"{name}: expected {' or '.join(map(repr, choices))}, got {value!r}")


def _batchnorm(x, momentum, epsilon):
    """BatchNorm when `momentum` is set (Keras momentum: PyTorch's 0.1 is Keras' 0.9)."""
    if momentum is None:
        return x
    return layers.BatchNormalization(momentum=momentum, epsilon=epsilon)(x)


def _activation(kind, negative_slope):
    if kind == "relu":
        return layers.ReLU()
    if kind == "leaky_relu":
        # Always pass the slope: Keras' default is 0.3, PyTorch's 0.01; GAN papers use 0.2.
        return layers.LeakyReLU(negative_slope=negative_slope)
    raise ValueError(f"activation: expected one of {_ACTIVATIONS}, got {kind!r}")


def mlp_generator(latent_dim: int, hidden_units, output_shape, *, activation="leaky_relu",
                  negative_slope=0.2, batchnorm_momentum=None, batchnorm_epsilon=1e-3,
                  dropout=0.0, output_activation="tanh", name="generator") -> keras.Model:
    """A dense generator: z → [Dense → activation → (BatchNorm) → (Dropout)] × n → Dense.

    latent_dim: size of the noise vector z.
    hidden_units: widths of the hidden layers, e.g. (256, 512, 1024).
    output_shape: shape of one sample, e.g. 2 for a point, (28, 28, 1) for an image; the last
        Dense layer has prod(output_shape) units and is reshaped to it.
    batchnorm_momentum: None for no BatchNorm (Keras momentum: moving = m·moving + (1 − m)·batch;
        PyTorch's momentum 0.1 is Keras' 0.9).
    output_activation: "tanh" for data in [-1, 1], None for unbounded data.
    """
    _check_latent_dim(latent_dim)
    units = _check_units(hidden_units, "hidden_units")
    shape = _check_shape(output_shape, "output_shape")
    _check_rate(dropout, "dropout")
    z = keras.Input((latent_dim,), name="z")
    x = z
    for width in units:
        x = layers.Dense(width)(x)
        x = _activation(activation, negative_slope)(x)
        x = _batchnorm(x, batchnorm_momentum, batchnorm_epsilon)
        if dropout:
            x = layers.Dropout(dropout)(x)
    # float32 even under the mixed_float16 policy: the samples and D's loss need its precision.
    x = layers.Dense(math.prod(shape), activation=output_activation, dtype="float32")(x)
    if len(shape) > 1:
        x = layers.Reshape(shape, dtype="float32")(x)
    return keras.Model(z, x, name=name)


def mlp_discriminator(input_shape, hidden_units, *, activation="leaky_relu", negative_slope=0.2,
                      dropout=0.0, output_activation="sigmoid",
                      name="discriminator") -> keras.Model:
    """A dense discriminator: sample → flatten → [Dense → activation → (Dropout)] × n → Dense(1).

    output_activation: "sigmoid" gives a probability (use `BCE(from_logits=False)`); None gives
        a logit (use `BCE(from_logits=True)`, numerically the safer pair).
    """
    shape = _check_shape(input_shape, "input_shape")
    units = _check_units(hidden_units, "hidden_units")
    _check_rate(dropout, "dropout")
    inputs = keras.Input(shape, name="sample")
    x = layers.Flatten()(inputs) if len(shape) > 1 else inputs
    for width in units:
        x = layers.Dense(width)(x)
        x = _activation(activation, negative_slope)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    out = layers.Dense(1, activation=output_activation, dtype="float32")(x)
    return keras.Model(inputs, out, name=name)


def _check_blocks(blocks, third):
    """`blocks` as a tuple of (filters, kernel_size, `third`) positive int triples."""
    blocks = tuple(tuple(b) for b in blocks)
    if not blocks or any(len(b) != 3 or not all(isinstance(v, int) and v >= 1 for v in b)
                         for b in blocks):
        raise ValueError(f"blocks: expected a non-empty sequence of (filters, kernel_size, "
                         f"{third}) positive int triples, got {blocks!r}")
    return blocks


def conv_generator(latent_dim: int, start_shape, blocks, out_channels: int, *, out_kernel=3,
                   upsample="transpose", activation="leaky_relu", negative_slope=0.2,
                   dense_negative_slope=None, batchnorm_momentum=None, batchnorm_epsilon=1e-3,
                   output_activation="tanh", name="generator") -> keras.Model:
    """A convolutional generator that starts from a Dense projection of z.

    z → Dense(prod(start_shape)) → activation → Reshape(start_shape)
      → [up-sample by `scale` and Conv → (BatchNorm) → activation] per block
      → Conv2D(out_channels, out_kernel) → output_activation

    blocks: `(filters, kernel_size, scale)` per block. scale 2 doubles height and width: a
        stride-2 `Conv2DTranspose` when `upsample="transpose"` (chapter 4), `UpSampling2D` (nearest
        neighbour) then `Conv2D` when `upsample="nearest"` (chapter 6); scale 1 is a `Conv2D`.
        All convolutions use 'same' padding.
    dense_negative_slope: the LeakyReLU slope after the Dense layer, when it differs from the
        blocks' (chapter 4 writes `LeakyReLU()` there, Keras' default 0.3).
    batchnorm_momentum: None for no BatchNorm; otherwise BatchNorm before each block's activation.
    """
    _check_latent_dim(latent_dim)
    start = _check_image_shape(start_shape, "start_shape")
    blocks = _check_blocks(blocks, "scale")
    _check_choice(upsample, ("transpose", "nearest"), "upsample")
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(math.prod(start))(z)
    x = _activation(activation, negative_slope if dense_negative_slope is None
                    else dense_negative_slope)(x)
    x = layers.Reshape(start)(x)
    for filters, kernel, scale in blocks:
        if scale == 1:
            x = layers.Conv2D(filters, kernel, padding="same")(x)
        elif upsample == "transpose":
            x = layers.Conv2DTranspose(filters, kernel, strides=scale, padding="same")(x)
        else:
            x = layers.UpSampling2D(scale)(x)
            x = layers.Conv2D(filters, kernel, padding="same")(x)
        x = _batchnorm(x, batchnorm_momentum, batchnorm_epsilon)
        x = _activation(activation, negative_slope)(x)
    # float32 even under the mixed_float16 policy (see mlp_generator).
    x = layers.Conv2D(out_channels, out_kernel, padding="same", activation=output_activation,
                      dtype="float32")(x)
    return keras.Model(z, x, name=name)


def conv_discriminator(input_shape, blocks, *, padding="same", negative_slope=0.2, dropout=0.0,
                       final_dropout=0.0, batchnorm_momentum=None, batchnorm_epsilon=1e-3,
                       output_activation="sigmoid", name="discriminator") -> keras.Model:
    """A convolutional discriminator.

    image → [Conv2D → (BatchNorm) → LeakyReLU → (Dropout)] per block → Flatten → (Dropout)
          → Dense(1) → output_activation

    blocks: `(filters, kernel_size, stride)` per block.
    padding: "same", or "valid" (each 5×5 conv then shrinks the image by 4 pixels: chapter 6).
    dropout: the rate after every block; final_dropout: the rate after Flatten.
    output_activation: "sigmoid" (a probability) or None (a logit).
    """
    shape = _check_image_shape(input_shape, "input_shape")
    blocks = _check_blocks(blocks, "stride")
    _check_choice(padding, ("same", "valid"), "padding")
    _check_rate(dropout, "dropout")
    _check_rate(final_dropout, "final_dropout")
    inputs = keras.Input(shape, name="image")
    x = inputs
    for filters, kernel, stride in blocks:
        x = layers.Conv2D(filters, kernel, strides=stride, padding=padding)(x)
        x = _batchnorm(x, batchnorm_momentum, batchnorm_epsilon)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    if final_dropout:
        x = layers.Dropout(final_dropout)(x)
    out = layers.Dense(1, activation=output_activation, dtype="float32")(x)
    return keras.Model(inputs, out, name=name)


def io_shapes(model: keras.Model, name: str = "model") -> tuple[tuple, tuple]:
    """(input shape, output shape) of one sample, without the batch axis.

    Works for functional and Sequential models; a model that has not been built (no
    `keras.Input`, never called) gets a clear error instead of Keras' AttributeError.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"{name}: expected a keras.Model, got {type(model).__name__}")
    try:
        return tuple(model.inputs[0].shape[1:]), tuple(model.outputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError):
        raise ValueError(
            f"{name} ({model.name}) has no defined input: start it with keras.Input(shape) "
            "or call it once on a batch before training"
        ) from None


def check_pair(generator: keras.Model, discriminator: keras.Model) -> None:
    """Raise a clear error when G's samples do not fit D's input (a latent/shape mismatch)."""
    _, g_out = io_shapes(generator, "generator")
    d_in, d_out = io_shapes(discriminator, "discriminator")
    if g_out != d_in:
        raise ValueError(
            f"generator output shape {g_out} does not match discriminator input shape {d_in}: "
            "build D with input_shape equal to G's output_shape"
        )
    if d_out != (1,):
        raise ValueError(f"discriminator must output one score per sample, got shape {d_out}")


def latent_dim(generator: keras.Model) -> int:
    """The size of G's noise vector."""
    z_shape, _ = io_shapes(generator, "generator")
    if len(z_shape) != 1:
        raise ValueError(f"generator: expected a flat noise input (latent_dim,), got {z_shape}")
    return int(z_shape[0])


def output_range(generator: keras.Model):
    """The range of G's last activation: tanh → (-1, 1), sigmoid → (0, 1), otherwise None."""
    for layer in reversed(generator.layers):
        activation = getattr(layer, "activation", None)
        if activation is not None:
            return {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(
                getattr(activation, "__name__", ""))
    return None
