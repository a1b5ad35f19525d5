"""Moved to :mod:`retention_kit.clv.published_data`; kept for one release.

Import the loaders from ``retention_kit.clv`` instead. This module only re-exports them.
"""

from __future__ import annotations

from .clv.published_data import (
    load_cdnow_sample,
    load_cdnow_summary,
    load_donations,
    sbg_survival_tables,
)

__all__ = [
    "load_cdnow_sample",
    "load_cdnow_summary",
    "load_donations",
    "sbg_survival_tables",
]
