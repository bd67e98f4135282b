# fbjd: thin wrappers. Everything installs into .venv on first use (fast the second time).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.fbjd-synced
MEMBERS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml gateway/pyproject.toml web/pyproject.toml infra/pyproject.toml)

.PHONY: install run test test-fast bench migrate lint fmt typecheck clean

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock $(MEMBERS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fbjd needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --quiet
	@touch $(STAMP)

run: install
	$(BIN)/fbjd run

test: install
	$(BIN)/pytest -q

bench: install
	$(BIN)/fbjd bench ingest
	$(BIN)/fbjd bench rules

migrate: install
	$(BIN)/fbjd migrate

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy libs/*/src services/*/src gateway/src web/src infra/src

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
