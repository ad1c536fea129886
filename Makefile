# Relata — `make run` serves the platform locally, `make test` checks it. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(PY) -m crm_platform.runtime
# Separate data dirs let several test runs (or a test run beside `make run`) go at once.
TEST_VAR ?= var/test
# pytest-xdist processes for `make pytest` / `make test`: two halve the suite's time (tests/scheduling.py);
# 0: one process, no xdist.
PYTEST_WORKERS ?= 2
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export DJANGO_SETTINGS_MODULE ?= crm_platform.settings.local

.PHONY: install assets run test pytest lint bench loadtest soak manage messages graphql-schema clean

install: $(VENV)/.installed assets

# uv lives in its own small virtualenv so `uv sync` can manage .venv exactly from uv.lock.
.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock .tools/bin/uv
	.tools/bin/uv sync --frozen --all-extras --python $(PYTHON)
	touch $@

assets: static/vendor/.built

static/vendor/.built: package.json package-lock.json scripts/build-assets.mjs
	npm ci --no-audit --no-fund
	npm run --silent build
	touch $@

run: install
	$(RUNTIME) run

test: install lint pytest

# A fixed hash seed by default, so set orders (and anything generated from them) are the same on
# every machine and run; `PYTHONHASHSEED=N make pytest` checks the suite under another.
pytest: install
	@[ -n "$$CHROMIUM_PATH" ] || scripts/ensure-chromium.sh
	@[ -n "$$DOVECOT_PATH" ] || scripts/ensure-dovecot.sh
	PYTHONHASHSEED=$${PYTHONHASHSEED:-0} DJANGO_SETTINGS_MODULE=crm_platform.settings.test $(RUNTIME) --var $(TEST_VAR) exec -- $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# mypy's Django plugin and import-linter import the settings, which only need these to be set.
LINT_ENV := DATABASE_URL=postgres://lint@localhost/lint REDIS_URL=redis://localhost:6379/0 DJANGO_SECRET_KEY=lint

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(LINT_ENV) $(VENV)/bin/lint-imports
	$(LINT_ENV) DJANGO_SETTINGS_MODULE=crm_platform.settings.test $(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=crm_platform.settings.test $(RUNTIME) --var $(TEST_VAR) exec -- $(PY) manage.py makemigrations --check --dry-run

bench: install
	DJANGO_SETTINGS_MODULE=crm_platform.settings.bench $(RUNTIME) --var var/bench exec -- $(PY) -m loadtests.bench $(BENCH_ARGS)

# The locust suite (loadtests/locust) against gunicorn as `make run` serves it, over 100 seeded tenants, with
# its own embedded servers under var/loadtest; reports in var/loadtest/reports, figures in docs/benchmarks.md.
# e.g. `make loadtest LOADTEST_ARGS="--tenants 10 --seconds 30 --no-memory --no-doc"`.
loadtest: install
	$(RUNTIME) --var var/loadtest exec -- $(PY) -m loadtests.locust $(LOADTEST_ARGS)

# The soak: the same users at a moderate, paced load for 20 minutes (bounded by time) against gunicorn
# and a Celery worker; fails on any failed request or logged error, or on a process whose memory grows
# beyond the bound (infra/README.md). e.g. `make soak SOAK_ARGS="--seconds 60 --no-doc"`.
soak: install
	$(RUNTIME) --var var/loadtest exec -- $(PY) -m loadtests.locust.soak $(SOAK_ARGS)

# ./manage.py with the embedded servers running, e.g. `make manage ARGS="shell"`.
manage: install
	$(RUNTIME) exec -- $(PY) manage.py $(ARGS)

# Re-extract the translatable strings into locale/<lang>/LC_MESSAGES/django.po and compile the .mo files
# (both committed). Needs GNU gettext (xgettext, msgmerge, msgfmt).
messages: install
	$(RUNTIME) exec -- $(PY) manage.py makemessages -l ro -l pl -l fr -l ru -l sr_Latn \
		--ignore=.venv --ignore=.tools --ignore=node_modules --ignore=static --ignore=var --ignore=tests --no-obsolete
	$(RUNTIME) exec -- $(PY) manage.py compilemessages -l ro -l pl -l fr -l ru -l sr_Latn \
		--ignore=.venv --ignore=.tools --ignore=node_modules --ignore=static --ignore=var --ignore=tests

# Re-print the GraphQL schema every tenant's schema starts from (committed; a test fails when the code
# changes it and the file was not updated in the same change).
graphql-schema: install
	$(LINT_ENV) DJANGO_SETTINGS_MODULE=crm_platform.settings.test $(PY) manage.py graphql_schema \
		--schema api.graphql.schema.schema --out api/graphql/schema.graphql

clean:
	rm -rf $(VENV) .tools node_modules static/vendor var
