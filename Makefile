# The two commands a newcomer needs: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test proofs lint format bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/caselog demo --db demo.db --force

# The fast lane: the whole behavioural suite, in parallel (pytest-xdist, one worker per core), twice: on SQLite,
# then on a throwaway PostgreSQL cluster (tests/pgserver.py starts one from the machine's PostgreSQL; without one
# the second run is skipped, except in CI, where that is a failure). The heavy proofs are left to `make proofs`.
WORKERS ?= auto
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal
	CASELOG_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal

# The proof lane: kill -9 loops, concurrency runs, the 100,000-row import, bug hunts and every property-based
# test at full size, on both back ends (tests/budget.py; any count can be set: CASELOG_PROOF_IMPORT_KILLS=10).
proofs: $(VENV)/.installed-test
	CASELOG_PROOFS=full $(BIN)/python -m pytest -q -rP -n $(WORKERS) --dist worksteal -m "proof or hypothesis"
	CASELOG_PROOFS=full CASELOG_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q -rP -n $(WORKERS) --dist worksteal -m "proof or hypothesis"

# Benchmarks against floors measured in the same run: a synthetic 1M-case district (bench/data/1m.db, generated
# once and reused); `make bench SIZE=10m` for ten million cases. Results go to bench/results/.
SIZE ?= 1m
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py --cases $(patsubst %m,%000000,$(patsubst %k,%000,$(SIZE)))

# After changing a user-facing message: refresh caselog/locale (template, zh_CN .po, compiled .mo), then translate.
messages: $(VENV)/.installed-test
	$(BIN)/python tools/messages.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm .pytest_cache build *.egg-info
