"""Peak memory of notebook 10's loading path on a large image set.

A stand-in for tfds' prepared `celeb_a` serves `--images` synthetic aligned-CelebA images
(178×218, made on the fly, as many as full CelebA's 162,770 training faces or more); notebook 10's
loader (`gankit.data.faces("celeba", 64, crop_box=CROP, held_out=250)`) cuts and resizes them to
64×64, and one whole pass of `faces.dataset(128)` is read, as training reads it. The process's peak
resident memory (`ru_maxrss`) is printed as JSON, beside the memory the uint8 images alone would
take if they were concatenated into one array, as the loader did before.

    python benchmarks/streaming_memory.py [--images 200000] [--out results/streaming_memory.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("GANKIT_QUIET", "1")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ["GANKIT_SMOKE"] = "0"
os.environ.pop("GANKIT_DATA_DIR", None)  # no offline pack: the large source is used
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tensorflow_datasets as tfds  # noqa: E402

import gankit  # noqa: E402,F401
from gankit import data  # noqa: E402
from tests.standins import SyntheticTfds  # noqa: E402

CROP = (30, 55, 150, 175)  # notebook 10's face box
BATCH, HELD_OUT, SIZE = 128, 250, 64


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    # notebook 10 reads the images only; one image for all keeps the stand-in cheap
    tfds.load = SyntheticTfds(args.images, attributes=False, same_image=True)
    before = peak_mb()
    start = time.perf_counter()
    faces = data.faces("celeba", SIZE, crop_box=CROP, held_out=HELD_OUT)
    seen = 0
    for batch in faces.dataset(BATCH):
        seen += int(batch.shape[0])
    seconds = time.perf_counter() - start
    result = {
        "images": args.images,
        "training_images_read": seen,
        "held_out": len(faces.held_out),
        "sample_in_memory": len(faces.sample),
        "image_size": SIZE,
        "peak_rss_mb": round(peak_mb(), 1),
        "peak_rss_mb_after_imports": round(before, 1),
        "uint8_array_would_take_mb": round(args.images * SIZE * SIZE * 3 / 2**20, 1),
        "seconds": round(seconds, 1),
        "images_per_second": round(seen / seconds),
        "tensorflow": __import__("tensorflow").__version__,
        "cpus": os.cpu_count(),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if seen != args.images - HELD_OUT:
        raise SystemExit(f"read {seen} training images, expected {args.images - HELD_OUT}")


if __name__ == "__main__":
    main()
