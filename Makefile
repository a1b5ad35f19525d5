# retention_kit: every target builds the local environment it needs first.
#   make test    - lint, type check, unit tests, doctests, notebooks (nbval, on both demos)
#   make report  - run the report notebooks on both demos into reports/demo/ and reports/demo-invoices/
#                  (installs only the report extra: no PySpark, no Java)
#   make lab     - JupyterLab on notebooks/ with this environment as the kernel
#   make bench   - benchmarks (writes the README tables)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# One stamp per set of extras, so `make report` then `make test` upgrades the same venv.
REPORT_STAMP := $(VENV)/.installed-report
LAB_STAMP    := $(VENV)/.installed-lab
TEST_STAMP   := $(VENV)/.installed-test
# `make typecheck`: mypy on the whole package (pandas-stubs; config in pyproject.toml).
TYPED = retention_kit

.PHONY: test report lab bench lint typecheck clean venv

venv: $(TEST_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The report: papermill, nbconvert, a kernel. No JupyterLab, no PySpark, no Java.
$(REPORT_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[report]"
	touch $@

$(LAB_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@ $(REPORT_STAMP)

# Everything the tests need (the report and lab extras included).
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@# PySpark (in the test extras) needs a Java runtime; install Debian's when missing.
	@command -v java >/dev/null 2>&1 || { \
		echo "Java not found: installing openjdk-17-jre-headless for PySpark"; \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) \
		|| sudo sh -c 'apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless'; }
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(LAB_STAMP) $(REPORT_STAMP)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/nbstripout --verify notebooks/*.ipynb

typecheck: $(TEST_STAMP)
	$(BIN)/mypy $(TYPED)

test: lint typecheck
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --durations=15 tests retention_kit --doctest-modules
	@# Every notebook on the clean demo (its defaults) and on the messy demo export.
	$(BIN)/python tests/prepare_notebooks.py build/notebooks-invoices
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval-lax notebooks build/notebooks-invoices

report: $(REPORT_STAMP)
	$(BIN)/retention-kit report --data demo --out reports/demo --force
	$(BIN)/retention-kit report --data demo-invoices --out reports/demo-invoices --force

lab: $(LAB_STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name retention-kit --display-name "Python (retention_kit)"
	$(BIN)/jupyter lab notebooks/

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info
