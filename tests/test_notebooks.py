"""The notebooks stay clean and follow the template; nbval (`make notebooks`) runs them."""

import json
import re
from pathlib import Path

import pytest

import gankit

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, len(NOTEBOOKS) + 1)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text())
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 5
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]
    text = path.read_text()
    for machine_path in ("/work/", "/home/", "/root/", "/tmp/", "C:\\\\", "shared/datasets"):
        assert machine_path not in text, f"{path.name} mentions {machine_path}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_template(path):
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown"
    title = "".join(cells[0]["source"])
    colab = f"colab.research.google.com/github/gankit/gankit/blob/v{gankit.__version__}/notebooks/"
    assert colab + path.name in title
    assert "You will learn" in title
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert "gankit.budget(" in "".join(tagged[0]["source"]), "smoke mode shrinks the parameters"
    sources = ["".join(c["source"]) for c in cells]
    assert any("import gankit" in s for s in sources[:6])
    assert any("Book vs. this notebook" in s for s in sources)
    assert any(".save(" in s and "load_model" in s for s in sources), "save and reload G"
    assert any("gankit.results.record(" in s for s in sources), "records its measured metric"


def test_readme_lists_fourteen_chapters():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| (\d\d) \|", readme, flags=re.M)
    assert rows[:14] == [f"{i:02d}" for i in range(1, 15)]
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme
