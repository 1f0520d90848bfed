# One entry point for every check, used by developers and CI alike (.ci/run calls `make test`).
#
#   make run    set up .venv, load the demo data into an empty database, show today's plan,
#               then serve the web page on http://127.0.0.1:8000/ (Ctrl+C stops it)
#   make test   set up .venv with the dev tools, lint, type-check, run the tests
#   make lint   ruff and mypy only
#   make bench  the benchmarks (results in bench/out/results.json)
#   make fuzz   the property tests and the API fuzz at length (2,000 examples each)
#
# Installs happen only when pyproject.toml is newer than a stamp file in .venv, so a repeat
# run goes straight to the work.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
SRC_PATHS := src tests bench
# the tests run on every core (pytest-xdist); `make test PYTEST_ARGS=` runs them in one process
PYTEST_ARGS ?= -n auto
# `followup demo` refuses with a Conflict (exit code 4, see followup.errors) when the database
# already holds data: `make run` takes that as "already loaded".
DEMO_REFUSED := 4

.PHONY: help run test lint bench fuzz dev clean system-deps

help:
	@echo "make run    set up, show today's plan (demo data on first run), serve the web page"
	@echo "make test   lint, type-check and run the tests"
	@echo "make lint   ruff and mypy only"
	@echo "make bench  run the benchmarks"
	@echo "make fuzz   the property tests and the API fuzz, at length"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "python3.11 or python3 is needed to create $(VENV)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --editable .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --editable '.[dev]'
	@touch $@ $(VENV)/.installed

dev: $(VENV)/.installed-dev
	@:

run: $(VENV)/.installed
	@out=$$($(BIN)/followup demo 2>&1) && echo "$$out" || { \
		status=$$?; \
		if [ $$status -ne $(DEMO_REFUSED) ]; then echo "$$out" >&2; exit $$status; fi; \
	}
	@$(BIN)/followup today
	@echo
	@echo "The same plan, and forms to record what happens, in your browser:"
	@$(BIN)/followup serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(SRC_PATHS)
	$(BIN)/ruff format --check $(SRC_PATHS)
	$(BIN)/mypy src/followup/core
	$(BIN)/mypy src

# The tests start real servers: Debian's Chromium (browser tests) and Dovecot (IMAP). Installed
# here when this user may (root with apt-get, as in CI); elsewhere those tests skip and say why.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		missing=""; \
		[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
		[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
		if [ -n "$$missing" ]; then \
			echo "installing$$missing"; \
			apt-get update -qq; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		fi; \
	fi

test: lint system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -z "$${FOLLOWUP_TEST_DATABASE_URL:-}" ]; then \
		echo "note: FOLLOWUP_TEST_DATABASE_URL is unset, so the PostgreSQL tests were skipped."; \
		echo "      To run them: FOLLOWUP_TEST_DATABASE_URL=postgresql+psycopg://USER@HOST/DB make test"; \
	fi

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

# The property tests and the API fuzz (Schemathesis) at length: 2,000 examples each, where
# `make test` runs 25 (the Hypothesis profiles are in tests/conftest.py).
fuzz: $(VENV)/.installed-dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest $(PYTEST_ARGS) tests/test_api_fuzz.py \
		tests/test_interchange.py tests/test_planner_properties.py tests/test_problems.py \
		tests/test_stored_plans_properties.py tests/test_hardening_mail.py tests/test_form_fuzz.py

clean:
	rm -rf bench/out .pytest_cache .mypy_cache .ruff_cache .hypothesis
