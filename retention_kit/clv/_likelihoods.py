"""Log-likelihoods of the buy-till-you-die models, in log space, vectorised over rows.

Private module: the model modules of :mod:`retention_kit.clv` fit and document the
models. Each
``*_loglik`` function takes the parameters in their natural (positive) scale and data
arrays, and returns the log-likelihood of every row; most also return its gradient with
respect to the parameters, one column per parameter, for the optimiser.

Formulas follow the papers and the notes of Fader & Hardie (brucehardie.com):

- BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way", eq. (6).
- Pareto/NBD: Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related
  expressions", eqs. (19)-(22).
- Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", eq. (5).
- sBG: Fader & Hardie (2007), "How to project customer retention", eqs. (1)-(3).
- BG/BB: Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time
  noncontractual setting", eq. (5).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaln, digamma, gammaln, zeta

__all__ = [
    "bgbb_loglik",
    "bgnbd_loglik",
    "gamma_gamma_loglik",
    "log_diff_exp",
    "log_hyp2f1",
    "pareto_nbd_log_a0",
    "pareto_nbd_loglik",
    "sbg_loglik",
]

FloatArray = NDArray[np.float64]

_CHECK_EVERY = 8
_REL_TOL = 1e-17


def log_hyp2f1(
    a: ArrayLike, b: ArrayLike, c: ArrayLike, z: ArrayLike, *, max_terms: int = 200_000
) -> FloatArray:
    """Natural log of the Gauss hypergeometric function 2F1(a, b; c; z).

    For ``a, b, c > 0`` and ``0 <= z < 1`` every term of the power series is positive,
    so the sum is computed without cancellation. Partial sums are rescaled every few
    terms (the running log-scale is kept apart), so values far beyond the float range
    (e.g. ``(1 - z) ** -1000``) stay finite in log space. Summation stops, element by
    element, once a geometric bound on the remaining tail is below 1e-17 of the sum.
    Elements outside the domain, or not converged after ``max_terms`` terms, are NaN.
    """
    a_, b_, c_, z_ = (np.asarray(v, dtype=float) for v in (a, b, c, z))
    shape = np.broadcast_shapes(a_.shape, b_.shape, c_.shape, z_.shape)
    a_, b_, c_, z_ = (np.broadcast_to(v, shape).ravel() for v in (a_, b_, c_, z_))
    out = np.zeros(a_.shape, dtype=float)
    valid = (a_ > 0) & (b_ > 0) & (c_ > 0) & (z_ >= 0) & (z_ < 1)
    out[~valid] = np.nan
    idx = np.flatnonzero(valid & (z_ > 0))
    a_, b_, c_, z_ = a_[idx], b_[idx], c_[idx], z_[idx]
    term = np.ones(idx.size)
    total = np.ones(idx.size)
    log_scale = np.zeros(idx.size)
    k = 0
    while idx.size:
        for _ in range(_CHECK_EVERY):
            term *= (a_ + k) * (b_ + k) / ((c_ + k) * (k + 1.0)) * z_
            total += term
            k += 1
        # Every later term ratio is at most rho: the tail is below term * rho / (1 - rho).
        rho = z_ * np.maximum(1.0, (a_ + k) / (c_ + k)) * np.maximum(1.0, (b_ + k) / (k + 1.0))
        with np.errstate(divide="ignore"):
            tail = np.where(rho < 1.0, term * rho / (1.0 - rho), np.inf)
        done = tail <= _REL_TOL * total
        log_scale += np.log(total)
        term /= total
        total = np.ones(idx.size)
        if done.any():
            out[idx[done]] = log_scale[done]
            keep = ~done
            idx, a_, b_, c_, z_ = idx[keep], a_[keep], b_[keep], c_[keep], z_[keep]
            term, total, log_scale = term[keep], total[keep], log_scale[keep]
        if k >= max_terms and idx.size:
            out[idx] = np.nan
            break
    return out.reshape(shape)


def log_diff_exp(u: ArrayLike, v: ArrayLike) -> FloatArray:
    """Return ``log(exp(u) - exp(v))`` for ``u >= v``; ``-inf`` where ``u <= v``."""
    u_ = np.asarray(u, dtype=float)
    v_ = np.asarray(v, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = v_ - u_
        out = u_ + np.log(-np.expm1(np.minimum(d, 0.0)))
    return np.where(d >= 0, -np.inf, out)


def _softmax_rows(log_terms: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Log-sum-exp along the last axis and the weights of each term (-inf terms allowed)."""
    top = np.max(log_terms, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(log_terms - top)
    s = e.sum(axis=-1, keepdims=True)
    return (np.log(s) + top)[..., 0], e / s


def bgnbd_loglik(
    params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Rows' BG/NBD log-likelihoods and gradients in ``(r, alpha, a, b)``."""
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    l1 = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    has = x > 0
    xm1 = np.where(has, x - 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        l2 = np.where(has, betaln(a + 1.0, b + xm1) - (r + x) * np.log(alpha + t_x), -np.inf)
    lse, w = _softmax_rows(np.stack([l1, l2], axis=-1))
    ll = common + lse
    d_common_r = digamma(r + x) - digamma(r) + np.log(alpha)
    d_common_a = -digamma(a) + digamma(a + b)
    d_common_b = -digamma(b) + digamma(a + b)
    psi_abx = digamma(a + b + x)
    g1 = np.stack(
        [
            -np.log(alpha + T),
            -(r + x) / (alpha + T),
            digamma(a) - psi_abx,
            digamma(b + x) - psi_abx,
        ],
        axis=-1,
    )
    g2 = np.stack(
        [
            -np.log(alpha + t_x),
            -(r + x) / (alpha + t_x),
            digamma(a + 1.0) - psi_abx,
            digamma(b + xm1) - psi_abx,
        ],
        axis=-1,
    )
    g2 = np.where(has[:, None], g2, 0.0)
    grad = w[:, :1] * g1 + w[:, 1:] * g2
    grad[:, 0] += d_common_r
    grad[:, 1] += r / alpha
    grad[:, 2] += d_common_a
    grad[:, 3] += d_common_b
    return ll, grad


def _pareto_params(params: ArrayLike) -> tuple[FloatArray, ...]:
    """Split Pareto/NBD parameters; a ``(4, m)`` array gives ``(m, 1)`` columns."""
    p = np.asarray(params, dtype=float)
    if p.ndim == 2:
        return tuple(p[i][:, None] for i in range(4))
    return tuple(p[i] for i in range(4))


def pareto_nbd_log_a0(
    params: ArrayLike, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Log of Fader & Hardie's A0 term, with the 2F1 argument kept in ``[0, 1)``.

    ``s / (r + s + x) * A0`` equals the integral over the dropout time ``tau`` in
    ``[t_x, T]`` of ``s (alpha + tau)^-(r + x) (beta + tau)^-(s + 1)``. Expanding around
    the larger of ``alpha`` and ``beta``, the argument
    ``|alpha - beta| / (max(alpha, beta) + t)`` is in ``[0, 1)`` and every series term
    is positive. ``params`` may be ``(4, m)`` for ``m`` parameter sets at once.
    """
    r, alpha, s, beta = _pareto_params(params)
    a1 = r + s + x
    alpha_big = alpha >= beta
    big = np.where(alpha_big, alpha, beta)
    b1 = np.where(alpha_big, s + 1.0, r + x)
    diff = np.abs(alpha - beta)
    z = np.stack(np.broadcast_arrays(diff / (big + t_x), diff / (big + T)))
    log_f = log_hyp2f1(a1, b1, a1 + 1.0, z)
    u = log_f[0] - a1 * np.log(big + t_x)
    v = log_f[1] - a1 * np.log(big + T)
    out = log_diff_exp(u, v)
    bad = np.isnan(out)
    if np.any(bad):
        # The series does not converge in max_terms when z is very close to 1 (e.g. s -> 0
        # with beta -> inf): those rows by quadrature instead (about 1e-13 from the series).
        rows = np.broadcast_arrays(r, alpha, s, beta, x, t_x, T, out)
        out = np.array(rows[-1], dtype=float)
        out[bad] = _log_a0_quadrature(*(v[bad] for v in rows[:-1]))
    return out


def _log_a0_quadrature(
    r: FloatArray,
    alpha: FloatArray,
    s: FloatArray,
    beta: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
) -> FloatArray:
    """``log A0`` by 16-point Gauss-Legendre in ``u = log(min(alpha, beta) + tau)``.

    ``A0 = (r + s + x) * integral over [t_x, T] of (alpha + tau)^-(r + x)
    (beta + tau)^-(s + 1)``, as in :func:`pareto_nbd_objective`.
    """
    low = np.minimum(alpha, beta)
    lo = np.log(low + t_x)
    width = np.log(low + T) - lo
    u = lo[:, None] + width[:, None] * _GL_NODES[None, :]
    e = np.exp(u)
    log_f = (
        u
        - (r + x)[:, None] * np.log((alpha - low)[:, None] + e)
        - (s + 1.0)[:, None] * np.log((beta - low)[:, None] + e)
    )
    with np.errstate(divide="ignore"):
        log_width = np.log(width)
    top = log_f.max(axis=1)
    total = top + np.log(np.exp(log_f - top[:, None]) @ np.exp(_GL_LOG_WEIGHTS))
    return np.where(width > 0, np.log(r + s + x) + log_width + total, -np.inf)


def pareto_nbd_loglik(
    params: ArrayLike, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Rows' Pareto/NBD log-likelihoods, and the log of the alive share of each.

    The second array is ``log P(alive at T)``: the first term of the likelihood over the
    whole likelihood (both without the common factor). ``params`` may be ``(4, m)`` for
    ``m`` parameter sets at once (results are then ``(m, rows)``).
    """
    r, alpha, s, beta = _pareto_params(params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    l_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    l_dead = np.log(s) - np.log(r + s + x) + pareto_nbd_log_a0(params, x, t_x, T)
    lse = np.logaddexp(l_alive, l_dead)
    return common + lse, l_alive - lse


def gamma_gamma_loglik(
    params: FloatArray, x: FloatArray, m: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Rows' Gamma-Gamma log-likelihoods of the mean spend ``m`` of ``x`` transactions."""
    p, q, v = params
    px = p * x
    log_vmx = np.log(v + m * x)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_vmx
    )
    psi_pxq = digamma(px + q)
    grad = np.stack(
        [
            x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_vmx),
            psi_pxq - digamma(q) + np.log(v) - log_vmx,
            q / v - (px + q) / (v + m * x),
        ],
        axis=-1,
    )
    return ll, grad


def sbg_loglik(
    params: FloatArray, t: FloatArray, alive: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Rows' sBG log-likelihoods: churn in period ``t`` (alive 0) or survival to ``t`` (1)."""
    alpha, beta = params
    base = betaln(alpha, beta)
    d_base_a = digamma(alpha) - digamma(alpha + beta)
    d_base_b = digamma(beta) - digamma(alpha + beta)
    is_alive = alive > 0
    # churn in period t: B(alpha + 1, beta + t - 1); still alive after t: B(alpha, beta + t)
    a_arg = np.where(is_alive, alpha, alpha + 1.0)
    b_arg = np.where(is_alive, beta + t, beta + t - 1.0)
    ll = betaln(a_arg, b_arg) - base
    psi_sum = digamma(a_arg + b_arg)
    grad = np.stack(
        [digamma(a_arg) - psi_sum - d_base_a, digamma(b_arg) - psi_sum - d_base_b], axis=-1
    )
    return ll, grad


def bgbb_loglik(
    params: FloatArray, x: FloatArray, t_x: FloatArray, n: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Rows' BG/BB log-likelihoods and gradients in ``(alpha, beta, gamma, delta)``."""
    alpha, beta, gamma, delta = params
    base = betaln(alpha, beta) + betaln(gamma, delta)
    max_i = int(np.max(n - t_x)) if n.size else 0
    i = np.arange(max_i, dtype=float)[None, :]
    m = t_x[:, None] + i  # dropped out at the start of opportunity m + 1
    valid = i < (n - t_x)[:, None]
    xc = x[:, None]
    with np.errstate(invalid="ignore"):
        ld = betaln(alpha + xc, beta + m - xc) + betaln(gamma + 1.0, delta + m)
    la = betaln(alpha + x, beta + n - x) + betaln(gamma, delta + n)
    terms = np.concatenate([la[:, None], np.where(valid, ld, -np.inf)], axis=1)
    lse, w = _softmax_rows(terms)
    ll = lse - base
    # gradients of every term, then weighted by the term shares
    # (past the end, m = x keeps every digamma argument positive; those weights are 0)
    m_all = np.concatenate([n[:, None], np.where(valid, m, xc)], axis=1)
    g_add = np.concatenate([np.zeros((x.size, 1)), np.ones((x.size, max_i))], axis=1)
    psi_ab = digamma(alpha + beta + m_all)
    psi_gd = digamma(gamma + delta + m_all + g_add)
    g_alpha = digamma(alpha + xc) - psi_ab
    g_beta = digamma(beta + m_all - xc) - psi_ab
    g_gamma = digamma(gamma + g_add) - psi_gd
    g_delta = digamma(delta + m_all) - psi_gd
    grad = np.stack(
        [
            (w * g_alpha).sum(axis=1) - digamma(alpha) + digamma(alpha + beta),
            (w * g_beta).sum(axis=1) - digamma(beta) + digamma(alpha + beta),
            (w * g_gamma).sum(axis=1) - digamma(gamma) + digamma(gamma + delta),
            (w * g_delta).sum(axis=1) - digamma(delta) + digamma(gamma + delta),
        ],
        axis=-1,
    )
    return ll, grad


# --------------------------------------------------------------------------------------
# Totals for the optimiser: data terms precomputed once, weighted sums in closed form.

Objective = Callable[[FloatArray], tuple[float, FloatArray]]


def _by_value(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """Distinct values of ``x``, the weight of each and, per row, its distinct value."""
    ux, inverse = np.unique(x, return_inverse=True)
    counts = np.bincount(inverse, weights=w, minlength=ux.size).astype(float)
    return ux, counts, inverse


def _softplus(d: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return ``log(1 + exp(d))`` and its derivative ``1 / (1 + exp(-d))``, stably."""
    e = np.exp(-np.abs(d))
    sp = np.maximum(d, 0.0) + np.log1p(e)
    sig = np.where(d >= 0, 1.0, e) / (1.0 + e)
    return sp, sig


def bgnbd_objective(x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray) -> Objective:
    """Return ``theta -> (total log-likelihood, gradient)`` of weighted BG/NBD rows.

    Same value as ``w @ bgnbd_loglik(theta, x, t_x, T)[0]``, written as
    ``common(x) + B(a, b + x) / B(a, b) - (r + x) log(alpha + T)`` plus, for repeat
    buyers, ``softplus(log(a / (b + x - 1)) + (r + x) log((alpha + T) / (alpha + t_x)))``.
    Terms of ``x`` alone are computed once per distinct ``x`` and weighted by its count.
    """
    ux, wx, _ = _by_value(x, w)
    total_w = float(w.sum())
    uT, wT, t_inverse = _by_value(T, w)
    wxT = np.bincount(t_inverse, weights=w * x, minlength=uT.size)
    rep = x > 0
    xr, txr, Tr, wr = x[rep], t_x[rep], T[rep], w[rep]

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, a, b = theta
        lg = gammaln(np.concatenate([r + ux, b + ux, a + b + ux, [r, b, a + b]]))
        dg = digamma(np.concatenate([r + ux, b + ux, a + b + ux, [r, b, a + b]]))
        k = ux.size
        lg_r, lg_b, lg_ab = lg[:k], lg[k : 2 * k], lg[2 * k : 3 * k]
        dg_r, dg_b, dg_ab = dg[:k], dg[k : 2 * k], dg[2 * k : 3 * k]
        log_alpha = np.log(alpha)
        log_aT = np.log(alpha + uT)
        ll = (
            wx @ (lg_r + lg_b - lg_ab)
            + total_w * (r * log_alpha - lg[-3] - lg[-2] + lg[-1])
            - (r * wT + wxT) @ log_aT
        )
        g_r = wx @ dg_r + total_w * (log_alpha - dg[-3]) - wT @ log_aT
        g_alpha = total_w * r / alpha - (r * wT + wxT) @ (1.0 / (alpha + uT))
        g_a = total_w * dg[-1] - wx @ dg_ab
        g_b = wx @ (dg_b - dg_ab) + total_w * (dg[-1] - dg[-2])
        if xr.size:
            lT, lt = np.log(alpha + Tr), np.log(alpha + txr)
            bx = b + xr - 1.0
            d = np.log(a) - np.log(bx) + (r + xr) * (lT - lt)
            sp, sig = _softplus(d)
            ws = wr * sig
            ll += wr @ sp
            g_r += ws @ (lT - lt)
            g_alpha += ws @ ((r + xr) * (1.0 / (alpha + Tr) - 1.0 / (alpha + txr)))
            g_a += ws.sum() / a
            g_b -= ws @ (1.0 / bx)
        return float(ll), np.array([g_r, g_alpha, g_a, g_b])

    return objective


def gamma_gamma_objective(x: FloatArray, m: FloatArray, w: FloatArray) -> Objective:
    """Return ``theta -> (total log-likelihood, gradient)`` of weighted Gamma-Gamma rows.

    Same value as ``w @ gamma_gamma_loglik(theta, x, m)[0]``; the only term computed per
    row is ``(p x + q) log(gamma + m x)``, the rest per distinct ``x`` or once.
    """
    full = gamma_gamma_newton_objective(x, m, w)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad, _ = full(theta, hessian=False)
        return value, grad

    return objective


NewtonObjective = Callable[..., tuple[float, FloatArray, FloatArray | None]]


def gamma_gamma_newton_objective(x: FloatArray, m: FloatArray, w: FloatArray) -> NewtonObjective:
    """Return ``theta -> (total log-likelihood, gradient, Hessian)`` of weighted rows.

    The exact Hessian in ``(p, q, gamma)``, for Newton's method and the standard errors:
    ``d2/dp2 = x^2 (psi1(p x + q) - psi1(p x))``, ``d2/dp dq = x psi1(p x + q)``,
    ``d2/dq2 = psi1(p x + q) - psi1(q)``, ``d2/dp dgamma = -x / (gamma + m x)``,
    ``d2/dq dgamma = 1 / gamma - 1 / (gamma + m x)`` and
    ``d2/dgamma2 = -q / gamma^2 + (p x + q) / (gamma + m x)^2`` per row. Per-row sums
    are one matrix product; digamma, trigamma and log-gamma run on the distinct ``x``.
    With ``hessian=False`` the Hessian is not computed (``None``).
    """
    ux, wx, _ = _by_value(x, w)
    total_w = float(w.sum())
    log_ux = np.log(ux)
    mx = m * x
    log_m = np.log(m)
    s_logm = float(w @ log_m)
    s_xlogm = float((w * x) @ log_m)
    row_w = np.stack([w, w * x], axis=1)  # per-row sums weighted by w and by w * x
    wxu, wxuu = wx * ux, wx * ux * ux
    k = ux.size

    def objective(
        theta: FloatArray, hessian: bool = True
    ) -> tuple[float, FloatArray, FloatArray | None]:
        p, q, v = (float(t) for t in theta)
        pu = p * ux
        args = np.empty(2 * k + 1)
        args[:k] = pu + q
        args[k : 2 * k] = pu
        args[-1] = q
        lg = gammaln(args)
        dg = digamma(args)
        big = v + mx
        inv_big = 1.0 / big
        if hessian:
            rows = np.stack([np.log(big), inv_big, inv_big * inv_big])
        else:
            rows = np.stack([np.log(big), inv_big])
        sums = rows @ row_w  # [[A, B], [C, D], [F, E]]: w- and w x-weighted sums
        a_, b_ = sums[0]
        c_, d_ = sums[1]
        log_v = np.log(v)
        ll = (
            wx @ (lg[:k] - lg[k : 2 * k] + pu * log_ux)
            + total_w * (q * log_v - lg[-1])
            + p * s_xlogm
            - s_logm
            - p * b_
            - q * a_
        )
        dgd = dg[:k] - dg[k : 2 * k]
        grad = np.array(
            [
                wxu @ (dgd + log_ux) + s_xlogm - b_,
                wx @ dg[:k] - total_w * dg[-1] + total_w * log_v - a_,
                total_w * q / v - p * d_ - q * c_,
            ]
        )
        if not hessian:
            return float(ll), grad, None
        f_, e_ = sums[2]
        tg = zeta(2.0, args)  # trigamma
        tgd = tg[:k] - tg[k : 2 * k]
        h_pq = wxu @ tg[:k]
        h_pv = -d_
        h_qv = total_w / v - c_
        hess = np.array(
            [
                [wxuu @ tgd, h_pq, h_pv],
                [h_pq, wx @ tg[:k] - total_w * tg[-1], h_qv],
                [h_pv, h_qv, -total_w * q / (v * v) + p * e_ + q * f_],
            ]
        )
        return float(ll), grad, hess

    return objective


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_GL_NODES = (_GL_NODES + 1.0) / 2.0
_GL_LOG_WEIGHTS = np.log(_GL_WEIGHTS / 2.0)


def pareto_nbd_objective(x: FloatArray, t_x: FloatArray, T: FloatArray, w: FloatArray) -> Objective:
    """Return ``theta -> (total log-likelihood, gradient)`` of weighted Pareto/NBD rows.

    The dropout term ``s / (r + s + x) * A0`` is the integral over the dropout time
    ``tau`` in ``[t_x, T]`` of ``s (alpha + tau)^-(r + x) (beta + tau)^-(s + 1)``
    (see :func:`pareto_nbd_log_a0`). Here it is computed by 16-point Gauss-Legendre
    quadrature in ``u = log(min(alpha, beta) + tau)``, where the integrand is smooth and
    free of the peak at ``tau = 0`` (agreement with the exact series is about 1e-13),
    and its gradient is the quadrature of the integrand's analytic derivatives. The
    optimiser uses this; the reported maximum is then evaluated with the exact series.
    """
    ux, wx, _ = _by_value(x, w)
    total_w = float(w.sum())
    dead = T > t_x
    xd, txd, Td = x[dead], t_x[dead], T[dead]
    node = _GL_NODES[None, :]

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        r, alpha, s, beta = theta
        lg = gammaln(np.concatenate([r + ux, [r]]))
        dg = digamma(np.concatenate([r + ux, [r]]))
        log_alpha, log_beta = np.log(alpha), np.log(beta)
        ll_common = wx @ lg[:-1] + total_w * (r * log_alpha + s * log_beta - lg[-1])
        g = np.array(
            [
                wx @ dg[:-1] + total_w * (log_alpha - dg[-1]),
                total_w * r / alpha,
                total_w * log_beta,
                total_w * s / beta,
            ]
        )
        rx = r + x
        l_aT, l_bT = np.log(alpha + T), np.log(beta + T)
        l_alive = -rx * l_aT - s * l_bT
        l_dead = np.full(x.size, -np.inf)
        if xd.size:
            low = min(alpha, beta)
            lo = np.log(low + txd)
            width = np.log(low + Td) - lo
            u = lo[:, None] + width[:, None] * node
            e = np.exp(u)
            if alpha <= beta:
                la, inv_a = u, 1.0 / e
                lb = np.log(e + (beta - alpha))
                inv_b = np.exp(-lb)
            else:
                lb, inv_b = u, 1.0 / e
                la = np.log(e + (alpha - beta))
                inv_a = np.exp(-la)
            rxd = r + xd
            gk = u - rxd[:, None] * la - (s + 1.0) * lb + _GL_LOG_WEIGHTS
            top = gk.max(axis=1)
            pk = np.exp(gk - top[:, None])
            tot = pk.sum(axis=1)
            l_dead[dead] = np.log(s) + np.log(width) + top + np.log(tot)
        lse = np.logaddexp(l_alive, l_dead)
        share = np.exp(l_alive - lse)
        wa = w * share
        ll = ll_common + w @ lse
        g[0] -= wa @ l_aT
        g[1] -= wa @ (rx / (alpha + T))
        g[2] -= wa @ l_bT
        g[3] -= wa @ (s / (beta + T))
        if xd.size:
            # dropout rows: weight times dropout share times each node's share of the integral
            wd = (w * (1.0 - share))[dead]
            pk *= (wd / tot)[:, None]
            # (sums of products rather than BLAS dots: small threaded dots are slow)
            g[0] -= (pk * la).sum()
            g[1] -= (pk * inv_a).sum(axis=1) @ rxd
            g[2] += wd.sum() / s - (pk * lb).sum()
            g[3] -= (s + 1.0) * (pk * inv_b).sum()
        return float(ll), g

    return objective


def bgbb_objective(x: FloatArray, t_x: FloatArray, n: FloatArray, w: FloatArray) -> Objective:
    """Return ``theta -> (total log-likelihood, gradient)`` of weighted BG/BB rows.

    Same value as ``w @ bgbb_loglik(theta, x, t_x, n)[0]``. Each row's terms (alive after
    ``n``, or gone from opportunity ``m + 1`` for ``m`` in ``t_x .. n - 1``) are a matrix
    fixed by the data; every Beta function is written with ``gammaln`` and evaluated in
    one call per evaluation.
    """
    max_i = int(np.max(n - t_x)) if n.size else 0
    i = np.arange(max_i, dtype=float)[None, :]
    valid = np.concatenate([np.ones((x.size, 1), bool), i < (n - t_x)[:, None]], axis=1)
    xc = x[:, None]
    # opportunities of each term; past the end m = x keeps every argument positive
    big_m = np.concatenate([n[:, None], np.where(valid[:, 1:], t_x[:, None] + i, xc)], axis=1)
    g_add = np.concatenate([np.zeros((x.size, 1)), np.ones((x.size, max_i))], axis=1)
    mask = np.where(valid, 0.0, -np.inf)
    m_minus_x = big_m - xc
    total_w = float(w.sum())

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        alpha, beta, gamma, delta = theta
        args = np.stack(
            [beta + m_minus_x, alpha + beta + big_m, delta + big_m, gamma + delta + big_m + g_add]
        )
        lg, dg = gammaln(args), digamma(args)
        head = np.concatenate([alpha + x, [alpha, beta, gamma, delta, alpha + beta]])
        head = np.concatenate([head, [gamma + delta, gamma, gamma + 1.0]])
        lg_h, dg_h = gammaln(head), digamma(head)
        k = x.size
        lg_gam = np.where(g_add > 0, lg_h[-1], lg_h[-2])
        dg_gam = np.where(g_add > 0, dg_h[-1], dg_h[-2])
        terms = lg[0] - lg[1] + lg[2] - lg[3] + lg_gam + mask
        lse, share = _softmax_rows(terms)
        base = (
            lg_h[k] + lg_h[k + 1] - lg_h[k + 4] + lg_h[k + 2] + lg_h[k + 3] - lg_h[k + 5]
        )  # betaln(alpha, beta) + betaln(gamma, delta)
        ll = w @ (lg_h[:k] + lse) - total_w * base
        ws = share * w[:, None]
        g = np.array(
            [
                w @ dg_h[:k] - (ws * dg[1]).sum() - total_w * (dg_h[k] - dg_h[k + 4]),
                (ws * (dg[0] - dg[1])).sum() - total_w * (dg_h[k + 1] - dg_h[k + 4]),
                (ws * (dg_gam - dg[3])).sum() - total_w * (dg_h[k + 2] - dg_h[k + 5]),
                (ws * (dg[2] - dg[3])).sum() - total_w * (dg_h[k + 3] - dg_h[k + 5]),
            ]
        )
        return float(ll), g

    return objective
