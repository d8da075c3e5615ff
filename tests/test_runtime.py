import subprocess
import sys

import pytest

import gankit
from gankit import runtime


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


def test_import_twice_and_after_a_tensor_exists():
    code = (
        "import tensorflow as tf\n"
        "x = tf.constant([1.0]) * 2  # TensorFlow is initialised before gankit\n"
        "import importlib, gankit\n"
        "importlib.reload(gankit)\n"
        "gankit.runtime.configure_gpus(); gankit.runtime.configure_gpus()\n"
        "print('ok')\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Physical devices cannot be modified" not in result.stderr
    assert result.stdout.strip().endswith("ok")


def test_import_prints_one_device_line():
    result = subprocess.run([sys.executable, "-c", "import gankit"], capture_output=True,
                            text=True, timeout=120, env={**__import__("os").environ,
                                                         "GANKIT_QUIET": ""})
    lines = [line for line in result.stdout.splitlines() if line.startswith("gankit ·")]
    assert len(lines) == 1 and "TensorFlow" in lines[0] and "Keras" in lines[0]


def test_device_report_hints_when_no_gpu():
    line = gankit.device_report()
    if not runtime.on_gpu():
        assert "no GPU" in line and "GPU" in line.split("no GPU", 1)[1]
        assert runtime.device_name().startswith("CPU (")
    else:
        assert runtime.device_name() in line


def test_smoke_and_budget(monkeypatch):
    monkeypatch.setenv("GANKIT_SMOKE", "1")
    assert gankit.smoke() and gankit.budget(300, 2) == 2
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    assert not gankit.smoke() and gankit.budget(300, 2) == 300


def test_seed_makes_randomness_repeatable():
    import numpy as np
    import tensorflow as tf

    gankit.seed(7)
    a = (np.random.rand(), float(tf.random.uniform(())))
    gankit.seed(7)
    assert a == (np.random.rand(), float(tf.random.uniform(())))


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="seed"):
        gankit.seed(bad)


def test_strategy_on_this_machine():
    import tensorflow as tf

    assert isinstance(runtime.strategy(), tf.distribute.Strategy)


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE_DIR", str(tmp_path / "x"))
    assert runtime.cache_dir() == tmp_path / "x" and (tmp_path / "x").is_dir()


def test_run_dir_is_absolute_and_smoke_runs_have_their_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GANKIT_RUNS_DIR", raising=False)
    path = runtime.run_dir("10_human_faces")
    assert path.is_absolute() and path == tmp_path / "runs" / "smoke" / "10_human_faces"
    monkeypatch.setenv("GANKIT_SMOKE", "0")
    assert runtime.run_dir("10_human_faces") == tmp_path / "runs" / "10_human_faces"
    monkeypatch.setenv("GANKIT_RUNS_DIR", str(tmp_path / "elsewhere"))
    assert runtime.run_dir("10_human_faces") == tmp_path / "elsewhere" / "10_human_faces"
    with pytest.raises(ValueError, match="folder name"):
        runtime.run_dir("runs/10")


def test_drive_outside_colab_keeps_the_run_local(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GANKIT_RUNS_DIR", str(tmp_path))
    assert runtime.run_dir("01_sine_gan", drive=True) == tmp_path / "smoke" / "01_sine_gan"
    assert "Colab only" in capsys.readouterr().out


def test_a_run_on_drive_resumes_after_the_vm_is_recycled(tmp_path, monkeypatch, capsys):
    """In (a stand-in of) Colab, DRIVE = True puts the checkpoints and the caches on Google Drive:
    a new VM, with an empty disk, mounts the same Drive and continues the run."""
    import shutil

    import keras
    import numpy as np

    from gankit import checkpoints, data, losses, training
    from tests.standins import colab
    from tests.test_training import small_pair

    users_drive = colab(tmp_path, monkeypatch)
    monkeypatch.setattr(runtime, "DRIVE_MOUNT", str(tmp_path / "content" / "drive"))
    monkeypatch.setenv("GANKIT_CACHE_DIR", "unset")
    monkeypatch.delenv("GANKIT_CACHE_DIR")  # Colab sets none (and this restores the test's after)
    x = np.random.default_rng(0).uniform(-1, 1, (32, 6, 6, 1)).astype("float32")

    def session(epochs):  # what the notebook's cells do, on a fresh VM
        folder = runtime.run_dir("07_mnist_image_generation", drive=True)
        g, d = small_pair()
        g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
        noise = training.Noise(8, seed=1)
        step = training.make_train_step(g, d, g_opt, d_opt, noise,
                                        loss=losses.BCE(from_logits=True))  # D outputs logits
        ckpt = checkpoints.Checkpoint(folder / "checkpoints", g, d, g_opt, d_opt, noise=noise)
        return folder, training.train(step, data.from_arrays(x, 16), epochs, checkpoint=ckpt,
                                      log_every=0)

    folder, _ = session(2)
    assert folder == tmp_path / "content" / "drive" / "MyDrive" / "gankit" / "runs" / "smoke" / \
        "07_mnist_image_generation"
    assert (users_drive / "gankit" / "runs" / "smoke" / "07_mnist_image_generation" /
            "checkpoints").is_dir()
    assert runtime.cache_dir() == tmp_path / "content" / "drive" / "MyDrive" / "gankit" / "cache"
    shutil.rmtree(tmp_path / "content")  # the VM is recycled: its disk (and the mount) are gone
    capsys.readouterr()
    folder, history = session(4)
    out = capsys.readouterr().out
    assert "Mounted at" in out and "Resumed from" in out and "2 epochs" in out
    assert len(history.seconds) == 4  # 2 epochs from the first VM, 2 trained on the second
