"""Datasets: the generated toy data of chapters 01–02 and real image sets.

Every image loader follows one resolution order:

1. the offline pack: `$GANKIT_DATA_DIR/<name>.npz` (uint8 arrays, loaded without pickle);
2. the real source through TensorFlow Datasets, when it is already on disk or the network is up;
3. in smoke mode only, a generated stand-in of the same shape, announced in the output.

Full mode never falls back silently: with no pack and no network it raises `DatasetUnavailable`
within seconds, saying how to get the data (tfds would otherwise retry its download for minutes).
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import numpy as np
import tensorflow as tf

from gankit import runtime

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
            f"[{value_range[0]:g}, {value_range[1]:g}]. Rescale with gankit.data.to_float(x)."
        )
    arr = arr.astype("float32", copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or Inf values")
    if value_range is not None:
        low, high = value_range
        tol = 1e-3 * (high - low)
        if arr.min() < low - tol or arr.max() > high + tol:
            hint = " Rescale [0, 255] images with gankit.data.to_float(x)." if arr.max() > 2 else ""
            raise ValueError(
                f"{name}: values must lie in [{low:g}, {high:g}], got "
                f"[{arr.min():.3g}, {arr.max():.3g}].{hint}"
            )
    return arr


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
    """Chapter 01's data: `n` points (x, sin x) with x ~ U[0, 2π), float32, shape (n, 2)."""
    _check_count(n, "n")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0 * np.pi, size=n)
    return np.stack([x, np.sin(x)], axis=1).astype("float32")


def sine_curves(n: int = 32768, length: int = 64, x_range=(-5.0, 5.0), b_range=(0.5, 2.0),
                c_range=(0.0, np.pi), seed: int | None = 0):
    """Chapter 02's data: `n` curves sin(b·x + c) sampled at `length` points of `x_range`.

    b ~ U(b_range), c ~ U(c_range). Returns `(curves, x)`: float32 arrays of shape
    (n, length) and (length,), values in [-1, 1].
    """
    _check_count(n, "n")
    _check_count(length, "length")
    rng = np.random.default_rng(seed)
    x = np.linspace(x_range[0], x_range[1], length)
    b = rng.uniform(*b_range, size=(n, 1))
    c = rng.uniform(*c_range, size=(n, 1))
    return np.sin(b * x + c).astype("float32"), x.astype("float32")


def _check_count(value, name):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value!r}")


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
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        return None
    kwargs = dict(split=split, batch_size=-1, as_supervised=True)
    try:  # already downloaded and prepared: no network needed
        images, labels = tfds.as_numpy(tfds.load(name, download=False, **kwargs))
    except Exception:  # noqa: BLE001 - tfds raises several types for "not prepared"
        if not online():
            return None
        images, labels = tfds.as_numpy(tfds.load(name, download=True, **kwargs))
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
    pack = load_pack(pack_file, [f"x_{split}", f"y_{split}"])
    if pack is not None:
        images, labels = pack[f"x_{split}"], pack[f"y_{split}"]
        source = f"offline pack ({pack_file})"
    else:
        found = None if runtime.smoke() and not online() else _from_tfds(tfds_name, split)
        if found is not None:
            (images, labels), source = found, f"tfds '{tfds_name}'"
        elif runtime.smoke():
            images, labels = _stand_in(SMOKE_IMAGES, 0 if split == "train" else 1, size, channels)
            source = _SMOKE_SOURCE
        else:
            raise DatasetUnavailable(_how_to_get(name))
    if runtime.smoke():
        images, labels = images[:SMOKE_IMAGES], labels[:SMOKE_IMAGES]
    print(f"{name} {split}: {len(images)} images {images.shape[1:]} from {source}")
    return images, labels


def _how_to_get(name: str) -> str:
    pack_file, tfds_name, home, _ = _IMAGE_SETS[name]
    return (
        f"{name} is not available: no offline pack and no network for tfds.\n"
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
    """A shuffled, batched, prefetched `tf.data.Dataset` of arrays (and labels, or a 2nd array)."""
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
            or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    images = check_images(images, "images", value_range=None)
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
        return batch if len(batch) > 1 else batch[0]

    return ds.map(gather).prefetch(tf.data.AUTOTUNE)


def random_crops(images, size: int, batch_size: int, seed: int = 0,
                 flip: bool = True) -> tf.data.Dataset:
    """An endless dataset of batches of random `size`×`size` crops of uint8 `images` (N, H, W, C),
    flipped left–right at random and scaled to [-1, 1]. The same seed gives the same crops."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 4:
        raise TypeError(f"random_crops: expected uint8 images (N, H, W, C), got {images.dtype} "
                        f"{images.shape}")
    if not isinstance(size, int) or not 1 <= size <= min(images.shape[1:3]):
        raise ValueError(f"random_crops: size must be an int ≤ the image side "
                         f"{min(images.shape[1:3])}, got {size!r}")
    _check_count(batch_size, "batch_size")
    source, shape = tf.constant(images), (size, size, images.shape[3])

    def crop(r):  # three random int64s: which image, and the crop's and flip's seed
        image = tf.image.stateless_random_crop(tf.gather(source, r[0] % len(images)), shape,
                                               seed=r[1:])
        if flip:
            image = tf.image.stateless_random_flip_left_right(image, seed=r[:0:-1])
        return tf.cast(image, tf.float32) / 127.5 - 1.0

    ds = tf.data.Dataset.random(seed=seed).batch(3).map(crop, tf.data.AUTOTUNE)
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
                    "Kaggle 'lunarwhite/anime-face-dataset-ntumlds' (36,740 JPEGs, 64×64)"),
    "celeba": ("celeba_64.npz", "x", "celeb_a",
               "CelebA 'img_align_celeba' (202,599 JPEGs, 178×218), "
               "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html"),
}
_IMAGE_FILES = ("*.jpg", "*.jpeg", "*.png", "*.JPG", "*.JPEG", "*.PNG")


def _crop_resize(image, size, crop_box=None):
    """One uint8 image: the crop box (left, top, right, bottom) if given, then the short side
    resized to `size` (bilinear, antialiased) and the centre `size`×`size` kept."""
    if crop_box is not None:
        left, top, right, bottom = crop_box
        image = tf.image.crop_to_bounding_box(image, top, left, bottom - top, right - left)
    shape = tf.cast(tf.shape(image)[:2], tf.float32)
    scale = size / tf.reduce_min(shape)
    new = tf.cast(tf.math.ceil(shape * scale), tf.int32)
    image = tf.image.resize(image, new, "bilinear", antialias=True)
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


def _from_folder(folder, size, crop_box, limit, files=None):
    folder = Path(folder).expanduser()
    if files is None:
        files = sorted(str(p) for pattern in _IMAGE_FILES for p in folder.rglob(pattern))
    if not files:
        raise DatasetUnavailable(f"{folder}: no .jpg or .png images in it (or below it)")
    files = files[:limit]

    def load(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        if crop_box is not None:
            tf.debugging.assert_greater_equal(
                tf.shape(image)[:2], [crop_box[3], crop_box[2]],
                message=f"crop_box {crop_box} reaches outside an image of {folder}")
        return _crop_resize(image, size, crop_box)

    ds = tf.data.Dataset.from_tensor_slices(files).map(load, tf.data.AUTOTUNE).batch(1024)
    try:
        return np.concatenate([batch.numpy() for batch in ds])
    except tf.errors.InvalidArgumentError as error:
        raise ValueError(f"{folder}: {error.message.splitlines()[0]}; aligned CelebA images are "
                         "178×218 (width × height)") from None


def _images_from_tfds(name, size, crop_box, limit, attributes=False, split="train"):
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        return None
    split = split if limit is None else f"{split}[:{limit}]"
    try:
        ds = tfds.load(name, split=split, download=False)
    except Exception:  # noqa: BLE001 - not prepared: download only when the network is up
        if not online():
            return None
        ds = tfds.load(name, split=split, download=True)
    if attributes:  # (images, bool (N, 40)) in CELEBA_ATTRIBUTES' order
        ds = ds.map(lambda ex: (_crop_resize(ex["image"], size, crop_box),
                                tf.stack([ex["attributes"][n] for n in CELEBA_ATTRIBUTES])),
                    tf.data.AUTOTUNE)
        batches = [(x.numpy(), a.numpy()) for x, a in ds.batch(1024)]
        return (np.concatenate([b[0] for b in batches]),
                np.concatenate([b[1] for b in batches]).astype(bool))
    ds = ds.map(lambda ex: _crop_resize(ex["image"], size, crop_box), tf.data.AUTOTUNE)
    return np.concatenate([batch.numpy() for batch in ds.batch(1024)])


def faces(name: str, size: int = 64, *, folder=None, crop_box=None, limit: int | None = None):
    """uint8 face images `(N, size, size, 3)`: "anime_faces" (chapter 8) or "celeba" (9–11).

    Resolution order: `folder` when given (every .jpg/.png in it or below it, e.g. the Kaggle
    download unzipped; `crop_box` = (left, top, right, bottom) is cut from each image first);
    then the offline pack (`$GANKIT_DATA_DIR/anime_faces_64.npz` or `celeba_64.npz`: 64×64
    crops, resized to `size`); then tfds (CelebA only, when prepared or online); in smoke mode a
    generated stand-in. Otherwise `DatasetUnavailable` says how to get the images.
    Every image is resized on its short side to `size`, then centre-cropped to a square.
    limit: keep at most this many images (a folder or tfds can hold 200,000).
    """
    if name not in _FACE_SETS:
        raise ValueError(f"faces: unknown set {name!r}; known: {sorted(_FACE_SETS)}")
    _check_size_and_box(size, crop_box)
    pack_file, key, tfds_name, _ = _FACE_SETS[name]
    images = None
    if folder is not None:
        images, source = _from_folder(folder, size, crop_box, limit), f"folder {folder}"
    elif (pack := load_pack(pack_file, [key])) is not None:
        images, source = _resized(pack[key][:limit], size), f"offline pack ({pack_file})"
    elif tfds_name and not (runtime.smoke() and not online()):
        found = _images_from_tfds(tfds_name, size, crop_box, limit)
        if found is not None:
            images, source = found, f"tfds '{tfds_name}'"
    if images is None:
        if not runtime.smoke():
            raise DatasetUnavailable(_how_to_get_faces(name))
        images, _ = _stand_in(SMOKE_IMAGES, 0, size, 3)
        source = _SMOKE_SOURCE
    if runtime.smoke():
        images = images[:SMOKE_IMAGES]
    print(f"{name}: {len(images)} images {images.shape[1:]} from {source}")
    return images


def _how_to_get_faces(name: str) -> str:
    pack_file, _, tfds_name, home = _FACE_SETS[name]
    online_step = (f"  3. Go online (Colab): tfds downloads '{tfds_name}' (CelebA sits on Google "
                   f"Drive, which refuses downloads when its daily quota is used up: then use 2).\n"
                   if tfds_name else "")
    return (
        f"{name} is not available: no folder given, no offline pack, no network.\n"
        f"Get it one of these ways, then run the cell again:\n"
        f"  1. Point GANKIT_DATA_DIR to a folder holding {pack_file} (array 'x', uint8, "
        f"(N, 64, 64, 3)).\n"
        f"  2. Download the images yourself (steps in data/README.md), unzip them, and pass the "
        f"folder: gankit.data.faces({name!r}, folder='/path/to/images').\n"
        f"{online_step}"
        f"Original source: {home}"
    )


def split_held_out(images, held_out: int, seed: int = 0, labels=None):
    """(training images, held-out images): a seeded random `held_out` of them never trained on,
    for the metric's floor and the memorisation check. With `labels` (one row per image):
    ((training images, their labels), (held-out images, their labels))."""
    images = np.asarray(images)
    _check_count(held_out, "held_out")
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
                      limit: int | None = None):
    """CelebA faces with their 40 binary attributes: (uint8 images, bool (N, 40), names).

    Resolution order as `faces`: `folder` of aligned CelebA JPEGs with `attributes_file` (CelebA's
    `list_attr_celeba.txt`; default: in the folder or its parent), only the images the file
    lists; the offline pack's `celeba_attrs_64.npz`; tfds `celeb_a`; a smoke stand-in with random
    attributes. `names` is `CELEBA_ATTRIBUTES` (e.g. `names.index("Smiling")` is 31).
    """
    _check_size_and_box(size, crop_box)
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
        names = [n for n in sorted(table) if (folder / n).is_file()][:limit]
        if not names:
            raise DatasetUnavailable(f"{folder}: none of the images {found[0]} lists is there")
        images = _from_folder(folder, size, crop_box, None, files=[str(folder / n) for n in names])
        print(f"celeba with attributes: {len(images)} images {images.shape[1:]} from {folder}")
        return images, np.stack([table[n] for n in names]), list(CELEBA_ATTRIBUTES)
    pack = load_pack("celeba_attrs_64.npz", ["x", "attributes"])
    if pack is not None:
        images, attrs = _resized(pack["x"][:limit], size), pack["attributes"][:limit] > 0
        source = "offline pack (celeba_attrs_64.npz)"
    else:
        images = attrs = None
        if not (runtime.smoke() and not online()):
            found = _images_from_tfds("celeb_a", size, crop_box, limit, attributes=True)
            if found is not None:
                (images, attrs), source = found, "tfds 'celeb_a'"
        if images is None:
            if not runtime.smoke():
                raise DatasetUnavailable(_how_to_get_faces("celeba"))
            images, _ = _stand_in(SMOKE_IMAGES, 0, size, 3)
            attrs = np.random.default_rng(0).random((len(images), 40)) < 0.3
            source = "SMOKE STAND-IN (generated bars, random attributes: numbers are meaningless)"
    if runtime.smoke():
        images, attrs = images[:SMOKE_IMAGES], attrs[:SMOKE_IMAGES]
    print(f"celeba with attributes: {len(images)} images {images.shape[1:]} from {source}")
    return images, attrs, list(CELEBA_ATTRIBUTES)


UTKFACE_HOME = "https://susanqq.github.io/UTKFace/"


def utkface(size: int = 64, *, folder=None, limit: int | None = None):
    """UTKFace faces with their ages: (uint8 images (N, size, size, 3), ages in years (N,)).

    Resolution order: `folder` of UTKFace JPEGs (names start `<age>_<gender>_<race>_…`, e.g. the
    "Aligned & Cropped Faces" download of the UTKFace page, or Kaggle `jangedoo/utkface-new`);
    the offline pack's `utkface_64.npz`; in smoke mode, a stand-in with random ages. There is no
    tfds copy.
    """
    _check_size_and_box(size, None)
    if folder is not None:
        folder = Path(folder).expanduser()
        files = sorted(p for p in folder.glob("*.jpg") if p.name.split("_")[0].isdigit())[:limit]
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
                "  1. Point GANKIT_DATA_DIR to a folder holding utkface_64.npz (arrays 'x' uint8 "
                "(N, 64, 64, 3) and 'age').\n"
                f"  2. Download the aligned & cropped faces from {UTKFACE_HOME} (or Kaggle "
                "'jangedoo/utkface-new'), unzip, and pass folder='/path/to/UTKFace'.")
    if runtime.smoke():
        images, ages = images[:SMOKE_IMAGES], ages[:SMOKE_IMAGES]
    print(f"utkface: {len(images)} images {images.shape[1:]}, ages {ages.min()}–{ages.max()}, "
          f"from {source}")
    return images, ages


# Two-domain sets (chapters 12–13): tfds `cycle_gan/<name>` (domains A and B, 256×256), and what
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


def unpaired(name: str, size: int = 128, *, folder_a=None, folder_b=None,
             limit: int | None = None, split: str = "train"):
    """Two unpaired image domains `(a, b)`, uint8 (N, size, size, 3) each, for translation.

    name: "vangogh2photo", "monet2photo" or "summer2winter_yosemite" (tfds `cycle_gan/<name>`:
    A = paintings or summer, B = photos or winter). Per domain, in order: the folder given (every
    image in it, resized on its short side and centre-cropped); tfds (when prepared, or online);
    the offline pack's stand-in, announced (`UNPAIRED[name][2:]`: Monet paintings for the
    painters, flower photos for photos, two flower classes for the seasons); in smoke mode a
    generated stand-in. Otherwise `DatasetUnavailable` says how to get the images.
    split: "train" or "test" (tfds' trainA/testA …; folders and the pack ignore it).
    """
    if name not in UNPAIRED:
        raise ValueError(f"unpaired: unknown set {name!r}; known: {sorted(UNPAIRED)}")
    if split not in ("train", "test"):
        raise ValueError(f"unpaired: split must be 'train' or 'test', got {split!r}")
    _check_size_and_box(size, None)
    domains = []
    for side, folder, stand_in in (("A", folder_a, UNPAIRED[name][2]),
                                   ("B", folder_b, UNPAIRED[name][3])):
        what = UNPAIRED[name]["AB".index(side)]
        found = None
        if folder is not None:
            found = _from_folder(folder, size, None, limit), f"folder {folder}"
        elif not (runtime.smoke() and not online()) and (
                images := _images_from_tfds(f"cycle_gan/{name}", size, None, limit,
                                           split=f"{split}{side}")) is not None:
            found = images, f"tfds 'cycle_gan/{name}' {split}{side}"
        elif (from_pack := _from_pack(stand_in, size, limit)) is not None:
            found = from_pack[0], f"{from_pack[1]}, STANDING IN for {what}"
        elif runtime.smoke():
            found = _stand_in(SMOKE_IMAGES, len(domains), size, 3)[0], _SMOKE_SOURCE
        else:
            raise DatasetUnavailable(
                f"{name} domain {side} ({what}) is not available: no folder, no tfds copy, no "
                "offline pack.\n  1. Go online (Colab): tfds downloads "
                f"'cycle_gan/{name}'.\n  2. Or download {name}.zip (data/README.md), unzip, and "
                f"pass folder_a=…/trainA, folder_b=…/trainB.\n  3. Or point GANKIT_DATA_DIR to "
                "the offline pack.")
        images = found[0][:SMOKE_IMAGES] if runtime.smoke() else found[0]
        print(f"{name} {side} ({what}): {len(images)} images {images.shape[1:]} from {found[1]}")
        domains.append(images)
    return tuple(domains)


# Colour photos (chapter 14): tfds `tf_flowers` (3,670 photos) online, the pack's flower photos
# offline. The book's own set (3,000 photos of mountains, forests, cities) has no public link.
def colour_photos(size: int = 120, *, folder=None, limit: int | None = None):
    """Colour photos, uint8 (N, size, size, 3): every image of `folder` (short side resized,
    centre-cropped), or tfds `tf_flowers`, or the pack's `flowers_128.npz`; in smoke mode a
    generated stand-in. Otherwise `DatasetUnavailable` says how to get them."""
    _check_size_and_box(size, None)
    if folder is not None:
        images, source = _from_folder(folder, size, None, limit), f"folder {folder}"
    elif not (runtime.smoke() and not online()) and (
            images := _images_from_tfds("tf_flowers", size, None, limit)) is not None:
        source = "tfds 'tf_flowers'"
    elif (from_pack := _from_pack("flowers", size, limit)) is not None:
        images, source = from_pack
    elif runtime.smoke():
        images = _stand_in(SMOKE_IMAGES, 0, size, 3)[0]
        source = _SMOKE_SOURCE
    else:
        raise DatasetUnavailable(
            "colour photos are not available: no folder, no tfds copy, no offline pack.\n"
            "  1. Go online (Colab): tfds downloads 'tf_flowers' (218 MB).\n"
            "  2. Or pass folder='/path/to/photos' (any .jpg/.png, e.g. Kaggle "
            "'alxmamaev/flowers-recognition').\n"
            "  3. Or point GANKIT_DATA_DIR to the offline pack (flowers_128.npz).")
    images = images[:SMOKE_IMAGES] if runtime.smoke() else images
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
