"""`python -m gankit train-judges NAME [NAME ...]`: retrain shipped judges (see gankit.judges)."""

import sys

from gankit import judges

if len(sys.argv) < 3 or sys.argv[1] != "train-judges":
    raise SystemExit(f"usage: python -m gankit train-judges NAME [NAME ...]; judges: "
                     f"{', '.join(sorted(judges.RECIPES))}")
for name in sys.argv[2:]:
    judges.train(name)
