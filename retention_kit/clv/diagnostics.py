"""Diagnostics of a fitted CLV model, as data and as plain-language sentences.

Every ``fit`` of the models in :mod:`retention_kit.clv` sets ``diagnostics_``, a
:class:`FitDiagnostics`. When the fit is not identified (any problem below), ``fit`` emits
one :class:`~retention_kit.exceptions.RetentionKitWarning` carrying the sentences, and
:func:`diagnostics_box` turns them into the Markdown box the notebooks show in place of
P(alive) and CLV.

The rules and their thresholds (module constants):

- the Hessian of the negative log-likelihood is not positive definite at the estimates,
  or a standard error is not finite: the likelihood is flat in some direction;
- a shape parameter is below :data:`SHAPE_LOW` (1e-3) or above :data:`SHAPE_HIGH` (1e3):
  the optimiser pushed it to the edge of its range instead of estimating it. Scale
  parameters (``alpha``, ``beta`` of the Pareto/NBD, ``v``) are not checked: their size
  depends on the time unit;
- dropout not identified (BG/NBD and Pareto/NBD): BG/NBD ``a < SHAPE_LOW``,
  ``b > SHAPE_HIGH`` or a mean dropout probability per purchase ``a / (a + b)`` below
  :data:`DROPOUT_LOW` (1e-3); Pareto/NBD ``s < SHAPE_LOW`` or expected dropouts over the
  median history ``s / beta * median(T)`` below :data:`DROPOUT_LOW`;
- fewer than :data:`MIN_REPEAT_BUYERS` (30) customers with a repeat purchase: with four
  parameters, fewer informative customers leave intervals as wide as the estimates;
- median ``T`` shorter than :data:`MIN_HISTORY_GAPS` (2) mean gaps between purchases
  (``recency / frequency`` averaged over repeat buyers): a customer absent for one mean gap
  is ordinary, so only a history of at least two gaps can tell a pause from dropout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._arguments import warn

__all__ = [
    "DROPOUT_LOW",
    "DROPOUT_SENTENCE",
    "MIN_HISTORY_GAPS",
    "MIN_REPEAT_BUYERS",
    "NOT_IDENTIFIED",
    "SHAPE_HIGH",
    "SHAPE_LOW",
    "FitDiagnostics",
    "diagnostics_box",
]

#: A shape parameter below this is at the lower bound of its range.
SHAPE_LOW = 1e-3
#: A shape parameter above this is at the upper bound of its range.
SHAPE_HIGH = 1e3
#: Dropout per purchase (BG/NBD) or over the median history (Pareto/NBD) below this is none.
DROPOUT_LOW = 1e-3
#: Fewer customers with a repeat purchase than this cannot identify the model.
MIN_REPEAT_BUYERS = 30
#: The median history must span at least this many mean inter-purchase gaps.
MIN_HISTORY_GAPS = 2.0

#: How the warning of an unidentified fit starts, after the model's name (for filters).
NOT_IDENTIFIED = "the fit is not identified."

DROPOUT_SENTENCE = (
    "The data does not identify dropout; P(alive) is close to 100 % for everyone and "
    "means nothing here."
)

#: Shape parameters (checked against the bounds) of each model.
_SHAPES = {
    "BetaGeoModel": ("r", "a", "b"),
    "ParetoNBDModel": ("r", "s"),
    "GammaGammaModel": ("p", "q"),
    "ShiftedBetaGeoModel": ("alpha", "beta"),
    "BetaGeoBetaBinomModel": ("alpha", "beta", "gamma", "delta"),
}


@dataclass(frozen=True)
class FitDiagnostics:
    """What the checks after a fit found; ``str()`` gives the sentences.

    Attributes
    ----------
    converged : bool
        The optimiser converged (a fit that does not raises ``ConvergenceError``).
    hessian_positive_definite : bool
        The Hessian of the negative log-likelihood is positive definite at the estimates.
    finite_standard_errors : bool
        Every standard error is finite.
    at_bound : tuple of str
        Names of the parameters at or near a bound of their range.
    too_few_repeat_buyers : bool
        Fewer than :data:`MIN_REPEAT_BUYERS` customers bought again.
    history_too_short : bool
        The median history is shorter than :data:`MIN_HISTORY_GAPS` mean gaps.
    identified : bool
        No problem was found: the estimates (and P(alive), CLV) can be read.
    problems : list of str
        One plain-language sentence per problem.

    Examples
    --------
    >>> from retention_kit.clv import BetaGeoModel, load_cdnow_summary
    >>> d = BetaGeoModel().fit(load_cdnow_summary()).diagnostics_
    >>> d.identified, d.problems
    (True, [])
    >>> str(d)
    'No problem found: the fit is identified.'
    """

    converged: bool
    hessian_positive_definite: bool
    finite_standard_errors: bool
    at_bound: tuple[str, ...]
    too_few_repeat_buyers: bool
    history_too_short: bool
    identified: bool
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.problems:
            return "No problem found: the fit is identified."
        return "\n".join(self.problems)


def diagnostics_box(
    diagnostics: FitDiagnostics, *, model: str = "The model", reasons: bool = True
) -> str:
    """Return a Markdown blockquote stating why a fit's P(alive) and CLV are not shown.

    Parameters
    ----------
    diagnostics : FitDiagnostics
        A fitted model's ``diagnostics_``.
    model : str
        The model's name, as the reader knows it (e.g. ``"BG/NBD"``).
    reasons : bool
        List the problems (default); False gives the heading alone, for the places after
        the first box that leave P(alive) or CLV out.

    Returns
    -------
    str
        Markdown (render it with ``IPython.display.Markdown``); empty when identified.

    Examples
    --------
    >>> d = FitDiagnostics(True, True, True, (), True, False, False, ["Only 2 bought again."])
    >>> print(diagnostics_box(d, model="BG/NBD"))
    > **Caution: BG/NBD is not identified by these data.**
    > P(alive) and customer value from it are not shown as findings.
    >
    > - Only 2 bought again.
    >>> print(diagnostics_box(d, model="BG/NBD", reasons=False))
    > **Caution: BG/NBD is not identified by these data.**
    > P(alive) and customer value from it are not shown as findings.
    """
    if diagnostics.identified:
        return ""
    lines = [
        f"> **Caution: {model} is not identified by these data.**",
        "> P(alive) and customer value from it are not shown as findings.",
    ]
    if reasons:
        lines += [">", *(f"> - {p}" for p in diagnostics.problems)]
    return "\n".join(lines)


def diagnose(
    model: Any,
    history: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> FitDiagnostics:
    """Check a just-fitted model; warn once when it is not identified.

    ``history`` is ``(x, t_x, T, weights)`` of a continuous-time fit (BG/NBD,
    Pareto/NBD), for the dropout, repeat-buyer and history-length rules.
    """
    name = type(model).__name__
    result = model._mle
    params = model.params_
    problems: list[str] = []
    pd_ok = bool(result.hessian_positive_definite)
    se_ok = bool(np.all(np.isfinite(result.std_error)))
    if not pd_ok:
        problems.append(
            "The likelihood is flat in some direction at the estimates (its Hessian is "
            "not positive definite): the data do not pin down all parameters."
        )
    if not se_ok:
        bad = [
            k
            for k, v in zip(model._param_names, result.std_error, strict=True)
            if not np.isfinite(v)
        ]
        problems.append(
            f"Standard errors could not be computed for {', '.join(bad)}: those estimates "
            "are not reliable."
        )
    bound = tuple(k for k in _SHAPES.get(name, ()) if not SHAPE_LOW <= params[k] <= SHAPE_HIGH)
    for k in bound:
        problems.append(
            f"Parameter {k} = {params[k]:.3g} is at the edge of its range (below "
            f"{SHAPE_LOW:g} or above {SHAPE_HIGH:g}): the data push it to a limit instead "
            "of estimating it."
        )
    few = short = False
    if history is not None:
        x, t_x, big_t, w = history
        if _no_dropout(name, params, big_t, w):
            problems.insert(0, DROPOUT_SENTENCE)
        repeat = x > 0
        n_repeat = float(w[repeat].sum())
        few = n_repeat < MIN_REPEAT_BUYERS
        if few:
            problems.append(
                f"Only {n_repeat:g} customers bought more than once (fewer than "
                f"{MIN_REPEAT_BUYERS}): too few to estimate purchase and dropout rates."
            )
        if n_repeat > 0:
            gap = float(np.average(t_x[repeat] / x[repeat], weights=w[repeat]))
            median_t = _weighted_median(big_t, w)
            short = median_t < MIN_HISTORY_GAPS * gap
            if short:
                problems.append(
                    f"The median customer history ({median_t:.3g} time units) is shorter "
                    f"than {MIN_HISTORY_GAPS:g} mean gaps between purchases "
                    f"({gap:.3g} each): a pause cannot be told apart from dropout."
                )
    diagnostics = FitDiagnostics(
        converged=True,
        hessian_positive_definite=pd_ok,
        finite_standard_errors=se_ok,
        at_bound=bound,
        too_few_repeat_buyers=few,
        history_too_short=short,
        identified=not problems,
        problems=problems,
    )
    if problems:
        warn(f"{name}.fit: {NOT_IDENTIFIED} " + " ".join(problems))
    return diagnostics


def _no_dropout(name: str, params: dict[str, float], big_t: np.ndarray, w: np.ndarray) -> bool:
    """Whether the estimates say nobody drops out (see the module docstring)."""
    if name == "BetaGeoModel":
        a, b = params["a"], params["b"]
        return a < SHAPE_LOW or b > SHAPE_HIGH or a / (a + b) < DROPOUT_LOW
    if name == "ParetoNBDModel":
        s, beta = params["s"], params["beta"]
        return s < SHAPE_LOW or s / beta * _weighted_median(big_t, w) < DROPOUT_LOW
    return False


def _weighted_median(values: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(w[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])
