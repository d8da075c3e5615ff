import os

os.environ.setdefault("GANKIT_QUIET", "1")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test gets its own cache and results folders, and smoke mode unless it says otherwise."""
    monkeypatch.setenv("GANKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GANKIT_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("GANKIT_SMOKE", "1")
    yield


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """No offline pack, no prepared tfds data and no network."""
    monkeypatch.delenv("GANKIT_DATA_DIR", raising=False)
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tfds"))
    from gankit import data

    monkeypatch.setattr(data, "online", lambda *a, **k: False)
    yield
