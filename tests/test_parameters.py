"""Notebooks run with parameters of a student's own, injected after the parameters cell (what
papermill does), in smoke mode: a changed seed and latent size train, report the book's counts
beside their own, and a re-run on another architecture's checkpoints says what to do."""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def execute(name, runs, **parameters):
    """Run notebook `name` in smoke mode with `parameters` injected; return it executed."""
    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(index + 1, injected)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def text_of(cell):
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_SMOKE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("GANKIT_RUNS_DIR", str(tmp_path / "runs"))
    return tmp_path / "runs"


def test_a_new_latent_size_and_seed_train_and_report_the_books_counts(kernel_env):
    nb = execute("07_mnist_image_generation.ipynb", kernel_env, SEED=3, Z_SIZE=64)
    cells = {c.get("id"): c for c in nb.cells}
    counts = text_of(cells["mig-models"])
    assert "(the book's, at its settings: 1,493,520)" in counts  # printed, not asserted
    assert "D: 533,505 parameters = the book's" in counts
    train = cells["mig-train"]
    shown = [o for o in train.outputs if o.output_type == "display_data"]
    # the live view leaves its last state only: the GIF of the grids and the finished bar
    assert [sorted(o.data) for o in shown] == [["image/gif", "text/plain"],
                                              ["text/html", "text/plain"]]
    assert "40/40 steps" in shown[1].data["text/plain"]
    assert "Measured on CPU" in text_of(train) or "Measured on GPU" in text_of(train)
    assert (kernel_env / "smoke" / "07_mnist_image_generation" / "sgd" / "progress.gif").is_file()
    json.dumps(nb)  # the executed notebook is plain JSON


def test_another_architecture_in_the_same_run_folder_says_set_fresh(kernel_env):
    execute("01_sine_gan.ipynb", kernel_env, SEED=5, LATENT_DIM=1)
    with pytest.raises(CellExecutionError) as info:
        execute("01_sine_gan.ipynb", kernel_env, SEED=5, LATENT_DIM=3)
    message = str(info.value)
    assert "CheckpointMismatch" in message and "FRESH = True" in message
    assert str(kernel_env / "smoke" / "01_sine_gan" / "checkpoints") in message
