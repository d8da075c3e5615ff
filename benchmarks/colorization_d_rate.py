"""Chapter 14: does the book's colorization D stay alive at its learning rate?

Trains the chroma colorizer (`colorization_generator(chroma=True)`) with the adversarial term
(λ = 10⁻³, as notebook 14) against the book's D, once with D's Adam at the book's 10⁻³ and once at
10⁻⁴, from the same weights and on the same batches of the offline pack's flower photos. Every
`--every` steps it measures, on 16 held-out photos, D's mean and spread on real and colorized
photos and the gradient norm reaching G's weights through D (beside the MSE's). A D whose outputs
no longer vary gives G no adversarial signal. Writes `results/14_d_learning_rate.json`.

    GANKIT_DATA_DIR=... python benchmarks/colorization_d_rate.py [--steps 40] [--every 10]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from pathlib import Path

os.environ.setdefault("GANKIT_QUIET", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import gankit  # noqa: E402
from gankit import data, models, runtime, translation  # noqa: E402

WEIGHT = 1e-3  # notebook 14's ADVERSARIAL_WEIGHT


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--out", default=str(Path(__file__).parents[1] / "results"))
    args = parser.parse_args()
    gankit.seed(0)
    photos, held = data.split_held_out(data.colour_photos(120), 100, seed=0)
    grey, colour = data.greyscale(photos) / np.float32(255), photos / np.float32(255)
    probe_grey = data.greyscale(held[:16]) / np.float32(255)
    probe_colour = held[:16] / np.float32(255)
    start_g = models.colorization_generator(120, chroma=True).get_weights()
    start_d = models.colorization_discriminator(120).get_weights()
    runs = {}
    for d_lr in (1e-3, 1e-4):
        g = models.colorization_generator(120, chroma=True)
        d = models.colorization_discriminator(120)
        g.set_weights(start_g)
        d.set_weights(start_d)
        step = translation.make_colorization_step(
            g, d, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(d_lr),
            adversarial_weight=WEIGHT, label_noise=0.1, seed=0)
        dataset = data.from_arrays(grey, 8, labels=colour, drop_remainder=True, seed=0)
        signal = functools.partial(translation.adversarial_signal, g, d, probe_grey, probe_colour,
                                   WEIGHT)
        rows, started = [dict(step=0, **signal())], time.time()
        for i, (x, y) in enumerate(dataset.repeat().take(args.steps), 1):
            logs = step(x, y)
            if i % args.every == 0:
                rows.append(dict(step=i, d_loss=float(logs["d_loss"]), **signal()))
                print(f"D lr {d_lr:g}, step {i}: " + ", ".join(
                    f"{k} {v:.3g}" for k, v in rows[-1].items() if k != "step"), flush=True)
        runs[f"{d_lr:g}"] = dict(rows=rows, seconds=time.time() - started)
    out = Path(args.out) / "14_d_learning_rate.json"
    out.write_text(json.dumps(dict(
        what="chroma colorizer + adversarial term (λ = 1e-3) against the book's D, D's Adam at "
             "1e-3 (the book) and 1e-4; signal on 16 held-out photos",
        steps=args.steps, batch=8, train_photos=len(photos), probe_photos=16,
        d_learning_rates=runs, device=runtime.device_name(), tensorflow=tf.__version__,
        keras=keras.__version__, date=time.strftime("%Y-%m-%d")), indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
