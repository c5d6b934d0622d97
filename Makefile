# Two commands matter: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export COACH_HOME ?= .local

.PHONY: run test install lint unit integration infra e2e rehearsal browser web web-unit bench coldstart lock layer clean

PYTEST := $(BIN)/python -m pytest
# A part run alone measures no coverage; `make test` sets this to measure each part into a
# file of its own (.coverage.<part>), then adds them up against the floor in pyproject.toml.
COVERAGE ?= --no-cov
# Each part its own temporary folder: two pytest runs sharing /tmp/pytest-of-$USER clean up
# each other's folders, embedded PostgreSQL data included.
TEST_TMP := /tmp/coach-tests-$(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)

# uv installs what pip would, from the same index, in a fraction of the time: on a fresh
# clone the install was two of `make test`'s minutes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check 'uv>=0.9'
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev,cdk]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP) web
	$(BIN)/coach serve

# The coaches' web app (web/), built into web/dist for `coach serve` to serve at /.
# `npm ci` from the lockfile once per lock: its stamp is named by the lock's hash. The build
# runs when a source under web/ is newer than the last build's stamp.
WEB_LOCK := web/package-lock.json
WEB_INSTALLED := web/node_modules/.installed-$(shell test -f $(WEB_LOCK) && sha256sum $(WEB_LOCK) | cut -c1-16)
WEB_SOURCES := $(shell test -d web && find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print)
WEB_BUILT := web/dist/index.html

ifneq ($(wildcard web/package.json),)
web: $(WEB_BUILT)
else
web:
	@echo "no web/ app in this checkout: nothing to build"
endif

$(WEB_INSTALLED): $(WEB_LOCK)
	rm -f web/node_modules/.installed-*
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILT): $(WEB_INSTALLED) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

# The web app's component tests (Vitest).
ifneq ($(wildcard web/package.json),)
web-unit: $(WEB_INSTALLED)
	cd web && npm test
else
web-unit:
	@echo "no web/ app in this checkout: no component tests"
endif

# What the browser tests need besides Python: Debian's Chromium (as root, as CI runs, else
# through sudo; never a browser downloaded by Playwright) and axe-core from npm (tests/browser/package-lock.json).
CHROMIUM := /usr/bin/chromium
AXE_INSTALLED := tests/browser/node_modules/.installed-$(shell sha256sum tests/browser/package-lock.json | cut -c1-16)

SUDO := $(shell test "$$(id -u)" = 0 || echo sudo -n)

$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium; }

$(AXE_INSTALLED): tests/browser/package-lock.json
	rm -f tests/browser/node_modules/.installed-*
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

# Lint first, then the parts, two at a time (this is a 2-core machine), longest first so
# the two slots end together: e2e (~5 min) beside integration (~4.5), then infra, unit, the
# deployment rehearsal, the browser tests and the web app's Vitest in whichever slot frees
# first. Each part's output is printed when it ends.
# The web app is built first, so every part sees the checkout `make run` serves (a built
# web/dist answers `/`), not one that changes while they run.
test: $(STAMP) web
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r layers functions local_runtime -lll
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	rm -f .coverage .coverage.*
	$(MAKE) --no-print-directory -j2 --keep-going --output-sync=target \
		e2e integration infra unit rehearsal browser web-unit \
		COVERAGE="--cov --cov-report= --cov-fail-under=0"
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

# The parts, by folder (conftest.py marks each test with its folder's marker as well).
# Unit tests reach no PostgreSQL, no subprocess and no socket (tests/unit/conftest.py).
unit: $(STAMP)
	@mkdir -p $(TEST_TMP)
	COVERAGE_FILE=.coverage.unit $(PYTEST) tests/unit tests/contracts -m "not integration" --basetemp=$(TEST_TMP)/unit $(COVERAGE)

integration: $(STAMP)
	@mkdir -p $(TEST_TMP)
	COVERAGE_FILE=.coverage.integration $(PYTEST) tests/integration tests/contracts -m integration --basetemp=$(TEST_TMP)/integration $(COVERAGE)

infra: layer
	@mkdir -p $(TEST_TMP)
	COVERAGE_FILE=.coverage.infra $(PYTEST) tests/infra --basetemp=$(TEST_TMP)/infra $(COVERAGE)

e2e: $(STAMP)
	@mkdir -p $(TEST_TMP)
	COVERAGE_FILE=.coverage.e2e $(PYTEST) tests/e2e --basetemp=$(TEST_TMP)/e2e $(COVERAGE)

# The browser tests (tests/browser): Debian's Chromium through Playwright against a real
# `coach serve` and the built web app; screenshots and axe reports in build/browser/.
browser: $(STAMP) web $(CHROMIUM) $(AXE_INSTALLED)
	@mkdir -p $(TEST_TMP)
	COVERAGE_FILE=.coverage.browser $(PYTEST) tests/browser --basetemp=$(TEST_TMP)/browser $(COVERAGE)

# The Lambda dependencies layer (cdk/layer_build.py): the lock's wheels for python3.13 x86_64
# plus our package, into build/layer/python/. Wheels are cached by the lock's hash, so an
# unchanged lock rebuilds in about a second. `make lock` after changing layers/requirements.in.
lock: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m cdk.layer_build --lock

layer: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python -m cdk.layer_build

# The deployment rehearsal (tests/rehearsal): the built layer and function packages, each
# handler in a fresh interpreter holding only what Lambda would, the synthesized saga.
rehearsal: layer
	@mkdir -p $(TEST_TMP)
	COVERAGE_FILE=.coverage.rehearsal $(PYTEST) tests/rehearsal --basetemp=$(TEST_TMP)/rehearsal $(COVERAGE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

# Init time and unzipped size per function, from the built packages.
coldstart: layer
	$(BIN)/python bench/coldstart.py

clean:
	rm -rf $(VENV) .pytest_cache cdk.out build .coverage .coverage.*
