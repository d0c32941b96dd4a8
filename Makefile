# OMS Journal: `make run` for a local server with demo data, `make test` for everything CI runs.
#
# Targets: help venv run migrate test test-sqlite test-postgres lint check audit format lock
#          system-deps screenshots loadtest bench bench-scale faults cluster backup clean reset-db
#          messages catalogs translations
# Extra pytest arguments: make test-sqlite ARGS="-k invitation -x"

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# matplotlib wants a writable config and cache folder.
export MPLCONFIGDIR := $(CURDIR)/var/mpl

# Root installs directly; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Local development: DEBUG on, so no SECRET_KEY is needed and static files need no collectstatic.
DEV_ENV := DEBUG=1

# Tests run with DEBUG off, as in production, over plain HTTP: no HTTPS redirect, no Secure cookies.
# DATABASE_URL and REDIS_URL are cleared for the SQLite run; scripts/with-postgres and
# scripts/with-redis set them for the other.
TEST_ENV := env -u DEBUG -u DATABASE_URL -u REDIS_URL \
	SECRET_KEY=test-only-key \
	SECURE_SSL_REDIRECT=0 \
	SECURE_COOKIES=0 \
	DJANGO_ALLOW_ASYNC_UNSAFE=true
PYTEST = $(BIN)/pytest -ra --durations=5 $(ARGS)

.PHONY: help venv run migrate test test-sqlite test-postgres lint check audit format lock \
	system-deps screenshots loadtest bench bench-scale faults cluster backup clean reset-db \
	messages catalogs translations

help:
	@echo "make run            start a local server with demo data on http://127.0.0.1:8000"
	@echo "make test           lint, then every test on SQLite, beside it on PostgreSQL (what CI runs)"
	@echo "make test-sqlite    every test on SQLite only"
	@echo "make test-postgres  the tests that open the database, on a throwaway PostgreSQL and Redis"
	@echo "make lint           ruff check and ruff format --check"
	@echo "make check          Django's checks, no model change without migration, collectstatic"
	@echo "make audit          bandit over our code, pip-audit over requirements.lock"
	@echo "make messages       bring every language's catalog in locale/ up to the code's messages"
	@echo "make translations   fail on a shipped language's message untranslated or fuzzy"
	@echo "make format         ruff format and the safe ruff fixes"
	@echo "make screenshots    run scripts/screenshots.py"
	@echo "make loadtest       30 s at 16 connections against gunicorn; figures to docs/reliability.md"
	@echo "make bench          each page against a bare view, queries, bytes, Lighthouse; docs/benchmarks.md"
	@echo "make bench-scale    the bench on PostgreSQL + Redis at 10,000 children (up to 30 min)"
	@echo "make faults         saves while PostgreSQL restarts and Redis stops; docs/reliability.md"
	@echo "make cluster        nginx, two gunicorn servers, PostgreSQL and Redis on 127.0.0.1:8080"
	@echo "make backup         a consistent copy of the local SQLite database in var/backups/"
	@echo "make venv           create or update .venv (only when pyproject.toml or the lock change)"
	@echo "make lock           rewrite requirements.lock from .venv"
	@echo "make system-deps    apt-get install chromium, postgresql, poppler-utils, wrk, redis-server,"
	@echo "                    nginx-light, gettext if missing"
	@echo "make clean          remove .venv, var/, staticfiles/ and caches (keeps db.sqlite3)"
	@echo "make reset-db       delete db.sqlite3; the next 'make run' migrates and seeds it again"

# --- environment -------------------------------------------------------------------------------

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements.lock -e '.[test]'
	touch $@

lock: venv
	{ echo "# Every installed package, pinned; used as pip's constraints file (make venv)."; \
	  echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	  $(BIN)/python -m pip freeze --disable-pip-version-check --exclude-editable \
		--exclude oms-journal; } > requirements.lock
	touch $(STAMP)

# Debian packages the tests and tools need. apt-get runs only when one is missing, and without
# recommends: Chromium's alone add some 90 packages (udev, upower, a printer dialog) that a
# headless browser never uses. fonts-liberation is one of them that we keep on purpose: pages,
# screenshots and Lighthouse are measured with it. apt-get may upgrade a system package that one
# of these depends on (postgresql-common, libsystemd0, ...). gettext: the translations' tools
# (xgettext, msgmerge, msgfmt), for make messages, the compiled catalogs and the tests.
DEBIAN_PACKAGES := chromium fonts-liberation poppler-utils wrk postgresql redis-server nginx-light \
	gettext
system-deps:
	@missing=""; \
	for package in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || \
			missing="$$missing $$package"; \
	done; \
	$(PYTHON) -c "import ensurepip" >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			$$missing </dev/null; \
	else \
		echo "Debian packages present: $(DEBIAN_PACKAGES)."; \
	fi

# --- running -----------------------------------------------------------------------------------

migrate: venv
	@mkdir -p $(MPLCONFIGDIR)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

# Migrations run quietly here: their 40 lines would bury the login that the server prints last.
run: venv catalogs
	@mkdir -p $(MPLCONFIGDIR)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --if-empty
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

screenshots: system-deps venv catalogs
	@mkdir -p $(MPLCONFIGDIR)
	$(DEV_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python scripts/screenshots.py

# Not part of `make test` (tests/test_loadtest.py runs it for 3 s there). Its own throwaway
# SQLite database and gunicorn on 127.0.0.1; options: make loadtest ARGS="--seconds 10".
loadtest: venv
	$(BIN)/python scripts/loadtest.py --doc docs/reliability.md $(ARGS)

# Lighthouse 12, pinned (13 needs a newer Node than 20), installed in git-ignored var/.
LIGHTHOUSE_VERSION := 12.8.2
LIGHTHOUSE := var/node/node_modules/.bin/lighthouse
$(LIGHTHOUSE):
	npm install --prefix var/node --no-audit --no-fund --silent lighthouse@$(LIGHTHOUSE_VERSION)

# Not part of `make test` (tests/test_bench.py runs it in --quick mode there). About 4 minutes:
# seeds 200 families with 5 years each, wrk on each page for 10 s, Lighthouse on two pages.
bench: system-deps venv $(LIGHTHOUSE)
	$(BIN)/python scripts/bench.py --lighthouse $(LIGHTHOUSE) --doc docs/benchmarks.md $(ARGS)

# PostgreSQL, Redis, two gunicorn servers and nginx in front, on 127.0.0.1 only, with the demo
# family; serves on http://127.0.0.1:8080 until Ctrl-C, then removes everything.
cluster: system-deps venv
	@mkdir -p $(MPLCONFIGDIR)
	$(BIN)/python scripts/cluster.py $(ARGS)

# Not part of `make test` (tests/test_bench_scale.py runs it in --quick mode there). Up to 30
# minutes: the bench on PostgreSQL and Redis behind nginx, at 400 children then 10,000 (18
# million days loaded with COPY), with the plan of each page's heaviest query.
bench-scale: system-deps venv
	@mkdir -p $(MPLCONFIGDIR)
	$(BIN)/python scripts/bench_scale.py --doc docs/benchmarks.md $(ARGS)

# saves through two servers while PostgreSQL restarts and Redis stops; docs/reliability.md.
faults: system-deps venv
	@mkdir -p $(MPLCONFIGDIR)
	$(BIN)/python scripts/faults.py --doc docs/reliability.md $(ARGS)

backup: venv
	@mkdir -p var/backups
	$(DEV_ENV) $(BIN)/python manage.py backup_db var/backups/

# --- languages (scripts/translations.py; README, "Languages") ---------------------------------

# Each shipped language's catalogs (locale/<lang>/LC_MESSAGES/django.po and djangojs.po) brought
# up to the messages the code has now: new ones added untranslated, gone ones kept as obsolete.
messages: venv
	$(DEV_ENV) $(BIN)/python scripts/translations.py messages

# The compiled catalogs (.mo, git-ignored), made again from any .po that changed.
catalogs: venv
	$(DEV_ENV) $(BIN)/python scripts/translations.py compile

# msgfmt --check --statistics on every catalog: any untranslated or fuzzy message of a shipped
# language fails, and so does a catalog without a message the code has, or a shipped language
# without its catalog once translations exist.
translations: venv
	$(DEV_ENV) $(BIN)/python scripts/translations.py check

# --- checks ------------------------------------------------------------------------------------

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Tests serve static files from the finders; collectstatic here runs the production storage
# (hashed, compressed names), which fails on a stylesheet's url() to a missing file.
check: venv
	$(TEST_ENV) $(BIN)/python manage.py check --fail-level WARNING
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput --clear --verbosity 0

# Supply chain. bandit: our code; a high-severity finding fails. pip-audit: every package pinned
# in requirements.lock against a vulnerability database (PIP_AUDIT_SERVICE: pypi, PyPI's JSON API,
# or osv, api.osv.dev). A known vulnerability always fails. A package that could not be checked
# (no service reachable, as on a network that reaches only the package registries) is said in
# one line, repeated at the end of `make test`; PIP_AUDIT_STRICT=1 fails on it instead, for a CI
# that reaches the service. No vulnerability is ignored.
PIP_AUDIT_SERVICE ?= pypi
PIP_AUDIT_STRICT ?= 0
AUDIT_SUMMARY := var/audit-summary.txt
audit: venv
	@echo "== bandit: journal/ omstracker/ scripts/, high severity fails =="
	$(BIN)/bandit -c pyproject.toml -r journal omstracker scripts --severity-level high -q
	@echo "bandit: no high-severity issue."
	@echo "== pip-audit: requirements.lock, $(PIP_AUDIT_SERVICE) =="
	$(BIN)/python scripts/audit_dependencies.py --requirement requirements.lock \
		--service $(PIP_AUDIT_SERVICE) --summary $(AUDIT_SUMMARY) \
		$(if $(filter 1,$(PIP_AUDIT_STRICT)),--strict)

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pytest exits non-zero (5) when it collects no test, so an empty run fails here too.
test-sqlite: venv catalogs
	@mkdir -p $(MPLCONFIGDIR)
	@echo "== pytest on SQLite =="
	$(TEST_ENV) $(PYTEST)

# The tests that open the database, and those that start their own PostgreSQL, Redis or nginx;
# the others (pure analysis and charts, scripts with their own SQLite file) run in test-sqlite.
test-postgres: system-deps venv catalogs
	@mkdir -p $(MPLCONFIGDIR)
	@echo "== pytest on PostgreSQL, with the shared cache on Redis =="
	$(TEST_ENV) bash scripts/with-postgres bash scripts/with-redis $(PYTEST) --database-tests-only

# The two runs side by side, their lines prefixed [sqlite] and [postgres].
test: system-deps venv lint check audit translations catalogs
	@bash scripts/side-by-side sqlite "$(MAKE) test-sqlite" postgres "$(MAKE) test-postgres"
	@echo "== make test passed: lint, checks, bandit, translations, every test on SQLite and PostgreSQL =="
	@cat $(AUDIT_SUMMARY)

# --- tidying -----------------------------------------------------------------------------------

clean:
	rm -rf $(VENV) var staticfiles test-results htmlcov .coverage .pytest_cache .ruff_cache \
		.hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

reset-db:
	rm -f db.sqlite3
	@echo "db.sqlite3 removed; 'make run' migrates and loads the demo data again."
