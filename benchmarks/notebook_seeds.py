"""Run a chapter's notebook in full mode again from other seeds, and keep what it records.

One run is one draw. This executes the notebook (a fresh kernel, a fresh run folder, as
`make evaluate` does) once per seed, with the `SEED = 0` line of its parameters cell set to the
seed and nothing else changed, and writes every seed's recorded metrics to
`results/<notebook>_seeds.json`. Seed 0 is the notebook's own `make evaluate` run,
`results/<notebook>.json`.

    GANKIT_DATA_DIR=... python benchmarks/notebook_seeds.py notebooks/11_face_aging.ipynb \
        --seeds 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SEED_LINE = re.compile(r"^SEED = 0\b", re.MULTILINE)


def with_seed(notebook, seed: int):
    """The notebook with its parameters cell's `SEED = 0` set to `seed` (exactly one such line)."""
    found = [cell for cell in notebook.cells
             if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(found) != 1:
        raise SystemExit(f"expected one code cell with a line `SEED = 0`, found {len(found)}")
    found[0].source = SEED_LINE.sub(f"SEED = {seed}", found[0].source)
    return notebook


def run(path: Path, seed: int) -> dict:
    """Execute `path` in full mode with SEED = `seed`; the entry its `results.record` wrote."""
    notebook = with_seed(nbformat.read(path, as_version=4), seed)
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(GANKIT_SMOKE="0", GANKIT_RESULTS_DIR=folder,
                          GANKIT_RUNS_DIR=str(Path(folder) / "runs"))
        started = time.time()
        NotebookClient(notebook, timeout=None, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        recorded = sorted(Path(folder).glob("*.json"))
        if not recorded:
            raise SystemExit(f"{path.name} with SEED = {seed} recorded nothing")
        entry = json.loads(recorded[0].read_text())
    entry["wall_seconds"] = round(time.time() - started, 1)
    print(f"{path.stem}, seed {seed}: {entry['train_seconds'] / 60:.1f} min of training, "
          f"{entry['wall_seconds'] / 60:.1f} min in all", flush=True)
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    out = ROOT / "results" / f"{args.notebook.stem}_seeds.json"
    seeds = {str(seed): run(args.notebook.resolve(), seed) for seed in args.seeds}
    out.write_text(json.dumps({
        "notebook": args.notebook.name, "seed_0": f"results/{args.notebook.stem}.json",
        "command": f"python benchmarks/notebook_seeds.py notebooks/{args.notebook.name} --seeds "
                   + " ".join(map(str, args.seeds)),
        "seeds": seeds}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
