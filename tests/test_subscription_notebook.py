"""The subscriptions notebook run by papermill on a renamed CSV export, per quarter.

The stored notebook has no outputs, so this run is what proves it reads a user's columns and
shows the right numbers: the figures it saves to ``subscriptions.json`` are recomputed here
with the library, straight from the demo frame. (``pytest --nbval-lax notebooks`` proves it
runs with its defaults.)
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import retention_kit as rk

papermill = pytest.importorskip("papermill")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_subscriptions.ipynb"
RENAMED = {
    "customer_id": "Account",
    "start_date": "Start",
    "end_date": "End",
    "mrr": "MonthlyValue",
    "trial_end": "TrialEnds",
    "plan": "Tier",
}


@pytest.fixture(scope="module")
def quarterly_run(tmp_path_factory) -> tuple[dict, nbformat.NotebookNode]:
    """The notebook on the demo subscriptions exported as a CSV with other column names."""
    folder = tmp_path_factory.mktemp("subscriptions")
    export = folder / "subscriptions.csv"
    demo = rk.datasets.load_subscriptions()
    demo[list(RENAMED)].rename(columns=RENAMED).to_csv(export, index=False)
    out = folder / "06_subscriptions.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={
            "subscriptions_data": str(export),
            "sub_customer_col": "Account",
            "sub_start_col": "Start",
            "sub_end_col": "End",
            "sub_mrr_col": "MonthlyValue",
            "sub_trial_end_col": "TrialEnds",
            "sub_plan_col": "Tier",
            "freq": "quarter",
            "output_dir": str(folder),
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
    figures = json.loads((folder / "subscriptions.json").read_text(encoding="utf-8"))
    return figures, nbformat.read(out, as_version=4)


@pytest.mark.slow
def test_saved_figures_match_mrr_movements(quarterly_run):
    figures, _ = quarterly_run
    expected = rk.mrr_movements(
        rk.datasets.load_subscriptions(), trial_end_col="trial_end", freq="quarter"
    ).iloc[-1]
    assert figures["period"] == str(expected["period"]) == "2024Q4"
    assert figures["freq"] == "quarter"
    for key in ["mrr_start", *rk.MOVEMENTS, "mrr_end", "gross_revenue_churn", "nrr", "grr"]:
        assert figures[key] == pytest.approx(expected[key]), key
    assert figures["customers_end"] == expected["E"]
    # The identity the notebook asserts, on the saved figures.
    moved = figures["mrr_start"] + sum(figures[m] for m in rk.MOVEMENTS)
    assert moved == pytest.approx(figures["mrr_end"])


@pytest.mark.slow
def test_saved_lifetimes_match_survival_curves(quarterly_run):
    figures, _ = quarterly_run
    _, medians = rk.survival_curves(rk.datasets.load_subscriptions(), trial_end_col="trial_end")
    assert figures["median_lifetime_months"] == pytest.approx(medians["median_lifetime"][0])
    # Right-censoring: the average over churned customers only understates the lifetime.
    assert figures["naive_lifetime_churned_months"] < figures["median_lifetime_months"]


@pytest.mark.slow
def test_run_is_clean(quarterly_run):
    _, nb = quarterly_run
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "per **quarter**" in shown
    assert "lifetimes differ" in shown  # the log-rank verdict of two plans


def test_stored_notebook_is_a_template():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert nb.metadata.kernelspec.name == "python3"
    # Every parameter must be readable by papermill (a second "=" on a line hides it).
    declared = papermill.inspect_notebook(str(NOTEBOOK))
    assert {"subscriptions_data", "sub_end_col", "count_trials", "output_dir"} <= set(declared)
    assert len(declared) == 16  # 13 + encoding, sep, missing_customers


@pytest.mark.slow
def test_runs_without_trials_or_plans(tmp_path):
    out = tmp_path / "06_subscriptions.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={
            "sub_trial_end_col": None,
            "sub_plan_col": None,
            "freq": "year",
            "count_trials": True,
            "output_dir": str(tmp_path),
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    figures = json.loads((tmp_path / "subscriptions.json").read_text(encoding="utf-8"))
    # Without trial dates every spell pays from its start date.
    expected = rk.mrr_movements(rk.datasets.load_subscriptions(), freq="year").iloc[-1]
    assert figures["mrr_end"] == pytest.approx(expected["mrr_end"])
    nb = nbformat.read(out, as_version=4)
    shown = "".join(
        str(o.get("data", {}).get("text/markdown", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    assert "no breakdown by plan" in shown
    assert "the trial rule changes nothing" in shown
