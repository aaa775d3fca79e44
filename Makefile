# Dixian: `make run` starts everything on this machine, `make test` runs the whole suite.
# Both install what is missing first (system packages, virtual environment, JS packages).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
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
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) node_modules var
