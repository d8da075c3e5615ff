"""What a Colab user installs is pinned: every badge, every install cell and the package's metadata
name one repository and one tagged version."""

import json
import re
from pathlib import Path

import gankit

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = (ROOT / "pyproject.toml").read_text()  # (tomllib is not in Python 3.10)
VERSION = re.search(r'^version = "([^"]+)"', PYPROJECT, re.M).group(1)
URLS = dict(re.findall(r'^(\w+) = "(https://[^"]+)"', PYPROJECT.split("[project.urls]")[1]
                       .split("\n[")[0], re.M))
TAG = f"v{VERSION}"
REPO = "gankit/gankit"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_the_version_is_one():
    assert gankit.__version__ == VERSION
    urls = URLS
    assert urls["Homepage"] == f"https://github.com/{REPO}"
    assert urls["Source"] == f"https://github.com/{REPO}/tree/{TAG}"
    assert urls["Notebooks"] == f"https://github.com/{REPO}/tree/{TAG}/notebooks"


def test_every_badge_and_install_cell_names_the_tagged_version():
    texts = {path.name: "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
             for path in NOTEBOOKS}
    texts["README.md"] = (ROOT / "README.md").read_text()
    for name, text in texts.items():
        badges = re.findall(r"colab\.research\.google\.com/github/([^/]+/[^/]+)/blob/([^/]+)/"
                            r"notebooks/([\w.]+)", text)
        installs = re.findall(r"git\+https://github\.com/([^/@\"']+/[^/@\"']+)(@[^\"'\s]*)?", text)
        if name != "README.md":
            assert len(badges) == 1 and badges[0][2] == name, name
            assert len(installs) == 1, name
        for repo, ref, _ in badges:
            assert (repo, ref) == (REPO, TAG), f"{name}: badge at {repo}@{ref}"
        for repo, ref in installs:
            assert (repo, ref) == (REPO, f"@{TAG}"), f"{name}: installs {repo}{ref or ' (main)'}"


def test_tfds_is_recent_enough_for_cycle_gan():
    """tfds before 4.9.4 points cycle_gan at a URL that no longer answers."""
    assert '"tensorflow-datasets>=4.9.4"' in PYPROJECT
    assert "tensorflow-datasets>=4.9.4" in (ROOT / "requirements.txt").read_text()


def test_the_wheel_carries_the_shipped_judges(tmp_path):
    """A pip install from git (Colab's path) builds a wheel: the judges must be in it."""
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(tmp_path), str(ROOT)], check=True, timeout=300)
    (wheel,) = tmp_path.glob("gankit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    manifest = json.loads((ROOT / "gankit" / "weights" / "judges.json").read_text())
    assert "gankit/weights/judges.json" in names
    assert {f"gankit/weights/{entry['file']}" for entry in manifest.values()} <= names
