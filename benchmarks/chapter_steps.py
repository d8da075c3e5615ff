"""Seconds per training iteration of the convolutional chapters' models, on this machine.

Sizes the CPU budgets of notebooks 04 and 06: chapter 4's G and D with the book's iteration
(64 real + 64 generated images, two D steps, one G step: `d_split=True`), and chapter 6's at the
book's width and at the quarter width its CPU run uses (batch 128, one D and one G step, the work
of the notebook's `FashionGAN.train_step`). Random images stand in for data; the median of
`--steps` timed steps after two warm-up steps is printed.

    python benchmarks/chapter_steps.py [--steps 3]
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
from gankit import models, training  # noqa: E402


def chapter4():
    g = models.conv_generator(100, (4, 4, 256), [(128, 3, 2)] * 3, 3, dense_negative_slope=0.3)
    d = models.conv_discriminator((32, 32, 3), [(64, 3, 1), (128, 3, 2), (128, 3, 2),
                                                (256, 3, 2)], final_dropout=0.4)
    return g, d, 64, True


def chapter6(width):
    f = int(128 * width)
    g = models.conv_generator(128, (7, 7, f), [(f, 5, 2), (f, 5, 2), (f, 4, 1), (f, 4, 1)], 1,
                              out_kernel=4, upsample="nearest", output_activation="sigmoid")
    d = models.conv_discriminator((28, 28, 1), [(int(c * width), 5, 1) for c in (32, 64, 128, 256)],
                                  padding="valid", dropout=0.4, final_dropout=0.4)
    return g, d, 128, False


def seconds_per_step(g, d, batch, d_split, steps):
    step = training.make_train_step(g, d, keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4),
                                    training.Latent(models.latent_dim(g), seed=0), d_split=d_split)
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
    args = parser.parse_args()
    for name, build in (("chapter 4, the book's size (batch 64 + 64)", chapter4),
                        ("chapter 6, the book's size (batch 128)", lambda: chapter6(1.0)),
                        ("chapter 6, quarter width (batch 128)", lambda: chapter6(0.25))):
        g, d, batch, d_split = build()
        print(f"{name}: {seconds_per_step(g, d, batch, d_split, args.steps):.2f} s per iteration "
              f"(G {g.count_params():,}, D {d.count_params():,} parameters)", flush=True)


if __name__ == "__main__":
    main()
