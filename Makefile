# Two entry points on a fresh machine with Python 3 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= build/az-2024
# The demo's database lives with everything else it makes, under build/.
DEMO_DATABASE ?= build/tallyroom.db
# The demo's register: the first stations' voters (all 6,478 stations: 6,421,960 voters)
DEMO_REGISTER_STATIONS ?= 60

.PHONY: demo test screenshots lint install clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(BIN)/activate
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: export TALLYROOM_DATABASE_URL ?= sqlite:///$(DEMO_DATABASE)
demo: install
	rm -rf $(DEMO_DIR) build/credentials $(DEMO_DATABASE) $(DEMO_DATABASE)-wal $(DEMO_DATABASE)-shm
	$(BIN)/tallyroom scenario az-2024 $(DEMO_DIR)
	$(BIN)/tallyroom load $(DEMO_DIR)
	$(BIN)/tallyroom stats
	$(BIN)/tallyroom register scenario build/register.csv --stations $(DEMO_REGISTER_STATIONS) --previous build/register-previous.csv
	$(BIN)/tallyroom register load build/register.csv
	$(BIN)/tallyroom register stats
	$(BIN)/tallyroom register audit --previous build/register-previous.csv
	$(BIN)/tallyroom credentials issue build/credentials
	$(BIN)/tallyroom observers accredit $(DEMO_DIR)/observers.csv --credentials build/credentials/observers.csv
	$(BIN)/tallyroom observers stats
	$(BIN)/tallyroom exit-polls scenario
	$(BIN)/tallyroom webcams scenario
	$(BIN)/tallyroom observers scenario-activity
	$(BIN)/tallyroom simulate az-2024 --credentials build/credentials --until end --speed 1200 --photos 5 --certify --keep-serving

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest -q

# The browser tests again, this time writing the overview's screenshots to docs/screenshots/
# (without --screenshots they go to a temporary folder: `make test` rewrites no tracked file).
screenshots: install
	$(BIN)/pytest -q tests/web/test_browser.py --screenshots

clean:
	rm -rf $(VENV) build tallyroom.db*
