# Two commands on a fresh machine with only Python >= 3.11:  make run  /  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test bench lint check build clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

## make run: install, build any missing geodata, and serve the dashboard at http://localhost:$(PORT)
run: $(BIN)/activate
	-$(BIN)/python -m geodata build --if-missing
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

## make test: the whole suite (browser tests skip with a reason when Chromium is absent)
test: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/python -m geodata check
	$(BIN)/python -m pytest -q

## make bench: timings, each beside a baseline measured in the same run
bench: $(BIN)/activate
	$(BIN)/python -m bench

lint: $(BIN)/activate
	$(BIN)/ruff check .

check: $(BIN)/activate
	$(BIN)/python -m geodata check

build: $(BIN)/activate
	$(BIN)/python -m geodata build

clean:
	rm -rf geodata/cache dashboard/static tests/output bench/output
