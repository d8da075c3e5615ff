"""Measured results: what a full-mode notebook run writes for the README's chapter table.

`record()` writes `<chapter>.json` (and a sample image) into `GANKIT_RESULTS_DIR` (`make evaluate`
points it at the repository's `results/`). Smoke runs are never recorded: their numbers mean
nothing.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import keras
import tensorflow as tf

from gankit import runtime


def results_dir() -> Path:
    """`GANKIT_RESULTS_DIR`, or `results/` under gankit's cache folder."""
    path = Path(os.environ.get("GANKIT_RESULTS_DIR") or runtime.cache_dir() / "results")
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(chapter: str, metrics: dict, seconds: float, figure=None) -> Path | None:
    """Save one chapter's measured metrics, training wall time and (optionally) a sample figure."""
    if runtime.smoke():
        print(f"smoke mode: {chapter} results are not recorded (they measure nothing)")
        return None
    clean = {k: (float(v) if hasattr(v, "__float__") else v) for k, v in metrics.items()}
    gpus = tf.config.list_physical_devices("GPU")
    entry = {
        "chapter": chapter,
        "metrics": clean,
        "train_seconds": round(float(seconds), 1),
        "device": "GPU" if gpus else f"CPU ({os.cpu_count()} cores)",
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
    }
    folder = results_dir()
    path = folder / f"{chapter}.json"
    path.write_text(json.dumps(entry, indent=2) + "\n")
    if figure is not None:
        figure.savefig(folder / f"{chapter}.png", dpi=80, bbox_inches="tight")
    print(f"recorded {path}")
    return path


def table(folder=None) -> str:
    """The recorded results as a Markdown table (one row per chapter)."""
    folder = Path(folder) if folder else results_dir()
    rows = ["| chapter | metrics | training time | device |", "|---|---|---|---|"]
    for path in sorted(folder.glob("*.json")):
        entry = json.loads(path.read_text())
        if "chapter" not in entry:  # a benchmark's file, not a chapter's
            continue
        shown = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in entry["metrics"].items())
        rows.append(f"| {entry['chapter']} | {shown} | {entry['train_seconds'] / 60:.1f} min | "
                    f"{entry['device']} |")
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    print(table(sys.argv[1] if len(sys.argv) > 1 else None))
