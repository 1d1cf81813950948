# Two commands for everyone: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTANCE ?= instance
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test check lint format catalogs bench clean

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.installed-test: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed-run ## install, start tor through stem and serve on loopback
	@sh deploy/ensure-tor.sh
	$(BIN)/movements serve --instance $(INSTANCE) --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test ## install with test extras, lint, and run the whole suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

check: $(VENV)/.installed-test ## lint and the fast tests (no tor, PostgreSQL or browser): the everyday loop
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n auto -m "not slow and not tor and not postgres and not browser"

lint: $(VENV)/.installed-test ## lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test ## apply the formatter and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-test ## run the benchmarks and write bench/RESULTS.md
	$(BIN)/python bench/run.py

CATALOGS := app/translations
# no file locations in the catalogs, and messages sorted: a moved line of code changes nothing
catalogs: $(VENV)/.installed-test ## extract every string to messages.pot, update each language's .po
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -c TRANSLATORS: \
		--no-location --sort-output --project "Movements Onion" --version 0.1 \
		--copyright-holder "Movements Onion contributors" --msgid-bugs-address "" \
		--header-comment "# Messages of Movements Onion to translate: see TRANSLATING.md." \
		-o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) \
		--ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(CATALOGS) --statistics

clean: ## remove the virtualenv (never the instance folder)
	rm -rf $(VENV) build *.egg-info
