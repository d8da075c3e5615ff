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


# `make check` runs the tests and the notebooks on two workers, a file at a time: starting the
# longest files first lets both workers finish together instead of one waiting on the last.
LONGEST_FIRST = ["tests/test_sources.py", "notebooks/14_colorization.ipynb",
                 "tests/test_parameters.py", "notebooks/12_style_transfer.ipynb",
                 "tests/test_resume.py", "notebooks/06_fashion_gan.ipynb",
                 "notebooks/13_cyclegan.ipynb"]


def pytest_collection_modifyitems(items):
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable
