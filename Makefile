# Union Match: `make up` runs the platform with demo data, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: deps up down test test-unit kafka-jars browser clean

deps: $(STAMP)

$(STAMP): requirements.lock pyproject.toml scripts/link_sources.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) scripts/link_sources.py
	@touch $(STAMP)

kafka-jars: deps
	$(PY) -c "from pathlib import Path; from devstack.kafka import ensure_jars; print(ensure_jars(Path('.cache/kafka/libs')))"

up: deps
	$(PY) -m devstack up

down:
	@test -x $(PY) && $(PY) -m devstack down || true

# The browser tests drive Debian's Chromium (never a downloaded one): root installs it, anyone else is told to.
browser:
	@test -x /usr/bin/chromium || { test "$$(id -u)" = 0 || { echo "make test needs Chromium: run 'sudo apt-get install -y chromium' first" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: deps kafka-jars browser
	$(PY) -m pytest

test-unit: deps
	$(PY) -m pytest tests/unit

clean: down
	rm -rf .cache/platform
