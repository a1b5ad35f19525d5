# retention_kit: every target builds the local environment it needs first.
#   make test    - lint, unit tests, doctests, notebooks (nbval, on both demos)
#   make report  - run the report notebooks on both demos into reports/demo/ and reports/demo-invoices/
#   make lab     - JupyterLab on notebooks/ with this environment as the kernel
#   make bench   - benchmarks (writes the README tables)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test report lab bench lint clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@# PySpark (in the test extras) needs a Java runtime; install Debian's when missing.
	@command -v java >/dev/null 2>&1 || { \
		echo "Java not found: installing openjdk-17-jre-headless for PySpark"; \
		(apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) \
		|| sudo sh -c 'apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless'; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/nbstripout --verify notebooks/*.ipynb

test: lint
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --durations=15 tests retention_kit --doctest-modules
	@# Every notebook on the clean demo (its defaults) and on the messy demo export.
	$(BIN)/python tests/prepare_notebooks.py build/notebooks-invoices
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval-lax notebooks build/notebooks-invoices

report: $(STAMP)
	$(BIN)/retention-kit report --data demo --out reports/demo --force
	$(BIN)/retention-kit report --data demo-invoices --out reports/demo-invoices --force

lab: $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name retention-kit --display-name "Python (retention_kit)"
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info
