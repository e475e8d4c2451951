# b2bsm teaching kit: two commands do all the set-up.
#   make lab    create .venv if needed, install the kit, serve JupyterLab at the start notebook
#   make test   create/update .venv with the test extras, lint, run every test and notebook
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888
JOBS ?= 2
START := notebooks/00_start_here.ipynb
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: help lab test lint format notebooks exercises data release venv clean

help:
	@echo "make lab        install the kit into $(VENV) and serve JupyterLab at $(START)"
	@echo "make test       install test extras, lint, run unit tests and every notebook"
	@echo "make notebooks  re-execute notebooks/ and solutions/ in place"
	@echo "make exercises  rebuild exercises/ from the solution masters"
	@echo "make data       regenerate data/ (byte-identical for the default seeds)"
	@echo "make format     apply ruff's formatter and autofixes"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "b2bsm needs Python 3.11 or newer; run make with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_QUIET) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_QUIET) -e '.[test]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-test

lab: $(VENV)/.installed-run
	$(eval TOKEN := $(shell $(PY) -c 'import secrets; print(secrets.token_hex(16))'))
	@echo ""
	@echo "  JupyterLab is starting. Open this address in your browser:"
	@echo "    http://127.0.0.1:$(PORT)/lab/tree/$(START)?token=$(TOKEN)"
	@echo "  Stop the server with Ctrl-C (twice)."
	@echo ""
	$(VENV)/bin/jupyter lab --no-browser $(ROOT_FLAG) --ServerApp.ip=127.0.0.1 \
		--ServerApp.port=$(PORT) --ServerApp.port_retries=0 \
		--IdentityProvider.token=$(TOKEN) --ServerApp.default_url=/lab/tree/$(START)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Unit tests and notebooks in parallel; then the real-browser tests on their own,
# so that JupyterLab in Chromium does not compete with the nbval kernels for CPU.
test: lint
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m "not browser"
	$(PY) -m pytest -m browser

notebooks: $(VENV)/.installed-test
	$(PY) tools/execute_notebooks.py notebooks solutions

exercises: $(VENV)/.installed-test
	$(PY) -m b2bsm.exercises build

data: $(VENV)/.installed-run
	$(PY) -m b2bsm.data build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
