"""Datasets: the generated toy data of notebooks 01–02 and real image sets.

Every image loader follows one resolution order:

1. the offline pack: `$GANKIT_DATA_DIR/<name>.npz` (uint8 arrays, loaded without pickle);
2. the real source through TensorFlow Datasets, when it is already on disk or the network is up;
3. in smoke mode only, a generated stand-in of the same shape, announced in the output.

Full mode never falls back silently: with no pack and no network it raises `DatasetUnavailable`
within seconds, saying how to get the data (tfds would otherwise retry its download for minutes).
"""

from __future__ import annotations

import math
import os
import socket
import threading
from pathlib import Path

import numpy as np
import tensorflow as tf

from gankit import checks, runtime, sources
from gankit.sources import SourceFailed

SMOKE_IMAGES = 512  # images kept from each split in smoke mode
_SMOKE_SOURCE = "SMOKE STAND-IN (generated bars, not real data: numbers are meaningless)"
_TRUE = {"1", "true", "yes", "on"}


class DatasetUnavailable(RuntimeError):
    """The dataset is in neither the offline pack nor reachable through its real source."""


# ---------------------------------------------------------------------------- validation

def check_images(images, name: str = "images", shape=None, value_range=(-1.0, 1.0)):
    """Check a batch of images and return it as a float32 NumPy array.

    `shape` is the expected shape of one image, e.g. (28, 28, 1); `None` entries match anything.
    `value_range` is the range the values must lie in; images in [0, 255] where [-1, 1] is
    expected are the most common mistake, and the error says how to rescale them.
    """
    arr = np.asarray(images)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if arr.ndim < 2:
        raise ValueError(f"{name}: expected a batch (N, ...) of images, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name}: the batch is empty (shape {arr.shape})")
    if shape is not None:
        shape = tuple(shape)
        if arr.ndim != len(shape) + 1 or any(
            want is not None and want != got for want, got in zip(shape, arr.shape[1:])
        ):
            raise ValueError(
                f"{name}: expected images of shape (N, {', '.join(map(str, shape))}), "
                f"got {arr.shape}"
            )
    if arr.dtype == np.uint8 and value_range is not None and value_range[1] <= 1.0:
        raise TypeError(
            f"{name}: got uint8 pixels in [0, 255]; expected float values in "
            f"[{value_range[0]:g}, {value_range[1]:g}].{_rescale_hint(value_range)}"
        )
    arr = arr.astype("float32", copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or Inf values")
    if value_range is not None:
        low, high = value_range
        tol = 1e-3 * (high - low)
        if arr.min() < low - tol or arr.max() > high + tol:
            hint = _rescale_hint(value_range) if arr.max() > 2 else ""
            raise ValueError(
                f"{name}: values must lie in [{low:g}, {high:g}], got "
                f"[{arr.min():.3g}, {arr.max():.3g}].{hint}"
            )
    return arr


def _rescale_hint(value_range) -> str:
    """How to bring [0, 255] pixels into `value_range` (G's output range)."""
    low, high = (float(v) for v in value_range)
    if (low, high) == (-1.0, 1.0):
        return " Rescale [0, 255] images with gankit.data.to_float(x) (→ [−1, 1])."
    if (low, high) == (0.0, 1.0):
        return " Rescale [0, 255] images with x.astype('float32') / 255 (→ [0, 1])."
    return f" Rescale [0, 255] images into [{low:g}, {high:g}], the generator's output range."


def to_float(images) -> np.ndarray:
    """uint8 pixels in [0, 255] → float32 in [-1, 1], with a channel axis for grey images."""
    arr = np.asarray(images)
    if arr.dtype != np.uint8:
        raise TypeError(f"to_float: expected uint8 pixels in [0, 255], got dtype {arr.dtype}")
    if arr.ndim == 3:
        arr = arr[..., None]
    return arr.astype("float32") / 127.5 - 1.0


def to_uint8(images) -> np.ndarray:
    """float images in [-1, 1] → uint8 pixels in [0, 255] (values outside are clipped)."""
    arr = np.asarray(images, dtype="float32")
    return np.clip(np.rint((arr + 1.0) * 127.5), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------- generated data

def sine_points(n: int = 1024, seed: int | None = 0) -> np.ndarray:
    """Notebook 01's data: `n` points (x, sin x) with x ~ U[0, 2π), float32, shape (n, 2)."""
    checks.positive_int(n, "n")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0 * np.pi, size=n)
    return np.stack([x, np.sin(x)], axis=1).astype("float32")


def sine_curves(n: int = 32768, length: int = 64, x_range=(-5.0, 5.0), b_range=(0.5, 2.0),
                c_range=(0.0, np.pi), seed: int | None = 0):
    """Notebook 02's data: `n` curves sin(b·x + c) sampled at `length` points of `x_range`.

    b ~ U(b_range), c ~ U(c_range). Returns `(curves, x)`: float32 arrays of shape
    (n, length) and (length,), values in [-1, 1].
    """
    checks.positive_int(n, "n")
    checks.positive_int(length, "length")
    rng = np.random.default_rng(seed)
    x = np.linspace(x_range[0], x_range[1], length)
    b = rng.uniform(*b_range, size=(n, 1))
    c = rng.uniform(*c_range, size=(n, 1))
    return np.sin(b * x + c).astype("float32"), x.astype("float32")


# ---------------------------------------------------------------------------- image sets

def data_dir() -> Path | None:
    """The offline pack's folder (`GANKIT_DATA_DIR`), or None when it is not set."""
    value = os.environ.get("GANKIT_DATA_DIR")
    return Path(value).expanduser() if value else None


def load_pack(filename: str, keys) -> dict | None:
    """Arrays `keys` of `$GANKIT_DATA_DIR/filename`, or None when the pack does not have it."""
    folder = data_dir()
    if folder is None or not (folder / filename).is_file():
        return None
    with np.load(folder / filename, allow_pickle=False) as archive:
        missing = [k for k in keys if k not in archive.files]
        if missing:
            raise DatasetUnavailable(
                f"{folder / filename} lacks the arrays {missing} (it has {archive.files}); "
                "replace it with the file the data/README.md describes."
            )
        return {k: archive[k] for k in keys}


def online(host: str = "storage.googleapis.com", port: int = 443, timeout: float = 3.0) -> bool:
    """True when `host:port` answers within `timeout` seconds (False if `GANKIT_OFFLINE` is set).

    The probe runs in a thread so that a slow DNS lookup cannot stall it either.
    """
    if os.environ.get("GANKIT_OFFLINE", "").strip().lower() in _TRUE:
        return False
    answer = []

    def probe():
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            answer.append(True)
        except OSError:
            answer.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answer and answer[0])


def _from_tfds(name: str, split: str):
    """(images, labels) of a tfds image-classification set, or None when it cannot be had now."""
    ds = _tfds_load(name, split=split, batch_size=-1, as_supervised=True)
    if ds is None:
        return None
    images, labels = (x.numpy() for x in ds)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    return images.astype(np.uint8), labels.astype(np.uint8)


def _stand_in(n: int, seed: int, size: int = 28, channels: int = 0):
    """Smoke-mode stand-in for a 10-class image set: class k is a bar at angle 18·k degrees.

    `channels` 0 gives grey (n, size, size) images, 3 gives colour ones whose bar and
    background colours also depend on the class.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    grid = complex(0, size)
    yy, xx = np.mgrid[-1:1:grid, -1:1:grid]
    angles = np.deg2rad(18.0 * labels + rng.normal(0, 4, size=n))[:, None, None]
    dist = np.abs(np.cos(angles) * yy - np.sin(angles) * xx)
    length = np.abs(np.sin(angles) * yy + np.cos(angles) * xx) < 0.7
    bars = np.exp(-((dist / 0.12) ** 2)) * length
    if channels:
        hue = labels[:, None, None, None] / 10.0 + np.arange(channels) / channels
        bar_colour = 0.5 + 0.5 * np.sin(2 * np.pi * hue)
        bars = bars[..., None] * bar_colour + (1 - bars[..., None]) * 0.3 * (1 - bar_colour)
    images = np.clip(bars * 255 + rng.normal(0, 10, size=bars.shape), 0, 255)
    return images.astype(np.uint8), labels


# name: (pack file, tfds name, original source, smoke stand-in: image size and channels)
_IMAGE_SETS = {
    "mnist": ("mnist.npz", "mnist", "http://yann.lecun.com/exdb/mnist/", (28, 0)),
    "fashion_mnist": ("fashion_mnist.npz", "fashion_mnist",
                      "https://github.com/zalandoresearch/fashion-mnist", (28, 0)),
    "cifar10": ("cifar10_subset.npz", "cifar10", "https://www.cs.toronto.edu/~kriz/cifar.html",
                (32, 3)),
}


def image_arrays(name: str, split: str = "train"):
    """uint8 `(images, labels)` of a dataset, by the resolution order of this module.

    In smoke mode only the first `SMOKE_IMAGES` images are kept.
    """
    if name not in _IMAGE_SETS:
        raise ValueError(f"image_arrays: unknown dataset {name!r}; known: {sorted(_IMAGE_SETS)}")
    if split not in ("train", "test"):
        raise ValueError(f"image_arrays: split must be 'train' or 'test', got {split!r}")
    pack_file, tfds_name, _, (size, channels) = _IMAGE_SETS[name]

    def pack():
        arrays = load_pack(pack_file, [f"x_{split}", f"y_{split}"])
        return None if arrays is None else (arrays[f"x_{split}"], arrays[f"y_{split}"],
                                            f"offline pack ({pack_file})")

    def from_tfds():
        found = _from_tfds(tfds_name, split)
        return None if found is None else (*found, f"tfds '{tfds_name}'")

    def stand_in():
        return (*_stand_in(SMOKE_IMAGES, 0 if split == "train" else 1, size, channels),
                _SMOKE_SOURCE) if runtime.smoke() else None

    images, labels, source = _first_found(
        name, [("the offline pack", pack), (f"tfds '{tfds_name}'", from_tfds),
               ("the smoke stand-in", stand_in)], lambda: _how_to_get(name))
    if runtime.smoke():
        images, labels = images[:SMOKE_IMAGES], labels[:SMOKE_IMAGES]
    print(f"{name} {split}: {len(images)} images {images.shape[1:]} from {source}")
    return images, labels


def _how_to_get(name: str) -> str:
    pack_file, tfds_name, home, _ = _IMAGE_SETS[name]
    return (
        f"{name} is not available: no offline pack, and tfds could not download it.\n"
        f"Get it one of these ways, then run the cell again:\n"
        f"  1. Point GANKIT_DATA_DIR to a folder holding {pack_file} (arrays x_train, y_train, "
        f"x_test, y_test as uint8), e.g. `export GANKIT_DATA_DIR=/path/to/datasets`.\n"
        f"  2. Go online once: tensorflow_datasets downloads '{tfds_name}' and keeps it in "
        f"~/tensorflow_datasets (Colab is online: nothing to do there).\n"
        f"  3. Offline on this machine only: `make setup` does not fetch data; see data/README.md."
        f"\nOriginal source: {home}"
    )


def from_arrays(images, batch_size: int, labels=None, shuffle: bool = True,
                drop_remainder: bool = False, seed: int | None = 0) -> tf.data.Dataset:
    """A shuffled, batched, prefetched `tf.data.Dataset` of arrays (and labels, or a 2nd array).

    uint8 images (pixels in [0, 255]) stay uint8 in memory and are scaled to [-1, 1] batch by
    batch, as `to_float` would: a float32 copy of them all would take four times the memory.
    """
    checks.positive_int(batch_size, "batch_size")
    scale = np.asarray(images).dtype == np.uint8
    images = np.asarray(images) if scale else check_images(images, "images", value_range=None)
    if labels is not None:
        labels = np.asarray(labels)
        if len(labels) != len(images):
            raise ValueError(f"labels: {len(labels)} labels for {len(images)} images")
    # Shuffle indices, not images: a shuffle buffer of every image would be refilled (copied)
    # at each epoch, which costs seconds per epoch; gathering a batch of indices costs nothing.
    tensors = [tf.constant(images)] + ([] if labels is None else [tf.constant(labels)])
    ds = tf.data.Dataset.range(len(images))
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)

    def gather(idx):  # a batch of indices → that batch of images (and labels)
        batch = tuple(tf.gather(t, idx) for t in tensors)
        if scale:
            batch = (tf.cast(batch[0], tf.float32) / 127.5 - 1.0, *batch[1:])
        return batch if len(batch) > 1 else batch[0]

    return ds.map(gather).prefetch(tf.data.AUTOTUNE)


def random_crops(images, size: int, batch_size: int, seed: int = 0,
                 flip: bool = True) -> tf.data.Dataset:
    """An endless dataset of batches of random `size`×`size` crops of uint8 `images` (N, H, W, C),
    flipped left–right at random and scaled to [-1, 1]. The same seed gives the same crops, whatever
    the global seed."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise TypeError(f"random_crops: expected uint8 images (N, H, W, C), got {images.dtype} "
                        f"{images.shape}")
    if not isinstance(size, int) or not 1 <= size <= min(images.shape[1:3]):
        raise ValueError(f"random_crops: size must be an int ≤ the image side "
                         f"{min(images.shape[1:3])}, got {size!r}")
    checks.positive_int(batch_size, "batch_size")
    source, shape = tf.constant(images), (size, size, images.shape[3])

    def crop(r):  # three random int64s: which image, and the crop's and flip's seed
        image = tf.image.stateless_random_crop(tf.gather(source, r[0] % len(images)), shape,
                                               seed=r[1:])
        if flip:
            image = tf.image.stateless_random_flip_left_right(image, seed=r[:0:-1])
        return tf.cast(image, tf.float32) / 127.5 - 1.0

    def draw(i):  # stateless: the same crops whatever the global seed (`gankit.seed`) is
        return tf.random.stateless_uniform([3], tf.stack([tf.constant(seed, tf.int64), i]),
                                           minval=None, maxval=None, dtype=tf.int64)

    ds = tf.data.Dataset.counter().map(draw).map(crop, tf.data.AUTOTUNE)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def image_dataset(name: str, batch_size: int = 32, split: str = "train", *,
                  with_labels: bool = False, classes=None, shuffle: bool = True,
                  drop_remainder: bool = False) -> tf.data.Dataset:
    """A dataset of `name`'s images ("mnist", "fashion_mnist", "cifar10") in [-1, 1].

    Grey images get a channel axis: (28, 28, 1). `classes`: keep only these labels, e.g.
    `classes=[7]` for CIFAR-10's horses ("generate one kind of image").
    """
    images, labels = image_arrays(name, split)
    if classes is not None:
        keep = np.isin(labels, np.asarray(classes))
        if not keep.any():
            raise ValueError(f"classes: none of {list(classes)} occurs in {name} {split} "
                             f"(labels run from {labels.min()} to {labels.max()})")
        images, labels = images[keep], labels[keep]
    return from_arrays(to_float(images), batch_size, labels if with_labels else None,
                       shuffle=shuffle, drop_remainder=drop_remainder)


def mnist(batch_size: int = 32, split: str = "train", with_labels: bool = False,
          shuffle: bool = True, drop_remainder: bool = False) -> tf.data.Dataset:
    """MNIST as a dataset of (28, 28, 1) float32 images in [-1, 1] (and labels if asked)."""
    return image_dataset("mnist", batch_size, split, with_labels=with_labels, shuffle=shuffle,
                         drop_remainder=drop_remainder)


# ----------------------------------------------------------------------------- face sets

# name: (pack file, its image array, tfds name or None, where the real images come from)
_FACE_SETS = {
    "anime_faces": ("anime_faces_64.npz", "x", None,
                    "Kaggle 'lunarwhite/anime-face-dataset-ntumlds' (36,740 JPEGs, 64×64, needs "
                    "a Kaggle account)"),
    "celeba": ("celeba_64.npz", "x", "celeb_a",
               "CelebA 'img_align_celeba' (202,599 JPEGs, 178×218), "
               "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html"),
}
_IMAGE_FILES = ("*.jpg", "*.jpeg", "*.png", "*.JPG", "*.JPEG", "*.PNG")
SAMPLE = 10_000  # training images an ImageSet holds in memory for the metrics and figures


def _crop_resize(image, size, crop_box=None):
    """One uint8 image: the crop box (left, top, right, bottom) if given, then the short side
    resized to `size` (bilinear, antialiased) and the centre `size`×`size` kept.

    Sizes known when the function is traced (tfds' CelebA is always 218×178) are worked out in
    Python, which makes the per-image graph about twice as fast as with run-time shapes."""
    if crop_box is not None:
        left, top, right, bottom = crop_box
        height, width = image.shape[:2]
        if height is not None and width is not None and (bottom > height or right > width):
            raise ValueError(f"crop_box {crop_box} reaches outside an image of {width}×{height} "
                             "(width × height)")
        if height is None or width is None:
            tf.debugging.assert_greater_equal(tf.shape(image)[:2], [bottom, right],
                                              message=f"crop_box {crop_box} reaches outside "
                                                      "an image")
        image = image[top:bottom, left:right]
    height, width = image.shape[:2]
    if (height, width) == (size, size):  # already the size
        return image
    if height is not None and width is not None:
        scale = size / min(height, width)
        new = (math.ceil(height * scale), math.ceil(width * scale))
    else:
        shape = tf.cast(tf.shape(image)[:2], tf.float32)
        new = tf.cast(tf.math.ceil(shape * size / tf.reduce_min(shape)), tf.int32)
    image = tf.image.resize(image, new, "bilinear", antialias=True)
    if not (isinstance(new, tuple) and new == (size, size)):
        image = tf.image.resize_with_crop_or_pad(image, size, size)
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


def _check_size_and_box(size, crop_box):
    if not isinstance(size, int) or isinstance(size, bool) or not 8 <= size <= 1024:
        raise ValueError(f"size: expected an int from 8 to 1024, got {size!r}")
    if crop_box is not None and (len(crop_box) != 4 or crop_box[0] >= crop_box[2]
                                 or crop_box[1] >= crop_box[3] or min(crop_box) < 0):
        raise ValueError(f"crop_box: expected (left, top, right, bottom) with left < right and "
                         f"top < bottom, got {crop_box!r}")


def _resized(images, size):
    """Square uint8 images (the pack's) resized to `size`×`size` (bilinear, antialiased)."""
    if images.shape[1] == size:
        return images
    images = tf.image.resize(images, (size, size), "bilinear", antialias=True)
    return np.clip(np.round(images.numpy()), 0, 255).astype(np.uint8)


def _image_files(folder) -> list[str]:
    folder = Path(folder).expanduser()
    files = sorted({str(p) for pattern in _IMAGE_FILES for p in folder.rglob(pattern)})
    if not files:
        raise DatasetUnavailable(f"{folder}: no .jpg or .png images in it (or below it)")
    return files


def _file_loader(size, crop_box, where):
    def load(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        return _crop_resize(image, size, crop_box)
    return load


def _decoded(ds, where):
    """All the images of a finite dataset of uint8 images (or tuples) as NumPy arrays."""
    try:
        batches = list(ds.batch(1024).as_numpy_iterator())
    except tf.errors.InvalidArgumentError as error:
        raise ValueError(f"{where}: {error.message.splitlines()[0]}; aligned CelebA images are "
                         "178×218 (width × height)") from None
    if not batches:
        return None
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*batches))
    return np.concatenate(batches)


def _from_folder(folder, size, crop_box, limit, files=None):
    """Every image of `folder` (or `files`), decoded into one uint8 array (small sets only)."""
    files = (files or _image_files(folder))[:limit]
    ds = tf.data.Dataset.from_tensor_slices(files).map(_file_loader(size, crop_box, folder),
                                                       tf.data.AUTOTUNE)
    return _decoded(ds, folder)


class ImageSet:
    """A set of training images that need not fit in memory, and what is kept of it in memory.

    `dataset(batch_size)` gives the training images as float32 batches in [-1, 1], in a new
    order each pass. A small set (the offline pack) is gathered from memory; a large one (a
    folder, tfds, the Hub) streams through `tf.data` from its files, decoded and resized on the
    fly, shuffled by file name (a folder) or through a bounded buffer (tfds, the Hub): memory
    does not grow with the set.
    held_out: uint8 images never trained on (the metrics' floor, the memorisation check).
    sample: uint8 training images held in memory (at most `SAMPLE`, or what `sample=` asked
        for): what metrics, judges and figures use. For a small set, all of it.
    labels, held_out_labels, sample_labels: per-image labels where the set has them (CelebA's 40
        attributes, `label_names`); `count`: the number of training images; `source`: where from.
    """

    def __init__(self, name, source, count, held_out, sample, *, images=None, stream=None,
                 held_out_labels=None, sample_labels=None, labels=None, label_names=None):
        self.name, self.source, self.count = name, source, count
        self.held_out, self.sample = held_out, sample
        self.held_out_labels, self.sample_labels = held_out_labels, sample_labels
        self.label_names = label_names
        self._images, self._labels, self._stream = images, labels, stream

    @property
    def shape(self):
        return self.sample.shape[1:]

    def dataset(self, batch_size: int, *, seed: int = 0, labels: bool = False,
                drop_remainder: bool = False) -> tf.data.Dataset:
        """Batches of training images in [-1, 1] (with their labels if `labels`), one pass, in a
        new order each pass."""
        checks.positive_int(batch_size, "batch_size")
        if labels and self.sample_labels is None:
            raise ValueError(f"{self.name} has no labels")
        if self._images is not None:
            return from_arrays(self._images, batch_size, self._labels if labels else None,
                               seed=seed, drop_remainder=drop_remainder)
        ds = self._stream(seed)
        if not labels and isinstance(ds.element_spec, tuple):
            ds = ds.map(lambda x, _: x)
        ds = ds.batch(batch_size, drop_remainder=drop_remainder)
        return ds.map(_scale_batch, tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

    def __repr__(self):
        return (f"ImageSet({self.name!r}: {self.count:,} training images {self.shape}, "
                f"{len(self.held_out)} held out, from {self.source})")


def _scale_batch(*batch):
    images = tf.cast(batch[0], tf.float32) / 127.5 - 1.0
    return images if len(batch) == 1 else (images, *batch[1:])


def _memory_set(name, source, images, held_out, sample, seed, labels=None, label_names=None):
    if held_out:
        if labels is None:
            images, held = split_held_out(images, held_out, seed)
            held_labels = None
        else:
            (images, labels), (held, held_labels) = split_held_out(images, held_out, seed, labels)
    else:
        held, held_labels = images[:0], None if labels is None else labels[:0]
    return ImageSet(name, source, len(images), held, images[:sample], images=images,
                    labels=labels, held_out_labels=held_labels,
                    sample_labels=None if labels is None else labels[:sample],
                    label_names=label_names)


def _folder_set(name, files, size, crop_box, held_out, sample, seed, labels=None, where=None):
    """A set streamed from image files: a seeded `held_out` of them kept apart. Each pass
    shuffles the file names, not the images: no image buffer is needed."""
    files = np.asarray(files)
    order = np.random.default_rng(seed).permutation(len(files))
    if held_out >= len(files):
        raise ValueError(f"held_out: {held_out} of {len(files)} images leaves none to train on")
    train_idx = order[held_out:]
    load = _file_loader(size, crop_box, where)

    def read(idx, shuffle_seed=None):
        ds = tf.data.Dataset.from_tensor_slices(files[idx] if labels is None else
                                                (files[idx], labels[idx]))
        if shuffle_seed is not None:
            ds = ds.shuffle(len(idx), seed=shuffle_seed, reshuffle_each_iteration=True)
        if labels is None:
            return ds.map(load, tf.data.AUTOTUNE)
        return ds.map(lambda f, y: (load(f), y), tf.data.AUTOTUNE)

    head = _decoded(read(order[:held_out + sample]), where)  # the held out, then the sample
    return _streamed_set(name, where, len(train_idx), head, held_out,
                         lambda seed_: read(train_idx, seed_), labels is not None)


def _buffered(ds, size, seed):
    """A stream of `size`×`size` images shuffled through a buffer of at most 256 MB (10,000
    images at 64×64): enough to mix tfds' and the Hub's files, bounded whatever the set."""
    buffer = int(np.clip(256e6 / (size * size * 3), 1_000, 10_000))
    return ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)


def _tfds_load(name, **kwargs):
    """`tfds.load` of a prepared copy; otherwise a download, only online and not in smoke mode.

    Returns None when the set is not prepared and cannot be downloaded now. A download that
    fails (Google Drive's quota, a checksum, an HTTP error, the network) raises `SourceFailed`.
    """
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        return None
    try:  # already downloaded and prepared: no network needed
        return tfds.load(name, download=False, **kwargs)
    except Exception:  # noqa: BLE001 - tfds raises several types for "not prepared"
        pass
    if runtime.smoke() or not online():
        return None
    print(f"tfds: downloading and preparing '{name}' (once; it is kept in ~/tensorflow_datasets)")
    try:
        return tfds.load(name, download=True, **kwargs)
    except Exception as error:  # noqa: BLE001 - any failure of the download says the same
        first = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        raise SourceFailed(f"tfds '{name}': {type(error).__name__}: {first}") from error


def _tfds_set(name, tfds_name, size, crop_box, limit, held_out, sample, seed, attributes=False):
    """A set streamed from a tfds split: the first `held_out` images kept apart."""
    end = "" if limit is None else limit

    def prepare(ex):
        image = _crop_resize(ex["image"], size, crop_box)
        if not attributes:
            return image
        return image, tf.stack([ex["attributes"][n] for n in CELEBA_ATTRIBUTES])

    first = _tfds_load(tfds_name, split=f"train[:{held_out + sample}]")
    if first is None:
        return None
    where = f"tfds '{tfds_name}'"
    head = _decoded(first.map(prepare, tf.data.AUTOTUNE), where)
    rest = _tfds_load(tfds_name, split=f"train[{held_out}:{end}]")  # for its length
    count = int(rest.cardinality())

    def stream(seed_):
        import tensorflow_datasets as tfds

        ds = tfds.load(tfds_name, split=f"train[{held_out}:{end}]", download=False,
                       shuffle_files=True, read_config=tfds.ReadConfig(shuffle_seed=seed_))
        return _buffered(ds.map(prepare, tf.data.AUTOTUNE), size, seed_)

    return _streamed_set(name, where, count, head, held_out, stream, attributes)


def _streamed_set(name, where, count, head, held_out, stream, attributes):
    """An `ImageSet` whose first `held_out` images of `head` (images, or (images, attributes))
    are held out and the rest are its sample; `stream(seed)` gives the training images."""
    images, labels = head if attributes else (head, None)
    return ImageSet(name, where, count, images[:held_out], images[held_out:], stream=stream,
                    held_out_labels=None if labels is None else labels[:held_out],
                    sample_labels=None if labels is None else labels[held_out:],
                    label_names=list(CELEBA_ATTRIBUTES) if attributes else None)


def _parquet_set(name, key, size, crop_box, limit, held_out, sample, attributes=False):
    """A set streamed from the Hub's parquet files (`sources.SOURCES[key]`): the first
    `held_out` rows kept apart."""
    import pyarrow.parquet as pq

    per_file = None if limit is None else -(-(limit + held_out) // 1000)  # files hold ≥ 1,000
    files = [str(p) for p in sources.fetch_parquet(key, per_file)]
    rows = [pq.ParquetFile(f).metadata.num_rows for f in files]
    total = sum(rows) if limit is None else min(sum(rows), limit + held_out)
    skips = np.clip(held_out - np.cumsum([0] + rows[:-1]), 0, rows).tolist()
    columns = ["image"] + (list(CELEBA_ATTRIBUTES) if attributes else [])
    spec = (tf.TensorSpec((), tf.string),) + ((tf.TensorSpec((40,), tf.bool),) if attributes
                                               else ())

    def read(path, skip, take):
        """Rows of one file from `skip`, at most `take`: (JPEG bytes[, 40 attributes])."""
        done = 0
        for batch in pq.ParquetFile(path.decode()).iter_batches(256, columns=columns):
            images = batch.column("image").field("bytes").to_pylist()
            table = (np.stack([batch.column(c).to_numpy() for c in CELEBA_ATTRIBUTES], 1) > 0
                     if attributes else None)
            for i, jpeg in enumerate(images):
                if done >= skip and (take < 0 or done < skip + take):
                    yield (jpeg,) if table is None else (jpeg, table[i])
                done += 1

    def decode(jpeg, *labels):
        image = tf.io.decode_image(jpeg, channels=3, expand_animations=False)
        image = _crop_resize(image, size, crop_box)
        return image if not labels else (image, labels[0])

    def rows_of(path, skip, take):
        return tf.data.Dataset.from_generator(read, args=(path, skip, take),
                                              output_signature=spec)

    where = f"Hugging Face {sources.SOURCES[key].repo}"
    head = rows_of(files[0].encode(), 0, -1)
    for f in files[1:]:  # lazily: only the files the first rows come from are read
        head = head.concatenate(rows_of(f.encode(), 0, -1))
    head = _decoded(head.take(held_out + sample).map(decode, tf.data.AUTOTUNE), where)
    budget = total - held_out

    def stream(seed_):
        ds = tf.data.Dataset.from_tensor_slices((files, skips))
        ds = ds.shuffle(len(files), seed=seed_, reshuffle_each_iteration=True)
        ds = ds.interleave(lambda f, k: rows_of(f, k, -1), cycle_length=4,
                           num_parallel_calls=tf.data.AUTOTUNE, deterministic=False)
        return _buffered(ds.take(budget).map(decode, tf.data.AUTOTUNE), size, seed_)

    return _streamed_set(name, where, budget, head, held_out, stream, attributes)


def _smoke_limit(limit):
    """In smoke mode, at most `SMOKE_IMAGES` images of any source."""
    return min(limit or SMOKE_IMAGES, SMOKE_IMAGES) if runtime.smoke() else limit


def _first_found(name, attempts, how_to):
    """Try `(label, attempt)` in order: the first result that is not None. A source that fails
    is reported and the next one tried; when all fail, `DatasetUnavailable` says what was tried
    and how to get the data."""
    failures = []
    for label, attempt in attempts:
        try:
            found = attempt()
        except SourceFailed as error:
            failures.append(f"{label}: {error}")
            print(f"{label} failed ({error}); trying the next source.")
            continue
        if found is not None:
            return found
    tried = ("\nWhat was tried:\n  " + "\n  ".join(failures)) if failures else ""
    raise DatasetUnavailable(how_to() + tried)


def faces(name: str, size: int = 64, *, folder=None, crop_box=None, limit: int | None = None,
          held_out: int = 0, sample: int = SAMPLE, seed: int = 0) -> ImageSet:
    """Face images as an `ImageSet`: "anime_faces" (notebook 08) or "celeba" (09–10).

    Resolution order:
    1. `folder` (every .jpg/.png in it or below it, e.g. a download unzipped), streamed;
    2. the offline pack (`$GANKIT_DATA_DIR/anime_faces_64.npz` or `celeba_64.npz`: 64×64 crops,
       resized to `size`), in memory;
    3. the real source, streamed: CelebA from tfds `celeb_a` (prepared, or downloaded online);
    4. the Hugging Face Hub (`gankit.sources.SOURCES`, no login): anime faces, and CelebA when
       tfds' download fails (Google Drive's quota);
    5. in smoke mode, a generated stand-in. Otherwise `DatasetUnavailable` says how to get them.
    Smoke mode downloads nothing.
    Every image is cut to `crop_box` = (left, top, right, bottom) first, if given (it is meant
    for aligned 178×218 CelebA; the pack's images are cut already, so it is not applied to
    them), then resized on its short side to `size` and centre-cropped to a square.
    held_out: that many images (a seeded choice for arrays and folders, the first ones of tfds'
        and the Hub's order) are kept apart, never in `dataset()`.
    sample: the training images to hold in memory (`ImageSet.sample`). limit: use at most this
        many images of a folder, tfds or the Hub.
    """
    if name not in _FACE_SETS:
        raise ValueError(f"faces: unknown set {name!r}; known: {sorted(_FACE_SETS)}")
    _check_size_and_box(size, crop_box)
    checks.positive_int(sample, "sample")
    limit = _smoke_limit(limit)
    pack_file, key, tfds_name, _ = _FACE_SETS[name]
    if folder is not None:
        found = _folder_set(name, _image_files(folder)[:limit], size, crop_box, held_out, sample,
                            seed, where=f"folder {folder}")
    else:
        def pack():
            arrays = load_pack(pack_file, [key])
            return None if arrays is None else _memory_set(
                name, f"offline pack ({pack_file})", _resized(arrays[key][:limit], size),
                held_out, sample, seed)

        def hub():
            if runtime.smoke() or not online("huggingface.co"):
                return None
            if isinstance(sources.SOURCES[name], sources.Archive):
                files = _image_files(sources.fetch_archive(name))[:limit]
                return _folder_set(name, files, size, crop_box, held_out, sample, seed,
                                   where=sources.SOURCES[name].about)
            return _parquet_set(name, name, size, crop_box, limit, held_out, sample)

        def stand_in():
            if not runtime.smoke():
                return None
            return _memory_set(name, _SMOKE_SOURCE, _stand_in(SMOKE_IMAGES, 0, size, 3)[0],
                               min(held_out, SMOKE_IMAGES // 4), sample, seed)

        attempts = [("the offline pack", pack)]
        if tfds_name:
            attempts.append((f"tfds '{tfds_name}'", lambda: _tfds_set(
                name, tfds_name, size, crop_box, limit, held_out, sample, seed)))
        attempts += [("the Hugging Face Hub", hub), ("the smoke stand-in", stand_in)]
        found = _first_found(name, attempts, lambda: _how_to_get_faces(name))
    print(f"{name}: {found.count:,} training images {found.shape}"
          + (f" + {len(found.held_out):,} held out" if held_out else "") + f" from {found.source}")
    return found


def _how_to_get_faces(name: str) -> str:
    pack_file, _, tfds_name, home = _FACE_SETS[name]
    hub = sources.SOURCES.get(name)
    steps = [f"Point GANKIT_DATA_DIR to a folder holding {pack_file} (array 'x', uint8, "
             "(N, 64, 64, 3))."]
    if tfds_name:
        steps.append(f"Go online (Colab): tfds downloads '{tfds_name}' (from Google Drive, which "
                     "refuses downloads once its daily quota is used up; try again later).")
    if hub is not None:
        steps.append(f"Go online: gankit downloads {hub.about} from the Hugging Face Hub (no "
                     "login).")
    steps.append(f"Download the images yourself (steps in data/README.md), unzip them, and set "
                 f"DATA_FOLDER (gankit.data.faces({name!r}, folder='/path/to/images')).")
    return (f"{name} is not available.\nGet it one of these ways, then run the cell again:\n"
            + "".join(f"  {i}. {step}\n" for i, step in enumerate(steps, 1))
            + f"Original source: {home}")


def split_held_out(images, held_out: int, seed: int = 0, labels=None):
    """(training images, held-out images): a seeded random `held_out` of them never trained on,
    for the metric's floor and the memorisation check. With `labels` (one row per image):
    ((training images, their labels), (held-out images, their labels))."""
    images = np.asarray(images)
    checks.positive_int(held_out, "held_out")
    if held_out >= len(images):
        raise ValueError(f"held_out: {held_out} of {len(images)} images leaves none to train on")
    order = np.random.default_rng(seed).permutation(len(images))
    train, held = order[held_out:], order[:held_out]
    if labels is None:
        return images[train], images[held]
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"labels: {len(labels)} rows for {len(images)} images")
    return (images[train], labels[train]), (images[held], labels[held])


CELEBA_ATTRIBUTES = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose "
    "Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee "
    "Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard "
    "Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair "
    "Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young"
).split()


def _read_attribute_file(path):
    """CelebA's `list_attr_celeba.txt`: a count, the 40 names, then `000001.jpg -1 1 …` rows."""
    lines = Path(path).read_text().splitlines()
    names = lines[1].split()
    if names != CELEBA_ATTRIBUTES:
        raise ValueError(f"{path}: expected CelebA's 40 attribute names on line 2, got "
                         f"{names[:3]}…")
    rows = [line.split() for line in lines[2:] if line.strip()]
    return {row[0]: np.array(row[1:], np.int8) > 0 for row in rows}


def celeba_attributes(size: int = 64, *, folder=None, attributes_file=None, crop_box=None,
                      limit: int | None = None, held_out: int = 0, sample: int = SAMPLE,
                      seed: int = 0) -> ImageSet:
    """CelebA faces with their 40 binary attributes, as an `ImageSet` whose labels are bool
    (N, 40) in `CELEBA_ATTRIBUTES` order (`label_names`; e.g. `names.index("Smiling")` is 31).

    Resolution order as `faces`: `folder` of aligned CelebA JPEGs with `attributes_file`
    (CelebA's `list_attr_celeba.txt`; default: in the folder or its parent), only the images the
    file lists; the offline pack's `celeba_attrs_64.npz`; tfds `celeb_a`; the Hugging Face copy;
    a smoke stand-in with random attributes. `held_out`, `sample`, `limit`, `seed` as `faces`.
    """
    _check_size_and_box(size, crop_box)
    limit, names = _smoke_limit(limit), list(CELEBA_ATTRIBUTES)
    if folder is not None:
        folder = Path(folder).expanduser()
        candidates = [attributes_file] if attributes_file else [
            folder / "list_attr_celeba.txt", folder.parent / "list_attr_celeba.txt"]
        found = [Path(p) for p in candidates if p is not None and Path(p).is_file()]
        if not found:
            raise DatasetUnavailable(
                f"no list_attr_celeba.txt in {folder} or its parent: download it from the CelebA "
                "page (Anno/list_attr_celeba.txt) and pass attributes_file=...")
        table = _read_attribute_file(found[0])
        listed = [n for n in sorted(table) if (folder / n).is_file()][:limit]
        if not listed:
            raise DatasetUnavailable(f"{folder}: none of the images {found[0]} lists is there")
        faces_ = _folder_set("celeba", [str(folder / n) for n in listed], size, crop_box,
                             held_out, sample, seed, labels=np.stack([table[n] for n in listed]),
                             where=f"folder {folder}")
    else:
        def pack():
            arrays = load_pack("celeba_attrs_64.npz", ["x", "attributes"])
            return None if arrays is None else _memory_set(
                "celeba", "offline pack (celeba_attrs_64.npz)", _resized(arrays["x"][:limit], size),
                held_out, sample, seed, labels=arrays["attributes"][:limit] > 0, label_names=names)

        def hub():
            if runtime.smoke() or not online("huggingface.co"):
                return None
            return _parquet_set("celeba", "celeba", size, crop_box, limit, held_out, sample,
                                attributes=True)

        def stand_in():
            if not runtime.smoke():
                return None
            images = _stand_in(SMOKE_IMAGES, 0, size, 3)[0]
            attrs = np.random.default_rng(0).random((len(images), 40)) < 0.3
            return _memory_set("celeba", "SMOKE STAND-IN (generated bars, random attributes: "
                               "numbers are meaningless)", images, min(held_out, SMOKE_IMAGES // 4),
                               sample, seed, labels=attrs, label_names=names)

        faces_ = _first_found("celeba", [
            ("the offline pack", pack),
            ("tfds 'celeb_a'", lambda: _tfds_set("celeba", "celeb_a", size, crop_box, limit,
                                                  held_out, sample, seed, attributes=True)),
            ("the Hugging Face Hub", hub), ("the smoke stand-in", stand_in),
        ], lambda: _how_to_get_faces("celeba"))
    print(f"celeba with attributes: {faces_.count:,} training images {faces_.shape}"
          + (f" + {len(faces_.held_out):,} held out" if held_out else "")
          + f" from {faces_.source}")
    return faces_


UTKFACE_HOME = "https://susanqq.github.io/UTKFace/"


def utkface(size: int = 64, *, folder=None, limit: int | None = None):
    """UTKFace faces with their ages: (uint8 images (N, size, size, 3), ages in years (N,)).

    Resolution order: `folder`, a folder of UTKFace JPEGs (names start `<age>_<gender>_<race>_…`;
    in it or below it) or the downloaded archive itself (`UTKFace.tar.gz`, unpacked once into
    `runtime.cache_dir()`), e.g. the "Aligned & Cropped Faces" download of the UTKFace page or
    Kaggle `jangedoo/utkface-new`; the offline pack's `utkface_64.npz`; in smoke mode, a stand-in
    with random ages. There is no tfds copy and no download without a login or Google Drive:
    otherwise `DatasetUnavailable` gives the steps.
    """
    _check_size_and_box(size, None)
    limit = _smoke_limit(limit)
    if folder is not None:
        folder = Path(folder).expanduser()
        if folder.is_file():
            folder = _unpacked(folder)
        files = sorted(p for p in folder.rglob("*.jpg") if p.name.split("_")[0].isdigit())[:limit]
        if not files:
            raise DatasetUnavailable(f"{folder}: no UTKFace files (<age>_<gender>_<race>_….jpg)")
        images = _from_folder(folder, size, None, None, files=[str(p) for p in files])
        ages, source = np.array([int(p.name.split("_")[0]) for p in files]), str(folder)
    else:
        pack = load_pack("utkface_64.npz", ["x", "age"])
        if pack is not None:
            images, ages = _resized(pack["x"][:limit], size), pack["age"][:limit].astype(int)
            source = "offline pack (utkface_64.npz)"
        elif runtime.smoke():
            images, _ = _stand_in(SMOKE_IMAGES, 2, size, 3)
            ages = np.random.default_rng(0).integers(1, 90, len(images))
            source = "SMOKE STAND-IN (generated bars, random ages: numbers are meaningless)"
        else:
            raise DatasetUnavailable(
                "UTKFace is not available: no folder given and no offline pack.\n"
                f"  1. Open {UTKFACE_HOME}, follow 'Aligned&Cropped Faces' to its Google Drive "
                "folder and download UTKFace.tar.gz (about 107 MB); in Colab, drag it into the "
                "Files panel (or put it on your Drive). Then pass folder='UTKFace.tar.gz' "
                "(UTK_FOLDER in notebook 11): it is unpacked once.\n"
                "  2. Or Kaggle 'jangedoo/utkface-new' (an account), unzipped: "
                "folder='/path/to/UTKFace'.\n"
                "  3. Or point GANKIT_DATA_DIR to a folder holding utkface_64.npz (arrays 'x' "
                "uint8 (N, 64, 64, 3) and 'age').")
    if runtime.smoke():
        images, ages = images[:SMOKE_IMAGES], ages[:SMOKE_IMAGES]
    print(f"utkface: {len(images)} images {images.shape[1:]}, ages {ages.min()}–{ages.max()}, "
          f"from {source}")
    return images, ages


def _tfds_arrays(name, size, limit, split="train"):
    """uint8 images of a tfds split resized to `size` (small sets: held in memory), or None when
    it is not prepared and cannot be downloaded now (a failed download raises `SourceFailed`)."""
    ds = _tfds_load(name, split=split if limit is None else f"{split}[:{limit}]")
    if ds is None:
        return None
    return _decoded(ds.map(lambda ex: _crop_resize(ex["image"], size), tf.data.AUTOTUNE),
                    f"tfds '{name}'")


def _unpacked(archive: Path) -> Path:
    """A downloaded archive (.tar.gz, .tgz, .tar, .zip) unpacked once into the cache folder."""
    try:
        folder = runtime.cache_dir() / "unpacked" / archive.name.split(".")[0]
        return sources.unpack(archive, folder)
    except SourceFailed as error:
        raise DatasetUnavailable(str(error)) from None


# Two-domain sets (notebooks 12–13): tfds `cycle_gan/<name>` (domains A and B, 256×256), and what
# stands in for each domain from the offline pack, which has none of them.
UNPAIRED = {
    "vangogh2photo": ("Van Gogh paintings", "photos", "monet", "flowers"),
    "monet2photo": ("Monet paintings", "photos", "monet", "flowers"),
    "summer2winter_yosemite": ("Yosemite in summer", "Yosemite in winter", "flowers:daisy",
                               "flowers:sunflower"),
}
FLOWER_CLASSES = ["daisy", "dandelion", "rose", "sunflower", "tulip"]


def _from_pack(domain, size, limit):
    """A domain of the offline pack: "monet" (60 paintings), "flowers" or "flowers:<class>"."""
    if domain == "monet":
        pack = load_pack("monet_256.npz", ["x"])
        return None if pack is None else (_resized(pack["x"][:limit], size),
                                          "Monet paintings, offline pack (monet_256.npz)")
    pack = load_pack("flowers_128.npz", ["x", "y"])
    if pack is None:
        return None
    images, what = pack["x"], "flower photos"
    if ":" in domain:
        name = domain.split(":")[1]
        images, what = images[pack["y"] == FLOWER_CLASSES.index(name)], f"{name} photos"
    return _resized(images[:limit], size), f"{what}, offline pack (flowers_128.npz)"


MEMORY_BYTES = 2 * 2**30  # a folder read into memory (notebooks 12–14) is cut to this size


def _capped_folder(folder, size, limit, what):
    """The images of a folder, held in memory (the translation chapters crop them at random): at
    most `MEMORY_BYTES` of them, with a message when the folder holds more."""
    files = _image_files(folder)
    cap = min(limit or len(files), int(MEMORY_BYTES // (size * size * 3)))
    if len(files) > cap and (limit is None or limit > cap):
        print(f"{what}: {folder} holds {len(files):,} images; the first {cap:,} are used "
              f"({MEMORY_BYTES / 2**30:.0f} GB at {size}×{size}; pass limit= for fewer).")
    return _from_folder(folder, size, None, cap, files=files)


def unpaired(name: str, size: int = 128, *, folder_a=None, folder_b=None,
             limit: int | None = None, split: str = "train"):
    """Two unpaired image domains `(a, b)`, uint8 (N, size, size, 3) each, for translation.

    name: "vangogh2photo", "monet2photo" or "summer2winter_yosemite" (tfds `cycle_gan/<name>`:
    A = paintings or summer, B = photos or winter). Per domain, in order: the folder given (every
    image in it, resized on its short side and centre-cropped, up to `MEMORY_BYTES`); tfds (when
    prepared, or online); the offline pack's stand-in, announced (`UNPAIRED[name][2:]`: Monet
    paintings for the painters, flower photos for photos, two flower classes for the seasons);
    in smoke mode a generated stand-in. Otherwise `DatasetUnavailable` says how to get them.
    split: "train" or "test" (tfds' trainA/testA …; folders and the pack ignore it).
    """
    if name not in UNPAIRED:
        raise ValueError(f"unpaired: unknown set {name!r}; known: {sorted(UNPAIRED)}")
    if split not in ("train", "test"):
        raise ValueError(f"unpaired: split must be 'train' or 'test', got {split!r}")
    _check_size_and_box(size, None)
    limit = _smoke_limit(limit)
    return tuple(_domain(name, side, folder, size, limit, split)
                 for side, folder in (("A", folder_a), ("B", folder_b)))


def _domain(name, side, folder, size, limit, split):
    """One domain of `unpaired`."""
    what, stand_in = UNPAIRED[name]["AB".index(side)], UNPAIRED[name][2 + "AB".index(side)]
    tfds_name = f"cycle_gan/{name}"

    def from_tfds():
        images = _tfds_arrays(tfds_name, size, limit, f"{split}{side}")
        return None if images is None else (images, f"tfds '{tfds_name}' {split}{side}")

    def from_pack():
        found = _from_pack(stand_in, size, limit)
        return None if found is None else (found[0], f"{found[1]}, STANDING IN for {what}")

    def smoke_stand_in():
        return (_stand_in(SMOKE_IMAGES, "AB".index(side), size, 3)[0], _SMOKE_SOURCE) \
            if runtime.smoke() else None

    if folder is not None:
        images, source = _capped_folder(folder, size, limit, what), f"folder {folder}"
    else:
        images, source = _first_found(name, [
            (f"tfds '{tfds_name}'", from_tfds), ("the offline pack", from_pack),
            ("the smoke stand-in", smoke_stand_in)], lambda: (
            f"{name} domain {side} ({what}) is not available.\n"
            f"  1. Go online (Colab): tfds downloads '{tfds_name}' (tfds ≥ 4.9.4: older ones "
            "point at a dead URL).\n"
            f"  2. Or download {name}.zip (data/README.md), unzip, and pass "
            "folder_a=…/trainA, folder_b=…/trainB.\n"
            "  3. Or point GANKIT_DATA_DIR to the offline pack."))
    print(f"{name} {side} ({what}): {len(images)} images {images.shape[1:]} from {source}")
    return images


# Colour photos (notebook 14): tfds `tf_flowers` (3,670 photos) online, the pack's flower photos
# offline. The book's own set (3,000 photos of mountains, forests, cities) has no public link.
def colour_photos(size: int = 120, *, folder=None, limit: int | None = None):
    """Colour photos, uint8 (N, size, size, 3): every image of `folder` (short side resized,
    centre-cropped, up to `MEMORY_BYTES`), or tfds `tf_flowers`, or the pack's
    `flowers_128.npz`; in smoke mode a generated stand-in. Otherwise `DatasetUnavailable` says
    how to get them."""
    _check_size_and_box(size, None)
    limit = _smoke_limit(limit)

    def from_tfds():
        images = _tfds_arrays("tf_flowers", size, limit)
        return None if images is None else (images, "tfds 'tf_flowers'")

    def smoke_stand_in():
        return (_stand_in(SMOKE_IMAGES, 0, size, 3)[0], _SMOKE_SOURCE) if runtime.smoke() \
            else None

    if folder is not None:
        images, source = _capped_folder(folder, size, limit, "colour photos"), f"folder {folder}"
    else:
        images, source = _first_found("colour photos", [
            ("tfds 'tf_flowers'", from_tfds),
            ("the offline pack", lambda: _from_pack("flowers", size, limit)),
            ("the smoke stand-in", smoke_stand_in)], lambda: (
            "colour photos are not available.\n"
            "  1. Go online (Colab): tfds downloads 'tf_flowers' (218 MB).\n"
            "  2. Or pass folder='/path/to/photos' (any .jpg/.png, e.g. Kaggle "
            "'alxmamaev/flowers-recognition').\n"
            "  3. Or point GANKIT_DATA_DIR to the offline pack (flowers_128.npz)."))
    print(f"colour photos: {len(images)} images {images.shape[1:]} from {source}")
    return images


def greyscale(images) -> np.ndarray:
    """uint8 RGB images (N, H, W, 3) → uint8 grey (N, H, W, 1), PIL's `convert("L")` (ITU-R 601
    luma, L = 0.299 R + 0.587 G + 0.114 B), as the book's colorization notebook makes its inputs."""
    from PIL import Image

    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3:
        raise TypeError(f"greyscale: expected uint8 RGB images (N, H, W, 3), got {images.dtype} "
                        f"{images.shape}")
    return np.stack([np.asarray(Image.fromarray(x).convert("L")) for x in images])[..., None]
