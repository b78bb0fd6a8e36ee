# Two commands on a fresh machine (see README): `make demo` and `make test`.
# Each creates .venv, installs what it needs, and installs missing system libraries
# (as root on Debian/Ubuntu; otherwise it prints the exact command to run).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint bench system-deps test-system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,piper]'
	touch $@

system-deps:
	bash deploy/system-deps.sh

test-system-deps:
	bash deploy/system-deps.sh --test

demo: system-deps $(VENV)/.installed-run
	$(BIN)/broadcast --home . demo

# The static checks first: a lint or type error fails in seconds, not after the suite.
test: test-system-deps lint
	$(BIN)/python -m pytest

# The fast lane: everything but the tests that wait on a real-time card or the wall clock.
test-fast: test-system-deps $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not realtime and not slow"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: test-system-deps $(VENV)/.installed-test
	for b in bench/[!_]*.py; do $(BIN)/python -m bench.$$(basename $$b .py) || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
