# fbjd: thin wrappers. Everything installs into .venv on first use (fast the second time).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP  := $(VENV)/.fbjd-synced
MEMBERS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml gateway/pyproject.toml web/pyproject.toml infra/pyproject.toml)

.PHONY: install browser run test test-fast bench chaos fuzz accuracy migrate lint fmt typecheck clean

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock $(MEMBERS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fbjd needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --quiet
	@touch $(STAMP)

run: install
	$(BIN)/fbjd run

# The browser tests drive Debian's chromium (never a downloaded one: no internet). Installed here when missing,
# as root (CI); otherwise those tests fail and say how to install it.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || [ "$$(id -u)" != 0 ] || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq >/dev/null; apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || true
	@test -x $(CHROMIUM) || echo "note: $(CHROMIUM) is missing: the browser tests will fail (as root, make test installs it)" >&2

test: install browser
	$(BIN)/pytest -q

bench: install
	$(BIN)/fbjd bench all

# The rules against the simulator's ground truth on a booted platform (not yet in make test: see issue 4).
accuracy: install
	$(BIN)/pytest -q -m accuracy tests/e2e/test_accuracy.py

# The fault tests alone (make test runs them too): PostgreSQL restarted, services killed, the province down.
chaos: install
	$(BIN)/pytest -q tests/chaos

# The HJ 212 codec against 10^6 generated inputs (make test runs 30,000 of them).
fuzz: install
	$(BIN)/python tests/fuzz/hj212_fuzz.py --inputs 1000000

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
