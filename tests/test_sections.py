"""rk.section: a failing report section says why in words and the notebook goes on."""

from __future__ import annotations

import warnings

import pytest

import retention_kit as rk
from retention_kit import sections


def test_library_error_becomes_a_note(capsys):
    with rk.section("Cohorts") as part:
        msg = "orders has no rows between 2030-01-01 and None."
        raise rk.EmptyDataError(msg)
    assert part.failed
    assert part.reason == "orders has no rows between 2030-01-01 and None."
    out = capsys.readouterr().out
    assert out.startswith("**Cohorts could not be computed.** orders has no rows")
    assert "Traceback" not in out  # the detail is for the full HTML only


def test_unexpected_error_says_it_is_ours(capsys):
    with rk.section("Revenue") as part:
        {}["missing"]  # noqa: B018
    assert part.failed
    assert part.reason.startswith("An unexpected error stopped it (KeyError: 'missing')")
    assert "please report it" in capsys.readouterr().out


def test_missing_earlier_result_is_named(capsys):
    with rk.section("Table") as part:
        undefined_result_of_an_earlier_section  # noqa: B018, F821
    assert part.reason.startswith("it needs the result of an earlier section")


def test_interrupts_are_not_swallowed():
    with pytest.raises(KeyboardInterrupt), rk.section("Slow"):
        raise KeyboardInterrupt


@pytest.mark.filterwarnings("default::DeprecationWarning")
def test_success_shows_library_notes_once(capsys):
    sections._SAID.discard("a note for the test")
    for _ in range(2):
        with rk.section("Part") as part:
            warnings.warn("a note for the test", rk.RetentionKitWarning, stacklevel=1)
            warnings.warn("not for the reader", DeprecationWarning, stacklevel=1)
    out = capsys.readouterr().out
    assert out.count("a note for the test") == 1
    assert "not for the reader" not in out
    assert not part.failed and part.notes == []


def test_markdown_escapes_data_values(monkeypatch):
    shown = []
    monkeypatch.setattr(sections, "_display", lambda data, meta: shown.append((data, meta)))
    with rk.section("Segment <b>x</b>") as part:
        part.note("segment <img src=x onerror=alert(1)> costs $5 to $10")
        msg = "segment_col='<script>' is empty"
        raise rk.InvalidDataError(msg)
    notes, failure, detail = shown
    assert "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;" in notes[0]["text/markdown"]
    assert "$" not in notes[0]["text/markdown"]  # no formula for MathJax to render
    assert "<script>" not in failure[0]["text/markdown"]
    assert "&lt;b&gt;" in failure[0]["text/markdown"]
    assert failure[1] == {"retention_kit": {"failed_section": "Segment <b>x</b>",
                                            "reason": "segment_col='<script>' is empty"}}
    assert detail[1] == {"retention_kit": {"detail": True}}
    assert "Traceback" in detail[0]["text/plain"]
