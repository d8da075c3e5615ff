import json

import matplotlib
import numpy as np
import pytest

from gankit import plots, results, training

matplotlib.use("Agg")


def test_image_grid_for_grey_and_colour():
    assert plots.image_grid(np.zeros((5, 8, 8, 1)), title="t").axes
    assert len(plots.image_grid(np.zeros((6, 8, 8, 3)), ncols=3).axes) == 6
    with pytest.raises(ValueError, match="expected"):
        plots.image_grid(np.zeros((4, 8, 8, 2)))


def test_mosaic_tiles_images_in_rows():
    images = np.stack([np.full((4, 5, 1), v) for v in (-1.0, 0.0, 1.0)])  # 3 grey 4x5 images
    tiled = plots.mosaic(images, ncols=2)
    assert tiled.shape == (8, 10) and tiled.dtype == np.uint8
    assert tiled[0, 0] == 0 and tiled[0, 5] == 128 and tiled[4, 0] == 255
    assert tiled[4, 5] == 0  # the missing fourth image is black
    assert plots.mosaic(np.zeros((4, 6, 6, 3))).shape == (12, 12, 3)


def test_points_and_curves():
    assert plots.points(np.zeros((10, 2)), reference=np.ones((5, 2))).axes
    assert len(plots.curves(np.zeros((3, 64))).axes) == 3
    with pytest.raises(ValueError):
        plots.points(np.zeros((10, 3)))


def test_loss_curves_from_each_history_kind():
    history = training.History(epoch={"d_loss": [1, 0.7], "g_loss": [0.5, 0.7]},
                               step={"d_loss": list(range(50)), "g_loss": list(range(50))})
    assert plots.loss_curves(history, reference=0.693).axes
    assert plots.loss_curves(history, per="step", smooth=10).axes
    assert plots.loss_curves({"d_loss": [1, 2], "g_loss": [2, 1]}).axes
    with pytest.raises(KeyError, match="d_acc"):
        plots.loss_curves(history, keys=("d_acc",))


def test_results_skip_smoke_runs(tmp_path):
    assert results.record("01_x", {"m": 1.0}, 3.0) is None
    assert not list(results.results_dir().glob("*.json"))


def test_results_record_and_table(monkeypatch):
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    fig = plots.image_grid(np.zeros((4, 8, 8, 1)))
    path = results.record("01_sine_gan", {"sine_error": np.float32(0.031)}, 52.4, figure=fig)
    entry = json.loads(path.read_text())
    assert entry["metrics"]["sine_error"] == pytest.approx(0.031, rel=1e-5)
    assert path.with_suffix(".png").is_file()
    assert "| 01_sine_gan | sine_error 0.031 | 0.9 min |" in results.table()
