# gankit: `make setup` once, then `make check`. See README.md.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# pytest-xdist workers for `make check`; each notebook runs whole, in order, on one of them
JOBS   ?= 2
NBVAL  := --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
          --nbval-sanitize-with tests/nbval_sanitize.cfg
export KERAS_BACKEND := tensorflow
export GANKIT_QUIET := 1

.PHONY: setup check lint test notebooks evaluate bench lab clean

setup: $(VENV)/.installed  ## create .venv and install everything

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

check: lint  ## lint + unit tests + every notebook in smoke mode, spread over $(JOBS) workers
	rm -rf notebooks/runs/smoke
	GANKIT_SMOKE=1 MPLBACKEND=Agg $(BIN)/python -m pytest -p no:cacheprovider -n $(JOBS) \
	  --dist loadfile $(NBVAL) $(NOTEBOOKS) tests

lint: setup
	$(BIN)/ruff check gankit tests notebooks benchmarks

test: setup  ## pytest for gankit
	$(BIN)/python -m pytest tests

notebooks: setup  ## run every notebook under nbval in smoke mode (from scratch: no resume)
	rm -rf notebooks/runs/smoke
	GANKIT_SMOKE=1 MPLBACKEND=Agg $(BIN)/python -m pytest -p no:cacheprovider $(NBVAL) $(NOTEBOOKS)

evaluate: setup  ## full-mode runs on real data; writes results/ (see README, "Results")
	mkdir -p build/evaluated results
	for nb in $(or $(NB),$(NOTEBOOKS)); do \
	  rm -rf notebooks/runs/$$(basename $$nb .ipynb); \
	  GANKIT_SMOKE=0 GANKIT_RESULTS_DIR=$(CURDIR)/results $(BIN)/jupyter nbconvert --to notebook \
	    --execute --ExecutePreprocessor.timeout=-1 --output-dir build/evaluated $$nb || exit 1; \
	done
	$(BIN)/python -m gankit.results results

bench: setup  ## time gankit's DCGAN step against the TensorFlow tutorial's (images/s, ratio)
	$(BIN)/python benchmarks/dcgan_step.py $(BENCH_ARGS)

lab: setup  ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf build notebooks/runs .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
