import time

import numpy as np
import pytest

from gankit import data


def test_sine_points():
    pts = data.sine_points(1024, seed=0)
    assert pts.shape == (1024, 2) and pts.dtype == np.float32
    assert 0 <= pts[:, 0].min() and pts[:, 0].max() < 2 * np.pi
    np.testing.assert_allclose(pts[:, 1], np.sin(pts[:, 0]), atol=1e-6)
    assert not np.array_equal(pts, data.sine_points(1024, seed=1))


def test_sine_curves():
    curves, x = data.sine_curves(100, length=64, seed=0)
    assert curves.shape == (100, 64) and x.shape == (64,)
    assert x[0] == -5 and x[-1] == 5 and np.abs(curves).max() <= 1


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10"])
def test_counts_must_be_positive_ints(bad):
    with pytest.raises(ValueError, match="n"):
        data.sine_points(bad)


def test_check_images_accepts_good_batches():
    x = np.zeros((4, 28, 28, 1), "float32")
    assert data.check_images(x, shape=(28, 28, 1)).shape == (4, 28, 28, 1)


@pytest.mark.parametrize("images, shape, error, match", [
    (np.zeros((4, 28, 28), "float32"), (28, 28, 1), ValueError, "shape"),
    (np.zeros((4, 32, 32, 1), "float32"), (28, 28, 1), ValueError, "shape"),
    (np.zeros((4, 28, 28, 3), "float32"), (28, 28, 1), ValueError, "shape"),
    (np.zeros((4, 28, 28, 1), np.uint8), None, TypeError, "uint8"),
    (np.full((4, 28, 28, 1), 255.0, "float32"), None, ValueError, r"to_float"),
    (np.full((4, 8), np.nan, "float32"), None, ValueError, "NaN"),
    (np.zeros((0, 28, 28, 1), "float32"), None, ValueError, "empty"),
    (np.array(["a", "b"]), None, TypeError, "numeric"),
    (np.zeros(5, "float32"), None, ValueError, "batch"),
])
def test_check_images_rejects_bad_input(images, shape, error, match):
    with pytest.raises(error, match=match):
        data.check_images(images, shape=shape)


def test_to_float_and_back():
    x = np.array([[[0, 127], [128, 255]]], np.uint8)
    f = data.to_float(x)
    assert f.shape == (1, 2, 2, 1) and f.min() == -1 and f.max() == 1
    np.testing.assert_array_equal(data.to_uint8(f)[..., 0], x)
    with pytest.raises(TypeError, match="uint8"):
        data.to_float(x.astype("float32"))


def test_from_arrays_batches_and_labels():
    x = np.random.default_rng(0).uniform(-1, 1, (10, 4, 4, 1)).astype("float32")
    ds = data.from_arrays(x, 4, labels=np.arange(10), shuffle=True)
    batches = list(ds)
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1].numpy() for b in batches])
    assert sorted(seen) == list(range(10))
    for images, labels in batches:  # images travel with their labels
        np.testing.assert_array_equal(images.numpy(), x[labels.numpy()])


@pytest.mark.parametrize("bad", [0, -1, 2.0, None])
def test_from_arrays_rejects_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size"):
        data.from_arrays(np.zeros((4, 2, 2, 1), "float32"), bad)


def test_from_arrays_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels"):
        data.from_arrays(np.zeros((4, 2, 2, 1), "float32"), 2, labels=[1, 2])


def test_full_mode_without_data_fails_fast_with_instructions(no_data, monkeypatch):
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    start = time.perf_counter()
    with pytest.raises(data.DatasetUnavailable) as info:
        data.mnist()
    assert time.perf_counter() - start < 10
    message = str(info.value)
    assert "GANKIT_DATA_DIR" in message and "mnist.npz" in message and "tfds" in message


def test_offline_switch_skips_the_network(monkeypatch):
    monkeypatch.setenv("GANKIT_OFFLINE", "1")
    start = time.perf_counter()
    assert data.online() is False
    assert time.perf_counter() - start < 0.1


def test_smoke_mode_announces_the_stand_in(no_data, capsys):
    ds = data.mnist(batch_size=16)
    images = next(iter(ds)).numpy()
    assert images.shape == (16, 28, 28, 1) and -1 <= images.min() and images.max() <= 1
    assert "STAND-IN" in capsys.readouterr().out


def _pack(folder, filename="mnist.npz", **arrays):
    folder.mkdir(exist_ok=True)
    np.savez_compressed(folder / filename, **arrays)
    return folder


def test_pack_is_read_first(tmp_path, monkeypatch, capsys):
    x = np.full((20, 28, 28), 255, np.uint8)
    y = np.arange(20, dtype=np.uint8) % 10
    monkeypatch.setenv("GANKIT_DATA_DIR", str(_pack(tmp_path / "pack", x_train=x, y_train=y,
                                                    x_test=x, y_test=y)))
    images, labels = data.image_arrays("mnist", "train")
    assert images.shape == (20, 28, 28) and "offline pack" in capsys.readouterr().out
    images, labels = next(iter(data.mnist(batch_size=20, with_labels=True)))
    assert float(images.numpy().min()) == 1.0 and labels.shape == (20,)


def test_pack_with_missing_arrays_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_DATA_DIR", str(_pack(tmp_path / "pack", images=np.zeros(3))))
    with pytest.raises(data.DatasetUnavailable, match="x_train"):
        data.image_arrays("mnist")


def test_unknown_dataset_and_split():
    with pytest.raises(ValueError, match="unknown dataset"):
        data.image_arrays("mnsit")
    with pytest.raises(ValueError, match="split"):
        data.image_arrays("mnist", "validation")


@pytest.mark.parametrize("name, shape", [("fashion_mnist", (28, 28)), ("cifar10", (32, 32, 3))])
def test_other_image_sets_have_a_smoke_stand_in(no_data, name, shape, capsys):
    images, labels = data.image_arrays(name, "test")
    assert images.shape == (data.SMOKE_IMAGES, *shape) and images.dtype == np.uint8
    assert set(np.unique(labels)) <= set(range(10)) and "SMOKE STAND-IN" in capsys.readouterr().out


def test_image_dataset_keeps_the_classes_asked_for(tmp_path, monkeypatch):
    x = np.arange(10, dtype=np.uint8)[:, None, None, None] * np.ones((1, 32, 32, 3), np.uint8)
    y = np.arange(10, dtype=np.uint8)
    monkeypatch.setenv("GANKIT_DATA_DIR", str(_pack(tmp_path / "pack", "cifar10_subset.npz",
                                                    x_train=x, y_train=y, x_test=x, y_test=y)))
    images, labels = next(iter(data.image_dataset("cifar10", 10, classes=[7], with_labels=True)))
    assert images.shape == (1, 32, 32, 3) and labels.numpy().tolist() == [7]
    np.testing.assert_allclose(images.numpy(), 7 / 127.5 - 1)
    with pytest.raises(ValueError, match="classes: none of \\[11\\]"):
        data.image_dataset("cifar10", 10, classes=[11])
