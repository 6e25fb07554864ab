# Union Match: `make up` runs the platform with demo data, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: deps up down status test test-unit faults lint format kafka-jars browser spam-filter test-tools clean messages asyncapi openapi

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

# What `make up` is running: each part's pid, state and restarts.
status:
	@test -x $(PY) && $(PY) -m devstack status

# The browser tests drive Debian's Chromium (never a downloaded one): root installs it, anyone else is told to.
browser:
	@test -x /usr/bin/chromium || { test "$$(id -u)" = 0 || { echo "make test needs Chromium: run 'sudo apt-get install -y chromium' first" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The emails are scored by Debian's SpamAssassin (local rules only, no network), installed the same way.
spam-filter:
	@command -v spamassassin >/dev/null || { test "$$(id -u)" = 0 || { echo "make test needs SpamAssassin: run 'sudo apt-get install -y spamassassin' first" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spamassassin; }

# axe-core for the accessibility checks, pinned by package-lock.json, from the npm registry.
test-tools: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

# kustomize (pinned, built with Go into .cache/tools/bin) for tests/unit/test_k8s_manifests.py.
.PHONY: k8s-tools
k8s-tools:
	scripts/k8s_tools.sh

test: deps lint kafka-jars browser spam-filter test-tools
	$(PY) -m pytest

# One style for the whole tree (pyproject's [tool.ruff]): lint checks it, format applies it.
lint: deps
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test-unit: deps
	$(PY) -m pytest tests/unit

# The fault suite alone (it also runs in `make test`): a platform of its own under a steady stream,
# each fault done to it once; the last run's figures land in .cache/faults/last-run.json.
faults: deps kafka-jars
	$(PY) -m pytest tests/faults

# The events' AsyncAPI document (docs/asyncapi.yaml) and contract baseline, from libs/eventkit.
asyncapi: deps
	$(PY) -m eventkit.asyncapi --write

# The services' OpenAPI documents and the gateway's public one built from them (gateway/gateway/openapi/).
openapi: deps
	$(PY) scripts/build_openapi.py

# The load benchmark (bench/load/): locust's companies and reviewers on a platform of its own for
# 60 s, with one and with two instances of matching and notifications; figures in .cache/load/.
.PHONY: load
load: deps kafka-jars
	$(PY) bench/load/run_load.py

# The web application's words: extract every msgid into messages.pot, then add the new ones to the
# Russian and Belarusian catalogs (keeping their translations) for a translator to fill in.
WEB_TRANSLATIONS := web/web/translations

messages: deps
	$(VENV)/bin/pybabel extract -F web/babel.cfg --no-location --sort-output --omit-header --no-wrap \
	  -o $(WEB_TRANSLATIONS)/messages.pot web/web
	for lang in ru be; do \
	  $(VENV)/bin/pybabel update -i $(WEB_TRANSLATIONS)/messages.pot -d $(WEB_TRANSLATIONS) -l $$lang \
	    --init-missing --no-wrap --ignore-obsolete --ignore-pot-creation-date || exit 1; \
	done

clean: down
	rm -rf .cache/platform
