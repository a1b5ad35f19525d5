"""The exception classes: bases, messages, attributes, pickling."""

from __future__ import annotations

import pickle
import warnings

import pytest

from retention_kit.exceptions import (
    ConvergenceError,
    EmptyDataError,
    InvalidDataError,
    MissingColumnError,
    NotFittedError,
    RetentionKitError,
    RetentionKitWarning,
)


def test_attributes_message_and_bases():
    err = MissingColumnError(
        "customer_col='id': no such column.", argument="customer_col", column="id"
    )
    assert (err.argument, err.column) == ("customer_col", "id")
    assert str(err) == "customer_col='id': no such column."  # not KeyError's quoted repr
    assert isinstance(err, KeyError) and isinstance(err, RetentionKitError)
    bare = MissingColumnError("no column")
    assert (bare.argument, bare.column, str(bare)) == (None, None, "no column")
    again = pickle.loads(pickle.dumps(err))  # errors cross worker processes
    assert (again.argument, again.column, str(again)) == ("customer_col", "id", str(err))


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (MissingColumnError, (KeyError, RetentionKitError, ValueError)),
        (InvalidDataError, (RetentionKitError, ValueError)),
        (EmptyDataError, (RetentionKitError, ValueError)),
        (NotFittedError, (RetentionKitError, AttributeError)),
        (ConvergenceError, (RetentionKitError, RuntimeError)),
    ],
)
def test_every_error_is_a_retention_kit_error_and_its_builtin(cls, bases):
    err = cls("what went wrong")
    assert all(isinstance(err, base) for base in bases)
    assert str(err) == "what went wrong"
    with pytest.raises(RetentionKitError, match="^what went wrong$"):
        raise err


def test_missing_column_error_caught_as_key_error_shows_plain_text():
    try:
        msg = "date_col='day': no such column."
        raise MissingColumnError(msg, argument="date_col", column="day")
    except KeyError as err:  # pandas-style code catches KeyError
        assert str(err) == "date_col='day': no such column."
        assert repr(err.args[0]) == "\"date_col='day': no such column.\""


def test_warning_is_a_user_warning():
    assert issubclass(RetentionKitWarning, UserWarning)
    with pytest.warns(RetentionKitWarning, match="duplicates kept"):
        warnings.warn("duplicates kept", RetentionKitWarning, stacklevel=1)
