"""Write copies of the notebooks with the demo-invoices parameters injected, for nbval.

``make test`` runs ``pytest --nbval-lax`` on the stored notebooks (their defaults: the clean
demo) and on these copies (the messy demo export), so every notebook is proven to run on both.

Usage: ``python tests/prepare_notebooks.py OUT_DIR``
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import papermill

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
INVOICES = {
    "data": "demo-invoices",
    "customer_col": "CustomerID",
    "date_col": "InvoiceDate",
    "amount_col": None,
    "quantity_col": "Quantity",
    "price_col": "UnitPrice",
    "order_col": "InvoiceNo",
    "segment_col": "Country",
    "currency": "£",
    "nps_data": None,
    "subscriptions_data": None,
}
#: 04 needs a survey and 06 subscriptions; the invoice export has neither.
ON_INVOICES = ("report", "01_retention_and_churn", "02_cohorts", "03_clv", "05_clv_models")


def main(out: str) -> None:
    folder = Path(out)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ON_INVOICES:
        source = NOTEBOOKS / f"{name}.ipynb"
        declared = papermill.inspect_notebook(str(source))
        papermill.execute_notebook(
            str(source),
            str(folder / f"{name}.invoices.ipynb"),
            parameters={k: v for k, v in INVOICES.items() if k in declared},
            prepare_only=True,
            progress_bar=False,
        )


if __name__ == "__main__":
    main(sys.argv[1])
