# b2bsm teaching kit: two commands do all the set-up.
#   make lab    create .venv if needed, install the kit for JupyterLab, serve the start notebook
#   make test   install the test extras, lint, run every test and notebook (then again under
#               the other supported Pythons found here), build the website and browse it
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
# The website's JupyterHub button (nbgitpuller); empty: b2bsm.links.HUB_URL (none if unset).
HUB_URL ?=
SITE_OUT ?= _site
# Other supported Pythons (3.12, 3.13, ... from pyproject's classifiers) found on this machine;
# `make test PYTHONS=` skips them. Each gets its own environment under build/.
PYTHONS ?= $(shell $(PYTHON) tools/pythons.py --others 2>/dev/null)

.PHONY: help lab test test-main test-pythons lint format notebooks exercises data site \
	venv clean

help:
	@echo "make lab        install the kit into $(VENV) and serve JupyterLab at $(START)"
	@echo "make test       lint, unit tests, every notebook, website + browser tests;"
	@echo "                then unit tests + notebooks under each other Python found"
	@echo "make site       build the course website into $(SITE_OUT)/ (offline, from stored outputs)"
	@echo "make notebooks  re-execute notebooks/ and solutions/ in place"
	@echo "make exercises  rebuild exercises/ from the solution masters"
	@echo "make data       regenerate data/ (byte-identical for the default seeds)"
	@echo "make format     apply ruff's formatter and autofixes"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "b2bsm needs Python 3.11, 3.12 or 3.13; run make with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip

# Reinstall whenever pyproject.toml changes. Each role installs its extra:
# lab = the kit + JupyterLab; test = every role + the test tools.
$(VENV)/.installed-lab: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_QUIET) -e '.[lab]'
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_QUIET) -e '.[test]'
	@touch $@ $(VENV)/.installed-lab

venv: $(VENV)/.installed-test

lab: $(VENV)/.installed-lab
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

test: test-main test-pythons

# Unit tests, notebooks and the website build in parallel; then the real-browser tests
# (JupyterLab and the built website in Chromium) on their own, so that Chromium does not
# compete with the nbval kernels for CPU.
test-main: lint
	@echo "== Python $$($(PY) -c 'import platform; print(platform.python_version())') ($(VENV)): unit tests, notebooks, website, browser"
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m "not browser"
	$(PY) -m pytest -m browser

# Unit tests and every notebook under each other supported Python (no browser, no website,
# no tests marked slow: the end-to-end grading runs stay on the default Python); runs them
# all, then fails if any failed, and says which ran.
test-pythons:
	@status=0; ran=""; \
	for python in $(PYTHONS); do \
		version=$$($$python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		venv=build/venv-$$version; \
		echo "== Python $$($$python -c 'import platform; print(platform.python_version())') ($$venv): unit tests, notebooks"; \
		if [ ! -x $$venv/bin/python ] || [ pyproject.toml -nt $$venv/.installed-test ]; then \
			$$python -m venv $$venv && \
			$$venv/bin/python -m pip install $(PIP_QUIET) --upgrade pip && \
			$$venv/bin/python -m pip install $(PIP_QUIET) -e '.[test]' && \
			touch $$venv/.installed-test || { status=1; ran="$$ran $$version:install-failed"; continue; }; \
		fi; \
		if $$venv/bin/python -m pytest -n $(JOBS) --dist loadfile -q -m "not browser and not site and not slow"; then \
			ran="$$ran $$version:passed"; \
		else \
			status=1; ran="$$ran $$version:FAILED"; \
		fi; \
	done; \
	echo "== other Pythons:$${ran:- none found (looked for python3.X on PATH and in pyenv)}"; \
	exit $$status

# The course website, from the stored notebook outputs (nothing is re-executed), offline.
site: $(VENV)/.installed-test
	$(PY) tools/build_site.py --out $(SITE_OUT) $(if $(HUB_URL),--hub $(HUB_URL),)

notebooks: $(VENV)/.installed-test
	$(PY) tools/execute_notebooks.py notebooks solutions

exercises: $(VENV)/.installed-test
	$(PY) -m b2bsm_teach.exercises build

data: $(VENV)/.installed-lab
	$(PY) -m b2bsm.data build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info \
		$(SITE_OUT) site/_build
