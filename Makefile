# CCHC — the two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE := cchc.settings

.PHONY: install demo serve test test-fast lint bench browser messages clean

install: $(STAMP)

# Re-installs only when the dependency list changed; quick otherwise.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v "is ignored" || true
	@# find_spec, not import: importing ninja reads the settings, which refuse to load without a key.
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('cchc', 'django', 'ninja', 'django_tasks_db', 'axes')))" && touch $(STAMP)

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	     chromium fonts-noto-core fonts-liberation2 poppler-utils >/dev/null) ; }

# The demo serves the web app and runs one background worker (imports, reminders) beside it;
# Ctrl-C stops both.
demo: install
	DJANGO_DEBUG=1 $(BIN)/cchc migrate --noinput -v 0
	DJANGO_DEBUG=1 $(BIN)/cchc load-demo --host $(HOST) --port $(PORT)
	@$(MAKE) --no-print-directory serve

serve: install
	@DJANGO_DEBUG=1 $(BIN)/cchc db_worker --no-reload -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DJANGO_DEBUG=1 $(BIN)/cchc runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: install browser lint
	$(BIN)/python -m pytest

# Everything but the browser tests, for a quick loop while coding.
test-fast: install
	$(BIN)/python -m pytest -m "not browser" -x

# Benchmarks (bench/README.md): PAR results at country scale, dossier import and KPIs
# (BENCH_DOSSIER_ROWS, default 1 M; 10 M: make bench BENCH_DOSSIER_ROWS=10000000), and the
# survey load test (200 answerers for 60 s against gunicorn on loopback).
BENCH_DOSSIER_ROWS ?= 1000000
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev,bench]" 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('pandas', 'duckdb', 'locust', 'gunicorn')))" && touch $(BENCH_STAMP)

# The benchmarks run with DEBUG off (as production): a throwaway key unless one is exported.
bench: install $(BENCH_STAMP)
	@export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-bench-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}"; \
	  $(BIN)/python bench/run.py && \
	  $(BIN)/python bench/dossiers.py --rows $(BENCH_DOSSIER_ROWS) && \
	  $(BIN)/python bench/surveys_load.py

messages: install
	cd src/cchc && DJANGO_DEBUG=1 ../../$(BIN)/django-admin makemessages -l en --no-obsolete && DJANGO_DEBUG=1 ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
