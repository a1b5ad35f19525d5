"""Buy-till-you-die customer models fitted by exact maximum likelihood.

Five models of the Fader & Hardie family, each reproducing the estimates published on
the papers' own data (see :mod:`retention_kit.published_data`):

======================================  ===============================================
:class:`BetaGeoModel`                   BG/NBD, Fader, Hardie & Lee (2005a)
:class:`ParetoNBDModel`                 Pareto/NBD, Schmittlein, Morrison & Colombo
                                        (1987), as written in Fader & Hardie (2005)
:class:`GammaGammaModel`                spend per transaction, Fader, Hardie & Lee (2005b)
:class:`ShiftedBetaGeoModel`            sBG for subscriptions, Fader & Hardie (2007)
:class:`BetaGeoBetaBinomModel`          BG/BB for discrete opportunities, Fader, Hardie
                                        & Shang (2010)
======================================  ===============================================

The models follow scikit-learn: ``__init__`` stores settings only; ``fit`` validates the
data, sets the attributes that end in ``_`` and returns the model; predicting before
``fit`` raises :class:`~retention_kit.exceptions.NotFittedError`. Every fitted model has

- ``params_``: dict of the maximum-likelihood estimates;
- ``summary_``: DataFrame with columns ``parameter``, ``estimate``, ``std_error`` (from
  the inverse Hessian of the negative log-likelihood at the optimum) and ``ci_lower``,
  ``ci_upper`` (95% interval, computed on the log scale so that it stays positive);
- ``log_likelihood_``: the maximised log-likelihood;
- ``n_customers_``: the number of customers (the sum of the weights).

The likelihoods are evaluated in log space and maximised over the logs of the
parameters with BFGS and analytic gradients, preconditioned by the Hessian at a
data-driven start; further starting points are tried only when that one does not
converge. Identical customer histories are collapsed into weights and terms that depend
on the data only are computed once per distinct value before fitting. The Pareto/NBD
optimiser integrates the dropout term by Gauss-Legendre quadrature (agreeing with the
exact hypergeometric series to about 1e-13) and reports the exact log-likelihood. A final
Newton step with the Hessian (forward differences of the analytic gradient, also used for
the standard errors) polishes the estimates. The Gamma-Gamma model, whose exact Hessian
is cheap, is fitted by Newton's method from a moment estimate instead (BFGS only when
that fails), with the exact Hessian for its standard errors. A fit that does not converge raises
:class:`ConvergenceError` rather than returning estimates.

Time units are those of the data: with ``recency`` and ``T`` in weeks, ``t`` is in weeks.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln

from . import _likelihoods as lik
from .exceptions import InvalidDataError, NotFittedError, RetentionKitError, RetentionKitWarning

__all__ = [
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "ConvergenceError",
    "GammaGammaModel",
    "IndependenceCheck",
    "ParetoNBDModel",
    "ShiftedBetaGeoModel",
]

FloatArray = NDArray[np.float64]
FreqUnit = Literal["day", "week", "month"]
_PERIODS_PER_MONTH = {"day": 365.25 / 12, "week": 365.25 / 12 / 7, "month": 1.0}
_SHOWN = 5


class ConvergenceError(RetentionKitError, RuntimeError):
    """The maximum-likelihood optimiser stopped before it converged."""


# --------------------------------------------------------------------------------------
# validation


#: Index labels (customer ids) of the Series last validated under each argument name.
_LABELS: contextvars.ContextVar[dict[str, pd.Index] | None] = contextvars.ContextVar(
    "retention_kit_labels", default=None
)


def _remember_labels(values: Any, name: str) -> None:
    """Record the index of a Series argument (e.g. ``rfm['monetary_value']``) for messages."""
    labels = dict(_LABELS.get() or {})
    labels.pop(name, None)
    if isinstance(values, pd.Series):
        labels[name] = values.index
    _LABELS.set(labels)


def _shown(values: np.ndarray, positions: np.ndarray, name: str | None = None) -> str:
    """Describe the first offending values: by customer id for a Series, else by position.

    ``customer '17850': monetary_value=0`` when ``name`` was passed as a Series indexed by
    customer (as :func:`~retention_kit.rfm_summary` returns), ``at [96]=0`` otherwise.
    """
    labels = (_LABELS.get() or {}).get(name) if name is not None else None
    if labels is not None and len(labels) == values.size:
        ids = labels[positions[:_SHOWN]].tolist()  # plain Python values: '17850', 202
        pairs = ", ".join(
            f"customer {c!r}: {name}={float(values[i]):g}"
            for c, i in zip(ids, positions[:_SHOWN], strict=True)
        )
    else:
        pairs = "at " + ", ".join(f"[{int(i)}]={float(values[i]):g}" for i in positions[:_SHOWN])
    more = f" and {positions.size - _SHOWN} more" if positions.size > _SHOWN else ""
    return f"{pairs}{more}"


def _array(values: ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float array of finite numbers, or raise."""
    if isinstance(values, pd.DataFrame):
        msg = f"{name} must be one column (a Series or an array), got a DataFrame."
        raise InvalidDataError(msg)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        msg = (
            f"{name} must hold numbers; got {type(values).__name__} whose values could not "
            f"be read as floats. Convert it first, e.g. pd.to_numeric({name})."
        )
        raise InvalidDataError(msg) from None
    arr = np.atleast_1d(arr)
    _remember_labels(values, name)
    if arr.ndim != 1:
        msg = f"{name} must be one-dimensional, got shape {arr.shape}."
        raise InvalidDataError(msg)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        msg = (
            f"{name} has {bad.size} missing or infinite values: {_shown(arr, bad, name)}. Drop "
            f"or fill those customers before calling."
        )
        raise InvalidDataError(msg)
    return arr


def _check(condition: np.ndarray, arr: np.ndarray, name: str, problem: str, fix: str) -> None:
    """Raise :class:`InvalidDataError` naming the values where ``condition`` fails."""
    bad = np.flatnonzero(~condition)
    if bad.size:
        msg = f"{name} {problem}; {bad.size} value(s) are not: {_shown(arr, bad, name)}. {fix}"
        raise InvalidDataError(msg)


def _same_length(**arrays: FloatArray) -> int:
    """Check that every array has the same length and return it."""
    lengths = {k: v.size for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        msg = f"the customer arrays must have the same length, got {lengths}."
        raise InvalidDataError(msg)
    n = next(iter(lengths.values()))
    if n == 0:
        msg = f"no customers: {', '.join(lengths)} are empty."
        raise InvalidDataError(msg)
    return n


def _broadcast(**arrays: FloatArray) -> list[FloatArray]:
    """Broadcast per-customer arrays (scalars repeat), or raise naming the lengths."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        lengths = {k: v.size for k, v in arrays.items()}
        msg = f"the customer arrays must have the same length, got {lengths}."
        raise InvalidDataError(msg) from None


def _weights(weights: ArrayLike | None, n: int) -> FloatArray:
    """Validate optional customer counts; ones when ``None``."""
    if weights is None:
        return np.ones(n)
    w = _array(weights, "weights")
    if w.size != n:
        msg = f"weights must have one value per customer ({n}), got {w.size}."
        raise InvalidDataError(msg)
    _check(w >= 0, w, "weights", "must be >= 0 (customer counts)", "Pass counts or None.")
    if w.sum() <= 0:
        msg = "weights sum to 0: there is no customer to fit on."
        raise InvalidDataError(msg)
    return w


def _validate_rft(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, *, unit: str = "T"
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate continuous-time (frequency, recency, T) customer summaries."""
    x = _array(frequency, "frequency")
    t_x = _array(recency, "recency")
    big_t = _array(T, "T")
    x, t_x, big_t = _broadcast(frequency=x, recency=t_x, T=big_t)
    _check(
        (x >= 0) & (x == np.round(x)),
        x,
        "frequency",
        "must be whole numbers >= 0 (repeat purchases)",
        "frequency counts repeat purchase days: distinct purchase days minus one.",
    )
    _check(
        t_x >= 0, t_x, "recency", "must be >= 0", "recency is the time from first to last purchase."
    )
    _check(
        big_t > 0,
        big_t,
        "T",
        "must be > 0",
        f"{unit} is the time from first purchase to the end of observation.",
    )
    _check(
        t_x <= big_t * (1 + 1e-12),
        t_x,
        "recency",
        "must be <= T",
        "The last purchase cannot come after the end of observation; compute both in "
        "the same time unit.",
    )
    _check(
        (x > 0) | (t_x == 0),
        t_x,
        "recency",
        "must be 0 where frequency is 0",
        "a customer without repeat purchases has recency 0.",
    )
    return x.astype(float), t_x.astype(float), big_t.astype(float)


def _unique_rows(*columns: FloatArray) -> tuple[list[FloatArray], NDArray[np.intp]]:
    """Return the distinct rows of ``columns`` and, per input row, its distinct row."""
    n = columns[0].size
    order = np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    new = np.zeros(n, dtype=bool)
    new[:1] = True
    for c in ordered:
        new[1:] |= c[1:] != c[:-1]
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return [c[new] for c in ordered], inverse


def _collapse(
    columns: Sequence[FloatArray], weights: FloatArray
) -> tuple[list[FloatArray], FloatArray]:
    """Merge identical rows of ``columns`` into one row each, summing their weights."""
    keep = weights > 0
    unique, inverse = _unique_rows(*(c[keep] for c in columns))
    counts = np.bincount(inverse, weights=weights[keep], minlength=unique[0].size)
    return unique, counts


def _index_of(*values: Any) -> pd.Index | None:
    """Return the index of the first pandas Series among ``values``, if any."""
    for v in values:
        if isinstance(v, pd.Series):
            return v.index
    return None


def _wrap(result: FloatArray, index: pd.Index | None, name: str, scalar: bool) -> Any:
    """Return a Series on the callers' index, a float for scalar input, else an array."""
    if index is not None and result.size == len(index):
        return pd.Series(result, index=index, name=name)
    if scalar and result.size == 1:
        return float(result[0])
    return result


def _is_scalar(*values: Any) -> bool:
    """Whether every input is a scalar."""
    return all(np.ndim(v) == 0 for v in values)


# --------------------------------------------------------------------------------------
# maximum likelihood


LogLik = Callable[[FloatArray], tuple[float, FloatArray]]


@dataclass(frozen=True)
class _MLEResult:
    params: FloatArray
    log_likelihood: float
    std_error: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    n_iter: int


def _fmt(z: FloatArray) -> str:
    """Format log-parameters as a tuple of rounded parameters."""
    return "(" + ", ".join(f"{v:.4g}" for v in np.exp(z)) + ")"


def _maximize(
    loglik: LogLik,
    starts: Sequence[Sequence[float]],
    *,
    model: str,
    names: Sequence[str],
    maxiter: int,
    scale: float,
    exact: Callable[[FloatArray], float] | None = None,
    newton: lik.NewtonObjective | None = None,
) -> _MLEResult:
    """Maximise ``loglik`` over the logs of positive parameters.

    Starts are tried in order until one converges: the first is a data-driven guess, the
    others are fallbacks. ``exact``, when given, is the total log-likelihood to report at
    the optimum (the Pareto/NBD optimises a quadrature of its likelihood and reports the
    exact series).

    ``loglik(theta)`` returns the total log-likelihood and its gradient in ``theta``.
    The objective is the negative
    log-likelihood divided by ``scale`` (the number of customers), on ``log(theta)``.

    ``newton``, when given, returns the total log-likelihood, its gradient and its exact
    Hessian: Newton's method from the first start is tried before BFGS (a few steps
    instead of a few dozen evaluations), and the Hessian gives the standard errors;
    BFGS from the starts runs only when Newton's method fails.
    """
    if newton is not None:
        z0 = np.log(np.asarray(starts[0], dtype=float))
        found = _newton(newton, z0, scale, min(maxiter, 100))
        if found is not None:
            return _mle_result(
                found.z, found.log_likelihood, -found.hess, found.n_iter, model, names
            )

    def neg_mean(z: FloatArray) -> float:
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            value = loglik(np.exp(z))[0]
        return -value / scale if np.isfinite(value) else np.inf

    def objective(z: FloatArray) -> tuple[float, FloatArray]:
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            theta = np.exp(z)
            if not np.all(np.isfinite(theta) & (theta > 0)):
                return 1e20, np.zeros_like(z)
            value, grad = loglik(theta)
        if not np.isfinite(value):
            return 1e20, np.zeros_like(z)
        g = -grad * theta / scale
        if not np.all(np.isfinite(g)):
            return 1e20, np.zeros_like(z)
        return -value / scale, g

    best = None
    messages = []
    for start in starts:
        z0 = np.log(np.asarray(start, dtype=float))
        if not np.isfinite(neg_mean(z0)):
            messages.append(f"start {_fmt(z0)}: likelihood not finite")
            continue
        res = _bfgs(objective, loglik, z0, scale, maxiter)
        grad_ok = bool(np.all(np.isfinite(res.jac))) and float(np.max(np.abs(res.jac))) < 1e-5
        ok = np.isfinite(res.fun) and res.fun < 1e19 and (res.success or grad_ok)
        if res.status == 1:  # iteration limit: never accept
            ok = False
        messages.append(f"start {_fmt(z0)}: {res.message}")
        if ok:
            best = res
            break  # the next starts are only tried when this one fails
    if best is None:
        detail = "; ".join(str(m) for m in messages)
        msg = (
            f"{model}.fit did not converge from {len(starts)} starting points with "
            f"maxiter={maxiter} ({detail}). Increase maxiter, or check the data: the model "
            f"may not fit it (e.g. no repeat purchases at all)."
        )
        raise ConvergenceError(msg)
    # BFGS stops at a gradient of 1e-6 per customer; one Newton step with the Hessian
    # (needed anyway for the standard errors) takes the estimates to full precision.
    z, fun = best.x, best.fun
    grad = best.jac * scale
    hess = _hessian_log(loglik, z, grad)
    with np.errstate(all="ignore"):
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.full(z.size, np.nan)
    if np.all(np.isfinite(step)) and np.max(np.abs(step)) < 0.1:
        new_fun = objective(z - step)[0]
        if new_fun <= fun:
            z, fun = z - step, new_fun
    ll = -fun * scale if exact is None else exact(np.exp(z))
    return _mle_result(z, float(ll), hess, int(best.nit), model, names)


def _mle_result(
    z: FloatArray, ll: float, hess: FloatArray, n_iter: int, model: str, names: Sequence[str]
) -> _MLEResult:
    """Estimates, standard errors and 95% intervals from the optimum ``z = log(theta)``.

    ``hess`` is the Hessian of the negative total log-likelihood in ``z``.
    """
    theta = np.exp(z)
    std_log = np.full(z.size, np.nan)
    try:
        cov = np.linalg.inv(hess)
        if np.all(np.diag(cov) > 0) and np.all(np.isfinite(cov)):
            std_log = np.sqrt(np.diag(cov))
    except np.linalg.LinAlgError:
        pass
    if np.any(np.isnan(std_log)):
        import warnings

        from ._validation import find_stacklevel

        msg = (
            f"{model}: the Hessian of the negative log-likelihood is not positive definite "
            f"at the optimum, so std_error is NaN for {list(names)}; the estimates may "
            f"not be identified by these data."
        )
        warnings.warn(msg, RetentionKitWarning, stacklevel=find_stacklevel())
    return _MLEResult(
        params=theta,
        log_likelihood=float(ll),
        std_error=theta * std_log,
        ci_lower=np.exp(z - 1.959963984540054 * std_log),
        ci_upper=np.exp(z + 1.959963984540054 * std_log),
        n_iter=n_iter,
    )


@dataclass(frozen=True)
class _NewtonResult:
    z: FloatArray
    log_likelihood: float
    hess: FloatArray  # Hessian of the total log-likelihood in log-parameters
    n_iter: int


def _in_log_space(
    newton: lik.NewtonObjective, z: FloatArray
) -> tuple[float, FloatArray, FloatArray]:
    """Total log-likelihood, gradient and Hessian in ``z = log(theta)``."""
    theta = np.exp(z)
    value, grad, hess = newton(theta)
    g = grad * theta
    return value, g, hess * np.outer(theta, theta) + np.diag(g)


def _newton(
    newton: lik.NewtonObjective, z0: FloatArray, scale: float, maxiter: int
) -> _NewtonResult | None:
    """Maximise by Newton's method in log-parameters, with backtracking; None on failure.

    Where the Hessian is not negative definite the step uses it shifted past its largest
    eigenvalue (a Levenberg-Marquardt step); steps are capped at 2 in ``log(theta)``.
    Once the predicted gain ``g' H^-1 g / 2`` is below 1e-10 per customer the last
    Newton step is taken without a line search (quadratic convergence: the estimates are
    then at full precision, and the likelihood's rounding no longer decides anything).
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        z = np.asarray(z0, dtype=float)
        value, g, h = _in_log_space(newton, z)
        if not _finite(value, g, h):
            return None
        eye = np.eye(z.size)
        for it in range(1, maxiter + 1):
            neg = -h
            try:
                np.linalg.cholesky(neg)
                definite = True
            except np.linalg.LinAlgError:
                top = float(np.linalg.eigvalsh(neg)[0])
                neg = neg + (abs(top) + 1e-3 * max(1.0, float(np.abs(h).max()))) * eye
                definite = False
            step = np.linalg.solve(neg, g)
            if not np.all(np.isfinite(step)):
                return None
            slope = float(g @ step)
            if definite and slope < 1e-10 * scale:
                new = _in_log_space(newton, z + step)
                if _finite(*new) and new[0] >= value - 1e-9 * scale:
                    return _NewtonResult(z + step, new[0], new[2], it)
                return _NewtonResult(z, value, h, it)
            big = float(np.max(np.abs(step)))
            if big > 2.0:
                step *= 2.0 / big
                slope *= 2.0 / big
            t = 1.0
            while True:
                new = _in_log_space(newton, z + t * step)
                if _finite(*new) and new[0] >= value + 1e-4 * t * slope:
                    break
                t /= 2.0
                if t < 1e-6:
                    return None
            z = z + t * step
            value, g, h = new
    return None


def _finite(value: float, grad: FloatArray, hess: FloatArray) -> bool:
    return bool(np.isfinite(value) and np.isfinite(grad).all() and np.isfinite(hess).all())


def _bfgs(
    objective: Callable[[FloatArray], tuple[float, FloatArray]],
    loglik: LogLik,
    z0: FloatArray,
    scale: float,
    maxiter: int,
) -> Any:
    """Run BFGS from ``z0``, preconditioned by the Hessian there when it is positive.

    With ``L L' = H^-1`` at the start, BFGS runs on ``y`` where ``z = z0 + L y``: its
    first steps are then Newton steps rather than gradient steps (about a third fewer
    evaluations). The returned result is in ``z``.
    """
    f0, g0 = objective(z0)
    precond = None
    if f0 < 1e19:
        hess = _hessian_log(loglik, z0, g0 * scale) / scale
        with np.errstate(all="ignore"):
            try:
                precond = np.linalg.cholesky(np.linalg.inv(hess))
            except np.linalg.LinAlgError:
                precond = None
        if precond is not None and not np.all(np.isfinite(precond)):
            precond = None
    options = {"maxiter": maxiter, "gtol": 1e-6}
    if precond is None:
        return minimize(objective, z0, jac=True, method="BFGS", options=options)
    factor = precond

    def in_y(y: FloatArray) -> tuple[float, FloatArray]:
        value, grad = objective(z0 + factor @ y)
        return value, factor.T @ grad

    res = minimize(in_y, np.zeros(z0.size), jac=True, method="BFGS", options=options)
    res.x = z0 + factor @ res.x
    res.jac = objective(res.x)[1]
    return res


def _hessian_log(loglik: LogLik, z: FloatArray, grad: FloatArray, h: float = 1e-6) -> FloatArray:
    """Hessian of the negative total log-likelihood in log-parameters, at ``z``.

    Forward differences of the analytic gradient (``grad``, the gradient of the negative
    total log-likelihood in ``z`` at ``z``): one gradient per parameter; symmetrised.
    """
    k = z.size
    hess = np.empty((k, k))
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        for j in range(k):
            zj = z.copy()
            zj[j] += h
            theta = np.exp(zj)
            hess[:, j] = (-loglik(theta)[1] * theta - grad) / h
    return (hess + hess.T) / 2


# --------------------------------------------------------------------------------------
# base class


class _FittedModel:
    """Shared fitted-state handling: ``params_``, ``summary_`` and the not-fitted error."""

    _param_names: tuple[str, ...] = ()
    _fit_signature = "fit(...)"

    def __init__(self, *, maxiter: int = 1000, n_starts: int = 3) -> None:
        self.maxiter = maxiter
        self.n_starts = n_starts

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
            return f"{type(self).__name__}({inner}; fitted on {self.n_customers_:g})"
        return f"{type(self).__name__}(maxiter={self.maxiter}, n_starts={self.n_starts})"

    def _check_settings(self) -> None:
        if not (isinstance(self.maxiter, int | np.integer) and self.maxiter >= 1):
            msg = f"maxiter must be a positive integer, got {self.maxiter!r}."
            raise RetentionKitError(msg)
        if not (isinstance(self.n_starts, int | np.integer) and self.n_starts >= 1):
            msg = f"n_starts must be a positive integer, got {self.n_starts!r}."
            raise RetentionKitError(msg)

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "params_"):
            msg = (
                f"this {type(self).__name__} is not fitted yet: call "
                f"{self._fit_signature} before {method}()."
            )
            raise NotFittedError(msg)

    def _run_fit(
        self,
        loglik: LogLik,
        starts: Sequence[Sequence[float]],
        n: float,
        exact: Callable[[FloatArray], float] | None = None,
        newton: lik.NewtonObjective | None = None,
    ) -> None:
        self._check_settings()
        result = _maximize(
            loglik,
            list(starts)[: self.n_starts],
            model=type(self).__name__,
            names=self._param_names,
            maxiter=int(self.maxiter),
            scale=float(n),
            exact=exact,
            newton=newton,
        )
        self.params_ = {k: float(v) for k, v in zip(self._param_names, result.params, strict=True)}
        self._mle = result
        self._summary: pd.DataFrame | None = None
        self.log_likelihood_ = result.log_likelihood
        self.n_customers_ = float(n)
        self.n_iter_ = result.n_iter

    @property
    def summary_(self) -> pd.DataFrame:
        """Estimates, standard errors and 95% intervals, one row per parameter.

        Built from the fit's results on first access (a DataFrame costs more than some
        fits), then kept.
        """
        result = self.__dict__.get("_mle")
        if result is None:
            msg = f"{type(self).__name__!r} object has no attribute 'summary_'"
            raise AttributeError(msg)
        if self._summary is None:
            self._summary = pd.DataFrame(
                {
                    "parameter": list(self._param_names),
                    "estimate": result.params,
                    "std_error": result.std_error,
                    "ci_lower": result.ci_lower,
                    "ci_upper": result.ci_upper,
                }
            )
        return self._summary

    def _theta(self) -> FloatArray:
        return np.array([self.params_[k] for k in self._param_names])


class _ContinuousModel(_FittedModel):
    """Shared API of the continuous-time models (BG/NBD, Pareto/NBD)."""

    _fit_signature = "fit(frequency, recency, T)"

    def _objective(self, x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray) -> LogLik:
        raise NotImplementedError

    def _exact(
        self, x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray
    ) -> Callable[[FloatArray], float] | None:
        return None

    def _starts(
        self, x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray
    ) -> list[list[float]]:
        raise NotImplementedError

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> Any:
        """Fit the model by maximum likelihood on customer summaries.

        Parameters
        ----------
        frequency : array-like of int
            Repeat purchases of each customer in the calibration period (``x``).
        recency : array-like of float
            Time from the first to the last purchase (``t_x``); 0 when ``frequency`` is 0.
        T : array-like of float
            Time from the first purchase to the end of the calibration period.
        weights : array-like of float, optional
            Number of customers with each history (default one each).

        Returns
        -------
        self
            The fitted model.

        Raises
        ------
        InvalidDataError
            When a value is negative, missing, ``recency > T`` or the lengths differ.
        ConvergenceError
            When the optimiser does not converge.
        """
        x, t_x, big_t = _validate_rft(frequency, recency, T)
        n = _same_length(frequency=x, recency=t_x, T=big_t)
        w = _weights(weights, n)
        (x, t_x, big_t), counts = _collapse([x, t_x, big_t], w)
        self._run_fit(
            self._objective(x, t_x, big_t, counts),
            self._starts(x, t_x, big_t, counts),
            counts.sum(),
            exact=self._exact(x, t_x, big_t, counts),
        )
        self.calibration_frequency_ = x
        self.calibration_T_ = big_t
        self.calibration_weights_ = counts
        return self

    def expected_purchases_new_customer(self, t: ArrayLike) -> Any:
        """Return the expected repeat purchases of a new customer in ``(0, t]``.

        Parameters
        ----------
        t : float or array-like of float
            Time since the first purchase, in the unit of the data.

        Returns
        -------
        float or numpy.ndarray
            ``E[X(t)]``.
        """
        self._check_fitted("expected_purchases_new_customer")
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t is a duration since the first purchase.")
        return _wrap(self._new_customer(tt), _index_of(t), "expected_purchases", _is_scalar(t))

    def _new_customer(self, t: FloatArray) -> FloatArray:
        raise NotImplementedError

    def expected_repeat_purchases_population(
        self, times: ArrayLike, *, birth_times: ArrayLike | None = None
    ) -> FloatArray:
        """Return cumulative expected repeat purchases of a population over time.

        For the tracking plot: each customer is born (first purchase) at their birth time
        and makes ``E[X(t - birth)]`` repeat purchases by time ``t``.

        Parameters
        ----------
        times : array-like of float
            Times since the earliest birth, in the unit of the data.
        birth_times : array-like of float, optional
            Birth time of each customer. By default, the calibration customers, born at
            ``max(T) - T`` (they share one end of calibration).

        Returns
        -------
        numpy.ndarray
            Expected cumulative repeat purchases at each of ``times``, summed over the
            customers.
        """
        self._check_fitted("expected_repeat_purchases_population")
        tt = _array(times, "times")
        if birth_times is None:
            births = self.calibration_T_.max() - self.calibration_T_
            w = self.calibration_weights_
        else:
            births = _array(birth_times, "birth_times")
            w = np.ones(births.size)
        births, inverse = np.unique(births, return_inverse=True)
        w = np.bincount(inverse.ravel(), weights=w)
        ages = np.clip(tt[:, None] - births[None, :], 0.0, None)
        return self._new_customer(ages.ravel()).reshape(ages.shape) @ w


def _rft_starts(
    x: FloatArray, T: FloatArray, w: FloatArray, shapes: Sequence[tuple[float, float, float]]
) -> list[list[float]]:
    """Return starting points ``(r, alpha, a_or_s, b_or_beta)`` in the data's time unit."""
    mean_x = max(float(np.average(x, weights=w)), 0.05)
    mean_t = float(np.average(T, weights=w))
    out = []
    for r, c, d in shapes:
        alpha = r * mean_t / mean_x
        out.append([r, alpha, c, d])
    return out


class BetaGeoModel(_ContinuousModel):
    """BG/NBD model of repeat purchases and dropout (Fader, Hardie & Lee 2005).

    While alive, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; after each
    purchase they drop out with probability ``p ~ Beta(a, b)``.

    Parameters
    ----------
    maxiter : int, default 1000
        Iteration limit of the optimiser, per starting point.
    n_starts : int, default 3
        Most starting points tried (the next only when the previous does not converge).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``a``, ``b``.
    summary_ : pandas.DataFrame
        Estimates, standard errors and 95% intervals.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : float
        Number of customers fitted.

    Examples
    --------
    >>> from retention_kit.published_data import load_cdnow_summary
    >>> from retention_kit.clv_models import BetaGeoModel
    >>> s = load_cdnow_summary()
    >>> model = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    >>> round(model.log_likelihood_, 1)
    -9582.4
    >>> round(model.expected_purchases(39, 2, 30.43, 38.86), 3)
    1.226
    """

    _param_names = ("r", "alpha", "a", "b")

    def _objective(self, x, t_x, T, w):
        return lik.bgnbd_objective(x, t_x, T, w)

    def _starts(self, x, t_x, T, w):
        return _rft_starts(x, T, w, [(0.5, 0.5, 3.0), (1.0, 1.0, 1.0), (2.0, 2.0, 0.5)])

    def _new_customer(self, t: FloatArray) -> FloatArray:
        r, alpha, a, b = self._theta()
        z = t / (alpha + t)
        log_f = lik.log_hyp2f1(r, b, a + b - 1.0, z)
        inner = -np.expm1(r * np.log(alpha / (alpha + t)) + log_f)
        return (a + b - 1.0) / (a - 1.0) * inner

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Return the probability that each customer is still alive at ``T``.

        Parameters
        ----------
        frequency, recency, T : array-like
            Customer summaries as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            ``P(alive | x, t_x, T)``; exactly 1 for customers without repeat purchases.

        Examples
        --------
        >>> from retention_kit.published_data import load_cdnow_summary
        >>> s = load_cdnow_summary()
        >>> m = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
        >>> m.probability_alive(0, 0, 38.86)
        1.0
        """
        self._check_fitted("probability_alive")
        x, t_x, big_t = _validate_rft(frequency, recency, T)
        p = self._p_alive(x, t_x, big_t)
        idx = _index_of(frequency, recency, T)
        return _wrap(p, idx, "probability_alive", _is_scalar(frequency, recency, T))

    def expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Return each customer's expected purchases in the next ``t`` time units.

        The conditional expectation ``E[Y(t) | x, t_x, T]``, eq. (10) of Fader, Hardie &
        Lee (2005).

        Parameters
        ----------
        t : float or array-like
            Length of the future period, in the unit of the data.
        frequency, recency, T : array-like
            Customer summaries as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Expected purchases.
        """
        self._check_fitted("expected_purchases")
        x, t_x, big_t = _validate_rft(frequency, recency, T)
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t is the length of the future period.")
        tt, x, t_x, big_t = _broadcast(t=tt, frequency=x, recency=t_x, T=big_t)
        out = self._conditional(tt, x, t_x, big_t)
        idx = _index_of(frequency, recency, T, t)
        return _wrap(out, idx, "expected_purchases", _is_scalar(t, frequency, recency, T))

    def _top(self, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
        """Return ``E[Y(t) | x, T]`` of a customer known to be alive at ``T``."""
        r, alpha, a, b = self._theta()
        z = t / (alpha + T + t)
        log_f = lik.log_hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        inner = -np.expm1((r + x) * np.log((alpha + T) / (alpha + T + t)) + log_f)
        return (a + b + x - 1.0) / (a - 1.0) * inner

    def _p_alive(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        r, alpha, a, b = self._theta()
        with np.errstate(divide="ignore", over="ignore"):
            log_ratio = (
                np.log(a)
                - np.log(np.where(x > 0, b + x - 1.0, 1.0))
                + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
            )
            return np.where(x > 0, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)

    def _conditional(self, t, x, t_x, T) -> FloatArray:
        # The hypergeometric part depends on (t, x, T) only: compute it once per distinct row.
        (ut, ux, u_big_t), inverse = _unique_rows(t, x, T)
        return self._top(ut, ux, u_big_t)[inverse] * self._p_alive(x, t_x, T)


class ParetoNBDModel(_ContinuousModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    While alive, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; their
    lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. The likelihood uses the
    Gaussian hypergeometric function, summed in log space with its argument kept in
    ``[0, 1)`` by expanding around the larger of ``alpha`` and ``beta`` (Fader & Hardie
    2005, "A note on deriving the Pareto/NBD model").

    Parameters
    ----------
    maxiter : int, default 1000
        Iteration limit of the optimiser, per starting point.
    n_starts : int, default 3
        Most starting points tried (the next only when the previous does not converge).

    Attributes
    ----------
    params_ : dict
        ``r``, ``alpha``, ``s``, ``beta``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`.

    Examples
    --------
    >>> from retention_kit.published_data import load_cdnow_summary
    >>> from retention_kit.clv_models import ParetoNBDModel
    >>> s = load_cdnow_summary()
    >>> model = ParetoNBDModel().fit(s["frequency"], s["recency"], s["T"])
    >>> {k: round(v, 2) for k, v in model.params_.items()}
    {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
    >>> round(model.log_likelihood_, 1)
    -9595.0
    """

    _param_names = ("r", "alpha", "s", "beta")

    def _objective(self, x, t_x, T, w):
        return lik.pareto_nbd_objective(x, t_x, T, w)

    def _exact(self, x, t_x, T, w):
        return lambda theta: float(w @ lik.pareto_nbd_loglik(theta, x, t_x, T)[0])

    def _starts(self, x, t_x, T, w):
        mean_t = float(np.average(T, weights=w))
        starts = _rft_starts(x, T, w, [(0.5, 0.5, 1.0), (1.0, 1.0, 1.0), (2.0, 2.0, 1.0)])
        for st in starts:
            st[3] = st[2] * mean_t  # mean lifetime about the observation length
        return starts

    def _new_customer(self, t: FloatArray) -> FloatArray:
        r, alpha, s, beta = self._theta()
        return r * beta / alpha * _one_minus_power_over(s - 1.0, np.log1p(t / beta))

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Return the probability that each customer is still alive at ``T``.

        Parameters
        ----------
        frequency, recency, T : array-like
            Customer summaries as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            ``P(alive | x, t_x, T)``.
        """
        self._check_fitted("probability_alive")
        x, t_x, big_t = _validate_rft(frequency, recency, T)
        p = np.exp(lik.pareto_nbd_loglik(self._theta(), x, t_x, big_t)[1])
        idx = _index_of(frequency, recency, T)
        return _wrap(p, idx, "probability_alive", _is_scalar(frequency, recency, T))

    def expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any:
        """Return each customer's expected purchases in the next ``t`` time units.

        Parameters
        ----------
        t : float or array-like
            Length of the future period, in the unit of the data.
        frequency, recency, T : array-like
            Customer summaries as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            ``E[Y(t) | x, t_x, T]`` (Fader & Hardie 2005, eq. 22).
        """
        self._check_fitted("expected_purchases")
        x, t_x, big_t = _validate_rft(frequency, recency, T)
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t is the length of the future period.")
        tt, x, t_x, big_t = _broadcast(t=tt, frequency=x, recency=t_x, T=big_t)
        out = self._conditional(tt, x, t_x, big_t)
        idx = _index_of(frequency, recency, T, t)
        return _wrap(out, idx, "expected_purchases", _is_scalar(t, frequency, recency, T))

    def _conditional(self, t, x, t_x, T, p_alive=None) -> FloatArray:
        r, alpha, s, beta = self._theta()
        if p_alive is None:
            p_alive = np.exp(lik.pareto_nbd_loglik(self._theta(), x, t_x, T)[1])
        rate = (r + x) * (beta + T) / (alpha + T)
        return rate * _one_minus_power_over(s - 1.0, np.log1p(t / (beta + T))) * p_alive


def _one_minus_power_over(c: float, log_ratio: FloatArray) -> FloatArray:
    """Return ``(1 - exp(-c * log_ratio)) / c``, continuous at ``c = 0``."""
    if abs(c) < 1e-10:
        return log_ratio
    return -np.expm1(-c * log_ratio) / c


# --------------------------------------------------------------------------------------
# Gamma-Gamma


class _PurchaseModel(Protocol):
    def expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> Any: ...


@dataclass(frozen=True)
class IndependenceCheck:
    """Correlation between purchase frequency and average spend of repeat customers.

    Attributes
    ----------
    correlation : float
        Pearson correlation between ``frequency`` and ``monetary_value``.
    n_customers : int
        Customers used (those with ``frequency > 0``).
    note : str
        Plain-language reading of the correlation for the Gamma-Gamma assumption.
    """

    correlation: float
    n_customers: int
    note: str


def _gamma_gamma_start(x: FloatArray, m: FloatArray, w: FloatArray) -> list[float]:
    """Moment estimates of ``(p, q, gamma)``: the Gamma-Gamma fit's first start.

    Given ``nu``, ``m`` has mean ``p / nu`` and variance ``p / (x nu^2)``, so
    ``E[m^2 | x] = (p^2 + p / x) E[nu^-2]``: the weighted regression of ``m^2`` on
    ``1 / x`` has slope / intercept ``1 / p``. Then ``E[m^2] / E[m]^2 = (1 + E[1/x] / p)
    (q - 1) / (q - 2)`` gives ``q``, and ``E[m] = p gamma / (q - 1)`` gives ``gamma``.
    Each estimate is clipped to a sensible range; Newton's method does the rest.
    """
    total = float(w.sum())
    inv_x = 1.0 / x
    m2 = m * m
    mean_ix = float(w @ inv_x) / total
    mean_m = float(w @ m) / total
    mean_m2 = float(w @ m2) / total
    var_ix = float(w @ (inv_x - mean_ix) ** 2) / total
    slope = float(w @ ((inv_x - mean_ix) * m2)) / total / var_ix if var_ix > 0 else 0.0
    intercept = mean_m2 - slope * mean_ix
    p = intercept / slope if slope > 0 and intercept > 0 else 2.0
    p = min(max(p, 0.5), 50.0)
    ratio = mean_m2 / (mean_m * mean_m) / (1.0 + mean_ix / p)
    q = (2.0 * ratio - 1.0) / (ratio - 1.0) if ratio > 1.0 else 20.0
    q = min(max(q, 2.1), 50.0)
    return [p, q, mean_m * (q - 1.0) / p]


class GammaGammaModel(_FittedModel):
    """Gamma-Gamma model of the average spend per transaction (Fader, Hardie & Lee 2005).

    A customer's spend per transaction is Gamma(``p``, ``nu``) around their mean
    ``p / nu``, with ``nu ~ Gamma(q, gamma)`` across customers. The model assumes spend is
    independent of purchase frequency: see :meth:`check_independence`.

    Parameters
    ----------
    maxiter : int, default 1000
        Iteration limit of the optimiser, per starting point.
    n_starts : int, default 3
        Most starting points tried (the next only when the previous does not converge).

    Attributes
    ----------
    params_ : dict
        ``p``, ``q``, ``gamma``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`.

    Examples
    --------
    >>> import numpy as np
    >>> from retention_kit.clv_models import GammaGammaModel
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 8, size=2000)
    >>> nu = rng.gamma(4.0, 1 / 20.0, size=2000)
    >>> spend = rng.gamma(6.0 * x, 1 / (nu * x))
    >>> model = GammaGammaModel().fit(x, spend)
    >>> sorted(model.params_)
    ['gamma', 'p', 'q']
    """

    _param_names = ("p", "q", "gamma")
    _fit_signature = "fit(frequency, monetary_value)"

    @staticmethod
    def _validate(
        frequency: ArrayLike, monetary_value: ArrayLike, *, repeat_only: bool
    ) -> tuple[FloatArray, FloatArray]:
        x = _array(frequency, "frequency")
        m = _array(monetary_value, "monetary_value")
        x, m = _broadcast(frequency=x, monetary_value=m)
        _check(
            (x >= 0) & (x == np.round(x)),
            x,
            "frequency",
            "must be whole numbers >= 0",
            "frequency counts repeat purchases.",
        )
        if repeat_only:
            _check(
                x > 0,
                x,
                "frequency",
                "must be > 0 (the Gamma-Gamma model is fitted on repeat customers)",
                "Keep repeat customers only, e.g. fit(f[f > 0], m[f > 0]).",
            )
            _check(
                m > 0,
                m,
                "monetary_value",
                "must be > 0 (spend per repeat purchase)",
                "The Gamma-Gamma model needs positive spend: fit on customers with positive "
                "repeat spend: rfm[rfm['monetary_value'] > 0].",
            )
        return x.astype(float), m.astype(float)

    def fit(
        self,
        frequency: ArrayLike,
        monetary_value: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> GammaGammaModel:
        """Fit the model on repeat customers.

        Parameters
        ----------
        frequency : array-like of int
            Number of repeat transactions (``x > 0``).
        monetary_value : array-like of float
            Mean spend of those repeat transactions (``m_x > 0``).
        weights : array-like of float, optional
            Number of customers with each row (default one each).

        Returns
        -------
        GammaGammaModel
            The fitted model.

        Raises
        ------
        InvalidDataError
            When a frequency is 0 or a spend is not positive.
        ConvergenceError
            When the optimiser does not converge.
        """
        x, m = self._validate(frequency, monetary_value, repeat_only=True)
        n = _same_length(frequency=x, monetary_value=m)
        (x, m), counts = _collapse([x, m], _weights(weights, n))
        newton = lik.gamma_gamma_newton_objective(x, m, counts)

        def loglik(theta: FloatArray) -> tuple[float, FloatArray]:
            value, grad, _ = newton(theta, hessian=False)
            return value, grad

        mean_m = float(np.average(m, weights=counts))
        starts = [
            _gamma_gamma_start(x, m, counts),
            [1.0, 1.0, mean_m],
            [5.0, 3.0, mean_m],
            [2.0, 5.0, 2 * mean_m],
        ]
        self._run_fit(loglik, starts, counts.sum(), newton=newton)
        return self

    def expected_average_spend(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Any:
        """Return each customer's expected spend per transaction.

        ``E[M | p, q, gamma, m_x, x]``: a weighted mean of the population mean
        ``p * gamma / (q - 1)`` and the customer's own mean ``m_x``, with weight
        ``p * x / (p * x + q - 1)`` on the latter. Customers with ``x = 0`` get the
        population mean.

        Parameters
        ----------
        frequency : array-like of int
            Repeat transactions.
        monetary_value : array-like of float
            Mean spend of the repeat transactions (ignored where ``frequency`` is 0).

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Expected spend per transaction.
        """
        self._check_fitted("expected_average_spend")
        x, m = self._validate(frequency, monetary_value, repeat_only=False)
        p, q, v = self._theta()
        if q <= 1:
            msg = (
                f"expected_average_spend needs q > 1 (the population mean spend is "
                f"p * gamma / (q - 1)), but the fitted q is {q:.4g}."
            )
            raise RetentionKitError(msg)
        weight = p * x / (p * x + q - 1.0)
        out = (1.0 - weight) * p * v / (q - 1.0) + weight * np.where(x > 0, m, 0.0)
        idx = _index_of(frequency, monetary_value)
        return _wrap(out, idx, "expected_average_spend", _is_scalar(frequency, monetary_value))

    @staticmethod
    def check_independence(frequency: ArrayLike, monetary_value: ArrayLike) -> IndependenceCheck:
        """Check the model's assumption that spend does not depend on frequency.

        Parameters
        ----------
        frequency : array-like of int
            Repeat transactions; customers with 0 are left out.
        monetary_value : array-like of float
            Mean spend of the repeat transactions.

        Returns
        -------
        IndependenceCheck
            Pearson correlation of the repeat customers and a note.

        Examples
        --------
        >>> GammaGammaModel.check_independence([1, 2, 3, 4], [10.0, 12.0, 9.0, 11.0]).note[:5]
        'weak '
        """
        x, m = GammaGammaModel._validate(frequency, monetary_value, repeat_only=False)
        keep = x > 0
        if keep.sum() < 3:
            msg = (
                f"check_independence needs at least 3 customers with frequency > 0, got "
                f"{int(keep.sum())}."
            )
            raise InvalidDataError(msg)
        corr = float(np.corrcoef(x[keep], m[keep])[0, 1])
        size = abs(corr)
        if size < 0.3:
            note = (
                f"weak correlation ({corr:.3f}): the independence assumption of the "
                f"Gamma-Gamma model is reasonable."
            )
        else:
            note = (
                f"correlation {corr:.3f} is not small: spend depends on frequency, so the "
                f"Gamma-Gamma model's independence assumption is doubtful."
            )
        return IndependenceCheck(correlation=corr, n_customers=int(keep.sum()), note=note)

    def customer_lifetime_value(
        self,
        purchase_model: _PurchaseModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        time: int = 12,
        discount_rate: float = 1.0,
        freq_unit: FreqUnit = "week",
    ) -> Any:
        """Return the discounted value of each customer's expected purchases.

        ``CLV = sum_{i=1..time} (E[Y(t_i)] - E[Y(t_{i-1})]) * E[M] / (1 + d)^i`` with
        monthly steps ``t_i`` (in the data's unit), the purchase model's conditional
        expectation ``E[Y]`` and this model's expected spend ``E[M]``.

        Parameters
        ----------
        purchase_model : BetaGeoModel or ParetoNBDModel
            A fitted purchase model.
        frequency, recency, T : array-like
            Customer summaries, in ``freq_unit``.
        monetary_value : array-like of float
            Mean spend of the repeat purchases (any value where ``frequency`` is 0).
        time : int, default 12
            Horizon in months.
        discount_rate : float, default 1.0
            Discount rate per month, in percent like every rate of the package (1.0 % a
            month is about 12.7 % a year).
        freq_unit : {"day", "week", "month"}, default "week"
            Time unit of ``recency`` and ``T`` (a month is 365.25 / 12 days).

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Customer lifetime value in the unit of ``monetary_value``.

        Examples
        --------
        >>> import numpy as np
        >>> from retention_kit.clv_models import BetaGeoModel, GammaGammaModel
        >>> bg = BetaGeoModel()
        >>> bg.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # published
        >>> gg = GammaGammaModel()
        >>> gg.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
        >>> clv = gg.customer_lifetime_value(bg, [0, 2], [0.0, 30.43], [38.86, 38.86],
        ...                                  [0.0, 22.35], time=12, discount_rate=1.0)
        >>> np.round(clv, 2)
        array([ 8.37, 36.31])
        """
        self._check_fitted("customer_lifetime_value")
        if not hasattr(purchase_model, "expected_purchases"):
            msg = (
                f"purchase_model must be a fitted BetaGeoModel or ParetoNBDModel, got "
                f"{type(purchase_model).__name__}."
            )
            raise RetentionKitError(msg)
        if freq_unit not in _PERIODS_PER_MONTH:
            msg = f"freq_unit must be one of {list(_PERIODS_PER_MONTH)}, got {freq_unit!r}."
            raise RetentionKitError(msg)
        if not (isinstance(time, int | np.integer) and time >= 1):
            msg = f"time must be a whole number of months >= 1, got {time!r}."
            raise RetentionKitError(msg)
        if not (np.isfinite(discount_rate) and discount_rate > -100):
            msg = (
                f"discount_rate is a percentage per month (e.g. 1.0 for 1 %), > -100; got "
                f"{discount_rate!r}."
            )
            raise RetentionKitError(msg)
        x, t_x, big_t = _validate_rft(frequency, recency, T)
        _, m = self._validate(x, monetary_value, repeat_only=False)
        _same_length(frequency=x, recency=t_x, T=big_t, monetary_value=m)
        spend = np.asarray(self.expected_average_spend(x, m), dtype=float)
        per_month = _PERIODS_PER_MONTH[freq_unit]
        cumulative = _cumulative_expected(
            purchase_model, np.arange(1, time + 1) * per_month, x, t_x, big_t
        )
        increments = np.diff(cumulative, axis=0, prepend=0.0)
        discount = (1.0 + discount_rate / 100) ** -np.arange(1, time + 1, dtype=float)
        out = spend * (discount @ increments)
        idx = _index_of(frequency, recency, T, monetary_value)
        scalar = _is_scalar(frequency, recency, T, monetary_value)
        return _wrap(out, idx, "clv", scalar)


def _cumulative_expected(
    model: _PurchaseModel, steps: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return expected purchases in ``(0, step]`` per step (rows) and customer (columns)."""
    if isinstance(model, ParetoNBDModel):
        model._check_fitted("expected_purchases")
        p_alive = np.exp(lik.pareto_nbd_loglik(model._theta(), x, t_x, T)[1])
        return np.stack([model._conditional(s, x, t_x, T, p_alive) for s in steps])
    if isinstance(model, BetaGeoModel):
        model._check_fitted("expected_purchases")
        (ux, u_big_t), inverse = _unique_rows(x, T)
        p_alive = model._p_alive(x, t_x, T)
        return np.stack([model._top(np.full(ux.size, s), ux, u_big_t)[inverse] for s in steps]) * (
            p_alive
        )
    return np.stack([np.asarray(model.expected_purchases(s, x, t_x, T)) for s in steps])


# --------------------------------------------------------------------------------------
# sBG


class ShiftedBetaGeoModel(_FittedModel):
    """Shifted-beta-geometric model of contract renewals (Fader & Hardie 2007).

    Each customer churns at the end of each period with a constant probability
    ``theta ~ Beta(alpha, beta)``. Heterogeneity makes the cohort's retention rate rise
    with tenure.

    Parameters
    ----------
    maxiter : int, default 1000
        Iteration limit of the optimiser, per starting point.
    n_starts : int, default 3
        Most starting points tried (the next only when the previous does not converge).

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`; ``n_customers_`` is the cohort size at period 0.
    n_periods_ : int
        Number of observed periods used in the fit.

    Examples
    --------
    >>> from retention_kit.published_data import sbg_survival_tables
    >>> from retention_kit.clv_models import ShiftedBetaGeoModel
    >>> regular = sbg_survival_tables()["regular"]
    >>> model = ShiftedBetaGeoModel().fit(regular.loc[:7])
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 0.704, 'beta': 1.182}
    >>> model.survival([8, 12]).round(1)
    array([22., 17.])
    """

    _param_names = ("alpha", "beta")
    _fit_signature = "fit(survival)"

    def fit(
        self, survival: ArrayLike | None = None, *, retention: ArrayLike | None = None
    ) -> ShiftedBetaGeoModel:
        """Fit the model on a cohort's survival curve or its retention rates.

        Parameters
        ----------
        survival : array-like of float, optional
            Customers still active at the start (period 0) and after periods 1..n, as
            counts or percents (the first value is the cohort size, e.g. 1000 or 100).
        retention : array-like of float, optional
            Instead of ``survival``: retention rates of periods 1..n in percent (share of
            the previous period's customers who renewed). Treated as a cohort of 100.

        Returns
        -------
        ShiftedBetaGeoModel
            The fitted model.

        Raises
        ------
        InvalidDataError
            When the curve increases, has negative values, or both/neither inputs are
            given.
        """
        if (survival is None) == (retention is None):
            msg = (
                "pass exactly one of survival (customers alive at periods 0..n) or "
                "retention= (retention rates of periods 1..n in percent)."
            )
            raise InvalidDataError(msg)
        if retention is not None:
            rates = _array(retention, "retention")
            _check(
                (rates >= 0) & (rates <= 100),
                rates,
                "retention",
                "must be percentages in [0, 100]",
                "Pass rates such as 63.1, not shares such as 0.631... or multiply by 100.",
            )
            curve = 100.0 * np.concatenate([[1.0], np.cumprod(rates / 100.0)])
        else:
            curve = _array(survival, "survival")
            _check(curve >= 0, curve, "survival", "must be >= 0", "Pass counts or percents.")
            if curve.size < 2:
                msg = (
                    f"survival needs the cohort size and at least one later period, got "
                    f"{curve.size} value(s)."
                )
                raise InvalidDataError(msg)
            if curve[0] <= 0:
                msg = f"survival[0] is the cohort size and must be > 0, got {curve[0]!r}."
                raise InvalidDataError(msg)
            increases = np.flatnonzero(np.diff(curve) > 1e-12 * curve[0]) + 1
            if increases.size:
                msg = (
                    f"survival must not increase from one period to the next, but it does "
                    f"{_shown(curve, increases, 'survival')}. Pass customers of one cohort "
                    f"alive at periods 0, 1, 2, ... (not new customers)."
                )
                raise InvalidDataError(msg)
        n = curve.size - 1
        periods = np.arange(1, n + 1, dtype=float)
        t = np.concatenate([periods, [float(n)]])
        alive = np.concatenate([np.zeros(n), [1.0]])
        counts = np.concatenate([curve[:-1] - curve[1:], [curve[-1]]])

        def loglik(theta: FloatArray) -> tuple[float, FloatArray]:
            ll, grad = lik.sbg_loglik(theta, t, alive)
            keep = counts > 0
            return float(counts[keep] @ ll[keep]), counts[keep] @ grad[keep]

        self._run_fit(loglik, [[1.0, 1.0], [0.5, 2.0], [2.0, 0.5]], curve[0])
        self.n_periods_ = n
        return self

    def survival(self, t: ArrayLike) -> Any:
        """Return the percent of the cohort still active after ``t`` periods.

        Parameters
        ----------
        t : int or array-like of int
            Periods since acquisition (0 gives 100).

        Returns
        -------
        numpy.ndarray or float
            ``100 * B(alpha, beta + t) / B(alpha, beta)``.
        """
        self._check_fitted("survival")
        tt = _array(t, "t")
        _check(tt >= 0, tt, "t", "must be >= 0", "t counts periods since acquisition.")
        alpha, beta = self._theta()
        out = 100.0 * np.exp(betaln(alpha, beta + tt) - betaln(alpha, beta))
        return _wrap(out, _index_of(t), "survival", _is_scalar(t))

    def retention_rate(self, t: ArrayLike) -> Any:
        """Return the percent of customers active after ``t - 1`` periods who renew at ``t``.

        Parameters
        ----------
        t : int or array-like of int
            Period, from 1.

        Returns
        -------
        numpy.ndarray or float
            ``100 * (beta + t - 1) / (alpha + beta + t - 1)``.
        """
        self._check_fitted("retention_rate")
        tt = _array(t, "t")
        _check(tt >= 1, tt, "t", "must be >= 1", "retention of period t compares t with t - 1.")
        alpha, beta = self._theta()
        out = 100.0 * (beta + tt - 1.0) / (alpha + beta + tt - 1.0)
        return _wrap(out, _index_of(t), "retention_rate", _is_scalar(t))

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: ArrayLike = 0
    ) -> Any:
        """Return the DERL of a customer who has renewed ``renewals`` times.

        The expected number of future payments, discounted, of a customer standing just
        before their next renewal decision (Fader & Hardie 2010, eq. 6):
        ``sum_{t>=n} S(t) / S(n-1) / (1 + d)^(t-n)`` with ``n = renewals + 1``, in closed
        form ``(beta + n - 1) / (alpha + beta + n - 1) * 2F1(1, beta + n; alpha + beta + n;
        1 / (1 + d))``. Multiply by the payment per period to value the customer.

        Parameters
        ----------
        discount_rate : float
            Discount rate per period, in percent (e.g. 10 for 10 %), > 0.
        renewals : int or array-like of int, default 0
            Renewals made so far (``n - 1``).

        Returns
        -------
        numpy.ndarray or float
            DERL in periods' worth of payments.
        """
        self._check_fitted("discounted_expected_residual_lifetime")
        if not (np.isfinite(discount_rate) and discount_rate > 0):
            msg = (
                f"discount_rate is a percentage per period (e.g. 10 for 10 %), > 0; got "
                f"{discount_rate!r}."
            )
            raise RetentionKitError(msg)
        k = _array(renewals, "renewals")
        _check(k >= 0, k, "renewals", "must be >= 0", "renewals counts past renewals.")
        alpha, beta = self._theta()
        n = k + 1.0
        d = discount_rate / 100
        log_f = lik.log_hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + d))
        out = (beta + n - 1.0) / (alpha + beta + n - 1.0) * np.exp(log_f)
        return _wrap(out, _index_of(renewals), "derl", _is_scalar(renewals))


# --------------------------------------------------------------------------------------
# BG/BB


def _validate_bgbb(
    frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = _array(frequency, "frequency")
    t_x = _array(recency, "recency")
    n = _array(n_periods, "n_periods")
    x, t_x, n = _broadcast(frequency=x, recency=t_x, n_periods=n)
    for arr, name in ((x, "frequency"), (t_x, "recency"), (n, "n_periods")):
        _check(
            (arr >= 0) & (arr == np.round(arr)),
            arr,
            name,
            "must be whole numbers >= 0",
            "BG/BB counts transaction opportunities.",
        )
    _check(n >= 1, n, "n_periods", "must be >= 1", "n_periods is the opportunities observed.")
    _check(
        t_x <= n,
        t_x,
        "recency",
        "must be <= n_periods",
        "recency is the opportunity of the last transaction.",
    )
    _check(
        x <= t_x,
        x,
        "frequency",
        "must be <= recency",
        "with one transaction per opportunity, x transactions need at least x opportunities.",
    )
    _check(
        (x > 0) | (t_x == 0),
        t_x,
        "recency",
        "must be 0 where frequency is 0",
        "a customer without transactions has recency 0.",
    )
    return x.astype(float), t_x.astype(float), n.astype(float)


class BetaGeoBetaBinomModel(_FittedModel):
    """BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010).

    At each opportunity a living customer transacts with probability ``p ~ Beta(alpha,
    beta)``, and becomes inactive at the start of each opportunity with probability
    ``theta ~ Beta(gamma, delta)``.

    Parameters
    ----------
    maxiter : int, default 1000
        Iteration limit of the optimiser, per starting point.
    n_starts : int, default 3
        Most starting points tried (the next only when the previous does not converge).

    Attributes
    ----------
    params_ : dict
        ``alpha``, ``beta``, ``gamma``, ``delta``.
    summary_, log_likelihood_, n_customers_
        As for :class:`BetaGeoModel`.

    Examples
    --------
    >>> from retention_kit.published_data import load_donations
    >>> from retention_kit.clv_models import BetaGeoBetaBinomModel
    >>> d = load_donations()
    >>> model = BetaGeoBetaBinomModel().fit(
    ...     d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    >>> round(model.log_likelihood_, 1)
    -33225.6
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _fit_signature = "fit(frequency, recency, n_periods)"

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> BetaGeoBetaBinomModel:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        frequency : array-like of int
            Repeat transactions ``x`` in the ``n_periods`` opportunities.
        recency : array-like of int
            Opportunity of the last transaction ``t_x`` (0 when ``x`` is 0).
        n_periods : array-like of int
            Transaction opportunities observed ``n``.
        weights : array-like of float, optional
            Number of customers with each history (default one each).

        Returns
        -------
        BetaGeoBetaBinomModel
            The fitted model.

        Raises
        ------
        InvalidDataError
            When ``x > t_x``, ``t_x > n`` or a value is negative or fractional.
        ConvergenceError
            When the optimiser does not converge.
        """
        x, t_x, n = _validate_bgbb(frequency, recency, n_periods)
        size = _same_length(frequency=x, recency=t_x, n_periods=n)
        (x, t_x, n), counts = _collapse([x, t_x, n], _weights(weights, size))

        loglik = lik.bgbb_objective(x, t_x, n, counts)
        starts = [[1.0, 1.0, 1.0, 1.0], [0.5, 2.0, 0.5, 2.0], [2.0, 0.5, 2.0, 5.0]]
        self._run_fit(loglik, starts, counts.sum())
        return self

    def _log_lik_rows(self, x: FloatArray, t_x: FloatArray, n: FloatArray) -> FloatArray:
        return lik.bgbb_loglik(self._theta(), x, t_x, n)[0]

    def probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        periods_ahead: int = 1,
    ) -> Any:
        """Return the probability that each customer is alive at opportunity ``n + k``.

        Parameters
        ----------
        frequency, recency, n_periods : array-like of int
            Customer histories as in :meth:`fit`.
        periods_ahead : int, default 1
            ``k``: 1 gives ``P(alive in period n + 1)``, eq. (11) of the paper.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Probabilities.
        """
        self._check_fitted("probability_alive")
        x, t_x, n = _validate_bgbb(frequency, recency, n_periods)
        if not (isinstance(periods_ahead, int | np.integer) and periods_ahead >= 0):
            msg = f"periods_ahead must be a whole number >= 0, got {periods_ahead!r}."
            raise RetentionKitError(msg)
        alpha, beta, gamma, delta = self._theta()
        log_alive = (
            betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n + periods_ahead)
            - betaln(gamma, delta)
        )
        p = np.exp(log_alive - self._log_lik_rows(x, t_x, n))
        idx = _index_of(frequency, recency, n_periods)
        return _wrap(p, idx, "probability_alive", _is_scalar(frequency, recency, n_periods))

    def expected_purchases(
        self,
        future_periods: int,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
    ) -> Any:
        """Return each customer's expected transactions in the next opportunities.

        ``E[X(n, n + n*) | x, t_x, n]`` (Fader, Hardie & Shang 2010, eq. 13), written as
        a sum over the ``n*`` future opportunities.

        Parameters
        ----------
        future_periods : int
            ``n*``, the number of future opportunities.
        frequency, recency, n_periods : array-like of int
            Customer histories as in :meth:`fit`.

        Returns
        -------
        pandas.Series, numpy.ndarray or float
            Expected transactions.
        """
        self._check_fitted("expected_purchases")
        x, t_x, n = _validate_bgbb(frequency, recency, n_periods)
        k = self._future_periods(future_periods)
        alpha, beta, gamma, delta = self._theta()
        log_p = betaln(alpha + x + 1.0, beta + n - x) - betaln(alpha, beta)
        steps = np.arange(1, k + 1, dtype=float)[:, None]
        log_alive = betaln(gamma, delta + n[None, :] + steps) - betaln(gamma, delta)
        total = np.exp(log_alive).sum(axis=0) if k else np.zeros(x.size)
        out = np.exp(log_p - self._log_lik_rows(x, t_x, n)) * total
        idx = _index_of(frequency, recency, n_periods)
        return _wrap(out, idx, "expected_purchases", _is_scalar(frequency, recency, n_periods))

    def expected_purchases_new_customer(self, n_periods: int) -> float:
        """Return the expected transactions of a new customer in ``n_periods`` opportunities.

        Parameters
        ----------
        n_periods : int
            Opportunities.

        Returns
        -------
        float
            ``E[X(n)] = alpha / (alpha + beta) * sum_{t=1..n} B(gamma, delta + t) /
            B(gamma, delta)``.
        """
        self._check_fitted("expected_purchases_new_customer")
        k = self._future_periods(n_periods, name="n_periods")
        alpha, beta, gamma, delta = self._theta()
        steps = np.arange(1, k + 1, dtype=float)
        alive = np.exp(betaln(gamma, delta + steps) - betaln(gamma, delta)).sum()
        return float(alpha / (alpha + beta) * alive)

    @staticmethod
    def _future_periods(value: int, name: str = "future_periods") -> int:
        if not (isinstance(value, int | np.integer) and value >= 0):
            msg = f"{name} must be a whole number of opportunities >= 0, got {value!r}."
            raise RetentionKitError(msg)
        return int(value)
