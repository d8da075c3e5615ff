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
    if "GPU:" not in line:
        assert "no GPU" in line and "GPU" in line.split("no GPU", 1)[1]


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
