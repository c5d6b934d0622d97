# Two commands matter: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export COACH_HOME ?= .local

.PHONY: run test install lint unit integration infra e2e rehearsal bench coldstart lock layer clean

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

run: $(STAMP)
	$(BIN)/coach serve

# Lint first, then the five parts, two at a time (this is a 2-core machine), longest first so
# the two slots end together: e2e (~5 min) beside integration (~4.5), then infra, unit and
# the deployment rehearsal in whichever slot frees first. Each part's output is printed when
# it ends.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r layers functions local_runtime -lll
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	rm -f .coverage .coverage.*
	$(MAKE) --no-print-directory -j2 --keep-going --output-sync=target \
		e2e integration infra unit rehearsal COVERAGE="--cov --cov-report= --cov-fail-under=0"
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
