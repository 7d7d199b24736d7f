# Customer 360 platform — the commands of the README.
#   make demo          run the platform end to end on the embedded default (DuckDB + local folder)
#   make test          lint + every test (what .ci/run calls)
#   make airflow       start a local Airflow (UI on http://localhost:8080), `make airflow-stop` stops it
#   make smtp          a local SMTP server on 127.0.0.1:1025 that prints every alert e-mail
# Each target creates the environments it needs when missing and is quick when they exist.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
DBT_VENV := .venv-dbt
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export DO_NOT_TRACK := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint airflow airflow-stop airflow-status smtp venv dbt-venv lock clean-data \
	generate dbt-manifest chromium bench

venv: $(VENV)/.installed
dbt-venv: $(DBT_VENV)/.installed

# The lock files decide every version: a fresh install resolves to exactly what was tested.
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	@touch $@

$(DBT_VENV)/.installed: dbt-requirements.txt dbt-constraints.txt
	@test -x $(DBT_VENV)/bin/python || $(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/python -m pip install -q -r dbt-requirements.txt -c dbt-constraints.txt
	@touch $@

# The transform DAG renders from a dbt manifest built ahead of time (no dbt at parse time).
DBT_SOURCES := dbt/dbt_project.yml dbt/profiles.yml \
	$(shell find dbt/models dbt/macros dbt/snapshots dbt/seeds dbt/tests -type f 2>/dev/null)
dbt-manifest: dbt/target/render_manifest.json
dbt/target/render_manifest.json: $(DBT_SOURCES) include/c360/transform/manifest.py | venv dbt-venv
	$(PY) -m include.c360.transform.manifest

# ruff (with Airflow's AIR rules) for the Python; sqlfluff for the dbt models (dbt/.sqlfluff:
# offline jinja templater with stand-ins for the project's macros, a few seconds)
lint: venv dbt-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff check --select AIR --preview dags include plugins
	$(DBT_VENV)/bin/sqlfluff lint dbt/models dbt/snapshots

# Debian's chromium: the scorecard's browser test opens the page in it (installed when missing,
# as root with apt-get, e.g. on CI; otherwise it says what to run)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install -y chromium" >&2; exit 1; fi; }

test: venv dbt-venv dbt-manifest lint chromium
	$(VENV)/bin/pytest

demo: venv dbt-venv dbt-manifest
	$(PY) scripts/demo.py $(DEMO_ARGS)

airflow: venv dbt-venv dbt-manifest
	$(PY) scripts/local_airflow.py start

airflow-stop:
	@if [ -x $(PY) ]; then $(PY) scripts/local_airflow.py stop; else echo "no .venv: nothing to stop"; fi

airflow-status: venv
	$(PY) scripts/local_airflow.py status

# A local SMTP server where smtp_default (airflow_settings.yaml) sends the alerts: prints each one.
smtp: venv
	$(PY) -m aiosmtpd -n -l 127.0.0.1:1025

# The seven source systems' exports into data/landing without Airflow (SCALE=1.0 = spec volumes).
SCALE ?= 1.0
SEED ?= 42
AS_OF ?= $(shell date -u -d yesterday +%F)
generate: venv
	$(PY) -m include.c360.generator --scale $(SCALE) --seed $(SEED) --as-of $(AS_OF) --out data/landing

# Every benchmark at one scale beside its floors, into benchmarks/out/bench-<scale>.json and .md:
#   make bench BENCH_ARGS="--scale 1.0 [--with-dbt-incremental] [--demo-summary PATH]"
bench: venv dbt-venv
	$(PY) benchmarks/bench_all.py $(BENCH_ARGS)

# Full-scale benchmarks print figures and ratios: make bench-generator | bench-ingest | bench-dbt ...
bench-%: venv dbt-venv
	$(PY) benchmarks/bench_$*.py $(BENCH_ARGS)

# Re-resolve the lock files after changing a requirements file (run, test, commit both).
lock:
	rm -rf /tmp/c360-lock && $(PYTHON) -m venv /tmp/c360-lock
	/tmp/c360-lock/bin/pip install -q -r requirements-dev.txt && /tmp/c360-lock/bin/pip check
	( echo "# Lock for .venv: pip freeze of the tested environment (Python 3.11)."; \
	  /tmp/c360-lock/bin/pip freeze ) > constraints.txt
	rm -rf /tmp/c360-lock && $(PYTHON) -m venv /tmp/c360-lock
	/tmp/c360-lock/bin/pip install -q -r dbt-requirements.txt && /tmp/c360-lock/bin/pip check
	( echo "# Lock for the dbt virtualenv: pip freeze of the tested environment (Python 3.11)."; \
	  /tmp/c360-lock/bin/pip freeze ) > dbt-constraints.txt

clean-data:
	rm -rf data airflow_home
