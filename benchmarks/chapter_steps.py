"""Seconds per training iteration of the convolutional chapters' models, on this machine.

Sizes the CPU budgets of notebooks 04, 06 and 08–10: chapter 4's G and D with the book's iteration
(64 real + 64 generated images, two D steps, one G step: `d_split=True`), chapter 6's at the
book's width and at the quarter width its CPU run uses (batch 128, one D and one G step, the work
of the notebook's `FashionGAN.train_step`), and the DCGANs of chapters 8–10 at the book's width and
at the width their CPU runs use, with their batch sizes and losses. Random images stand in for
data; the median of `--steps` timed steps after two warm-up steps is printed.

    python benchmarks/chapter_steps.py [--steps 3] [--chapters 4,6,8,9,10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("GANKIT_QUIET", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import gankit  # noqa: E402,F401
from gankit import losses, models, training  # noqa: E402


def chapter4():
    g = models.conv_generator(100, (4, 4, 256), [(128, 3, 2)] * 3, 3, dense_negative_slope=0.3)
    d = models.conv_discriminator((32, 32, 3), [(64, 3, 1), (128, 3, 2), (128, 3, 2),
                                                (256, 3, 2)], final_dropout=0.4)
    return g, d, 64, dict(d_split=True)


def chapter6(width):
    f = int(128 * width)
    g = models.conv_generator(128, (7, 7, f), [(f, 5, 2), (f, 5, 2), (f, 4, 1), (f, 4, 1)], 1,
                              out_kernel=4, upsample="nearest", output_activation="sigmoid")
    d = models.conv_discriminator((28, 28, 1), [(int(c * width), 5, 1) for c in (32, 64, 128, 256)],
                                  padding="valid", dropout=0.4, final_dropout=0.4)
    return g, d, 128, {}


PYTORCH_BN = dict(batchnorm_momentum=0.9, batchnorm_epsilon=1e-5)


def chapter8(div):
    g = models.dcgan_generator(128, 4, [f // div for f in (512, 256, 128, 64)], 4, init="pytorch",
                               **PYTORCH_BN)
    d = models.dcgan_discriminator(64, [f // div for f in (64, 128, 256, 512)], 4,
                                   first_batchnorm=True, head="conv", init="pytorch",
                                   output_activation="sigmoid", **PYTORCH_BN)
    return g, d, 128, dict(loss=losses.MSE(seed=0))


def chapter9(div):
    g = models.dcgan_generator(100, 2, [f // div for f in (512, 256, 128, 64)], 4,
                               projection="dense", projection_norm=False, conv_bias=False,
                               init="dcgan", **PYTORCH_BN)
    d = models.dcgan_discriminator(32, [f // div for f in (64, 128, 256)], 4, negative_slope=0.01,
                                   conv_bias=False, init="dcgan", **PYTORCH_BN)
    return g, d, 256, dict(loss=losses.BCE(from_logits=True, reduction="sum"))


def chapter10(div):
    g = models.dcgan_generator(100, 4, [f // div for f in (512, 256, 128, 64)], 5,
                               projection="dense")
    d = models.dcgan_discriminator(64, [f // div for f in (32, 64, 128, 256)], 5)
    return g, d, 128, dict(loss=losses.BCE(from_logits=True, real_label=0.9, reduction="sum"),
                           g_noise="same")


def seconds_per_step(g, d, batch, options, steps):
    step = training.make_train_step(g, d, keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4),
                                    training.Noise(models.latent_dim(g), seed=0), **options)
    low, _ = models.output_range(g)
    real = np.random.default_rng(0).uniform(low, 1, (batch, *d.input_shape[1:])).astype("float32")
    times = []
    for i in range(steps + 2):
        start = time.perf_counter()
        step(real)
        if i >= 2:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--chapters", default="4,6,8,9,10")
    args = parser.parse_args()
    runs = {"4": [("chapter 4, the book's size (batch 64 + 64)", chapter4)],
            "6": [("chapter 6, the book's size (batch 128)", lambda: chapter6(1.0)),
                  ("chapter 6, quarter width (batch 128)", lambda: chapter6(0.25))],
            "8": [("chapter 8, the book's size (batch 128)", lambda: chapter8(1)),
                  ("chapter 8, quarter width (batch 128)", lambda: chapter8(4))],
            "9": [("chapter 9, the book's size (batch 256)", lambda: chapter9(1)),
                  ("chapter 9, half width (batch 256)", lambda: chapter9(2))],
            "10": [("chapter 10, the book's size (batch 128)", lambda: chapter10(1)),
                   ("chapter 10, quarter width (batch 128)", lambda: chapter10(4))]}
    for name, build in (run for c in args.chapters.split(",") for run in runs[c.strip()]):
        g, d, batch, options = build()
        print(f"{name}: {seconds_per_step(g, d, batch, options, args.steps):.2f} s per iteration "
              f"(G {g.count_params():,}, D {d.count_params():,} parameters)", flush=True)


if __name__ == "__main__":
    main()
