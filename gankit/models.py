"""Model builders, grouped by family. Each returns a `keras.Model`.

- MLP (`mlp_generator`, `mlp_discriminator`): every dense GAN of the book (notebooks 01–03, 05, 07).
- Convolutional from a Dense projection (`conv_generator`, `conv_discriminator`): notebooks 04, 06.
- DCGAN (`dcgan_generator`, `dcgan_discriminator`): notebooks 08–11.
- Image to image (`residual_block`, `residual_generator`, `patch_discriminator`,
  `siamese_discriminator`): notebooks 12–13; colorization (`colorization_generator`,
  `colorization_discriminator`): notebook 14.
- Looking at a model: `io_shapes`, `check_pair`, `latent_dim`, `output_range`, `count`,
  `check_count`.

Chapters differ only in the arguments, which their notebooks pass and the tests check against the
book's parameter counts. **To copy a builder** into your own code: its family's section, the
"shared by the builders" block below, and `gankit/checks.py` (it needs only NumPy); replace
`checks.` by nothing if you paste the checks in the same file. `tests/test_copyable.py` does
exactly that and trains a step with the copies.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers

from gankit import checks

# ----------------------------------------------- shared by the builders (copy with any of them)

_INITS = ("keras", "dcgan", "pytorch")


def _init_args(init, fan_in):
    """kernel/bias initializers: Keras' default (TensorFlow 1's too: Glorot-uniform, zero bias),
    the DCGAN paper's N(0, 0.02) with zero bias, or PyTorch's default for Conv/Linear layers
    (kernel U(±1/√fan_in), bias U(±1/√fan_in))."""
    if init == "dcgan":
        return dict(kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02),
                    bias_initializer="zeros")
    if init == "pytorch":
        bound = 1.0 / math.sqrt(fan_in)
        return dict(kernel_initializer=keras.initializers.VarianceScaling(
                        1.0 / 3.0, mode="fan_in", distribution="uniform"),
                    bias_initializer=keras.initializers.RandomUniform(-bound, bound))
    return {}


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
    raise ValueError(f"activation: expected 'relu' or 'leaky_relu', got {kind!r}")


def _norm(x, norm, momentum=0.9, epsilon=1e-5):
    """BatchNorm (PyTorch's momentum and epsilon), instance norm, or nothing."""
    if norm == "batch":
        return _batchnorm(x, momentum, epsilon)
    if norm == "instance":  # one group per channel: each image normalised on its own
        return layers.GroupNormalization(groups=-1, epsilon=epsilon)(x)
    return x


# --------------------------------------------------------- MLP family (notebooks 01–03, 05, 07)

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
    checks.positive_int(latent_dim, "latent_dim")
    units = checks.positive_ints(hidden_units, "hidden_units")
    shape = checks.shape_tuple(output_shape, "output_shape")
    checks.rate(dropout, "dropout")
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
    shape = checks.shape_tuple(input_shape, "input_shape")
    units = checks.positive_ints(hidden_units, "hidden_units")
    checks.rate(dropout, "dropout")
    inputs = keras.Input(shape, name="sample")
    x = layers.Flatten()(inputs) if len(shape) > 1 else inputs
    for width in units:
        x = layers.Dense(width)(x)
        x = _activation(activation, negative_slope)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    out = layers.Dense(1, activation=output_activation, dtype="float32")(x)
    return keras.Model(inputs, out, name=name)


# ------------------------------------------------------ convolutional family (notebooks 04, 06)

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
        stride-2 `Conv2DTranspose` when `upsample="transpose"` (notebook 04), `UpSampling2D`
        (nearest neighbour) then `Conv2D` when `upsample="nearest"` (notebook 06); scale 1 is a
        `Conv2D`.
        All convolutions use 'same' padding.
    dense_negative_slope: the LeakyReLU slope after the Dense layer, when it differs from the
        blocks' (notebook 04 writes `LeakyReLU()` there, Keras' default 0.3).
    batchnorm_momentum: None for no BatchNorm; otherwise BatchNorm before each block's activation.
    """
    checks.positive_int(latent_dim, "latent_dim")
    start = checks.image_shape(start_shape, "start_shape")
    blocks = _check_blocks(blocks, "scale")
    checks.choice(upsample, ("transpose", "nearest"), "upsample")
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
    padding: "same", or "valid" (each 5×5 conv then shrinks the image by 4 pixels: notebook 06).
    dropout: the rate after every block; final_dropout: the rate after Flatten.
    output_activation: "sigmoid" (a probability) or None (a logit).
    """
    shape = checks.image_shape(input_shape, "input_shape")
    blocks = _check_blocks(blocks, "stride")
    checks.choice(padding, ("same", "valid"), "padding")
    checks.rate(dropout, "dropout")
    checks.rate(final_dropout, "final_dropout")
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


# --------------------------------------------------------------- DCGAN family (notebooks 08–11)

def dcgan_generator(latent_dim: int, start_size: int, filters, kernel_size: int = 4, *,
                    projection="conv", projection_norm=True, conv_bias=True, init="keras",
                    batchnorm_momentum=0.99, batchnorm_epsilon=1e-3, channels=3,
                    output_activation="tanh", name="generator") -> keras.Model:
    """A DCGAN generator (Radford et al., 2015): project z to a small map, then double it.

    z → projection to start_size × start_size × filters[0] → (BatchNorm → ReLU)
      → [Conv2DTranspose(f, kernel_size, 2, 'same') → BatchNorm → ReLU] for f in filters[1:]
      → Conv2DTranspose(channels, kernel_size, 2, 'same') → tanh

    The image side is start_size · 2**len(filters): 4 · 2⁴ = 64 (notebooks 08, 10), 2 · 2⁴ = 32
    (09).

    projection: "conv" treats z as a 1×1 image and applies Conv2DTranspose(filters[0],
        start_size, 'valid'), PyTorch's `ConvTranspose2d(k=4, s=1, p=0)` (notebook 08); "dense"
        is Dense(start_size² · filters[0]) and a Reshape (notebooks 09, 10). Both are the same
        linear map; the conv has one bias per channel, the Dense one per unit.
    projection_norm: BatchNorm + ReLU after the projection (notebook 09 has neither).
    conv_bias: False for convolutions without a bias (notebook 09's `bias=False`; BatchNorm's
        beta does that job).
    init: "keras" (Glorot-uniform, zero bias: also TensorFlow 1's default, notebook 10),
        "dcgan" (N(0, 0.02), notebook 09) or "pytorch" (PyTorch's default, notebook 08).
    batchnorm_momentum/epsilon: Keras' 0.99/1e-3 by default; PyTorch's BatchNorm is 0.9/1e-5.
    output_activation: "tanh" for images in [-1, 1]; "sigmoid" for [0, 1] (then scale the real
        images to [0, 1] too), or None for a linear output.
    """
    checks.positive_int(latent_dim, "latent_dim")
    filters = checks.positive_ints(filters, "filters")
    checks.positive_int(start_size, "start_size")
    checks.choice(projection, ("conv", "dense"), "projection")
    checks.choice(init, _INITS, "init")
    z = keras.Input((latent_dim,), name="z")
    if projection == "conv":
        x = layers.Reshape((1, 1, latent_dim))(z)
        x = layers.Conv2DTranspose(filters[0], start_size, padding="valid",
                                   use_bias=conv_bias,
                                   **_init_args(init, filters[0] * start_size ** 2))(x)
    else:
        x = layers.Dense(start_size ** 2 * filters[0], **_init_args(init, latent_dim))(z)
        x = layers.Reshape((start_size, start_size, filters[0]))(x)
    if projection_norm:
        x = _batchnorm(x, batchnorm_momentum, batchnorm_epsilon)
        x = layers.ReLU()(x)
    for f in filters[1:]:
        x = layers.Conv2DTranspose(f, kernel_size, strides=2, padding="same", use_bias=conv_bias,
                                   **_init_args(init, f * kernel_size ** 2))(x)
        x = _batchnorm(x, batchnorm_momentum, batchnorm_epsilon)
        x = layers.ReLU()(x)
    # float32 even under the mixed_float16 policy (see mlp_generator).
    x = layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same",
                               use_bias=conv_bias, activation=output_activation, dtype="float32",
                               **_init_args(init, channels * kernel_size ** 2))(x)
    return keras.Model(z, x, name=name)


def dcgan_discriminator(image_size: int, filters, kernel_size: int = 4, *, channels=3,
                        negative_slope=0.2, first_batchnorm=False, conv_bias=True, head="dense",
                        init="keras", batchnorm_momentum=0.99, batchnorm_epsilon=1e-3,
                        output_activation=None, dropout=0.0,
                        name="discriminator") -> keras.Model:
    """A DCGAN discriminator: strided convolutions halve the image, no pooling.

    image → [Conv2D(f, kernel_size, 2, 'same') → (BatchNorm) → LeakyReLU] for f in filters
          → head → output_activation

    first_batchnorm: BatchNorm on the first block too (notebook 08; the DCGAN paper leaves D's
        input layer without it, as notebooks 09 and 10 do).
    head: "dense" is Flatten → Dense(1) (notebooks 09, 10); "conv" is one Conv2D(1) whose kernel
        covers the whole last map ('valid') → Flatten (notebook 08's `Conv2d(512, 1, 4, 2, 0)`).
    output_activation: None for a logit (pair with `BCE(from_logits=True)`), "sigmoid" for a
        probability (notebook 08's MSE loss compares probabilities).
    dropout: a Dropout(rate) after each block's LeakyReLU (the TensorFlow DCGAN tutorial's 0.3);
        0 for none.
    The other arguments are as in `dcgan_generator`.
    """
    shape = checks.image_shape((image_size, image_size, channels), "image_size/channels")
    filters = checks.positive_ints(filters, "filters")
    checks.choice(head, ("dense", "conv"), "head")
    checks.choice(init, _INITS, "init")
    last = math.ceil(image_size / 2 ** len(filters))  # the side after the strided convs
    inputs = keras.Input(shape, name="image")
    x, fan_in = inputs, channels
    for i, f in enumerate(filters):
        x = layers.Conv2D(f, kernel_size, strides=2, padding="same", use_bias=conv_bias,
                          **_init_args(init, fan_in * kernel_size ** 2))(x)
        if i or first_batchnorm:
            x = _batchnorm(x, batchnorm_momentum, batchnorm_epsilon)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
        fan_in = f
    if head == "conv":
        x = layers.Conv2D(1, last, padding="valid", use_bias=conv_bias, dtype="float32",
                          **_init_args(init, fan_in * last ** 2))(x)
        x = layers.Flatten(dtype="float32")(x)
    else:
        x = layers.Flatten()(x)
        x = layers.Dense(1, dtype="float32", **_init_args(init, fan_in * last ** 2))(x)
    if output_activation is not None:
        x = layers.Activation(output_activation, dtype="float32")(x)
    return keras.Model(inputs, x, name=name)


# ------------------------------------------------------------- image-to-image (notebooks 12–13)

def residual_block(x, norm="batch", init="pytorch"):
    """x + norm(Conv3×3(ReLU(norm(Conv3×3(x))))): the block learns a change to x, not x itself,
    so a stack of them starts near the identity and passes gradients straight through the sum."""
    filters = x.shape[-1]
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                      **_init_args(init, filters * 9))(x)
    y = layers.ReLU()(_norm(y, norm))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                      **_init_args(init, filters * 9))(y)
    return layers.Add()([x, _norm(y, norm)])  # no activation after the sum, as the book


def residual_generator(conv_dim: int = 64, n_res_blocks: int = 6, *, image_size=None,
                       channels: int = 3, norm="batch", init="pytorch",
                       name="generator") -> keras.Model:
    """The image-to-image generator of the book's CycleGAN (notebook 13; notebook 12 uses it on
    tiles): an encoder, residual blocks, a decoder. Fully convolutional.

    image → [Conv2D(f, 4, 2, 'same') → norm → ReLU] for f in conv_dim·(1, 2, 4)
          → n_res_blocks × [x + norm(Conv3×3(ReLU(norm(Conv3×3(x)))))]
          → [Conv2DTranspose(f, 4, 2, 'same') → norm → ReLU] for f in conv_dim·(2, 1)
          → Conv2DTranspose(channels, 4, 2, 'same') → tanh

    No convolution has a bias (the book's `bias=False`). The side must be a multiple of 8.
    image_size: a fixed side, or None for any (the same weights then translate any size).
    norm: "batch" (the book: PyTorch's BatchNorm2d), "instance" (the CycleGAN paper) or None.
    init: "pytorch" (the book's default initialisation), "dcgan" or "keras".
    Book size (conv_dim 64, 6 blocks): 8,402,176 trainable parameters.
    """
    checks.positive_int(conv_dim, "conv_dim")
    checks.non_negative_int(n_res_blocks, "n_res_blocks")
    if image_size is not None and (not isinstance(image_size, int) or image_size % 8):
        raise ValueError(f"image_size: expected None or a multiple of 8, got {image_size!r}")
    checks.choice(norm, ("batch", "instance", None), "norm")
    checks.choice(init, _INITS, "init")
    inputs = keras.Input((image_size, image_size, channels), name="image")
    x, fan_in = inputs, channels
    for f in (conv_dim, 2 * conv_dim, 4 * conv_dim):
        x = layers.Conv2D(f, 4, strides=2, padding="same", use_bias=False,
                          **_init_args(init, fan_in * 16))(x)
        x = layers.ReLU()(_norm(x, norm))
        fan_in = f
    for _ in range(n_res_blocks):
        x = residual_block(x, norm, init)
    for f in (2 * conv_dim, conv_dim):
        x = layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False,
                                   **_init_args(init, f * 16))(x)
        x = layers.ReLU()(_norm(x, norm))
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", use_bias=False,
                               activation="tanh", dtype="float32",
                               **_init_args(init, channels * 16))(x)
    return keras.Model(inputs, x, name=name)


def siamese_discriminator(image_size: int, filters=(32, 64, 128, 256, 256), vector: int = 128,
                          *, channels: int = 3, negative_slope: float = 0.2,
                          name="siamese_discriminator") -> keras.Model:
    """Notebook 12's Siamese discriminator: an image → a vector of `vector` numbers (LENVEC).

    image → [Conv2D(f, 4, 2, 'same') → LeakyReLU] for f in filters → Flatten → Dense(vector)

    No normalisation, so one image's vector never depends on the rest of the batch, and a
    linear output. The book gives only the input (2S × 2S crops) and the output (a vector);
    these layers are this project's choice.
    """
    shape = checks.image_shape((image_size, image_size, channels), "image_size/channels")
    filters = checks.positive_ints(filters, "filters")
    checks.positive_int(vector, "vector")
    inputs = keras.Input(shape, name="image")
    x = inputs
    for f in filters:
        x = layers.Conv2D(f, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(vector, dtype="float32", name="vector")(x), name=name)


def patch_discriminator(conv_dim: int = 64, *, image_size=None, channels: int = 3, norm="batch",
                        negative_slope: float = 0.0, init="pytorch",
                        name="patch_discriminator") -> keras.Model:
    """The book's CycleGAN discriminator (notebook 13): an image → a map of raw realism scores,
    one per patch (7×7 at 128 px, 3×3 at 64 px), for the least-squares loss.

    image → Conv2D(conv_dim, 4, 2, 'same') → ReLU
          → [Conv2D(f, 4, 2, 'same') → norm → ReLU] for f in conv_dim·(2, 4, 8)
          → ZeroPadding2D(1) → Conv2D(1, 4, 'valid')

    PyTorch's `Conv2d(k=4, s=1, p=1)` at the end is padding 1 + 'valid': 'same' would give 8×8.
    No convolution has a bias. norm: "batch" (the book), "instance" (the paper) or None.
    negative_slope: 0 is the book's ReLU; the paper uses LeakyReLU(0.2).
    Book size (conv_dim 64): 2,765,568 trainable parameters.
    """
    checks.positive_int(conv_dim, "conv_dim")
    if image_size is not None and (not isinstance(image_size, int) or image_size < 48
                                   or image_size % 16):
        raise ValueError(f"image_size: expected None or a multiple of 16 ≥ 48, got {image_size!r}")
    checks.choice(norm, ("batch", "instance", None), "norm")
    checks.choice(init, _INITS, "init")
    inputs = keras.Input((image_size, image_size, channels), name="image")
    x, fan_in = inputs, channels
    for i, f in enumerate((conv_dim, 2 * conv_dim, 4 * conv_dim, 8 * conv_dim)):
        x = layers.Conv2D(f, 4, strides=2, padding="same", use_bias=False,
                          **_init_args(init, fan_in * 16))(x)
        if i:  # no normalisation on the first layer
            x = _norm(x, norm)
        x = layers.LeakyReLU(negative_slope=negative_slope)(x) if negative_slope \
            else layers.ReLU()(x)
        fan_in = f
    x = layers.ZeroPadding2D(1)(x)
    x = layers.Conv2D(1, 4, padding="valid", use_bias=False, dtype="float32",
                      **_init_args(init, fan_in * 16))(x)
    return keras.Model(inputs, x, name=name)


# ---------------------------------------------------------------------- colorization (notebook 14)

def _transposed(x, filters, kernel, dilation=1, activation="relu"):
    """The book's stride-1 'valid' `Conv2DTranspose`; when dilated, the same map as padding
    d·(k − 1) zeros and a dilated 'valid' `Conv2D` (TensorFlow's CPU kernel rejects a dilated
    transposed convolution: "Current CPU implementations do not yet support dilation rates
    larger than 1"). Same output size, same parameter count, same initial distribution."""
    if dilation == 1:
        return layers.Conv2DTranspose(filters, kernel, activation=activation)(x)
    x = layers.ZeroPadding2D(dilation * (kernel - 1))(x)
    return layers.Conv2D(filters, kernel, dilation_rate=dilation, activation=activation)(x)


# tf.image.yuv_to_rgb's matrix: rows are the Y, U and V inputs, columns R, G and B
YUV_TO_RGB = [[1.0, 1.0, 1.0], [0.0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0.0]]


def colorization_generator(image_size=120, chroma: bool = False,
                           name="colorization_generator") -> keras.Model:
    """The book's colorizer (notebook 14): a grey image (H, W, 1) in [0, 1] → RGB (H, W, 3).

    Every convolution has stride 1 and 'valid' padding, so sizes go 120 → 82 → 120: an
    encoder (dilated 5×5 and 3×3 convolutions, LeakyReLU with Keras' default slope 0.3), a
    bottleneck, and a decoder of transposed convolutions that concatenates the encoder's three
    block outputs (the skip connections). Works for any side ≥ 39.

    chroma=False (the book): the last layer paints R, G and B through a ReLU, unbounded above
    (clip it to [0, 1] to show it); 1,406,403 parameters.
    chroma=True (not the book; the colorization literature's choice): the last layer predicts
    only the two chroma channels U and V, starting at 0, and a fixed 1×1 convolution (the
    YUV → RGB matrix, not trained) joins them to the input, which is the luma Y. The output keeps
    the grey image's brightness exactly, and an untrained G returns the grey image itself.
    1,405,602 trainable parameters.
    """
    if image_size is not None and (not isinstance(image_size, int) or image_size < 39):
        raise ValueError(f"image_size: expected None or an int ≥ 39, got {image_size!r}")
    inputs = keras.Input((image_size, image_size, 1), name="grey")

    def conv(x, filters, kernel, dilation=1):
        x = layers.Conv2D(filters, kernel, dilation_rate=dilation)(x)
        return layers.LeakyReLU(negative_slope=0.3)(x)  # the book's LeakyReLU(): slope 0.3

    conv1 = conv(conv(conv(inputs, 16, 5, 4), 32, 3, 2), 32, 3)
    conv2 = conv(conv(conv(conv1, 32, 5), 64, 3), 64, 3)
    conv3 = conv(conv(conv(conv2, 64, 5), 128, 3), 128, 3)
    x = layers.Conv2D(128, 3, activation="relu", padding="same")(conv3)  # the bottleneck
    x = layers.Concatenate()([x, conv3])
    for filters, kernel in ((128, 3), (128, 3), (64, 5)):
        x = _transposed(x, filters, kernel)
    x = layers.Concatenate()([x, conv2])
    for filters, kernel in ((64, 3), (64, 3), (32, 5)):
        x = _transposed(x, filters, kernel)
    x = layers.Concatenate()([x, conv1])
    x = _transposed(x, 32, 3)
    x = _transposed(x, 32, 3, dilation=2)
    if not chroma:
        x = _transposed(x, 3, 5, dilation=4)
        return keras.Model(inputs, layers.Activation("linear", dtype="float32")(x), name=name)
    x = layers.ZeroPadding2D(4 * (5 - 1))(x)  # as _transposed(x, 2, 5, dilation=4), linear
    uv = layers.Conv2D(2, 5, dilation_rate=4, kernel_initializer="zeros", name="chroma")(x)
    yuv = layers.Concatenate(name="yuv")([inputs, uv])
    rgb = layers.Conv2D(3, 1, use_bias=False, trainable=False, dtype="float32", name="yuv_to_rgb",
                        kernel_initializer=keras.initializers.Constant([YUV_TO_RGB]))(yuv)
    return keras.Model(inputs, rgb, name=name)


def colorization_discriminator(image_size: int = 120,
                               name="colorization_discriminator") -> keras.Model:
    """The book's colorization critic (notebook 14): an RGB image (120, 120, 3) in [0, 1] → the
    probability that it is a real photo (sigmoid). Four pairs of 'valid' ReLU convolutions
    (7×7, 5×5, 3×3, 3×3) each followed by 2×2 max pooling, then Dense 512 → 128 → 16 → 1.
    Unconditional: it never sees the grey input. The Dense head fixes the side (the book's
    120); the smallest the convolutions allow is 92. 1,907,905 parameters at 120.
    """
    if not isinstance(image_size, int) or image_size < 92:
        raise ValueError(f"image_size: expected an int ≥ 92 (the book uses 120), got "
                         f"{image_size!r}")
    model = keras.Sequential([keras.Input((image_size, image_size, 3), name="image")], name=name)
    for filters, kernel in ((32, 7), (64, 5), (128, 3), (256, 3)):
        model.add(layers.Conv2D(filters, kernel, activation="relu"))
        model.add(layers.Conv2D(filters, kernel, activation="relu"))
        model.add(layers.MaxPooling2D())
    model.add(layers.Flatten())
    for units in (512, 128, 16):
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid", dtype="float32"))
    return model


# --------------------------------------------------------------------------- looking at a model

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


def count(model: keras.Model, trainable: bool = False) -> int:
    """The number of parameters of `model` (only the trainable ones if `trainable`)."""
    weights = model.trainable_weights if trainable else model.weights
    return int(sum(np.prod(w.shape) for w in weights))


def check_count(model: keras.Model, book: int, *, book_values: bool = True,
                trainable: bool = False, what: str | None = None) -> int:
    """Compare `model`'s parameter count with the book's `book`, and return it.

    With the book's values in force (`book_values`, e.g. `Z_SIZE == 100`), the counts must be
    equal: a difference means the model is not the book's, and is an error. With values of your
    own (another latent size, width, image size) the two counts are printed side by side.
    trainable: count the trainable parameters only (what PyTorch and Keras 2 summaries print).
    """
    got = count(model, trainable)
    what = what or model.name
    kind = "trainable parameters" if trainable else "parameters"
    if book_values and got != book:
        raise AssertionError(f"{what}: {got:,} {kind}, but the book's model has {book:,}: the "
                             "model built here is not the book's (check its layers)")
    note = "= the book's" if got == book else f"(the book's, at its settings: {book:,})"
    print(f"{what}: {got:,} {kind} {note}")
    return got
