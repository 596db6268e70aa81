# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced

.PHONY: run test test-fast lint fuzz bench-api bench-vision bench-capacity bench-evidence clean browser

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --quiet
	@touch $(STAMP)

# The browser tests drive Debian's Chromium with a fake webcam fed by ffmpeg-made y4m files.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v ffmpeg >/dev/null 2>&1 || { \
	  [ "$$(id -u)" = 0 ] || { echo "install Debian's chromium and ffmpeg (apt-get install chromium ffmpeg)"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ffmpeg >/dev/null; }

run: $(STAMP)  ## start the service on the embedded default (SQLite, local files, in-process worker)
	$(BIN)/trust-lesson serve

test: $(STAMP) browser  ## the whole suite, two processes (TL_TEST_DATABASE_URL / TL_TEST_REDIS_URL: PostgreSQL + Redis)
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: $(STAMP)  ## everything but the tests that load models or start a browser
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow"

lint: $(STAMP)  ## ruff, mypy, and the layering: import-linter contracts (pyproject) + no import cycle
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/check_imports.py

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz_api.py

bench-api: $(STAMP)
	$(BIN)/python bench/api.py

bench-vision: $(STAMP)
	$(BIN)/python bench/vision.py
	$(BIN)/python bench/detectors.py

bench-capacity: $(STAMP)
	$(BIN)/python bench/capacity.py

bench-evidence: $(STAMP)
	$(BIN)/python bench/evidence.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
