"""``import retention_kit`` is quick and needs no optional package; ``--help`` is instant.

The timings run in a fresh interpreter; the thresholds are generous (a busy CI machine),
so they catch the regression that matters: an eager import of pandas, matplotlib or scipy
(seconds), not a few milliseconds.
"""

import ast
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import retention_kit as rk
from retention_kit import _frames, cli, run

HEAVY = ("pandas", "numpy", "narwhals", "matplotlib", "scipy", "seaborn", "jinja2", "lifelines")
LIMIT = 3.0  # seconds; about 0.1 s on an idle machine, 4-8 s when the package loaded eagerly


def loaded_after(code: str) -> list[str]:
    probe = f"import sys; {code}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.splitlines()[-1])


def best_of(command: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, timeout=120)
        times.append(time.perf_counter() - began)
    return min(times)


@pytest.mark.parametrize("code", ["import retention_kit", "import retention_kit.cli"])
def test_import_loads_no_heavy_or_optional_package(code):
    loaded = loaded_after(code)
    assert [name for name in HEAVY if name in loaded] == []


def test_names_load_on_first_use_only():
    loaded = loaded_after("import retention_kit as rk; rk.MissingColumnError")
    assert "retention_kit.exceptions" in loaded and "retention_kit.cohorts" not in loaded
    assert "pandas" not in loaded
    loaded = loaded_after("from retention_kit import cohort_table")
    assert "retention_kit.cohorts" in loaded and "matplotlib" not in loaded


def test_reporting_imports_without_styling():
    # pandas' Styler (which needs jinja2) is imported only where a table is styled.
    assert "jinja2" not in loaded_after("import retention_kit.reporting")


def test_import_and_help_are_quick():
    assert best_of([sys.executable, "-c", "import retention_kit"]) < LIMIT
    assert best_of([sys.executable, "-m", "retention_kit.cli", "--help"]) < LIMIT
    assert best_of([sys.executable, "-m", "retention_kit.cli", "report", "--help"]) < LIMIT


def test_lazy_table_lists_every_public_name_once():
    tree = ast.parse(Path(rk.__file__).read_text(encoding="utf-8"))
    checked = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    seen = [alias.asname or alias.name for node in checked.body for alias in node.names]
    assert sorted(seen) == sorted(rk._LAZY) == sorted(rk.__all__)
    assert len(seen) == len(set(seen))
    for node in checked.body:  # the type checkers' import names the table's module
        for alias in node.names:
            assert rk._LAZY[alias.name] == (node.module or alias.name), alias.name


def test_every_public_name_resolves():
    for name in rk.__all__:
        value = getattr(rk, name)
        module = rk._LAZY[name]
        expected = sys.modules[f"retention_kit.{module}"]
        assert value is (expected if module == name else getattr(expected, name))
    assert set(rk.__all__) <= set(dir(rk))
    assert rk.__version__ == rk._version.__version__
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        rk.no_such_name  # noqa: B018


def test_submodules_outside_the_table_load_on_first_use():
    code = "import retention_kit as rk; assert rk.plotting.plot_nps is rk.plot_nps"
    assert "retention_kit.plotting" in loaded_after(code)
    with pytest.raises(AttributeError, match="has no attribute '_frame'"):
        rk._frame  # noqa: B018


def test_cli_copies_agree_with_their_sources():
    assert cli._FREQS == _frames.FREQS


def test_names_moved_to_run_still_import_from_cli():
    assert cli.run_report is run.run_report
    assert cli.notebook_dir is run.notebook_dir
    assert cli.ReportResult is run.ReportResult
    assert cli.REPORT_NOTEBOOKS is run.REPORT_NOTEBOOKS
    assert all((run.notebook_dir() / f"{name}.ipynb").is_file() for name in run.REPORT_NOTEBOOKS)
    with pytest.raises(AttributeError):
        cli.no_such_name  # noqa: B018


def test_package_says_it_is_typed():
    # PEP 561: the wheel ships py.typed (hatch includes every file of the package).
    assert (Path(rk.__file__).parent / "py.typed").is_file()
