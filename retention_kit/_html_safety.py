"""Check an exported report page for active content: scripts, event handlers, frames.

The report pages are mailed and opened in a browser. Tables and Markdown escape the data
they show, and :func:`check_report_html` proves it on the page itself: apart from the few
scripts that nbconvert's ``lab`` template puts in every page (require.js, MathJax and its
configuration, the Mermaid loader), nothing on it may run code or load another page.

The allowed scripts are taken from a page the installed nbconvert renders from an empty
notebook (by their ``src`` and the SHA-256 of their text), so an nbconvert upgrade that
changes them does not flag every report, and a script anywhere else is always reported.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from .exceptions import RetentionKitError

__all__ = ["check_report_html", "find_active_content"]

#: Elements that run code, embed another document or redirect the page's links and forms.
_ACTIVE_TAGS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "portal"}
)
#: Schemes that run code when a link is followed or a resource is loaded.
_SCRIPT_SCHEMES = ("javascript:", "vbscript:")
# Browsers drop ASCII tabs and newlines anywhere in a URL, and leading spaces and controls.
_URL_NOISE = re.compile(r"[\t\n\r]")
_SAFE_DATA_IMAGE = re.compile(r"data:image/(png|jpe?g|gif|webp|svg\+xml)[;,]")
#: Attributes holding a URL that the browser loads or follows.
_URL_ATTRS = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
)


def _scheme_text(value: str) -> str:
    """An attribute value as the browser reads its URL scheme: lower case, no noise."""
    return _URL_NOISE.sub("", value).lstrip("".join(map(chr, range(33)))).lower()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Scanner(HTMLParser):
    """Collect the active content of a page; scripts as (src, sha256 of their text)."""

    def __init__(self, allowed: frozenset[tuple[str | None, str]]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.found: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []
        self._script: tuple[str | None, int, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        where = f"line {line}: <{tag}>"
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self._script = (values.get("src"), line, [])
        elif tag in _ACTIVE_TAGS:
            self.found.append(f"{where} element")
        elif tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.found.append(f"{where} refresh (http-equiv=refresh)")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{where} event handler {name}={value[:60]!r}")
                continue
            # Any attribute: SVG <set to=...>/<animate values=...> can write a link too.
            for part in value.split(";") if name == "values" else [value]:
                scheme = _scheme_text(part)
                if scheme.startswith(_SCRIPT_SCHEMES):
                    self.found.append(f"{where} script URL in {name}={value[:60]!r}")
                    break
                if (
                    name in _URL_ATTRS
                    and scheme.startswith("data:")
                    and not (tag == "img" and _SAFE_DATA_IMAGE.match(scheme))
                ):
                    self.found.append(f"{where} data: URL in {name}={value[:60]!r}")
                    break
            if name == "srcdoc":
                self.found.append(f"{where} inline document in srcdoc")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        src, line, parts = self._script
        self._script = None
        key = (src, _digest("".join(parts)))
        self.scripts.append(key)
        if key not in self.allowed:
            text = "".join(parts).strip()
            shown = f"src={src!r}" if src else f"{text[:60]!r}"
            self.found.append(f"line {line}: <script> {shown}")

    def close(self) -> None:
        super().close()
        if self._script is not None:  # a script left open runs to the end of the page
            self.handle_endtag("script")


@cache
def _stock_scripts(template: str = "lab") -> frozenset[tuple[str | None, str]]:
    """The scripts the installed nbconvert puts in every page of ``template``."""
    import nbformat
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter(template_name=template).from_notebook_node(nbformat.v4.new_notebook())
    scanner = _Scanner(frozenset())
    scanner.feed(page)
    scanner.close()
    return frozenset(scanner.scripts)


def find_active_content(html: str, *, template: str = "lab") -> list[str]:
    r"""List what in an exported page can run code, other than the template's own scripts.

    Reports every ``<script>`` that is not one of the stock scripts of nbconvert's
    ``template`` (same ``src`` and same text), event-handler attributes (``on...=``),
    ``javascript:`` and ``vbscript:`` URLs in any attribute (case, entities, tabs and
    newlines as the browser reads them), ``data:`` URLs other than images, ``<iframe>``,
    ``<frame>``, ``<object>``, ``<embed>``, ``<applet>``, ``<base>``, ``<form>`` and
    ``<meta http-equiv=refresh>``.

    Parameters
    ----------
    html : str
        The page, e.g. an nbconvert HTML export.
    template : str, default "lab"
        nbconvert template the page was exported with.

    Returns
    -------
    list of str
        One line per finding, with its line number in the page; empty when the page is
        clean.

    Examples
    --------
    >>> find_active_content('<p>ok</p><img src="x" onerror="alert(1)">')
    ["line 1: <img> event handler onerror='alert(1)'"]
    >>> find_active_content('<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>')
    ["line 1: <a> script URL in href=' JaVa\\tScRiPt:alert(1)'"]
    """
    scanner = _Scanner(_stock_scripts(template))
    scanner.feed(html)
    scanner.close()
    return scanner.found


def check_report_html(path: str | Path, *, template: str = "lab") -> None:
    """Raise if an exported report page holds active content (see find_active_content).

    Parameters
    ----------
    path : str or Path
        The HTML file.
    template : str, default "lab"
        nbconvert template the page was exported with.

    Raises
    ------
    RetentionKitError
        Naming the file and listing every finding.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> _ = page.write_text("<table><td>&lt;script&gt;</td></table>", encoding="utf-8")
    >>> check_report_html(page)  # escaped text is fine
    """
    path = Path(path)
    found = find_active_content(path.read_text(encoding="utf-8"), template=template)
    if found:
        listed = "\n".join(f"  - {item}" for item in found[:20])
        more = f"\n  ... and {len(found) - 20} more" if len(found) > 20 else ""
        msg = (
            f"{path}: the page holds {len(found)} piece(s) of active content that a reader's "
            f"browser would run:\n{listed}{more}\nA data value reached the page unescaped: "
            f"show data with retention_kit.reporting.format_table and put it into Markdown "
            f"with retention_kit.reporting.escape_md; do not mail this page."
        )
        raise RetentionKitError(msg)
