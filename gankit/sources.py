"""Every file gankit downloads itself, declared in one place, and the two ways it fetches them.

TensorFlow Datasets sets (MNIST, CIFAR-10, CelebA, tf_flowers, cycle_gan) are named by their tfds
name where they are loaded (`gankit.data`); tfds keeps their URLs and checksums. The sets tfds does
not have, or cannot always deliver (its CelebA comes from Google Drive, which refuses downloads
once a daily quota is spent), come from the Hugging Face Hub, which needs no login:

- `Archive`: one file with the SHA-256 its host publishes (for a Hub file, its Git LFS object id),
  downloaded with Keras' `keras.utils.get_file`, which checks the hash;
- `HubParquet`: a Hub dataset stored as parquet files at a pinned revision; the Hub's file
  listing publishes each file's SHA-256, and each file is checked against it the same way.

Downloads land in `keras.utils.get_file`'s cache (`~/.keras/datasets`) and are reused. Every
failure (no network, an HTTP error, a wrong checksum) raises `SourceFailed`, which the loaders in
`gankit.data` turn into `DatasetUnavailable` with the ways to get the data.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HUB = "https://huggingface.co"  # the Hugging Face Hub (a test points it at a local copy)


@dataclass(frozen=True)
class Archive:
    """One archive file: where it is, its SHA-256 and size as published, what it holds."""

    url: str
    sha256: str
    size: int
    about: str


@dataclass(frozen=True)
class HubParquet:
    """A Hugging Face dataset's parquet files: `folder` of dataset `repo` at `revision`."""

    repo: str
    revision: str
    folder: str
    about: str

    def listing_url(self) -> str:
        return f"{HUB}/api/datasets/{self.repo}/tree/{self.revision}/{self.folder}"

    def file_url(self, path: str) -> str:
        return f"{HUB}/datasets/{self.repo}/resolve/{self.revision}/{path}"


SOURCES = {
    # Notebook 08. The Kaggle set the book uses needs an account; this copy does not (licence CC0).
    "anime_faces": Archive(
        url=f"{HUB}/datasets/huggan/anime-faces/resolve/"
            "67ebcf8c69b45feb3883d695f04227078a6c9da9/data.zip",
        sha256="b50c3f2e1bbad0d119f8c5748a0d01138cb56152fb8997ce5c8b139129bf3c23",
        size=462_126_466,
        about="anime faces, PNG (Hugging Face dataset huggan/anime-faces, CC0)"),
    # Notebooks 09–11, when tfds' CelebA download fails: the aligned 178×218 JPEGs with the 40
    # attributes, as parquet files (image, image_id and one int column per attribute).
    "celeba": HubParquet(
        repo="huggan/CelebA-faces-with-attributes",
        revision="b47e27a7c6bc578361ce132da8c8dad573b98d9e",
        folder="data",
        about="aligned CelebA with its 40 attributes (Hugging Face dataset "
              "huggan/CelebA-faces-with-attributes)"),
}


class SourceFailed(RuntimeError):
    """A download did not deliver the expected file."""


@contextlib.contextmanager
def _timeout(seconds: float):
    """A socket timeout for downloads, so that a dropped connection fails instead of hanging."""
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(before)


def _get_file(name: str, url: str, sha256: str | None, subdir: str) -> Path:
    import keras

    try:
        with _timeout(60):
            return Path(keras.utils.get_file(name, origin=url, file_hash=sha256,
                                             hash_algorithm="sha256",
                                             cache_subdir=f"datasets/{subdir}"))
    except Exception as error:  # noqa: BLE001 - get_file raises a bare Exception
        raise SourceFailed(f"{url}: {str(error).splitlines()[0][:300]}") from error


def unpack(archive: Path, folder: Path) -> Path:
    """Unpack `archive` (.zip, .tar.gz, .tgz, .tar) into `folder`, once: a marker file says it
    was unpacked completely, so a run cut short unpacks again."""
    if not (folder / ".unpacked").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        try:
            shutil.unpack_archive(str(archive), str(folder))
        except (shutil.ReadError, OSError, EOFError) as error:
            raise SourceFailed(f"{archive}: cannot be unpacked ({error}); download it again") \
                from error
        (folder / ".unpacked").touch()
    return folder


def fetch_archive(key: str) -> Path:
    """Download (once) and unpack `SOURCES[key]`; return the folder it unpacked into."""
    source = SOURCES[key]
    archive = _get_file(Path(source.url).name, source.url, source.sha256, key)
    return unpack(archive, archive.with_name(archive.stem + "_files"))


def hub_listing(source: HubParquet) -> list[dict]:
    """The Hub's listing of the source's parquet files: dicts with `path`, `size`, `sha256`."""
    try:
        with _timeout(30), urllib.request.urlopen(source.listing_url()) as answer:
            entries = json.loads(answer.read().decode())
    except (OSError, ValueError) as error:
        raise SourceFailed(f"{source.listing_url()}: {error}") from error
    files = [dict(path=e["path"], size=e.get("size"), sha256=(e.get("lfs") or {}).get("oid"))
             for e in entries if e.get("type") == "file" and e["path"].endswith(".parquet")]
    if not files:
        raise SourceFailed(f"{source.listing_url()}: no parquet files listed")
    return sorted(files, key=lambda f: f["path"])


def fetch_parquet(key: str, limit_files: int | None = None) -> list[Path]:
    """Download (once) the parquet files of `SOURCES[key]`, each checked against the SHA-256 the
    Hub lists for it; the first `limit_files` of them only, if given."""
    source = SOURCES[key]
    files = hub_listing(source)[:limit_files]
    print(f"{source.about}: {len(files)} parquet files "
          f"({sum(f['size'] or 0 for f in files) / 1e6:,.0f} MB) from {HUB}/datasets/{source.repo}")
    return [_get_file(Path(f["path"]).name, source.file_url(f["path"]), f["sha256"], key)
            for f in files]
