# GovSquare: `make run` serves the platform with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint format check-migrations clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) deploy/run_local.py

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here): installed when missing.
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@echo "make test: installing Debian's chromium for the browser tests"
	@SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	($$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium) \
	|| echo "make test: could not install chromium; the browser tests will fail and say so"

# pytest exits 5 when it collected no tests: that is a failure here, said out loud.
# The suite runs in PYTEST_WORKERS pytest-xdist workers (one per core of this machine's two), each with a
# test database of its own. One process: make test PYTEST_ARGS="-n 0" (or PYTEST_ARGS="-p no:xdist").
# By file (--dist loadfile): each module runs in one worker, so a suite's figure is printed whole.
PYTEST_WORKERS ?= 2
PYTEST_XDIST = $(if $(findstring no:xdist,$(PYTEST_ARGS)),,-n $(PYTEST_WORKERS) --dist loadfile)
test: install $(CHROMIUM)
	@echo "make test: the import contract (.importlinter)"
	@$(VENV)/bin/lint-imports --no-cache
	@$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest ran no tests -- failing"; exit 1; fi; \
	exit $$status

lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: install
	DJANGO_SETTINGS_MODULE=govsquare.settings.test $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmarks, each in a fresh database of its own (govsquare_bench, govsquare_bench_fleet): never the
# dev or test databases (bench-search: govsquare_bench_search). Options through BENCH_ARGS, e.g. make bench-fleet BENCH_ARGS="--orgs 50".
.PHONY: bench-provision bench-fleet bench-search

bench-provision: install
	DJANGO_SETTINGS_MODULE=benchmarks.settings_bench $(PY) benchmarks/provision.py $(BENCH_ARGS)

bench-fleet: install
	DJANGO_SETTINGS_MODULE=benchmarks.settings_bench $(PY) benchmarks/fleet.py $(BENCH_ARGS)

bench-search: install
	DJANGO_SETTINGS_MODULE=benchmarks.settings_bench $(PY) benchmarks/search.py $(BENCH_ARGS)
