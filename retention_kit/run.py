"""Running the report notebooks: papermill, kernels, HTML export, the summary page.

:func:`run_report` is what ``retention-kit report`` calls once its flags are checked (the
way papermill's CLI calls ``execute_notebook``). A run writes into a hidden sibling of the
report folder (``.NAME.partial-PID``) and renames it into place only when every notebook
has been attempted, so the report folder is never half-written. A lock file beside it
(``NAME.lock``, see ``_report_lock``) keeps two runs out of one folder. On SIGINT/SIGTERM
every worker process and kernel is killed and waited for before the partial folder is
removed, so nothing writes after the command returns. Each executed notebook becomes
``NAME.html`` (with code) and ``NAME.summary.html`` (code, tracebacks and details hidden).
"""

from __future__ import annotations

import glob
import html
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any, cast

from ._report_lock import ReportLock, signals_ignored, signals_raise, stop
from .exceptions import RetentionKitError

try:  # only the HTML export needs nbconvert (the report extra)
    from nbconvert.preprocessors import Preprocessor
except ImportError:  # pragma: no cover
    Preprocessor = object  # type: ignore[assignment,misc]


__all__ = [
    "REPORT_NOTEBOOKS",
    "FailedSection",
    "ReportResult",
    "SummaryPreprocessor",
    "check_out_dir",
    "failed_sections",
    "notebook_dir",
    "run_report",
]

#: The notebook templates, in the order they run and are listed.
REPORT_NOTEBOOKS = (
    "report",
    "01_retention_and_churn",
    "02_cohorts",
    "03_clv",
    "04_nps",
    "05_clv_models",
    "06_subscriptions",
)

#: Output metadata the notebooks' ``reporting.section`` writes (see the module docstring).
META_KEY = "retention_kit"
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
_PAPERMILL_BANNERS = (
    '<span style="color:red; font-family:Helvetica Neue, Helvetica, Arial, sans-serif; '
    'font-size:2em;">An Exception was encountered at',
    '<span id="papermill-error-cell"',
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class FailedSection:
    """A report section that displayed a note instead of its figures."""

    title: str
    reason: str


@dataclass
class ReportResult:
    """What a report run produced."""

    out_dir: Path
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failed_sections: dict[str, list[FailedSection]] = field(default_factory=dict)


# --- paths ------------------------------------------------------------------------------------


def notebook_dir() -> Path:
    """Folder holding the notebook templates (inside the wheel, or the source checkout)."""
    packaged = Path(__file__).parent / "notebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "notebooks"


def check_out_dir(out_dir: str | Path) -> Path:
    """The absolute report folder, after checking it can be written (nothing is created).

    Raises
    ------
    RetentionKitError
        If ``out_dir`` is a file, has no name, or its parent is not a writable folder.
    """
    text = str(out_dir)
    if not text or "\x00" in text or any(ord(c) < 32 for c in text):
        msg = f"out_dir={text!r} is not a usable folder name; choose another folder."
        raise RetentionKitError(msg)
    path = Path(os.path.abspath(out_dir))
    if not path.name:
        msg = f"out_dir={text!r} is the file-system root; choose a folder inside it."
        raise RetentionKitError(msg)
    if path.exists() and not path.is_dir():
        msg = f"out_dir={text!r} is a file, not a folder; choose another folder."
        raise RetentionKitError(msg)
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        msg = f"out_dir={text!r}: {str(ancestor)!r} is a file, so the folder cannot be made there."
        raise RetentionKitError(msg)
    if not os.access(ancestor, os.W_OK | os.X_OK):
        msg = f"out_dir={text!r}: no permission to write in {str(ancestor)!r}; choose another."
        raise RetentionKitError(msg)
    return path


def _inside(path: Path, root: Path) -> Path:
    """``path`` if it resolves inside ``root``; anything else is refused."""
    if not path.resolve().is_relative_to(root.resolve()):
        msg = f"refusing to write {str(path)!r}: it is outside the report folder {str(root)!r}."
        raise RetentionKitError(msg)
    return path


# --- one notebook -----------------------------------------------------------------------------


def _kernel_manager_class(tag: str = "") -> type:
    """A kernel manager on IPC sockets (local kernels need no TCP, and no TCP warning)."""
    from jupyter_client.manager import AsyncKernelManager

    prefix = f"rk-kernel-{tag}-" if tag else "rk-kernel-"

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            # Socket files of their own, so kernels started side by side never collide.
            self.ip = str(Path(tempfile.mkdtemp(prefix=prefix)) / "ipc")

    return IPCKernelManager


def _last_line(text: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()]
    return lines[-1] if lines else ""


def failed_sections(notebook: Any) -> list[FailedSection]:
    """The sections of an executed notebook that displayed a "could not be computed" note."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            meta = (output.get("metadata") or {}).get(META_KEY) or {}
            if output.get("output_type") == "display_data" and meta.get("failed_section"):
                reason = _last_line(str(meta.get("reason", ""))) or "no reason given"
                found.append(FailedSection(str(meta["failed_section"]), reason))
    return found


def _error_note(output: Any) -> dict[str, Any]:
    text = _last_line("\n".join(output.get("traceback") or []))
    text = text or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    note = f"This part of the report could not be produced: {text}"
    import nbformat

    return nbformat.v4.new_output(
        "display_data",
        data={"text/html": f"<p><em>{html.escape(note)}</em></p>", "text/plain": note},
        metadata={META_KEY: {"error_note": True}},
    )


def _summary_outputs(cell: Any) -> list[Any]:
    kept = []
    expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            if not expected:
                kept.append(_error_note(output))
        elif kind == "stream" and output.get("name") == "stderr":
            continue
        elif ((output.get("metadata") or {}).get(META_KEY) or {}).get("detail"):
            continue
        else:
            kept.append(output)
    return kept


def _papermill_banner(cell: Any) -> bool:
    if PAPERMILL_ERROR_TAG in cell.get("metadata", {}).get("tags", []):
        return True
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return cell.get("cell_type") == "markdown" and source.lstrip().startswith(_PAPERMILL_BANNERS)


class SummaryPreprocessor(Preprocessor):
    """Stakeholder view: no tracebacks, stderr, warnings, details or papermill banners.

    Drops ``stream`` outputs named stderr and outputs whose metadata has
    ``retention_kit.detail``; replaces an ``error`` output (a cell that stopped the notebook)
    with one plain sentence, and removes papermill's red "An Exception was encountered"
    cells.
    """

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        """Clean every cell of ``nb``."""
        nb.cells = [cell for cell in nb.cells if not _papermill_banner(cell)]
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell.outputs = _summary_outputs(cell)
        return nb, resources


def _safe_page(page: str, path: Path) -> str:
    """``page`` if it holds no active content the template did not put there, else raise.

    Every data value is escaped where the notebooks show it; this is the check of the
    result as a whole, so a page that could run a script is never written.
    """
    from ._html_safety import find_active_content

    found = find_active_content(page)
    if found:
        shown = "; ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        msg = (
            f"{path.name} was not written: it would hold active content that the report did "
            f"not put there ({shown}). A value in the data is shown unescaped; please report it."
        )
        raise RetentionKitError(msg)
    return page


def _write_html(executed: Path, root: Path) -> None:
    """Write NAME.html (with code) and NAME.summary.html (code, set-up cells, errors hidden)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    full = HTMLExporter(template_name="lab")
    page, _ = full.from_notebook_node(notebook)
    path = _inside(executed.with_suffix(".html"), root)
    path.write_text(_safe_page(page, path), encoding="utf-8")
    summary = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # Cells for whoever runs the notebook (how to set parameters) are not for stakeholders.
    summary.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"hide-in-summary"}, enabled=True), enabled=True
    )
    summary.register_preprocessor(SummaryPreprocessor(enabled=True), enabled=True)
    page, _ = summary.from_notebook_node(notebook)
    path = _inside(executed.with_suffix(".summary.html"), root)
    path.write_text(_safe_page(page, path), encoding="utf-8")


Outcome = tuple[str, "str | None", float, list[FailedSection]]


def _run_one(
    name: str,
    source: Path,
    out_dir: Path,
    params: dict[str, Any],
    html_too: bool,
    progress: Any,
    kernel_tag: str = "",
) -> Outcome:
    """Execute one notebook (and convert it); name, error line or None, seconds, sections."""
    import nbformat
    import papermill

    began = time.perf_counter()
    target = _inside(out_dir / f"{name}.ipynb", out_dir)
    declared = papermill.inspect_notebook(str(source))
    error = None
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in params.items() if k in declared},
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(out_dir),
            kernel_manager_class=_kernel_manager_class(kernel_tag),
        )
    except Exception as err:  # noqa: BLE001 - report the failure, keep the others
        error = _last_line(str(err)) or repr(err)
    sections: list[FailedSection] = []
    if target.exists():
        sections = failed_sections(nbformat.read(target, as_version=4))
        if html_too:
            _write_html(target, out_dir)
    return name, error, time.perf_counter() - began, sections


def _worker(conn: Any, call: tuple[Any, ...]) -> None:
    """Entry point of a worker process: one notebook; the parent handles Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from tqdm import tqdm

        # tqdm's default lock is a multiprocessing semaphore: when the parent kills this
        # worker, the resource tracker would warn about it on stderr after the command ends.
        tqdm.set_lock(threading.RLock())
    except ImportError:  # pragma: no cover - papermill depends on tqdm
        pass
    try:
        outcome = _run_one(*call)
    except Exception as err:  # noqa: BLE001 - e.g. a refused path: report it as the failure
        outcome = (call[0], _last_line(str(err)) or repr(err), 0.0, [])
    conn.send(outcome)
    conn.close()


def _run_all(calls: Sequence[tuple[Any, ...]], jobs: int) -> list[Outcome]:
    """Run each call in a spawned worker process, ``jobs`` at a time; kill all on a signal."""
    context = multiprocessing.get_context("spawn")
    pending = list(calls)
    running: dict[Connection, tuple[Any, str, float]] = {}
    outcomes: dict[str, Outcome] = {}
    try:
        while pending or running:
            while pending and len(running) < jobs:
                call = pending.pop(0)
                receive, send = context.Pipe(duplex=False)
                proc = context.Process(target=_worker, args=(send, call), daemon=True)
                running[receive] = (proc, call[0], time.perf_counter())
                proc.start()
                send.close()
            for ready in wait_for(list(running)):
                conn = cast(Connection, ready)  # wait_for returns the connections it was given
                proc, name, began = running.pop(conn)
                try:
                    outcomes[name] = conn.recv()
                except EOFError:
                    proc.join()
                    reason = f"its worker process stopped (exit code {proc.exitcode})"
                    outcomes[name] = (name, reason, time.perf_counter() - began, [])
                conn.close()
                proc.join()
    except BaseException:
        with signals_ignored():
            stop([proc for proc, _, _ in running.values()])
        raise
    return [outcomes[call[0]] for call in calls]


# --- the run ----------------------------------------------------------------------------------


def _clear_leftovers(out_dir: Path) -> None:
    """Remove partial folders of runs that were killed (only the lock holder calls this)."""
    parent = out_dir.parent
    for old in sorted(parent.glob(f".{glob.escape(out_dir.name)}.old-*")):
        if not out_dir.exists() and old.is_dir():
            old.rename(out_dir)  # a run died between its two renames: put the report back
        else:
            shutil.rmtree(old, ignore_errors=True)
    for partial in parent.glob(f".{glob.escape(out_dir.name)}.partial-*"):
        shutil.rmtree(partial, ignore_errors=True)


def _move_into_place(partial: Path, out_dir: Path) -> None:
    if out_dir.exists() or out_dir.is_symlink():
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        os.rename(out_dir, old)
        try:
            os.rename(partial, out_dir)
        except BaseException:
            os.rename(old, out_dir)
            raise
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()
    else:
        os.rename(partial, out_dir)


def run_report(
    parameters: dict[str, Any],
    out_dir: str | Path,
    *,
    notebooks: Sequence[str] = REPORT_NOTEBOOKS,
    html: bool = True,
    progress: bool = True,
    jobs: int = 1,
    force: bool = False,
    source_dir: str | Path | None = None,
) -> ReportResult:
    """Execute ``notebooks`` with ``parameters`` into ``out_dir``; keep going past failures.

    The notebooks write into a hidden sibling folder (``.NAME.partial-PID``) that replaces
    ``out_dir`` only once every notebook has been attempted; a lock file ``NAME.lock``
    beside it keeps a second run out. Ctrl-C or SIGTERM stops every worker and kernel,
    removes the partial folder and raises :class:`KeyboardInterrupt` (its ``exit_code`` is
    130 or 143), leaving ``out_dir`` as it was.

    Parameters
    ----------
    parameters : dict
        Notebook parameters (see ``retention-kit notebooks``); ``output_dir`` is set here.
        Each notebook receives the ones its ``parameters`` cell declares.
    out_dir : str or Path
        Folder for the executed notebooks, HTML and metrics.json.
    notebooks : sequence of str
        Notebook names without ``.ipynb``.
    html : bool, default True
        Also write ``NAME.html`` and the code-hidden ``NAME.summary.html``.
    progress : bool, default True
        Show papermill's progress bar (one line per notebook).
    jobs : int, default 1
        Notebooks executed at the same time (each in a worker process with its own kernel).
    force : bool, default False
        Replace an existing, non-empty ``out_dir`` (at the end, after the run).
    source_dir : str or Path, optional
        Folder of the notebook templates; default :func:`notebook_dir`.

    Returns
    -------
    ReportResult
        Which notebooks succeeded or failed, how long each took, and the sections of each
        that could not be computed.

    Raises
    ------
    RetentionKitError
        If ``out_dir`` is a file, cannot be written, is not empty (without ``force``) or is
        being written by another run, or a notebook name is not a plain name.

    Examples
    --------
    Run the summary notebook on the demo data (starts a Jupyter kernel; takes a while):

    >>> from retention_kit.run import run_report
    >>> result = run_report({"data": "demo"}, "reports/x", notebooks=["report"])  # doctest: +SKIP
    >>> result.failed, result.succeeded  # doctest: +SKIP
    ({}, ['report'])
    """
    source = Path(source_dir) if source_dir is not None else notebook_dir()
    if not isinstance(jobs, int) or jobs < 1:
        msg = f"jobs={jobs!r}: run at least 1 notebook at a time."
        raise RetentionKitError(msg)
    for name in notebooks:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            msg = f"notebooks: {name!r} is not a notebook name (letters, digits, _ and -)."
            raise RetentionKitError(msg)
    from ._files import non_empty  # pandas only once a report runs

    out_dir = check_out_dir(out_dir)
    with signals_raise():
        try:
            out_dir.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            msg = f"out_dir={str(out_dir)!r}: cannot create its parent folder ({err})."
            raise RetentionKitError(msg) from None
        with ReportLock(out_dir):
            _clear_leftovers(out_dir)
            if non_empty(out_dir) and not force:
                msg = (
                    f"out_dir={str(out_dir)!r} already exists and is not empty; pass "
                    f"force=True to replace it, or choose another folder."
                )
                raise RetentionKitError(msg)
            partial = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
            tag = uuid.uuid4().hex[:10]
            try:
                partial.mkdir()
            except OSError as err:
                msg = f"out_dir={str(out_dir)!r}: cannot write in its parent folder ({err})."
                raise RetentionKitError(msg) from None
            try:
                result = _execute(parameters, partial, source, notebooks, html, progress, jobs, tag)
                with signals_ignored():
                    _move_into_place(partial, out_dir)
            except BaseException:
                with signals_ignored():
                    shutil.rmtree(partial, ignore_errors=True)
                raise
            finally:
                for folder in Path(tempfile.gettempdir()).glob(f"rk-kernel-{tag}-*"):
                    shutil.rmtree(folder, ignore_errors=True)
    result.out_dir = out_dir
    return result


def _execute(
    parameters: dict[str, Any],
    folder: Path,
    source_dir: Path,
    notebooks: Sequence[str],
    html_too: bool,
    progress: bool,
    jobs: int,
    tag: str,
) -> ReportResult:
    params = {**parameters, "output_dir": str(folder)}
    calls = [
        (
            name,
            source_dir / f"{name}.ipynb",
            folder,
            params,
            html_too,
            {"desc": f"{name:<24}", "position": i, "leave": True} if progress else False,
            tag,
        )
        for i, name in enumerate(notebooks)
    ]
    result = ReportResult(out_dir=folder)
    for name, error, seconds, sections in _run_all(calls, jobs):
        result.seconds[name] = seconds
        result.failed_sections[name] = list(sections)
        if error is None:
            result.succeeded.append(name)
        else:
            result.failed[name] = error
    return result
