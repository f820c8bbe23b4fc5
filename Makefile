# The two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-deploy lint check typecheck bench scan install messages clean-db db-stop serve worker

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

locale/ko/LC_MESSAGES/django.mo: locale/ko/LC_MESSAGES/django.po $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=partnerportal.settings.test $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

install: $(VENV)/.installed node_modules/.installed locale/ko/LC_MESSAGES/django.mo

messages: install
	DJANGO_SETTINGS_MODULE=partnerportal.settings.test $(MANAGE) makemessages -l ko --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --no-obsolete

## make run: install, start embedded PostgreSQL, migrate (as the owner role, which then grants the portal role its
## privileges), seed demo data, serve with the email worker beside it (both as the portal role; README, Database).
# Links in emails point where this server listens (`make run PORT=8101` mails links to port 8101), unless
# PORTAL_BASE_URL is set already.
BASE_URL := $(or $(PORTAL_BASE_URL),http://$(HOST):$(PORT))
run: export PORTAL_BASE_URL := $(BASE_URL)
run: install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo
	$(MANAGE) email_requeue -v 0
	$(MANAGE) webhook_requeue -v 0
	@echo "Mail is written to var/mail/ (set EMAIL_HOST to use an SMTP server); its links start with $(BASE_URL)."
	@echo "Serving on http://$(HOST):$(PORT)/ — sign in with any demo login above."
	@trap 'kill 0' EXIT INT TERM; \
	$(MANAGE) db_worker --queue-name '*' -v 0 & \
	$(MANAGE) scheduler -v 0 & \
	$(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

check: install
	DJANGO_SETTINGS_MODULE=partnerportal.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=partnerportal.settings.test $(MANAGE) makemigrations --check --dry-run

## make typecheck: mypy with django-stubs over the domain packages (configuration in pyproject.toml).
typecheck: install
	$(VENV)/bin/mypy

## make test: lint, types, system checks, migration check, then the whole pytest suite on real PostgreSQL, in
## PYTEST_WORKERS processes (pytest-xdist; each its own test database; a module stays on one worker, so its shared
## world is built once). `make test PYTEST_WORKERS=0` runs it in one process.
## The deployment tests (marker `deploy`) are left out: `make test-deploy` runs them.
PYTEST_WORKERS ?= 2
test: lint typecheck check
	$(PY) -m pytest --create-db -n $(PYTEST_WORKERS) --dist loadfile -m "not deploy" $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$status

## make test-deploy: the deployment tests (tests/deploy, marker `deploy`): each module starts a deployment of its own
## on loopback — Debian's PostgreSQL server (`apt-get install postgresql`) as the external database, gunicorn web
## nodes, task workers and schedulers with production settings — or a streaming replica (`pg_basebackup`) — and takes it down however the run ends. A few
## minutes; not part of `make test`. PORTAL_KEEP_CLUSTER_LOGS=1 keeps the nodes' logs (the path is printed).
test-deploy: install
	$(PY) -m pytest -m deploy tests/deploy -p no:randomly -s $(PYTEST_ARGS)

## make bench: the performance benchmarks (tests/perf), which print figures; not part of `make test`.
bench: install
	$(MANAGE) migrate --noinput -v 0
	$(PY) -m pytest tests/perf -p no:cacheprovider -s -q -o addopts="" --create-db $(PYTEST_ARGS)

## make scan: wapiti and sqlmap (Debian packages) against an instance of its own on 127.0.0.1:8199 with its own
## database, signed in as demo staff; bounded in time (~15 minutes); reports in var/scan/. Not part of `make test`.
scan: install
	scripts/scan.sh

## make db-stop: stop the embedded PostgreSQL server (it keeps running after `make run` and `make test` end).
## Its two roles (portal_owner, portal_app) live in var/pgdata: `make clean-db` removes them with the data.
db-stop:
	test ! -d var/pgdata || $(PY) -m partnerportal.infrastructure.db stop

clean-db: db-stop
	rm -rf var/pgdata var/pgdata.lock var/pgdata.init-*

## make screenshots: docs/screenshots/ (each main page in English and Korean, and each design-system component),
## taken in headless Chromium from the portal run on a free port against the development database with demo data.
.PHONY: screenshots
screenshots: install
	$(PY) scripts/screenshots.py
