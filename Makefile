# The two commands a user needs: `make up` (install and run) and `make test`.
SHELL := /bin/bash
# The newest supported CPython (3.11-3.14) unless PYTHON names one.
PYTHON ?= $(shell bash scripts/find_python.sh)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check

.PHONY: up test smoke lint format install install-dev models bench bench-analysis bench-index bench-pipeline bench-similarity bench-clustering bench-clustering-quality bench-clustering-engine bench-artists clean

up: install
	$(BIN)/python manage.py up

test: install-dev
	@bash tests/install_test_servers.sh
	$(BIN)/python manage.py build_models --if-missing
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

# `make up` to health, one analysis, one similar_tracks call, a clean stop.
smoke: install
	$(BIN)/python -m tests.smoke

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(VENV)/.installed-base

install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || exit 1
	@"$(PYTHON)" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 14))' 2>/dev/null || \
	  { echo "AudioMuse needs CPython 3.11 to 3.14; PYTHON=$(PYTHON) is $$("$(PYTHON)" --version 2>&1)"; exit 1; }
	@echo "Using $$("$(PYTHON)" --version) ($(PYTHON)) for $(VENV)"
	@"$(PYTHON)" -m venv $(VENV) 2>/dev/null || bash scripts/install_python_venv.sh "$(PYTHON)" "$(VENV)"

$(VENV)/.installed-base: $(VENV)/bin/python requirements/base.txt requirements/constraints.txt requirements/models.txt
	$(PIP) install -r requirements/base.txt
	$(PIP) install --no-deps -r requirements/models.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.txt requirements/dev-nodeps.txt
	$(PIP) install -r requirements/dev.txt
	$(PIP) install --no-deps -r requirements/dev-nodeps.txt
	@touch $@

models: install
	$(BIN)/python manage.py build_models

bench: bench-analysis bench-index bench-pipeline bench-similarity bench-clustering bench-clustering-quality bench-artists

bench-analysis: install-dev
	$(BIN)/python bench/analysis.py

bench-index: install-dev
	$(BIN)/python -m bench.index

bench-pipeline: install-dev
	$(BIN)/python -m bench.pipeline

bench-similarity: install-dev
	$(BIN)/python bench/similarity.py --quality --latency

bench-clustering: install-dev
	$(BIN)/python -m bench.clustering

bench-clustering-quality: install-dev
	$(BIN)/python -m bench.clustering_quality

bench-clustering-engine: install-dev
	$(BIN)/python bench/clustering_engine.py

bench-artists: install-dev
	$(BIN)/python bench/artists.py --quality --latency

clean:
	rm -rf $(VENV) .venv-oldest .pytest_cache .ruff_cache
