"""Run every benchmark and write the results into the README (what ``make bench`` runs).

Runs bench_engines.py (cohort_table / rfm_summary per engine, 1M and 10M orders) and
bench_clv_models.py (CLV model fits against lifetimes), each in its own process, then
rewrites the part of the top-level README.md between ``<!-- bench:start -->`` and
``<!-- bench:end -->`` with the machine, the versions, both tables and the targets.

    python benchmarks/run_all.py [--quick] [--no-run]

``--quick``: 1M orders only and one repeat everywhere (a smoke run; numbers are rough).
``--no-run``: only rebuild the README section from benchmarks/results/*.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
RESULTS = HERE / "results"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
#: Results files in the order they appear in the README, with their headings.
SECTIONS = {
    "engines.md": "Engines: cohort_table and rfm_summary on pandas, Polars and DuckDB",
    "clv_models.md": "CLV models against lifetimes 0.11.3",
}


def run(script: str, *args: str) -> None:
    cmd = [sys.executable, str(HERE / script), *args]
    print("$", " ".join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def machine() -> str:
    """Cores, RAM, OS, Python and library versions, date and load."""
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    libs = []
    for name in ("retention-kit", "pandas", "polars", "duckdb", "narwhals", "pyarrow", "numpy"):
        try:
            libs.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"Measured {dt.date.today().isoformat()} on {os.cpu_count()} cores ({cpu}), "
        f"{mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}; {', '.join(libs)}. Load average (1, 5, 15 min) when "
        f"the README was written: {load}."
    )


def section() -> str:
    """The README text between the markers."""
    parts = [machine(), ""]
    for name, title in SECTIONS.items():
        path = RESULTS / name
        if not path.exists():
            continue
        parts += [f"### {title}", "", path.read_text().strip(), ""]
    parts.append(
        "Re-run with `make bench` (about 20 minutes; `python benchmarks/run_all.py --quick` "
        "for a smoke run); what each variant is: benchmarks/README.md."
    )
    return "\n".join(parts)


def write_readme(text: str) -> None:
    readme = README.read_text()
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        msg = f"{README} has no {START} ... {END} section"
        raise SystemExit(msg)
    README.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", readme, count=1))
    print(f"README section rewritten ({README})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M orders, one repeat")
    parser.add_argument("--no-run", action="store_true", help="only rewrite the README")
    args = parser.parse_args()
    if not args.no_run:
        if args.quick:
            run("bench_engines.py", "--rows", "1000000", "--repeats", "1")
            run("bench_clv_models.py", "--repeats", "1")
        else:
            run("bench_engines.py", "--rows", "1000000", "10000000", "--repeats", "3")
            run("bench_clv_models.py", "--repeats", "7")
    write_readme(section())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
