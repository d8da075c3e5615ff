"""Plots: image grids, point clouds, curves, loss curves. Each returns a matplotlib Figure.

`mosaic` returns an array instead: many images as one, to show inside a figure of your own.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from gankit.data import check_images, to_uint8


def image_grid(images, title: str | None = None, ncols: int | None = None, cmap="gray",
               size: float = 1.2):
    """A grid of images in [-1, 1]: (N, H, W), (N, H, W, 1) or (N, H, W, 3)."""
    arr = check_images(images, "images", value_range=None)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (3, 4) or (arr.ndim == 4 and arr.shape[-1] != 3):
        raise ValueError(f"images: expected (N, H, W), (N, H, W, 1) or (N, H, W, 3), got "
                         f"{np.shape(images)}")
    n = len(arr)
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False)
    shown = np.clip((arr + 1.0) / 2.0, 0.0, 1.0)  # [-1, 1] → [0, 1]
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(shown[i], cmap=cmap if shown.ndim == 3 else None, vmin=0, vmax=1)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def mosaic(images, ncols: int | None = None) -> np.ndarray:
    """Images in [-1, 1] tiled into one uint8 image, `ncols` per row (for `ax.imshow`).

    Grey images give a (rows·H, ncols·W) array, colour ones (rows·H, ncols·W, 3); a last row
    that is not full is padded with black.
    """
    arr = to_uint8(check_images(images, "images", value_range=None))
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    n, h, w, rest = len(arr), arr.shape[1], arr.shape[2], arr.shape[3:]
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    padded = np.zeros((nrows * ncols, *arr.shape[1:]), np.uint8)
    padded[:n] = arr
    tiles = padded.reshape(nrows, ncols, h, w, *rest).swapaxes(1, 2)
    return tiles.reshape(nrows * h, ncols * w, *rest)


def points(samples, title: str | None = None, reference=None):
    """A scatter of 2-D points (notebook 01), over the curve y = sin x."""
    arr = np.asarray(samples, dtype="float32")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"samples: expected shape (N, 2), got {arr.shape}")
    fig, ax = plt.subplots(figsize=(4.5, 3))
    x = np.linspace(0, 2 * np.pi, 200)
    ax.plot(x, np.sin(x), color="0.7", lw=3, label="sin x", zorder=0)
    if reference is not None:
        ref = np.asarray(reference)
        ax.plot(ref[:, 0], ref[:, 1], ".", color="tab:blue", ms=3, label="real")
    ax.plot(arr[:, 0], arr[:, 1], ".", color="tab:orange", ms=4, label="generated")
    ax.set_xlim(-1, 2 * np.pi + 1)
    ax.set_ylim(-1.6, 1.6)
    ax.legend(loc="lower left", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def curves(samples, title: str | None = None, x=None, n: int = 8):
    """The first `n` 1-D curves (notebook 02), one panel each."""
    arr = np.asarray(samples, dtype="float32")
    if arr.ndim != 2:
        raise ValueError(f"samples: expected shape (N, length), got {arr.shape}")
    n = min(n, len(arr))
    x = np.arange(arr.shape[1]) if x is None else np.asarray(x)
    fig, axes = plt.subplots(1, n, figsize=(1.6 * n, 1.6), sharey=True, squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.plot(x, arr[i], lw=1.2)
        ax.set_ylim(-1.1, 1.1)
        ax.set_xticks([])
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def loss_curves(history, keys=("d_loss", "g_loss"), per="epoch", smooth: int = 1,
                reference: float | None = None, title: str | None = None):
    """Loss curves from a `training.History`, a Keras `History` or a dict of lists.

    per: "epoch" (means) or "step" (every update, for iteration-counted books).
    smooth: moving-average window drawn over the raw curve (1 = none).
    reference: a horizontal line, e.g. ln 2 ≈ 0.693, the BCE of a D at chance.
    """
    if isinstance(getattr(history, "epoch", None), dict):
        series = history.epoch if per == "epoch" else history.step
    elif hasattr(history, "history"):
        series = history.history
    else:
        series = history
    missing = [k for k in keys if k not in series]
    if missing:
        raise KeyError(f"loss_curves: {missing} not recorded; have {sorted(series)}")
    fig, ax = plt.subplots(figsize=(6, 3))
    for key in keys:
        values = np.asarray(series[key], dtype="float64")
        steps = np.arange(1, len(values) + 1)
        if smooth > 1 and len(values) >= smooth:
            ax.plot(steps, values, alpha=0.25)
            kernel = np.ones(smooth) / smooth
            ax.plot(steps[smooth - 1:], np.convolve(values, kernel, "valid"),
                    color=ax.lines[-1].get_color(), label=f"{key} (mean of {smooth})")
        else:
            ax.plot(steps, values, label=key)
    if reference is not None:
        ax.axhline(reference, color="0.5", ls="--", lw=1, label=f"{reference:.3f}")
    ax.set_xlabel(per)
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def neighbours(samples, images, index, distances=None, title: str | None = None,
               size: float = 1.2):
    """The memorisation panel: each sample (top row) over its nearest image (bottom row).

    index, distances: from `gankit.metrics.nearest_neighbours(samples, images)`.
    """
    samples = check_images(samples, "samples", value_range=None)
    nearest = check_images(images, "images", value_range=None)[np.asarray(index)]
    n = len(samples)
    fig, axes = plt.subplots(2, n, figsize=(size * n, 2 * size + 0.6), squeeze=False)
    for i in range(n):
        for row, arr in enumerate((samples, nearest)):
            ax = axes[row, i]
            ax.imshow(np.clip((arr[i] + 1.0) / 2.0, 0.0, 1.0).squeeze(), cmap="gray",
                      vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        if distances is not None:
            axes[1, i].set_xlabel(f"{distances[i]:.2f}", fontsize=8)
    axes[0, 0].set_ylabel("sample", fontsize=8)
    axes[1, 0].set_ylabel("nearest\ntraining image", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def sheet(images, title: str | None = None, ncols: int | None = None, size: float = 6.0):
    """Images in [-1, 1] as one picture (`mosaic`) in one axes: fast for 64 images a frame."""
    tiles = mosaic(images, ncols)
    height = size * tiles.shape[0] / tiles.shape[1]
    fig, ax = plt.subplots(figsize=(size, height + (0.4 if title else 0)))
    ax.imshow(tiles, cmap="gray" if tiles.ndim == 2 else None, vmin=0, vmax=255)
    ax.axis("off")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
