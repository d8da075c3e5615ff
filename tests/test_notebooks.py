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


def _calls(code, name):
    """The argument text of every call `name(...)` in `code` (parentheses balanced)."""
    found = []
    for match in re.finditer(re.escape(name) + r"\(", code):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            i += 1
        found.append(code[match.end():i - 1])
    return found


def _lesson_of(arguments):
    """The `lesson` of a tiny step built with a notebook's make_train_step options."""
    import keras

    from gankit import losses, models, training

    g = models.mlp_generator(4, (8,), (4, 4, 1))
    d = models.mlp_discriminator((4, 4, 1), (8,))
    options = {}
    if re.search(r"d_split\s*=\s*True", arguments):
        options["d_split"] = True
    if re.search(r"update\s*=\s*\"simultaneous\"", arguments):
        options["update"] = "simultaneous"
    step = training.make_train_step(g, d, keras.optimizers.Adam(), keras.optimizers.Adam(),
                                    training.Noise(4), loss=losses.BCE(), **options)
    return {f"gankit.training.{f.__name__}" for f in step.lesson}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shows_the_step_it_trains_with(path):
    """Every step a notebook trains with is displayed in it (`gankit.live.source`): the very
    functions that step runs, or the notebook's own `train_step` written out in a cell."""
    nb = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    shown = " ".join(re.sub(r"\s+", " ", s) for s in _calls(code, "gankit.live.source"))
    wanted = set()
    for arguments in _calls(code, "gankit.training.make_train_step"):
        wanted |= _lesson_of(arguments)
    if _calls(code, "gankit.training.GAN"):
        wanted.add("gankit.training.GAN.train_step")
    for factory in re.findall(r"gankit\.translation\.(make_\w+_step)\(", code):
        wanted.add(f"gankit.translation.{factory}")
    own = "def train_step(self" in code and "GradientTape" in code  # its own, written out
    assert wanted or own, f"{path.name} trains with no step this test knows"
    missing = {name for name in wanted if not re.search(re.escape(name) + r"\b", shown)}
    assert not missing, f"{path.name} trains with {sorted(missing)} but does not show it"
