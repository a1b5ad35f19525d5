"""Maximum likelihood for the models of :mod:`retention_kit.clv`: Newton, BFGS, the Hessian.

Private module. :func:`maximize` maximises a log-likelihood over the logs of positive
parameters and returns an :class:`MLEResult` with the estimates, the maximised
log-likelihood, standard errors from the inverse Hessian and 95% intervals on the log scale.
BFGS runs preconditioned by the Hessian at a data-driven start (further starts are tried
only when that one does not converge), and a final Newton step polishes the estimates;
models with a cheap exact Hessian (Gamma-Gamma) are fitted by Newton's method first.
A fit that does not converge raises :class:`~retention_kit.exceptions.ConvergenceError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from ..exceptions import ConvergenceError
from . import _likelihoods as lik

FloatArray = NDArray[np.float64]

LogLik = Callable[[FloatArray], tuple[float, FloatArray]]


@dataclass(frozen=True)
class MLEResult:
    """What :func:`maximize` found: estimates, log-likelihood, standard errors, intervals."""

    params: FloatArray
    log_likelihood: float
    std_error: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    n_iter: int
    hessian_positive_definite: bool = True


def _fmt(z: FloatArray) -> str:
    """Format log-parameters as a tuple of rounded parameters."""
    return "(" + ", ".join(f"{v:.4g}" for v in np.exp(z)) + ")"


def maximize(
    loglik: LogLik,
    starts: Sequence[Sequence[float]],
    *,
    model: str,
    names: Sequence[str],
    maxiter: int,
    scale: float,
    exact: Callable[[FloatArray], float] | None = None,
    newton: lik.NewtonObjective | None = None,
) -> MLEResult:
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
) -> MLEResult:
    """Estimates, standard errors and 95% intervals from the optimum ``z = log(theta)``.

    ``hess`` is the Hessian of the negative total log-likelihood in ``z``.
    """
    theta = np.exp(z)
    std_log = np.full(z.size, np.nan)
    definite = True
    try:
        np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        definite = False
    try:
        cov = np.linalg.inv(hess)
        if np.all(np.diag(cov) > 0) and np.all(np.isfinite(cov)):
            std_log = np.sqrt(np.diag(cov))
    except np.linalg.LinAlgError:
        pass
    # No warning here: the fit's diagnostics (clv/diagnostics.py) report it, once.
    with np.errstate(over="ignore"):  # a huge standard error: an unbounded interval
        std_error = theta * std_log
        ci_lower = np.exp(z - 1.959963984540054 * std_log)
        ci_upper = np.exp(z + 1.959963984540054 * std_log)
    return MLEResult(
        params=theta,
        log_likelihood=float(ll),
        std_error=std_error,
        ci_lower=ci_lower,
        ci_upper=ci_upper,
        n_iter=n_iter,
        hessian_positive_definite=definite,
    )


@dataclass(frozen=True)
class _NewtonResult:
    """Where Newton's method stopped, with the Hessian there."""

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
