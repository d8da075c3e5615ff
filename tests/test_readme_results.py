"""Every number in the results tables (the README's chapter table, results/README.md) is a
measured one: it is in that chapter's
`results/*.json`, at the precision shown (KID and shares may be shown ×1000 or in %, seconds in
minutes). Numbers that are not results are told apart by their context: the book's own
settings ("the book's 300 epochs", "book: 100") and a column headed "the book", sizes
("640×427"), the "×1000" of a column name. A row whose number is in no JSON fails here,
naming the line. The same holds for the numbers of every notebook's "What the CPU run showed"
cell, the notebook's own account of its measured run."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"(?<![\w.×])[−-]?\d[\d,]*(?:\.\d+)?(?![\w×])")
NOT_RESULTS = [
    re.compile(r"book(?:'s)?:?\s+[\d,]+"),      # the book's settings
    re.compile(r"\d+\s*×\s*\d+"),                # sizes and "× 1000"
    re.compile(r"×\s*1000"),
    re.compile(r"n = \d+"),                      # a sample size in a label
]


def recorded(chapter):
    """The chapter's recorded numbers: its `make evaluate` run, and its runs from other seeds
    (`benchmarks/notebook_seeds.py`) where there are any."""
    entries = [json.loads((ROOT / "results" / f"{chapter}.json").read_text())]
    seeds = ROOT / "results" / f"{chapter}_seeds.json"
    if seeds.is_file():
        entries += json.loads(seeds.read_text())["seeds"].values()
    return [v for entry in entries for v in [*entry["metrics"].values(), entry["train_seconds"]]
            if isinstance(v, (int, float))]


def shown_as(token, values):
    text = token.replace("−", "-").replace(",", "")
    shown, decimals = float(text), len(text.split(".")[1]) if "." in text else 0
    half_unit = 0.5 * 10 ** -decimals
    for value in values:
        for scale in (1, 1000, 100, 1 / 60):  # as is, ×1000, %, seconds → minutes
            v = value * scale
            if abs(v - shown) <= half_unit + 1e-9:  # rounded to the digits shown
                return True
            if shown and decimals == 0 and abs(shown) >= 100 and abs(v - shown) / abs(
                    shown) < 0.006:  # three significant figures of a large number
                return True
    return False


def table_numbers():
    """(file:line, chapter, number, cell) for every number in a results table: the README's
    chapter table and every table of results/README.md."""
    chapters = {p.stem[:2]: p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    found = []
    for name in ("README.md", "results/README.md"):
        found += _file_numbers(name, chapters)
    return found


def _file_numbers(name, chapters):
    chapter, header, found = None, None, []
    for number, line in enumerate((ROOT / name).read_text().splitlines(), 1):
        number = f"{name}:{number}"
        heading = re.match(r"\*\*(\d\d) ·", line)
        if heading:
            chapter = chapters.get(heading.group(1))
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]  # not "\|"
        if set("".join(cells)) <= set("-: "):
            continue
        if header is None:
            header = cells
            continue
        if header[0] == "#":  # the chapter table: its "measured" and "CPU time" columns
            row_chapter, checked = chapters.get(cells[0]), cells[4:6]
        else:
            row_chapter = chapter  # every column but the row's name and the book's own readings
            checked = [c for c, h in zip(cells[1:], header[1:]) if not h.startswith("the book")]
        if row_chapter is None:
            continue
        for cell in checked:
            text = cell.replace("**", "")
            for pattern in NOT_RESULTS:
                text = pattern.sub(" ", text)
            found += [(number, row_chapter, token, cell) for token in NUMBER.findall(text)]
    return found


def test_every_number_in_the_results_tables_is_recorded():
    numbers = table_numbers()
    assert len(numbers) > 200  # the tables were found
    cache = {}
    missing = [f"{line} ({chapter}): {token} in {cell[:70]!r}"
               for line, chapter, token, cell in numbers
               if not shown_as(token, cache.setdefault(chapter, recorded(chapter)))]
    assert not missing, "numbers in no results/*.json:\n" + "\n".join(missing)


def test_the_check_can_fail():
    assert shown_as("22.3", [22.2772]) and shown_as("723", [0.7234]) and shown_as("78", [0.781])
    assert not shown_as("22.4", [22.2772]) and not shown_as("0.06", [0.0435])


# In a notebook's run notes, also settings and outside numbers: the book's readings, epoch and step
# counts, a paper's year, names with numbers, chance levels.
RUN_NOTE = "### What the CPU run showed"
RUN_NOTE_NOT_RESULTS = [
    re.compile(r"book\s+[\d.,]+(?:\s*/\s*[\d.,]+)*"),
    re.compile(r"(?:epochs?|steps?)\s+[\d,]+(?:\s+and\s+[\d,]+)?|[\d,]+\s+(?:epochs?|steps?)\b"),
    re.compile(r"\(\d{4}\)"),
    re.compile(r"[A-Za-z]+-\d+"),                # names: CIFAR-10
    re.compile(r"chance:?\s+[\d.]+(?:\s*%)?(?:\s+and\s+[\d.]+)?"),
    re.compile(r"95\s*%\s+(?:bootstrap|intervals?)"),  # an interval's level
    re.compile(r"\b[A-Z]\s*=\s*\d+"),            # a setting: S = 64
    *NOT_RESULTS,
]


def run_note_numbers():
    """(notebook, cell id, number) for every number in a "What the CPU run showed" cell."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] != "markdown" or not text.startswith(RUN_NOTE):
                continue
            text = text.split("\n", 1)[1].replace("**", "")
            for pattern in RUN_NOTE_NOT_RESULTS:
                text = pattern.sub(" ", text)
            found += [(path.stem, cell["id"], token) for token in NUMBER.findall(text)]
    return found


def test_every_number_in_the_notebooks_run_notes_is_recorded():
    """What a notebook says its run showed quotes numbers from its results/*.json."""
    numbers = run_note_numbers()
    assert len({notebook for notebook, _, _ in numbers}) >= 7  # the notes were found
    cache = {}
    missing = [f"{notebook} ({cell}): {token}" for notebook, cell, token in numbers
               if not shown_as(token, cache.setdefault(notebook, recorded(notebook)))]
    assert not missing, "numbers in no results/*.json:\n" + "\n".join(missing)
