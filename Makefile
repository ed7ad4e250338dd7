# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
RASA := $(PY) scripts/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: learn report demo-data run run-production run-scaled shell train setup setup-test validate lint mutants test test-unit test-quick bench screenshots clean

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh test

train: setup
	@$(PY) scripts/model.py train

run: train
	@$(PY) scripts/run.py --model "$$($(PY) scripts/model.py path)"

run-production: train
	@$(PY) scripts/run.py --production --model "$$($(PY) scripts/model.py path)"

# REPLICAS Rasa replicas (default 2) and ACTION_SERVERS action servers (default 2) on PostgreSQL + Redis
# (started here, stopped on exit), all behind one address: nginx on FRONT_PORT (default 8000) serves the
# widget, analytics, REST, socket.io and the Chatwoot webhook (scaleout/front.py).
run-scaled: setup-test train
	@trap 'bash scripts/services.sh stop' EXIT; bash scripts/services.sh start && \
	  $(PY) scripts/run.py --replicas $(or $(REPLICAS),2) --action-servers $(or $(ACTION_SERVERS),2) \
	    --front $(or $(FRONT_PORT),8000) --endpoints endpoints.scaled.yml --model "$$($(PY) scripts/model.py path)"

shell: train
	@$(PY) scripts/run.py --shell --model "$$($(PY) scripts/model.py path)" $(if $(lang),--lang $(lang))

validate: setup
	@$(RASA) data validate --data data --domain domain.yml --config config.yml --fail-on-warnings \
	  >build/validate.log 2>&1 || (grep -E "ERROR|WARNING|UserWarning" build/validate.log; exit 1)
	@echo "rasa data validate: no errors or warnings"

# ruff (pyproject.toml): lint and format, checked, never rewritten here (`.venv/bin/ruff format .` does that).
lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check . >/dev/null && echo "ruff: lint and format clean"

# Mutation testing of the turn reader and the dialogue (not part of make test): reports/mutants.md
# lists the kill rate per module and every surviving mutant. About 15-30 minutes on 2 cores.
mutants: setup-test
	@$(PY) scripts/mutants.py

# Lint and data validation, then pytest: unit tests, then everything that needs the trained model and
# real servers (NLU on held-out and wild text, conversations over REST, channels, faults, scale-out).
test: setup-test lint validate train
	@$(PY) -m pytest tests

# The README's picture of the widget, from a real conversation (docs/widget.png).
screenshots: setup-test train
	@$(PY) scripts/screenshots.py

# Support figures of the live conversations as reports/support.md + PNGs (SOURCE=demo for the demo data).
report: setup
	@$(PY) -m analytics.report --source $(or $(SOURCE),live)

# Re-estimate the knowledge base's probabilities from finished conversations: knowledge/learned.yml
# (a proposal, used only when knowledge/settings.yml names it) + reports/learning.md (SOURCE=demo: demo data).
learn: setup
	@$(PY) -m learning --source $(or $(SOURCE),live)

# A few hundred simulated users through the REST channel into build/demo/tracker.db (not the live store).
demo-data: train
	@$(PY) -m analytics.demo --model "$$($(PY) scripts/model.py path)"

# No trained model needed; some unit tests use a real Redis (setup-test installs it).
test-unit: setup-test
	@$(PY) -m pytest tests -m "not integration"

# Everything but the slow modules (their own servers, minutes of talk); make test runs them all.
test-quick: setup-test train
	@$(PY) -m pytest tests -m "not slow"

bench: setup-test train
	@$(PY) -m bench

clean:
	rm -rf models .rasa build web/vendor tracker.db *.egg-info
