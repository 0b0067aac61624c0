# ContentCraft: `make run` starts the dashboard, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama-cpp-python compiles llama.cpp on first install; use every core.
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: install migrate run test bench bench-analytics clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/pip install --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python -m core db upgrade

run: migrate
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port 8501

test: migrate
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/overhead.py

bench-analytics: install
	$(BIN)/python benchmarks/analytics.py --rows 1000000

clean:
	rm -rf $(VENV) .pytest_cache
