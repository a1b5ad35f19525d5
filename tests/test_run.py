"""run.py: running the report notebooks, reading failed sections, HTML export, leftovers.

The command line over it is tested in ``test_cli*.py``; these call the runner directly.
"""

import json

import nbformat
import pytest
from report_notebooks import SECTION_NOTE, section_notebook

from retention_kit import cli
from retention_kit import run as runner
from retention_kit._report_inputs import _parameters
from retention_kit._report_lock import ReportLock
from retention_kit.exceptions import RetentionKitError


def test_runner_refuses_paths_outside_the_folder(tmp_path):
    with pytest.raises(RetentionKitError, match="outside the report folder"):
        runner._inside(tmp_path / "r" / ".." / "x.html", tmp_path / "r")
    params = _parameters(cli.build_parser().parse_args(["report", "--data", "demo"]))
    with pytest.raises(RetentionKitError, match="'../report' is not a notebook name"):
        runner.run_report(params, tmp_path / "r", notebooks=["../report"])
    assert not (tmp_path / "r").exists()


def test_failed_sections_are_read_from_outputs():
    nb = section_notebook()
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": "x"}, metadata=SECTION_NOTE),
        nbformat.v4.new_output("display_data", data={"text/plain": "y"}, metadata={}),
    ]
    assert runner.failed_sections(nb) == [runner.FailedSection("Cohorts", "no complete cohort")]


def test_summary_of_a_failed_notebook_has_no_traceback(tmp_path):
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    nb = section_notebook()
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="secret stderr text\n"),
        nbformat.v4.new_output("stream", name="stdout", text="kept stdout text\n"),
        nbformat.v4.new_output(
            "display_data",
            data={"text/plain": "Traceback detail XYZ"},
            metadata={"retention_kit": {"detail": True}},
        ),
        nbformat.v4.new_output(
            "error",
            ename="ValueError",
            evalue="bad <b>thing</b>",
            traceback=[
                "\x1b[31mTraceback (most recent call last)\x1b[0m",
                "ValueError: bad <b>thing</b>",
            ],
        ),
    ]
    path = tmp_path / "nb.ipynb"
    with pytest.raises(PapermillExecutionError):
        raise_for_execution_errors(nb, str(path))  # writes papermill's red banner cells
    runner._write_html(path, tmp_path)
    summary = (tmp_path / "nb.summary.html").read_text()
    full = (tmp_path / "nb.html").read_text()
    for hidden in [
        "secret stderr text",
        "Traceback",
        "An Exception was encountered",
        "papermill-error-cell",
    ]:
        assert hidden not in summary, hidden
        assert hidden in full, hidden
    assert "kept stdout text" in summary
    assert (
        "This part of the report could not be produced: ValueError: bad &lt;b&gt;thing&lt;/b&gt;"
        in summary
    )


def test_leftovers_of_a_killed_run_are_cleared_under_the_lock(tmp_path):
    out = tmp_path / "r"
    (tmp_path / ".r.partial-999999").mkdir()
    (tmp_path / ".r.partial-999999" / "report.ipynb").write_text("half")
    (tmp_path / ".r.old-999999").mkdir()  # died between its two renames: the report is here
    (tmp_path / ".r.old-999999" / "report.html").write_text("earlier")
    with ReportLock(out):
        runner._clear_leftovers(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert (out / "report.html").read_text() == "earlier"


def test_failing_notebook_is_named_and_others_kept(tmp_path, monkeypatch):
    source = tmp_path / "nbs"
    source.mkdir()
    for name in ["report", "02_cohorts"]:
        (source / f"{name}.ipynb").write_bytes(
            (runner.notebook_dir() / f"{name}.ipynb").read_bytes()
        )
    broken = json.loads((source / "02_cohorts.ipynb").read_text())
    broken["cells"].append(
        {
            "cell_type": "code",
            "id": "boom",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "raise RuntimeError('boom in cohorts')",
        }
    )
    (source / "02_cohorts.ipynb").write_text(json.dumps(broken))
    monkeypatch.setattr(runner, "notebook_dir", lambda: source)
    out = tmp_path / "out"
    params = _parameters(cli.build_parser().parse_args(["report", "--data", "demo"]))
    result = runner.run_report(
        params, out, notebooks=["02_cohorts", "report"], html=False, progress=False
    )
    assert result.succeeded == ["report"]
    assert "boom in cohorts" in result.failed["02_cohorts"]
    assert (out / "02_cohorts.ipynb").is_file()  # partial output kept
    assert (out / "metrics.json").is_file()
