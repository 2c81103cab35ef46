# serai — set-up, demo, tests.  `make demo` then `make test` on a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv demo test lint format bench clean fuzz

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,geo,plot,service,gis,store,sweep]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/serai demo --overwrite
	@echo ""
	@echo "The service and web app: . .venv/bin/activate && serai serve"
	@echo "  then open http://127.0.0.1:8000/ (API docs: http://127.0.0.1:8000/api/docs)"

# pytest-xdist: one worker per core (at most 4), a test module per unit of work and the longest
# units first (tests/conftest.py); `$(PY) -m pytest` alone runs the same tests in one process.
# schemathesis' tests share one node id per test function (xdist would run one of each): apart
test: $(STAMP)
	$(PY) -m pytest -n auto --maxprocesses 4 --dist loadscope --no-loadscope-reorder --durations=40 \
	  --ignore=tests/api/test_schemathesis.py
	$(PY) -m pytest tests/api/test_schemathesis.py

fuzz: $(STAMP)  ## long robustness run (issue 12): properties x400, every CLI case, whole corpus, API
	SERAI_FUZZ=1 $(PY) -m pytest tests/robustness -p no:cacheprovider
	$(PY) -m tests.robustness.harness --area all --json fuzz-report.json

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

.PHONY: docs
docs: $(STAMP)  ## regenerate docs/schema.md and docs/formats.md
	$(PY) tools/gen_schema_docs.py
	$(PY) tools/gen_emissions_docs.py

.PHONY: validation
validation: $(STAMP)  ## regenerate docs/validation.md (network vs published corridor figures)
	$(VENV)/bin/serai data validate-report --out docs/validation.md
