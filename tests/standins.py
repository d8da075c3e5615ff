"""Stand-ins for what the tests cannot reach: tfds' download and prepared sets, Colab's Drive.

- `SyntheticTfds`: a `tfds.load` that serves a synthetic, already prepared image set of any size
  (aligned-CelebA-shaped images made on the fly, with CelebA's attributes unless told not to),
  honouring split slices such as "train[250:]", `shuffle_files`, `batch_size=-1` and
  `as_supervised`.
- `failing_tfds(error)`: a `tfds.load` for a set that is not prepared and whose download fails
  with `error` (tfds' real exception types: Google Drive's quota shows up as tfds'
  `NonMatchingChecksumError`, an HTTP error as `DownloadError`, no network as a connection error).
- `colab(tmp_path)`: a `google.colab` module whose `drive.mount(path)` makes `path/MyDrive` a
  folder of the test's, as Colab's does with the user's Drive.
"""

from __future__ import annotations

import re
import sys
import types

import tensorflow as tf

from gankit.data import CELEBA_ATTRIBUTES


class NotPrepared(Exception):
    """What tfds raises for `download=False` when a set was never downloaded."""


class SyntheticTfds:
    """`tfds.load` for one synthetic image set of `n` images of `shape` (uint8)."""

    def __init__(self, n: int, shape=(218, 178, 3), labels: int = 10, attributes: bool = True,
                 same_image: bool = False):
        self.n, self.shape, self.labels, self.attributes = n, tuple(shape), labels, attributes
        self.same_image = same_image  # one image for all (cheaper), instead of image i = i % 251
        self.calls = []

    def _range(self, split):
        match = re.fullmatch(r"(train|test)(?:\[(\d*):(\d*)\])?", split)
        if not match:
            raise ValueError(f"stand-in tfds: unknown split {split!r}")
        start = int(match.group(2) or 0)
        stop = min(int(match.group(3)) if match.group(3) else self.n, self.n)
        return start, stop

    def _example(self, i):
        image = (tf.zeros(self.shape, tf.uint8) if self.same_image else
                 tf.fill(self.shape, tf.cast(i % 251, tf.uint8)))
        example = {"image": image, "label": tf.cast(i % self.labels, tf.int64)}
        if self.attributes:
            bits = tf.unstack(tf.math.floormod(i + tf.range(40, dtype=i.dtype), 3) == 0)
            example["attributes"] = dict(zip(CELEBA_ATTRIBUTES, bits))
        return example

    def __call__(self, name, split="train", download=True, batch_size=None, as_supervised=False,
                 shuffle_files=False, read_config=None, **kwargs):
        self.calls.append(dict(name=name, split=split, download=download))
        start, stop = self._range(split)
        ds = tf.data.Dataset.range(start, stop)
        if shuffle_files:  # tfds reads its files in a shuffled order; a small buffer here
            ds = ds.shuffle(1000, seed=getattr(read_config, "shuffle_seed", None))
        ds = ds.map(self._example, tf.data.AUTOTUNE)
        if as_supervised:
            ds = ds.map(lambda ex: (ex["image"], ex["label"]))
        if batch_size == -1:
            return tf.data.experimental.get_single_element(ds.batch(self.n))
        return ds


def failing_tfds(error: Exception):
    """A `tfds.load` whose set is not prepared and whose download raises `error`."""
    calls = []

    def load(name, download=True, **kwargs):
        calls.append(dict(name=name, download=download, **kwargs))
        if not download:
            raise NotPrepared(f"Dataset {name} not found in the data directory")
        raise error

    load.calls = calls
    return load


def tfds_errors():
    """One instance of each download failure, as tfds raises them."""
    import requests
    from tensorflow_datasets.core.download import download_manager, util

    return {
        "quota": download_manager.NonMatchingChecksumError(
            "Artifact https://drive.google.com/uc?export=download&id=0B7EVK8r0v71pZjFTYXZWM3FlRnM, "
            "downloaded to …/uc_export_download….tmp.…/download, has wrong checksum. This might "
            "indicate: * The website may be down (e.g. returned a 503 status code) …"),
        "checksum": download_manager.NonMatchingChecksumError("wrong checksum"),
        "http": util.DownloadError("Failed to get url https://example.org/x.zip. HTTP code: 404."),
        "network": requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='drive.google.com', port=443): Max retries exceeded"),
    }


def colab(tmp_path, monkeypatch):
    """Install a stand-in `google.colab` package for this test; return the folder its Drive
    mounts (what the user's Google Drive holds)."""
    drive_root = tmp_path / "users-drive"
    drive_root.mkdir(parents=True, exist_ok=True)
    package = types.ModuleType("google.colab")
    drive = types.ModuleType("google.colab.drive")
    mounts = []

    def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
        from pathlib import Path

        mountpoint = Path(mountpoint)
        mountpoint.mkdir(parents=True, exist_ok=True)
        link = mountpoint / "MyDrive"
        if not link.exists():
            link.symlink_to(drive_root, target_is_directory=True)
        mounts.append(str(mountpoint))
        print(f"Mounted at {mountpoint}")

    drive.mount, drive.mounts = mount, mounts
    package.drive = drive
    monkeypatch.setitem(sys.modules, "google.colab", package)
    monkeypatch.setitem(sys.modules, "google.colab.drive", drive)
    return drive_root

