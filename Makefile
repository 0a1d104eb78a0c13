# Backline: `make run` to talk to it, `make test` for everything CI checks.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
RASA_PORT   ?= 5005
ACTIONS_PORT ?= 5055

# The environment every recipe runs with (telemetry off, TensorFlow quiet, PYTHONPATH) is ops/env.sh, the one
# copy of those lines: bash sources BASH_ENV before every recipe line.
export BASH_ENV := $(CURDIR)/ops/env.sh

.PHONY: help install train run shell test lint test-unit validate test-stories test-nlu test-e2e clean purge bench soak

help:
	@echo "make run     install if needed, train if needed, start Backline (REST + web socket) on localhost"
	@echo "make shell   the same conversation in this terminal"
	@echo "make test    everything CI checks: lint, unit tests, data validation, training, test stories, NLU report, end-to-end"
	@echo "make lint    ruff on the whole tree (ruff.toml)"
	@echo "make install / make train / make clean"
	@echo "make purge   delete conversations inactive for more than DAYS days (default BACKLINE_RETENTION_DAYS, else 30)"
	@echo "make bench   latency, concurrency, training, start-up and memory vs a floor and a peer -> bench/results.md (QUICK=1: smoke run)"
	@echo "make soak    a few hundred random conversations with valid and invalid turns (not in CI)"

install:
	@bash scripts/install.sh

# Rasa fingerprints config, domain and data itself and skips training when nothing changed; the second reader
# (bot/reading_model.py) is trained from the dev corpus (tests/corpus/dev) in seconds.
train: install
	$(RASA) train --fixed-model-name backline --out models
	$(PY) -m bot.reading_model train

run: train
	@bash scripts/run.sh server

shell: train
	@bash scripts/run.sh shell

test: install
	@bash scripts/test.sh

lint: install
	@bash scripts/test.sh lint

test-unit: install
	@bash scripts/test.sh unit

validate: install
	$(RASA) data validate --fail-on-warnings

test-stories: train
	@bash scripts/test.sh stories

test-nlu: train
	@bash scripts/test.sh nlu

test-e2e: train
	@bash scripts/test.sh e2e

clean:
	rm -rf models results .rasa .pytest_cache

# Retention (ops/retention.py): `make purge DAYS=30`; the database is the one the tracker store uses (BACKLINE_DB_*).
purge: install
	$(PY) -m ops.retention $(if $(DAYS),--days $(DAYS))

# Benchmark (not a test, not in CI): trains its own models under bench/work/, starts the real servers on free
# loopback ports, writes bench/results.md + plots and keeps the previous run in bench/previous/.
# QUICK=1: a short smoke run, written to bench/work/quick/ instead.
bench: install
	$(PY) -m bench.bench $(if $(QUICK),--quick)

# Soak (not in CI): CONVERSATIONS random conversations (default 300) against the real servers; errors, lost turns
# and red-flag misses must all be zero. Uses the model in models/ (make train).
soak: train
	$(PY) -m bench.soak $(if $(CONVERSATIONS),--conversations $(CONVERSATIONS))
