# Dixian: `make run` starts everything on this machine, `make test` runs the whole suite.
# Both install what is missing first (system packages, virtual environment, JS packages).
#   make run                    init the database (demo data once), then the web app and the
#                               timer worker, restarted whenever it ends; Ctrl-C stops both
#   make test [PYTEST_ARGS=…]   the suite (DIXIAN_TEST_DATABASE_URL=postgresql://… for PostgreSQL)
#   make bench [BENCH_ARGS=…]   engine benchmark against in-memory SpiffWorkflow

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
PYTEST_ARGS ?=
BENCH_ARGS  ?=
export VENV

.PHONY: run test install install-test translations bench clean

$(BIN)/python:
	scripts/bootstrap-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	scripts/bootstrap-system.sh
	$(BIN)/pip install -q -e '.[web,test]'
	touch $@

node_modules/.installed: package.json
	scripts/npm.sh install --no-audit --no-fund --loglevel=error
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d webapp/translations >/dev/null

install: $(VENV)/.installed node_modules/.installed translations

install-test: install
	scripts/bootstrap-system.sh --test

run: install
	$(BIN)/dixian init --demo
	scripts/run.sh

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/engine.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var
