"""The report command never loses or mixes a report, and says which flag to pass.

Staged folder and atomic move, the lock, a clean stop on SIGINT/SIGTERM, one-line errors
naming flags that exist, failed sections listed, summaries without tracebacks, safe paths.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from report_notebooks import section_notebook

import retention_kit as rk
from retention_kit import cli, datasets
from retention_kit import run as runner
from retention_kit._report_inputs import (
    FLAGS,
    _check_inputs,
    _default_out,
    _parameters,
    _safe_name,
    flag_text,
)
from retention_kit._report_lock import ReportLock, lock_holder
from retention_kit.exceptions import RetentionKitError

FLAG = re.compile(r"--[a-z][a-z-]*")


def report_args(*extra: str) -> list[str]:
    return ["report", "--data", "demo", *extra]


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("retention-kit: error: ")
    return err


# --- bad flags --------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_jobs_below_one_names_the_flag(tmp_path, capsys, jobs):
    assert cli.main(report_args("--jobs", jobs, "--out", str(tmp_path / "r"))) == 2
    assert f"--jobs {jobs}: run at least 1 notebook" in one_error_line(capsys)
    assert not (tmp_path / "r").exists()


def test_out_that_is_a_file(tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text("not a folder")
    assert cli.main(report_args("--out", str(path))) == 2
    assert f"--out {str(path)!r} is a file, not a folder" in one_error_line(capsys)
    assert path.read_text() == "not a folder"


def test_out_below_a_file(tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text("x")
    assert cli.main(report_args("--out", str(path / "sub"))) == 2
    assert "is a file, so the folder cannot be made there" in one_error_line(capsys)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_out_in_an_unwritable_folder(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert cli.main(report_args("--out", str(locked / "r"))) == 2
        assert "--out" in one_error_line(capsys) and "no permission" in capsys.readouterr().err
    finally:
        locked.chmod(0o755)


def test_argparse_errors_are_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "retention_kit.cli", "report", "--data", "demo", "--jobs", "x"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "argument --jobs: invalid int value" in result.stderr


@pytest.mark.parametrize("names", ["../x", "report,../../etc/passwd", "a/b"])
def test_notebook_names_cannot_be_paths(tmp_path, capsys, names):
    assert cli.main(report_args("--notebooks", names, "--out", str(tmp_path / "r"))) == 2
    assert "are not notebook names" in one_error_line(capsys)


def test_nul_in_a_file_name_is_one_line(tmp_path, capsys):
    assert cli.main(["report", "--data", "a\x00b.csv", "--out", str(tmp_path / "r")]) == 2
    assert "--data 'a\\x00b.csv': the file name is empty or has control" in one_error_line(capsys)


# --- flags in error messages ------------------------------------------------------------------


def test_every_mapped_flag_exists():
    known = cli._flag_names()
    assert set(FLAGS.values()) <= known
    for source, name in FLAGS:
        for each in ["orders", "subscriptions", "nps"] if source == "*" else [source]:
            text = flag_text(f"{name}='x' is wrong", each)
            assert text == f"{FLAGS[source, name]} 'x' is wrong", (source, name, text)
    assert flag_text("encoding='latin-1' failed") == "--encoding 'latin-1' failed"
    # Arguments without a flag stay Python arguments.
    assert flag_text("threshold=3 failed") == "threshold=3 failed"


def test_flags_per_data_source():
    text = "customer_col='id': no such column. Pass customer_col='CustomerID'"
    assert flag_text(text, "subscriptions") == (
        "--sub-customer-col 'id': no such column. Pass --sub-customer-col 'CustomerID'"
    )
    assert (
        flag_text("score_col='s' / date_col='d'", "nps")
        == "--nps-score-col 's' / --nps-date-col 'd'"
    )
    assert flag_text("end_col='e' is before start_col='s'", "subscriptions") == (
        "--sub-end-col 'e' is before --sub-start-col 's'"
    )
    assert flag_text("Give amount_col=, or quantity_col= and price_col=.") == (
        "Give --amount-col, or --quantity-col and --price-col."
    )
    assert flag_text("widen start=/end= or check date_format='%d'") == (
        "widen --start/--end or check --date-format '%d'"
    )


def _errors_from(tmp_path, capsys, *extra: str) -> str:
    code = cli.main(["report", *extra, "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2, err
    return err


def test_errors_of_each_source_name_real_flags(tmp_path, capsys):
    orders = tmp_path / "orders.csv"
    rk.datasets.load_orders(n_customers=30).to_csv(orders, index=False)
    subs = tmp_path / "subs.csv"
    rk.datasets.load_subscriptions(n_customers=30).rename(
        columns={"customer_id": "account"}
    ).to_csv(subs, index=False)
    answers = tmp_path / "nps.csv"
    rk.datasets.load_nps(n_responses=50).rename(columns={"score": "rating"}).to_csv(
        answers, index=False
    )
    messages = [
        _errors_from(tmp_path, capsys, "--data", str(orders), "--subscriptions", str(subs)),
        _errors_from(tmp_path, capsys, "--data", str(orders), "--nps", str(answers)),
        _errors_from(tmp_path, capsys, "--data", str(orders), "--customer-col", "CustomerID"),
    ]
    assert "--sub-customer-col 'customer_id': no such column" in messages[0]
    assert "Pass --sub-customer-col with one of the columns" in messages[0]
    assert "--nps-score-col 'score'" in messages[1]
    assert "--customer-col 'CustomerID'" in messages[2]
    for message in messages:
        assert FLAG.findall(message)
        assert set(FLAG.findall(message)) <= cli._flag_names(), message


# --- dropped rows and demo-invoices -----------------------------------------------------------


def fake_invoices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "InvoiceNo": ["536365", "536365", "536366", "C536367", "536368", "536369"],
            "StockCode": ["A", "B", "A", "A", "B", "A"],
            "Description": ["mug", "cup", "mug", "mug", "cup", "mug"],
            "Quantity": [2, 1, 3, -1, 4, 1],
            "InvoiceDate": pd.to_datetime(
                ["2024-01-05", "2024-01-05", "2024-02-07", "2024-02-08", "2024-03-01", "2024-03-02"]
            ),
            "UnitPrice": [2.5, 4.0, 2.5, 2.5, 4.0, 2.5],
            "CustomerID": [17850.0, 17850.0, float("nan"), 13047.0, 13047.0, float("nan")],
            "Country": ["United Kingdom"] * 5 + ["France"],
        }
    )


@pytest.fixture
def invoices(monkeypatch):
    if not hasattr(datasets, "load_invoices"):
        monkeypatch.setattr(datasets, "load_invoices", fake_invoices, raising=False)
    return datasets.load_invoices()


def test_demo_invoices_defaults():
    params = _parameters(cli.build_parser().parse_args(["report", "--data", "demo-invoices"]))
    assert {k: params[k] for k in ("data", "customer_col", "date_col", "amount_col")} == {
        "data": "demo-invoices",
        "customer_col": "CustomerID",
        "date_col": "InvoiceDate",
        "amount_col": None,
    }
    assert (params["quantity_col"], params["price_col"]) == ("Quantity", "UnitPrice")
    assert (params["order_col"], params["segment_col"]) == ("InvoiceNo", "Country")
    assert params["currency"] == "£"
    assert params["nps_data"] is None and params["subscriptions_data"] is None
    assert _default_out("demo-invoices").name.endswith("-demo-invoices")
    # The demo keeps its own defaults; flags still win.
    demo = _parameters(cli.build_parser().parse_args(["report", "--data", "demo"]))
    assert (demo["customer_col"], demo["currency"], demo["nps_data"]) == (
        "customer_id",
        "$",
        "demo",
    )
    given = cli.build_parser().parse_args(
        ["report", "--data", "demo-invoices", "--currency", "€", "--amount-col", "Total"]
    )
    params = _parameters(given)
    assert (params["currency"], params["amount_col"], params["quantity_col"]) == (
        "€",
        "Total",
        None,
    )


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_dropped_guest_rows_are_one_line(invoices, engine):
    params = _parameters(
        cli.build_parser().parse_args(["report", "--data", "demo-invoices", "--engine", engine])
    )
    facts = _check_inputs(params)
    kept = invoices[invoices["CustomerID"].notna()]
    assert facts["rows"] == len(kept)
    assert facts["customers"] == kept["CustomerID"].nunique()
    missing = int(invoices["CustomerID"].isna().sum())
    assert (
        f"retention-kit: dropped {missing:,} of {len(invoices):,} rows without a customer id "
        f"(CustomerID; guest orders?); pass --missing-customers error to stop instead."
    ) in facts["warnings"]
    duplicates = int(kept.duplicated().sum())
    assert any(f"orders has {duplicates:,} exact duplicate row(s)" in w
               for w in facts["warnings"])
    assert len(facts["warnings"]) == len(set(facts["warnings"]))


# --- paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("../../x.csv", "x"),
        ("..\\..\\evil.parquet", "evil"),
        ("a\x00b.csv", "a-b"),
        ("\x1b[31mred\n.csv", "31mred"),
        ("..", "data"),
        ("x" * 300 + ".csv", "x" * 60),
    ],
)
def test_default_out_name_stays_in_reports(data, name):
    assert _safe_name(data) == name
    out = _default_out(data)
    assert out.parent == Path("reports")
    assert out.name.endswith(f"-{name}") and len(out.name) <= 71


# --- the lock ---------------------------------------------------------------------------------


def test_second_run_is_told_who_holds_the_folder(tmp_path, capsys):
    out = tmp_path / "r"
    with ReportLock(out):
        record = json.loads((tmp_path / "r.lock").read_text())
        assert record["pid"] == os.getpid()
        assert cli.main(report_args("--out", str(out))) == 2
        err = one_error_line(capsys)
        assert (
            f"is being written by another run (pid {os.getpid()}, since {record['started']})"
            in (err)
        )
        assert err.startswith(f"retention-kit: error: --out {str(out)!r}")
        with pytest.raises(RetentionKitError, match="being written by another run"):
            ReportLock(out).acquire()
    assert not (tmp_path / "r.lock").exists()
    assert lock_holder(out) is None


def test_stale_lock_of_a_dead_run_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / "r.lock"
    lock.write_text(json.dumps({"pid": dead.pid, "started": "2020-01-01 00:00:00+00:00"}))
    assert lock_holder(tmp_path / "r") is None
    with ReportLock(tmp_path / "r"):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


def test_lock_of_a_live_process_is_respected(tmp_path):
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "r.lock").write_text(json.dumps({"pid": alive.pid, "started": "today"}))
        assert lock_holder(tmp_path / "r")["pid"] == alive.pid
        with pytest.raises(RetentionKitError, match=f"pid {alive.pid}, since today"):
            ReportLock(tmp_path / "r").acquire()
    finally:
        alive.kill()
        alive.wait()


# --- failed sections and the summary page -----------------------------------------------------


def write_notebooks(folder: Path, **sources: nbformat.NotebookNode) -> Path:
    folder.mkdir()
    for name, nb in sources.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def test_failed_section_is_listed_and_exit_is_zero(tmp_path, monkeypatch, capsys):
    source = write_notebooks(tmp_path / "nbs", report=section_notebook())
    monkeypatch.setattr(runner, "notebook_dir", lambda: source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("earlier report")
    code = cli.main(report_args("--notebooks", "report", "--out", str(out), "--force"))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert (
        'retention-kit: report: section "Cohorts" could not be computed: no complete cohort'
        in captured.err.splitlines()
    )
    assert captured.out.splitlines() == [
        f"report: {out}{os.sep}",
        "  period            2024-12",
        "  active customers  1,234",
        "  CRR               67.5 %",
        "  churn             32.5 %",
        "  revenue           $60,150.00",
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "metrics.json",
        "report.html",
        "report.ipynb",
        "report.summary.html",
    ]  # replaced as a whole: the earlier file is gone
    summary = (out / "report.summary.html").read_text()
    assert "Cohorts could not be computed." in summary
    assert "Traceback detail XYZ" not in summary and "secret stderr text" not in summary
    assert "Traceback detail XYZ" in (out / "report.html").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_notebook_that_raises_is_exit_one_with_its_partial_output(tmp_path, monkeypatch, capsys):
    source = write_notebooks(
        tmp_path / "nbs",
        report=section_notebook(),
        **{"02_cohorts": section_notebook("raise RuntimeError('boom outside a section')")},
    )
    monkeypatch.setattr(runner, "notebook_dir", lambda: source)
    out = tmp_path / "out"
    code = cli.main(
        report_args(
            "--notebooks", "report,02_cohorts", "--no-html", "--jobs", "2", "--out", str(out)
        )
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert (
        "retention-kit: notebook '02_cohorts' failed: RuntimeError: boom outside a section" in err
    )
    assert f"partial output: {out / '02_cohorts.ipynb'}" in err
    assert (out / "02_cohorts.ipynb").is_file() and (out / "metrics.json").is_file()


# --- stopping a run ---------------------------------------------------------------------------


def _tagged_kernel_dirs(folder: Path | None = None) -> set[str]:
    return {
        p.name
        for p in (folder or Path(tempfile.gettempdir())).glob("rk-kernel-*")
        if re.fullmatch(r"rk-kernel-[0-9a-f]{10}-.+", p.name)
    }


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("sig", "code", "jobs"), [(signal.SIGTERM, 143, "2"), (signal.SIGINT, 130, "1")]
)
def test_killed_run_leaves_out_as_it_was(tmp_path, sig, code, jobs):
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("my earlier report")
    # A temp folder of its own: other tests running beside this one start kernels too.
    private_tmp = Path(tempfile.mkdtemp(prefix="rk-kill-"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "retention_kit.cli",
            *report_args(
                "--notebooks",
                "report,02_cohorts",
                "--jobs",
                jobs,
                "--no-html",
                "--force",
                "--out",
                str(out),
            ),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(private_tmp)},
    )
    partial = tmp_path / f".out.partial-{proc.pid}"
    deadline = time.monotonic() + 300
    kernels: list = []
    while time.monotonic() < deadline and proc.poll() is None:
        below = psutil.Process(proc.pid).children(recursive=True)
        kernels = [p for p in below if "ipykernel" in " ".join(p.cmdline())]
        if kernels and list(partial.glob("*.ipynb")):
            break
        time.sleep(0.2)
    assert kernels, "no kernel started"
    below = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("retention-kit: stopped by") and "no report was written" in last
    assert "Traceback" not in err
    def alive() -> list[str]:
        found = []
        for p in below:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    found.append(" ".join(p.cmdline()))
            except psutil.NoSuchProcess:
                continue
        # multiprocessing's resource tracker (a helper of the spawn start method, not a
        # worker or kernel) ends when it reads the closed pipe, a moment after the exit.
        return [c for c in found if "resource_tracker" not in c]

    # A killed process may take a moment to be torn down (its command line reads empty).
    settle = time.monotonic() + 5
    while alive() and time.monotonic() < settle:
        time.sleep(0.1)
    assert not alive(), alive()
    assert not partial.exists() and not (tmp_path / "out.lock").exists()
    assert _tree(tmp_path) == {"out/report.html": len("my earlier report")}
    time.sleep(3)  # nothing writes after the command has exited
    assert _tree(tmp_path) == {"out/report.html": len("my earlier report")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert _tagged_kernel_dirs(private_tmp) == set()  # kernel temp folders removed
    shutil.rmtree(private_tmp, ignore_errors=True)


