"""Tiny report notebooks for the runner and CLI tests (a helper module, not a test file)."""

import nbformat

SECTION_NOTE = {"retention_kit": {"failed_section": "Cohorts", "reason": "no complete cohort"}}


def section_notebook(extra_source: str = "") -> nbformat.NotebookNode:
    """A tiny report notebook whose "Cohorts" section fails the way reporting.section shows."""
    params = nbformat.v4.new_code_cell('data = "demo"\noutput_dir = None')
    params.metadata["tags"] = ["parameters"]
    cells = [
        params,
        nbformat.v4.new_code_cell(
            "from IPython.display import display\n"
            "import json, pathlib, sys\n"
            "print('secret stderr text', file=sys.stderr)\n"
            f"display({{'text/markdown': 'Cohorts could not be computed.'}}, raw=True, "
            f"metadata={SECTION_NOTE!r})\n"
            "display({'text/plain': 'Traceback detail XYZ'}, raw=True, "
            "metadata={'retention_kit': {'detail': True}})\n"
            "pathlib.Path(output_dir, 'metrics.json').write_text(json.dumps("
            "{'period': '2024-12', 'customers_active': 1234, 'crr': 67.5, 'churn': 32.5, "
            "'revenue': 60150.0, 'aov': 1.0}))"
        ),
    ]
    if extra_source:
        cells.append(nbformat.v4.new_code_cell(extra_source))
    return nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
