# b2bsm teaching kit: two commands do all the set-up.
#   make lab    create .venv if needed, install the kit for JupyterLab, serve the start notebook
#   make test   install the tested versions (requirements/lock-py3.X.txt), lint, run every
#               kind of check (tests, notebooks, website, browser; a compatibility tier under
#               the other supported Pythons found here): what CI runs, under 10 minutes
# Test tiers (README "Tests"): make check (a lesson author, < 2 min), make test (CI),
# make test-full (largest sweeps, every test under every Python), make test-latest (drift).
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888
JOBS ?= 2
# The main phase runs one worker more than there are cores: several of its tests wait (a
# notebook's time-out in the hostile grading corpus, kernels starting, sandboxes), and a
# third worker fills those gaps: 376 s against 448-476 s with two, on 2 cores, with the CPU
# 99 % busy (vmstat). The browser phase and the compatibility tier are not faster with three.
MAIN_JOBS ?= $(shell echo $$(( $(JOBS) + 1 )))
START := notebooks/00_start_here.ipynb
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PIP_QUIET := --quiet --disable-pip-version-check
# The slowest items of each phase, in the log (benchmarks/README.md quotes them).
DURATIONS ?= --durations=15
# The website's JupyterHub button (nbgitpuller); empty: b2bsm.links.HUB_URL (none if unset).
HUB_URL ?=
SITE_OUT ?= _site
LITE_OUT ?= _lite
# Pure wheels the in-browser edition serves (fetched once from PyPI; the build is offline).
LITE_WHEELS := build/lite-wheels
# Other supported Pythons (3.12, 3.13, ... from pyproject's classifiers) found on this machine;
# `make test PYTHONS=` skips them. Each gets its own environment under build/.
PYTHONS ?= $(shell $(PYTHON) tools/pythons.py --others 2>/dev/null)
# The lock of tested versions for an interpreter: requirements/lock-py3.X.txt (`make lock`).
LOCK_OF = requirements/lock-py$(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])').txt
# uv installs the same packages as pip from the same registry, several times faster.
# --compile-bytecode: every installed module is compiled once, at install. Without it, where
# PYTHONDONTWRITEBYTECODE is set (CI machines, and every sandboxed grading run, which runs
# python -B) each new process (a kernel, a graded notebook) compiles pandas, scipy,
# statsmodels, matplotlib and IPython again: about 1.5-2 CPU s per process here.
UV := $(VENV)/bin/uv
UV_INSTALL = $(UV) pip install --quiet --compile-bytecode --python
# Python may write bytecode under make, even where PYTHONDONTWRITEBYTECODE is set (CI
# machines set it): otherwise every pytest process (each worker of each phase) rewrote and
# compiled every test module again (pytest caches its assertion rewriting only where
# bytecode may be written) and every kernel compiled the kit: 1.6 of 3.7 CPU s of each
# worker's collection. __pycache__ is ignored by git, the release and the website.
unexport PYTHONDONTWRITEBYTECODE
# What a lesson author checks before a commit: the notebooks changed since BASE.
BASE ?= $(shell git merge-base HEAD main 2>/dev/null || echo HEAD)

.PHONY: help lab test test-main test-unit test-browser test-pythons pythons-envs check test-full test-latest lock lint format \
	notebooks exercises data site venv clean

help:
	@echo "make lab        install the kit into $(VENV) and serve JupyterLab at $(START)"
	@echo "make test       what CI runs (< 10 min): lint, tests, notebooks, website, browser;"
	@echo "                then the compatibility tier under each other Python found"
	@echo "make check      lint + the notebooks changed since BASE=$(BASE) and their tests (< 2 min)"
	@echo "make test-full  before a release: the largest sweeps, every test under every Python"
	@echo "make test-latest  the suite against the newest versions the registries offer"
	@echo "make lock       re-resolve requirements/lock-py3.X.txt and environment.yml's pins"
	@echo "make site       build the course website into $(SITE_OUT)/ (offline, from stored outputs)"
	@echo "make lite       build the in-browser edition (JupyterLite) into $(LITE_OUT)/"
	@echo "make site-lite  the website with the in-browser edition inside it (what to publish)"
	@echo "make notebooks  re-execute notebooks/ and solutions/ in place"
	@echo "make exercises  rebuild exercises/ from the solution masters"
	@echo "make data       regenerate data/ (byte-identical for the default seeds)"
	@echo "make format     apply ruff's formatter and autofixes"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "b2bsm needs Python 3.11, 3.12 or 3.13; run make with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip uv

# Reinstall whenever pyproject.toml changes. Each role installs its extra:
# lab = the kit + JupyterLab; test = every role + the test tools.
$(VENV)/.installed-lab: pyproject.toml | $(PY)
	$(PY) -m pip install $(PIP_QUIET) -e '.[lab]'
	@touch $@

# The test environment holds exactly the tested versions (the lock); users get the ranges.
$(VENV)/.installed-test: pyproject.toml $(wildcard requirements/lock-py*.txt) | $(PY)
	$(UV_INSTALL) $(PY) -e '.[test]' -c $(call LOCK_OF,$(PY))
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

# The three phases one after the other: each keeps both cores busy (run side by side, the
# browser phase and the compatibility tier took 318 s against 291 s in turn: both are
# CPU-bound, benchmarks/README.md).
test: test-unit test-browser test-pythons

# Both phases under the main Python only (no other Pythons).
test-main: test-unit test-browser

# Unit and property tests, notebooks, the website build, in parallel (tests that share an
# expensive fixture run on one worker: --dist loadfile, see conftest.py).
test-unit: lint $(LITE_WHEELS)/.fetched
	@echo "== Python $$($(PY) -c 'import platform; print(platform.python_version())') ($(VENV)): unit tests, notebooks, website"
	$(PY) -m pytest -n $(MAIN_JOBS) --dist loadfile -m "not browser and not full" $(DURATIONS) $(PYTEST_ARGS)

# The real-browser tests: JupyterLab and the built website in Chromium.
test-browser: $(VENV)/.installed-test
	@$(PY) tools/background.py wait chromium  # .ci/run installs it in the background
	@echo "== Python $$($(PY) -c 'import platform; print(platform.python_version())') ($(VENV)): browser"
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m "browser and not full" $(DURATIONS) $(PYTEST_ARGS)

# The compatibility tier under each other supported Python: the doctests and the I/O and
# sandbox paths (tests marked `compat`, see conftest.py), in a slim environment (the
# `test-core` extra, tested versions); under the newest of them, every lesson and solution
# notebook too (marker `notebook`): its lock has the newest library versions, the same as
# every other newer Python's (requirements/lock-py3.X.txt; the other Pythons run the notebooks
# in make test-full). The numeric sweeps do not depend on the interpreter and run once,
# above. Runs them all, then fails if any failed.
# TIER=full (make test-full) installs the whole test extra and runs every test instead.
TIER ?= compat
COMPAT_EXTRA = $(if $(filter full,$(TIER)),test,test-core)
test-pythons: $(VENV)/.installed-test
	-@$(MAKE) --no-print-directory pythons-envs TIER=$(TIER)
	@status=0; ran=""; \
	newest=$$(for python in $(PYTHONS); do \
		$$python -c 'import sys; print(*sys.version_info[:2], sys.argv[1])' $$python; \
	done | sort -n -k1,1 -k2,2 | tail -1 | cut -d' ' -f3); \
	for python in $(PYTHONS); do \
		marks='$(if $(filter full,$(TIER)),not browser and not site,compat and not full)'; \
		if [ "$(TIER)" != full ] && [ "$$python" != "$$newest" ]; then \
			marks="$$marks and not notebook"; \
		fi; \
		version=$$($$python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		venv=build/venv-$$version-$(COMPAT_EXTRA); \
		echo "== Python $$($$python -c 'import platform; print(platform.python_version())') ($$venv): $$marks"; \
		if [ ! -f $$venv/.installed ]; then status=1; ran="$$ran $$version:install-failed"; continue; fi; \
		if $$venv/bin/python -m pytest -n $(JOBS) --dist loadfile -q -m "$$marks" $(PYTEST_ARGS); then \
			ran="$$ran $$version:passed"; \
		else \
			status=1; ran="$$ran $$version:FAILED"; \
		fi; \
	done; \
	echo "== other Pythons:$${ran:- none found (looked for python3.X on PATH and in pyenv)}"; \
	exit $$status

# The other Pythons' environments (build/venv-3.X-EXTRA, from the lock), made or refreshed
# when pyproject.toml or the lock is newer. Under flock, so two runs at once do not collide:
# .ci/run starts this in the background while the main phase runs (it mostly downloads and
# unpacks), and test-pythons runs it again, which waits for that one and finds it done.
pythons-envs: $(VENV)/.installed-test
	@mkdir -p build; status=0; \
	for python in $(PYTHONS); do \
		version=$$($$python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
		venv=build/venv-$$version-$(COMPAT_EXTRA); lock=requirements/lock-py$$version.txt; \
		flock build/.venv-$$version-$(COMPAT_EXTRA).lock sh -c ' \
			if [ ! -x "$$1/bin/python" ] || [ pyproject.toml -nt "$$1/.installed" ] \
					|| [ "$$3" -nt "$$1/.installed" ]; then \
				rm -f "$$1/.installed" && "$$2" -m venv --clear "$$1" && \
				$(UV_INSTALL) "$$1/bin/python" -e ".[$$4]" -c "$$3" && touch "$$1/.installed"; \
			fi' sh $$venv $$python $$lock $(COMPAT_EXTRA) \
			|| { status=1; echo "== Python $$version: could not make $$venv"; }; \
	done; \
	exit $$status

# A lesson author's loop: lint, then only the notebooks changed since BASE (default: where
# this branch left main; uncommitted and new files included), the fast tests that read
# stored notebooks, and the figure-meaning tests of the changed lessons (tools/changed.py).
check: lint
	$(PY) -m pytest -n $(JOBS) --dist loadfile $$($(PY) tools/changed.py notebooks --base $(BASE)) \
		$$($(PY) tools/changed.py tests) $(PYTEST_ARGS)
	@keys="$$($(PY) tools/changed.py keyword --base $(BASE))"; \
	if [ -n "$$keys" ]; then $(PY) -m pytest -n $(JOBS) tests/test_lesson_meaning.py -k "$$keys" $(PYTEST_ARGS); fi

# Before a release: every sweep at full size (1,000 random student ids per set, ...) on
# this Python, the browser tests, then every test under every other Python (TIER=full).
test-full: lint
	B2BSM_FULL=1 $(PY) -m pytest -n $(MAIN_JOBS) --dist loadfile -m "not browser" $(PYTEST_ARGS)
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m browser $(PYTEST_ARGS)
	B2BSM_FULL=1 $(MAKE) test-pythons TIER=full

# Drift: the suite against the newest versions the registries offer (no lock), so that a
# new numpy or pandas is met here before students meet it. Refreshes build/venv-latest.
test-latest: $(PY)
	rm -rf build/venv-latest
	$(PYTHON) -m venv build/venv-latest
	$(UV_INSTALL) build/venv-latest/bin/python --refresh --upgrade -e '.[test]'
	build/venv-latest/bin/python -c 'import numpy, pandas, scipy, statsmodels, matplotlib as m; print("newest:", "numpy", numpy.__version__, "pandas", pandas.__version__, "scipy", scipy.__version__, "statsmodels", statsmodels.__version__, "matplotlib", m.__version__)'
	build/venv-latest/bin/python -m pytest -n $(JOBS) --dist loadfile -m "not browser" $(PYTEST_ARGS)

# Re-resolve the tested versions for every supported Python (requirements/lock-py3.X.txt)
# and copy them into environment.yml (Binder). Run it, run make test, commit both.
lock: $(PY)
	$(PY) tools/lock.py

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

# ----------------------------------------------------------------------------------------
# The in-browser edition (JupyterLite + Pyodide) and the hub recipe
# ----------------------------------------------------------------------------------------
.PHONY: lite site-lite

# The pinned pure wheels Pyodide lacks: from PyPI (pip), once; the build itself is offline.
$(LITE_WHEELS)/.fetched: lite/pyodide.toml | $(VENV)/.installed-test
	$(PY) tools/build_lite.py --fetch-wheels --wheels $(LITE_WHEELS)
	@touch $@

# The in-browser edition into $(LITE_OUT)/ (serve it with any static file server).
lite: $(VENV)/.installed-test $(LITE_WHEELS)/.fetched
	$(PY) tools/build_lite.py --out $(LITE_OUT) --wheels $(LITE_WHEELS)

# The website with the in-browser edition inside it ($(SITE_OUT)/lite/), linked from every lesson.
site-lite: $(VENV)/.installed-test $(LITE_WHEELS)/.fetched
	$(PY) tools/build_site.py --out $(SITE_OUT) --lite lite/ $(if $(HUB_URL),--hub $(HUB_URL),)
	$(PY) tools/build_lite.py --out $(SITE_OUT)/lite --wheels $(LITE_WHEELS)
