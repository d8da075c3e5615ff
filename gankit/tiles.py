"""Tiles (notebook 12): cut an image into S×S tiles, translate each, join them back.

- `cut` / `join`: a batch of 2S×2S images ↔ four S×S tiles each, in the order top-left,
  top-right, bottom-left, bottom-right; `join(cut(x)) == x` exactly.
- `combo`: the book's "Combo" model, 2S×2S image → cut → G → join, so that G learns to make
  tiles whose edges agree.
- `translate_tiled`: translate a large image S×S tile by tile (the book's HD inference).
- `seam_ratio`: how visible the tile borders are in a result.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from gankit import data
from gankit.models import io_shapes


def cut(images, grid: int = 2):
    """(N, gS, gS, C) → (N·g², S, S, C): each image's g×g tiles, row by row."""
    n, h, w, c = ops.shape(images)
    if h % grid or w % grid:
        raise ValueError(f"cut: the image side {h}×{w} is not a multiple of {grid}")
    s, t = h // grid, w // grid
    x = ops.reshape(images, (-1, grid, s, grid, t, c))
    x = ops.transpose(x, (0, 1, 3, 2, 4, 5))  # (N, row, column, S, S, C)
    return ops.reshape(x, (-1, s, t, c))


def join(tiles, grid: int = 2):
    """The inverse of `cut`: (N·g², S, S, C) → (N, gS, gS, C)."""
    _, s, t, c = ops.shape(tiles)
    x = ops.reshape(tiles, (-1, grid, grid, s, t, c))
    x = ops.transpose(x, (0, 1, 3, 2, 4, 5))  # (N, row, S, column, S, C)
    return ops.reshape(x, (-1, grid * s, grid * t, c))


@keras.saving.register_keras_serializable("gankit")
class Cut(layers.Layer):
    """`cut` as a layer: (N, 2S, 2S, C) → (4N, S, S, C)."""

    def call(self, images):
        return cut(images)

    def compute_output_shape(self, shape):
        return (None, shape[1] // 2, shape[2] // 2, shape[3])


@keras.saving.register_keras_serializable("gankit")
class Join(layers.Layer):
    """`join` as a layer: (4N, S, S, C) → (N, 2S, 2S, C)."""

    def call(self, tiles):
        return join(tiles)

    def compute_output_shape(self, shape):
        return (None, 2 * shape[1], 2 * shape[2], shape[3])


def combo(generator: keras.Model, name: str = "combo") -> keras.Model:
    """The book's Combo model around a tile generator G (S×S → S×S): a 2S×2S image is cut into
    four tiles, G translates all of them in one call (shared weights), and they are joined."""
    (s, t, c), out = io_shapes(generator, "generator")
    if s is None or t is None:
        raise ValueError("combo: build G with a fixed image_size (the tile side S)")
    inputs = keras.Input((2 * s, 2 * t, c), name="image")
    return keras.Model(inputs, Join()(generator(Cut()(inputs))), name=name)


def translate_tiled(generator, image, tile: int, batch_size: int = 64) -> np.ndarray:
    """Translate one large image (H, W, C) in [-1, 1] tile by tile with G (`training=False`).

    The image is reflect-padded to multiples of `tile`, cut into tile×tile pieces, translated in
    batches, stitched and cropped back to H×W. Returns float32 (H, W, C).
    """
    image = data.check_images(np.asarray(image)[None], "image")[0]
    h, w, c = image.shape
    rows, cols = -(-h // tile), -(-w // tile)
    padded = np.pad(image, ((0, rows * tile - h), (0, cols * tile - w), (0, 0)), mode="reflect")
    tiles = padded.reshape(rows, tile, cols, tile, c).transpose(0, 2, 1, 3, 4)
    tiles = tiles.reshape(-1, tile, tile, c)
    out = np.concatenate([np.asarray(generator(tiles[i:i + batch_size], training=False))
                          for i in range(0, len(tiles), batch_size)])
    out = out.reshape(rows, cols, tile, tile, -1).transpose(0, 2, 1, 3, 4)
    return out.reshape(rows * tile, cols * tile, -1)[:h, :w].astype("float32")


def seam_ratio(image, tile: int) -> float:
    """Mean |difference| between neighbouring pixels across tile borders, divided by the same
    inside the tiles (both directions). About 1: the borders are invisible; well above 1: seams.
    """
    image = np.asarray(image, "float64")
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or min(image.shape[:2]) < 2 * tile:
        raise ValueError(f"seam_ratio: expected (H, W[, C]) of at least two tiles per side, "
                         f"got {image.shape}")
    across, inside = [], []
    for axis in (0, 1):
        step = np.abs(np.diff(image, axis=axis)).mean(axis=(1 - axis, 2))  # one per boundary
        border = (np.arange(len(step)) + 1) % tile == 0  # between pixel k·tile − 1 and k·tile
        across.append(step[border])
        inside.append(step[~border])
    return float(np.concatenate(across).mean() / np.concatenate(inside).mean())
