# 95598 hotline. The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test test-fast lint deps venv prompts lab-up lab-down bench clean

run: venv prompts
	$(PY) -m lab up --hotline --public
	@echo "Web console: http://127.0.0.1:8080/ (wallboard /wallboard, reports /reports)."
	@echo "  Log in with an account made first: $(VENV)/bin/hotline users add NAME --role supervisor"
	$(VENV)/bin/hotline supervise

test: venv lint
	$(PY) -m pytest -q -p no:cacheprovider tests

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-fast: venv
	$(PY) -m pytest -q tests/unit tests/integration -m "not e2e and not postgres"

deps:
	bash lab/host_deps.sh

venv: deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

prompts: venv
	$(VENV)/bin/hotline prompts render

lab-up: venv prompts
	$(PY) -m lab up --hotline

lab-down: venv
	$(PY) -m lab down

bench: venv
	for b in $$(grep -l '__main__' bench/*.py); do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
