"""Moved to :mod:`retention_kit.clv.rfm`; kept for one release.

Import ``rfm_summary`` from ``retention_kit.clv`` (or ``retention_kit``) instead. This
module only re-exports it.
"""

from __future__ import annotations

from ._frames import TimeUnit
from .clv.rfm import rfm_summary

__all__ = ["TimeUnit", "rfm_summary"]
