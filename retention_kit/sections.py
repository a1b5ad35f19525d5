"""Report sections that fail in words, not tracebacks.

A report notebook wraps each section's code in ``with section("Title"):``. When the code
raises, the section shows one plain-language paragraph saying what it could not do and why,
and the notebook goes on with the next section. Notes the library gives while the section
runs (its :class:`~retention_kit.RetentionKitWarning` messages: rows left out, returns
netted...) are shown under the section as text, once each, instead of as warning boxes.

The note carries machine-readable metadata, so the command line can list failed sections
and the code-hidden export can drop the technical detail:

- the note: a ``display_data`` output whose metadata holds
  ``{"retention_kit": {"failed_section": title, "reason": one_line}}``;
- the detail (the traceback, for the full HTML only): a ``display_data`` output whose
  metadata holds ``{"retention_kit": {"detail": True}}``.
"""

from __future__ import annotations

import traceback
import warnings
from types import TracebackType
from typing import Any

from ._text import escape_md
from .exceptions import RetentionKitError, RetentionKitWarning

__all__ = ["mark_said", "section"]

#: Notes already shown in this session (kernel): each is shown once per report.
_SAID: set[str] = set()


def mark_said(notes: list[str] | tuple[str, ...]) -> None:
    """Record notes as shown, so later sections do not repeat them.

    Parameters
    ----------
    notes : list of str
        Texts already shown to the reader (for example in the data paragraph).

    Examples
    --------
    >>> mark_said(["42 rows have no customer id and were left out."])
    """
    _SAID.update(notes)


_UNEXPECTED = (
    "An unexpected error stopped it ({kind}: {text}). This is a fault in retention_kit, not "
    "in your data as far as we can tell: the full report (the .html file next to this one) "
    "has the details; please report it."
)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _display(data: dict[str, str], metadata: dict[str, Any]) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a report dependency
        get_ipython = None  # type: ignore[assignment]
    if get_ipython is None or get_ipython() is None:  # plain Python: the note on stdout
        if not metadata.get("retention_kit", {}).get("detail"):
            print(data.get("text/plain", ""))
        return
    display(data, raw=True, metadata=metadata)


def _markdown(text: str, plain: str, metadata: dict[str, Any] | None = None) -> None:
    _display({"text/markdown": text, "text/plain": plain}, metadata or {})


def _bullets(notes: list[str]) -> None:
    _markdown(
        "\n".join(f"- {escape_md(note)}" for note in notes),
        "\n".join(f"- {note}" for note in notes),
    )


class section:  # noqa: N801 - used as a statement, like contextlib's helpers
    """Run one report section; if it fails, say why in words and let the report go on.

    Parameters
    ----------
    title : str
        The section's name, as the reader sees it ("Predicted value per customer").
    show_notes : bool, default True
        Show the library's notes (:class:`~retention_kit.RetentionKitWarning` messages)
        raised inside the section as text under it, each once.

    Attributes
    ----------
    failed : bool
        Whether the section's code raised.
    reason : str or None
        The reason shown, in one line.
    notes : list of str
        The library notes raised inside the section.

    Examples
    --------
    >>> from retention_kit.exceptions import InvalidDataError
    >>> with section("Predicted value") as s:
    ...     raise InvalidDataError("no customer came back for a second purchase.")
    **Predicted value could not be computed.** no customer came back for a second purchase.
    >>> s.failed, s.reason
    (True, 'no customer came back for a second purchase.')
    """

    def __init__(self, title: str, *, show_notes: bool = True) -> None:
        self.title = title
        self.show_notes = show_notes
        self.failed = False
        self.reason: str | None = None
        self.notes: list[str] = []
        self._catcher: warnings.catch_warnings[Any] | None = None
        self._caught: list[warnings.WarningMessage] | None = None

    def note(self, *texts: str) -> None:
        """Show notes under the section now (plain text, each once per report).

        Parameters
        ----------
        *texts : str
            Sentences to show, e.g. the ``notes`` of a result.
        """
        fresh = [t for t in texts if t not in _SAID]
        if fresh:
            _bullets(fresh)
            mark_said(fresh)

    def __enter__(self) -> section:
        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        # Library notes are recorded and shown as text, never raised (not even under an
        # "error" filter) nor lost to the once-per-place rule.
        warnings.simplefilter("always", RetentionKitWarning)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        assert self._catcher is not None and self._caught is not None
        caught = list(self._caught)
        self._catcher.__exit__(None, None, None)
        for item in caught:
            if issubclass(item.category, RetentionKitWarning):
                text = str(item.message)
                if text not in self.notes and text not in _SAID:
                    self.notes.append(text)
            # Other warnings (deprecations inside dependencies) are not for the reader.
        if self.show_notes and self.notes:
            _bullets(self.notes)
            mark_said(self.notes)
        if error is None or not isinstance(error, Exception):
            return False
        self.failed = True
        if isinstance(error, RetentionKitError):
            reason = str(error).strip() or type(error).__name__
        elif isinstance(error, NameError):
            reason = (
                "it needs the result of an earlier section, which could not be computed "
                "(see the note there)."
            )
        else:
            reason = _UNEXPECTED.format(kind=type(error).__name__, text=_one_line(str(error)))
        self.reason = _one_line(reason)
        head = f"{self.title} could not be computed."
        _markdown(
            f"**{escape_md(head)}** {escape_md(reason.strip())}",
            f"**{head}** {reason.strip()}",
            {"retention_kit": {"failed_section": self.title, "reason": self.reason}},
        )
        detail = "".join(traceback.format_exception(kind, error, tb))
        _display({"text/plain": detail}, {"retention_kit": {"detail": True}})
        return True
