"""Moved to :mod:`retention_kit.clv` (one module per model); kept for one release.

Import from ``retention_kit.clv`` (or ``retention_kit``) instead. This module only
re-exports the public names.
"""

from __future__ import annotations

from .clv import (
    BetaGeoBetaBinomModel,
    BetaGeoModel,
    GammaGammaModel,
    IndependenceCheck,
    ParetoNBDModel,
    ShiftedBetaGeoModel,
)
from .exceptions import ConvergenceError

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "ConvergenceError",
    "GammaGammaModel",
    "IndependenceCheck",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
]
