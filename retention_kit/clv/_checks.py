"""Checks of the per-customer inputs of the models in :mod:`retention_kit.clv`.

Private module. Every per-customer argument goes through :func:`_array` and
:func:`_check`, whose errors name the argument and the first offending customers (by
customer id when the argument is a Series indexed by customer, as
:func:`~retention_kit.clv.rfm_summary` returns it). :func:`customer_inputs` lets a model
method take either arrays (``fit(f, r, T)``) or the summary frame with its column names as
``*_col`` keywords (``fit(rfm)``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._frames import to_lazy
from .._validation import require_columns
from ..exceptions import InvalidDataError, RetentionKitError

FloatArray = NDArray[np.float64]
_SHOWN = 5


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


def _check_whole(
    arr: np.ndarray, name: str, fix: str, problem: str = "must be whole numbers >= 0"
) -> None:
    """Raise naming the values of ``arr`` that are negative or fractional."""
    _check((arr >= 0) & (arr == np.round(arr)), arr, name, problem, fix)


def _check_no_recency_without_repeats(x: np.ndarray, t_x: np.ndarray, what: str) -> None:
    """Raise naming the customers with ``x == 0`` (no ``what``) but a recency above 0."""
    _check(
        (x > 0) | (t_x == 0),
        t_x,
        "recency",
        "must be 0 where frequency is 0",
        f"a customer without {what} has recency 0.",
    )


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
    _check_whole(
        x,
        "frequency",
        "frequency counts repeat purchase days: distinct purchase days minus one.",
        "must be whole numbers >= 0 (repeat purchases)",
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
    _check_no_recency_without_repeats(x, t_x, "repeat purchases")
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
    counts = np.bincount(inverse, weights=weights[keep], minlength=unique[0].size).astype(float)
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
# arrays or a frame


def _as_frame(data: Any) -> pd.DataFrame | None:
    """``data`` as a pandas DataFrame when it is a data frame (pandas, Polars, ...), else None."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, np.ndarray | pd.Series | list | tuple) or np.ndim(data) == 0:
        return None
    wrapped = nw.from_native(data, eager_only=True, pass_through=True)
    return wrapped.to_pandas() if isinstance(wrapped, nw.DataFrame) else None


def customer_inputs(
    data: Any,
    rest: dict[str, Any],
    columns: dict[str, str | None],
    *,
    call: str,
) -> list[Any]:
    """The per-customer inputs of a model method, from arrays or from a summary frame.

    ``data`` is the method's first per-customer argument. When it is a frame (such as the
    :func:`~retention_kit.clv.rfm_summary` table), the inputs are its columns named by
    ``columns`` (keyword -> column name; None skips an optional one), as Series indexed
    like the frame, and the other arguments in ``rest`` must not be given. Otherwise the
    inputs are ``data`` and the values of ``rest``, which must all be given. ``call``
    names the method in messages, e.g. ``"fit(frequency, recency, T)"``.
    """
    frame = _as_frame(data)
    if frame is not None:
        given = [name for name, value in rest.items() if value is not None]
        if given:
            msg = (
                f"{call}: the first argument is a frame, so its columns are the inputs; "
                f"do not also pass {', '.join(given)}. Name the columns with "
                f"{', '.join(f'{k}=' for k in columns)} instead."
            )
            raise RetentionKitError(msg)
        require_columns(to_lazy(frame, arg="data"), dict(columns))
        return [None if name is None else frame[name] for name in columns.values()]
    missing = [name for name, value in rest.items() if value is None]
    if missing:
        msg = (
            f"{call}: {', '.join(missing)} not given. Pass every array, or the customer "
            f"summary frame (rfm_summary's table) alone, with its column names as "
            f"{', '.join(f'{k}=' for k in columns)}."
        )
        raise RetentionKitError(msg)
    return [data, *rest.values()]


def weights_input(data: Any, weights: ArrayLike | None, weights_col: str | None) -> Any:
    """The customer counts: ``weights=``, or the column ``weights_col`` of the frame ``data``."""
    if weights_col is None:
        return weights
    if weights is not None:
        msg = "pass weights= (an array) or weights_col= (a column of the frame), not both."
        raise RetentionKitError(msg)
    frame = _as_frame(data)
    if frame is None:
        msg = (
            f"weights_col={weights_col!r} names a column of the customer summary frame; "
            f"with arrays, pass weights= instead."
        )
        raise RetentionKitError(msg)
    require_columns(to_lazy(frame, arg="data"), {"weights_col": weights_col})
    return frame[weights_col]
