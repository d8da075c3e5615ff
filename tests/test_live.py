"""The live view: the bar's text, the measured seconds per step and time left, display handles."""

import time

import keras
import numpy as np
import pytest

from gankit import data, live, losses, training
from tests.test_training import small_pair


def test_clock():
    assert [live.clock(s) for s in (0.4, 42, 65, 3723)] == ["0 s", "42 s", "1:05", "1:02:03"]


def test_progress_measures_after_the_first_step_and_reports_once(capsys, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(time, "perf_counter", lambda: now[0])
    progress = live.Progress(total=1_000, done=100)  # a resumed run: 100 steps done before
    now[0] += 30.0  # the first step traces the graph
    progress.update(101)
    for done in range(102, 113):
        now[0] += 0.5
        progress.update(done, {"d_loss": np.float32(0.7), "g_loss": 1.2, "d_acc": 0.5})
    out = capsys.readouterr().out
    assert out.count("Measured on") == 1 and "0.5 s per step over 10 steps" in out
    assert "the first step took 30.0 s" in out and "900 steps ≈ 7:30" in out
    assert "about 7:24 left" in out  # 888 steps left at 0.5 s
    text = progress.text({"d_loss": 0.7, "g_loss": 1.2, "d_acc": 0.5})
    assert text.startswith("[██") and "112/1,000 steps" in text and "0.5 s/step" in text
    assert "d_loss 0.7000 · g_loss 1.2000" in text and "d_acc" not in text
    progress.close()
    assert capsys.readouterr().out == ""  # reported once


def test_a_short_run_reports_at_its_end(capsys):
    progress = live.Progress(total=3)
    for done in (1, 2, 3):
        progress.update(done)
    progress.close()
    assert "per step over 2 steps" in capsys.readouterr().out


def test_display_handles_update_in_place(monkeypatch):
    import IPython.display

    class Handle:  # what display(..., display_id=True) returns in a kernel
        def __init__(self, obj):
            self.shown = [obj]

        def update(self, obj):
            self.shown.append(obj)

    monkeypatch.setattr(live, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj, display_id=None: Handle(obj))
    progress = live.Progress(total=4, every=0)
    for done in (1, 2, 3, 4):
        progress.update(done)
    progress.close()
    views = progress.handle.shown
    assert len(views) == 5 and all(isinstance(v, live._Bar) for v in views)  # one output, updated
    assert repr(views[0]).startswith("[░░░") and repr(views[-1]).startswith("[" + "█" * 20 + "]")
    assert '<progress value="4" max="4"' in views[-1]._repr_html_()


def test_train_and_fit_show_progress(capsys):
    g, d = small_pair()
    g_opt, d_opt = keras.optimizers.Adam(), keras.optimizers.Adam()
    noise = training.Noise(8, seed=0)
    step = training.make_train_step(g, d, g_opt, d_opt, noise, loss=losses.BCE(from_logits=True))
    x = np.random.default_rng(0).uniform(-1, 1, (64, 6, 6, 1)).astype("float32")
    training.train(step, data.from_arrays(x, 8), 2, log_every=0)
    assert "16 steps ≈" in capsys.readouterr().out  # 2 epochs of 8 batches: known in advance
    gan = training.GAN(g, d, noise, loss=losses.BCE(from_logits=True))  # small_pair's D: logits
    gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam())
    gan.fit(data.from_arrays(x, 8), epochs=2, verbose=0, callbacks=[live.FitProgress()])
    assert "16 steps ≈" in capsys.readouterr().out


@pytest.mark.parametrize("live_view", [True, False])
def test_the_sample_grid_shows_itself_in_a_notebook(tmp_path, monkeypatch, live_view):
    shown = []
    monkeypatch.setattr(live, "show", lambda obj, handle=None: shown.append(obj) or "handle")
    monkeypatch.setattr(live, "image", lambda path: path)
    g, _ = small_pair()
    grid = training.SampleGrid(g, np.zeros((4, 8)), tmp_path, live=live_view)
    grid.on_train_begin()
    grid.on_epoch_end(1)
    grid.on_train_end()
    names = [p.name for p in shown]
    assert names == (["epoch_0000.png", "epoch_0001.png", "progress.gif"] if live_view else [])
