# Two commands do everything: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: help run test train evaluate bench setup browser check-programs lint cluster bench-cluster cluster-packages

help:  ## List the commands.
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

run: setup train  ## Start the action server (:5055), Rasa (:5005) and the web chat (:8080) until Ctrl-C.
	@$(PY) tools/stack.py

test: setup train browser cluster-packages  ## Every check: lint, data validation, pytest (unit + end-to-end + browser), test stories.
	@$(MAKE) --no-print-directory lint
	@echo "==> rasa data validate"
	@$(PY) -m components.rasa_cli data validate --config config.yml --domain domain.yml --data data --fail-on-warnings
	@echo "==> pytest"
	@$(PY) -m pytest tests
	@echo "==> Rasa test stories"
	@$(PY) -m components.rasa_cli test core --model models/referral.tar.gz --stories tests/test_stories.yml --fail-on-prediction-errors --out results/stories

lint: setup  ## ruff: lint and format check of every Python file (settings in pyproject.toml).
	@echo "==> ruff"
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

check-programs: setup  ## Check the program data (programs/: registry, rules, help lines, providers) together.
	@$(PY) tools/check_programs.py

train: setup  ## Train the model if it is missing or stale (fingerprint of data, domain, config, components).
	@$(PY) tools/train.py

evaluate: setup train  ## Held-out NLU evaluation, and the crisis layer: training set, held-out writers, blind sets, speed.
	@$(PY) tools/evaluate_nlu.py
	@$(PY) tools/evaluate_crisis.py
	@$(PY) tools/evaluate_faq.py --blind

bench: setup train  ## Latency, throughput, start-up and memory against a bare `rasa init` floor.
	@$(PY) tools/bench.py

cluster: setup train cluster-packages  ## The same URLs as `make run` from 2 Rasa replicas and 2 action servers (PostgreSQL, Redis, nginx) until Ctrl-C.
	@$(PY) tools/cluster.py

bench-cluster: setup train cluster-packages  ## The cluster against a single node (1, 20, 100 concurrent conversations), then its faults.
	@$(PY) tools/bench_cluster.py

fuzz: setup train  ## 10,000 odd, huge and hostile messages through the real servers: each must be answered.
	@$(PY) tools/fuzz.py --count 10000

setup:  ## Create .venv (Python 3.10) and install the pinned packages, if needed.
	@tools/setup.sh

browser:  ## Install Debian's Chromium for the browser test, if missing.
	@command -v chromium >/dev/null || { echo "==> Installing Chromium (apt) for the browser test ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

cluster-packages:  ## Install Debian's PostgreSQL 15, Redis and nginx for the cluster, if missing.
	@{ [ -x /usr/lib/postgresql/15/bin/postgres ] && command -v redis-server >/dev/null && command -v nginx >/dev/null; } || \
	  { echo "==> Installing PostgreSQL 15, Redis and nginx (apt) for the cluster ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 redis-server nginx-light >/dev/null; }
