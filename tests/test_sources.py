"""Online sources without the network: tfds' failures through a stand-in of `tfds.load`, the
Hugging Face loaders on local copies laid out as the Hub serves them, streaming from a large set."""

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from gankit import data, sources
from tests.standins import SyntheticTfds, failing_tfds, tfds_errors

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def full_online(no_data, monkeypatch):
    """Full mode, no pack, and the network 'up' (every download goes to a stand-in)."""
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    monkeypatch.setattr(data, "online", lambda *a, **k: True)


def _no_hub(monkeypatch):
    def refuse(*args, **kwargs):
        raise sources.SourceFailed("https://huggingface.co/…: <urlopen error [Errno -3] "
                                   "Temporary failure in name resolution>")
    monkeypatch.setattr(sources, "fetch_parquet", refuse)
    monkeypatch.setattr(sources, "fetch_archive", refuse)


@pytest.mark.parametrize("kind", ["quota", "checksum", "http", "network"])
def test_every_tfds_download_failure_ends_in_dataset_unavailable(kind, full_online, monkeypatch):
    error = tfds_errors()[kind]
    monkeypatch.setattr(tfds, "load", failing_tfds(error))
    _no_hub(monkeypatch)
    with pytest.raises(data.DatasetUnavailable) as info:  # CelebA (09-11): tfds, then the Hub
        data.faces("celeba", 64)
    message = str(info.value)
    assert "celeba is not available" in message and type(error).__name__ in message
    assert "GANKIT_DATA_DIR" in message and "huggan/CelebA-faces-with-attributes" in message
    assert "DATA_FOLDER" in message and "Temporary failure in name resolution" in message
    with pytest.raises(data.DatasetUnavailable) as info:  # MNIST (03, 05, 07)
        data.image_arrays("mnist")
    assert "mnist is not available" in str(info.value) and type(error).__name__ in str(info.value)
    with pytest.raises(data.DatasetUnavailable, match=type(error).__name__):  # 12-14
        data.colour_photos(64)
    with pytest.raises(data.DatasetUnavailable, match="cycle_gan/summer2winter_yosemite"):
        data.unpaired("summer2winter_yosemite", 64)


def test_smoke_mode_downloads_nothing(no_data, monkeypatch):
    monkeypatch.setattr(data, "online", lambda *a, **k: True)
    load = failing_tfds(tfds_errors()["network"])
    monkeypatch.setattr(tfds, "load", load)
    _no_hub(monkeypatch)
    assert "SMOKE STAND-IN" in data.faces("celeba", 32).source
    assert all(not call["download"] for call in load.calls)


def test_faces_stream_from_a_prepared_tfds_set_and_hold_out_its_first_images(full_online,
                                                                             monkeypatch):
    monkeypatch.setattr(tfds, "load", SyntheticTfds(3_000))
    faces = data.faces("celeba", 16, crop_box=(30, 55, 150, 175), held_out=100, sample=500)
    assert faces.count == 2_900 and faces.held_out.shape == (100, 16, 16, 3)
    assert faces.sample.shape == (500, 16, 16, 3) and "tfds 'celeb_a'" in faces.source
    dataset = faces.dataset(256)
    seen = np.concatenate([b.numpy() for b in dataset])
    assert len(seen) == 2_900 and -1 <= seen.min() and seen.max() <= 1
    # the stand-in paints image i with the value i % 251: the held-out ones (0-99) never train
    values = np.rint((seen[:, 0, 0, 0] + 1) * 127.5).astype(int)
    assert set(values) == set(range(251)) and np.bincount(values)[:100].min() >= 10
    order = np.rint((np.concatenate([b.numpy() for b in dataset])[:50, 0, 0, 0] + 1) * 127.5)
    assert not np.array_equal(order, values[:50])  # a new order each pass
    attributes = data.celeba_attributes(16, held_out=10, sample=20)
    images, labels = next(iter(attributes.dataset(8, labels=True)))
    assert labels.shape == (8, 40) and attributes.held_out_labels.shape == (10, 40)


def _png_bytes(value, size=(20, 24)):
    import io

    buffer = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_anime_faces_come_from_the_hub_archive_checked_by_its_sha256(full_online, monkeypatch,
                                                                     tmp_path):
    archive = tmp_path / "hub" / "data.zip"  # laid out as huggan/anime-faces' data.zip
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(12):
            z.writestr(f"data/{i}.png", _png_bytes(10 * i))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setitem(sources.SOURCES, "anime_faces", sources.Archive(
        archive.as_uri(), digest, archive.stat().st_size, "anime faces (local copy)"))
    faces = data.faces("anime_faces", 16, held_out=2)
    assert faces.count == 10 and faces.held_out.shape == (2, 16, 16, 3)
    assert "local copy" in faces.source
    assert data.faces("anime_faces", 16).count == 12  # unpacked once, reused
    monkeypatch.setitem(sources.SOURCES, "anime_faces", sources.Archive(
        archive.as_uri(), "0" * 64, 1, "anime faces (corrupted)"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras2"))
    with pytest.raises(data.DatasetUnavailable, match="(?s)anime_faces is not available.*hash"):
        data.faces("anime_faces", 16)
    monkeypatch.setitem(sources.SOURCES, "anime_faces", sources.Archive(
        (tmp_path / "gone.zip").as_uri(), digest, 1, "anime faces (missing)"))
    with pytest.raises(data.DatasetUnavailable, match="URL fetch failure"):
        data.faces("anime_faces", 16)


def _hub_copy(root, repo, revision, shards=3, rows=40):
    """A local copy of a Hub parquet dataset: the listing API's JSON and the files it names."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    listing = []
    folder = root / "datasets" / repo / "resolve" / revision / "data"
    folder.mkdir(parents=True)
    for s in range(shards):
        n = rows * s + np.arange(rows)
        table = {"image": pa.array([{"bytes": _png_bytes(int(i) % 251, (178, 218)),
                                     "path": f"{i}.jpg"} for i in n]),
                 "image_id": pa.array([f"{i:06d}.jpg" for i in n])}
        for k, name in enumerate(data.CELEBA_ATTRIBUTES):
            table[name] = pa.array(np.where((n + k) % 2 == 0, 1, -1))
        path = folder / f"train-{s:05d}-of-{shards:05d}.parquet"
        pq.write_table(pa.table(table), path)
        listing.append({"type": "file", "path": f"data/{path.name}", "size": path.stat().st_size,
                        "lfs": {"oid": hashlib.sha256(path.read_bytes()).hexdigest()}})
    api = root / "api" / "datasets" / repo / "tree" / revision
    api.mkdir(parents=True)
    (api / "data").write_text(json.dumps(listing + [{"type": "file", "path": "README.md"}]))
    return folder


def test_celeba_falls_back_to_the_hub_parquet_files_when_tfds_fails(full_online, monkeypatch,
                                                                    tmp_path, capsys):
    source = sources.SOURCES["celeba"]
    _hub_copy(tmp_path / "hub", source.repo, source.revision)
    monkeypatch.setattr(sources, "HUB", (tmp_path / "hub").as_uri())
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(tfds, "load", failing_tfds(tfds_errors()["quota"]))
    faces = data.faces("celeba", 16, crop_box=(30, 55, 150, 175), held_out=50, sample=30)
    out = capsys.readouterr().out
    assert "tfds 'celeb_a' failed" in out and "NonMatchingChecksumError" in out
    assert faces.count == 70 and len(faces.held_out) == 50 and len(faces.sample) == 30
    values = np.rint((np.concatenate([b.numpy() for b in faces.dataset(16)])[:, 0, 0, 0] + 1)
                     * 127.5).astype(int)
    assert sorted(values) == list(range(50, 120))  # every training row once, none held out
    with_attributes = data.celeba_attributes(16, held_out=10, sample=5)
    assert with_attributes.sample_labels.shape == (5, 40)
    np.testing.assert_array_equal(with_attributes.held_out_labels[:2, :3],
                                  [[True, False, True], [False, True, False]])
    listing = tmp_path / "hub" / "api" / "datasets" / source.repo / "tree" / source.revision
    entries = json.loads((listing / "data").read_text())
    entries[1]["lfs"]["oid"] = "1" * 64  # a file that does not match the Hub's listing
    (listing / "data").write_text(json.dumps(entries))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras2"))
    with pytest.raises(data.DatasetUnavailable, match="hash"):
        data.faces("celeba", 16)


def test_a_large_set_streams_in_bounded_memory():
    """200,000 synthetic aligned faces through notebook 10's loading path: the peak resident
    memory stays under 3 GB (a uint8 array of them alone would take 2.3 GB)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "streaming_memory.py"), "--images", "200000"],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads(result.stdout[result.stdout.index("{"):])
    print(measured)
    assert measured["training_images_read"] == 200_000 - 250
    assert measured["peak_rss_mb"] < 3 * 1024
