# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

.PHONY: run test test-fast lint fuzz bench-api bench-vision bench-capacity clean

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --quiet
	@touch $(STAMP)

run: $(STAMP)  ## start the service on the embedded default (SQLite, local files, in-process worker)
	$(BIN)/trust-lesson serve

test: $(STAMP)  ## the whole suite (set TL_TEST_DATABASE_URL / TL_TEST_REDIS_URL for PostgreSQL + Redis)
	$(BIN)/pytest

test-fast: $(STAMP)  ## everything but the tests that load models or start a browser
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz_api.py

bench-api: $(STAMP)
	$(BIN)/python bench/api.py

bench-vision: $(STAMP)
	$(BIN)/python bench/vision.py

bench-capacity: $(STAMP)
	$(BIN)/python bench/capacity.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
