# ChainBrain — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= data/demo.duckdb
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv system-deps serve bench bench-national lock clean

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev,spark]'
	touch $@

venv: $(BIN)/.installed

## make demo: set up, build the calibrated demo province once, serve http://127.0.0.1:8000
demo: venv
	@if [ ! -f $(DEMO_DB) ]; then $(BIN)/chainbrain demo build --db $(DEMO_DB) --scale province; \
	else echo "Reusing $(DEMO_DB) (delete it to rebuild)"; fi
	@if [ -f $(basename $(DEMO_DB)).credentials.txt ]; then echo "Demo users (username, password, role, scope):"; \
	 cat $(basename $(DEMO_DB)).credentials.txt; fi
	$(BIN)/chainbrain serve --db $(DEMO_DB) --host $(HOST) --port $(PORT) --public-aggregates

## make test: install what the tests need (Chromium, CJK fonts, PostgreSQL) and run every test
test: system-deps venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

system-deps:
	@bash scripts/install_system_deps.sh

bench: venv
	$(BIN)/python -m benchmarks --scale province

bench-national: venv
	$(BIN)/python -m benchmarks --scale province --scale national

## regenerate the pinned versions after changing pyproject.toml dependencies
lock:
	rm -rf /tmp/cb-lock && $(PYTHON) -m venv /tmp/cb-lock && /tmp/cb-lock/bin/pip install -q '.[dev,spark]' \
	 && /tmp/cb-lock/bin/pip freeze --exclude chainbrain > requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info
