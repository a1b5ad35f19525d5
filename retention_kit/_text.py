"""Data values shown as text: escaped for HTML, for Markdown, and for matplotlib labels.

Segment names, plans, countries, products and customer ids come from the user's files and end
up in pages that stakeholders open in a browser, in Markdown cells rendered with MathJax, and
in plot labels. Whatever they contain must show as the literal text, never as markup, a
formula or a script. The public helpers are re-exported by :mod:`retention_kit.reporting`.
"""

from __future__ import annotations

import html
import string

__all__ = ["escape_html", "escape_md", "literal"]

# Characters Markdown or MathJax would act on, as HTML entities: "$" and "\" cannot be
# backslash-escaped, because nbconvert's Markdown renderer turns "\$" back into a bare "$"
# (which MathJax then pairs into a formula) and "\\(" into the formula delimiter "\(".
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "$": "&#36;",
    "\\": "&#92;",
}
# Every other ASCII punctuation character is backslash-escaped: CommonMark allows that for
# all of them, and it covers emphasis, code, links, tables, headings, lists, autolinks
# ("http\:\/\/" is not linked) and JupyterLab's "@@0@@" math placeholders.
_MD_TABLE: dict[int, str] = {ord(c): f"\\{c}" for c in string.punctuation}
_MD_TABLE |= {ord(c): entity for c, entity in _ENTITIES.items()}
# A value is one line: a newline would let it start a heading, a list or a code block.
_MD_TABLE |= {ord(c): " " for c in "\r\n\t\v\f\x85\u2028\u2029"}
# Bidirectional embeddings, overrides and isolates could reorder the sentence around the
# value; they show as the replacement character instead.
_MD_TABLE |= {cp: "\ufffd" for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}

# MathJax (nbconvert's templates and JupyterLab) skips elements of this class.
_NO_MATH = '<span class="tex2jax_ignore">{}</span>'


def escape_html(value: object) -> str:
    """A data value as HTML text: ``&``, ``<``, ``>`` and both quotes as entities.

    Safe between tags and inside quoted attribute values. Use :func:`escape_md` instead for
    text that goes into Markdown.

    Parameters
    ----------
    value : object
        Any value; it is shown as ``str(value)``.

    Returns
    -------
    str
        The escaped text.

    Examples
    --------
    >>> escape_html("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_html('Tom & "Jerry"')
    'Tom &amp; &quot;Jerry&quot;'
    """
    return html.escape(str(value), quote=True)


def escape_md(value: object) -> str:
    r"""A data value as text that shows literally inside Markdown rendered with MathJax.

    For a segment, plan, country, product or customer id put into a string given to
    IPython's ``Markdown`` (rendered by JupyterLab, exported by nbconvert): HTML is
    escaped (``&``, ``<``, ``>``, quotes), Markdown punctuation is backslash-escaped
    (``*``, ``_``, backticks, ``[``, ``]``, ``|``, ``#``, ...), ``$`` and ``\`` become
    entities, line breaks become spaces, and the whole value is wrapped in a
    ``<span class="tex2jax_ignore">`` so MathJax never reads it as a formula. Do not put
    the result inside a code span (backticks), where Markdown shows it verbatim.

    Parameters
    ----------
    value : object
        Any value; it is shown as ``str(value)``.

    Returns
    -------
    str
        Markdown source that renders as exactly ``str(value)``.

    See Also
    --------
    escape_html : the same for HTML.

    Examples
    --------
    >>> escape_md("a_b *bold*")
    '<span class="tex2jax_ignore">a\\_b \\*bold\\*</span>'
    >>> escape_md("$5 to $10 plan")
    '<span class="tex2jax_ignore">&#36;5 to &#36;10 plan</span>'
    >>> escape_md("<script>alert(1)</script>")
    '<span class="tex2jax_ignore">&lt;script&gt;alert\\(1\\)&lt;\\/script&gt;</span>'
    """
    return _NO_MATH.format(str(value).translate(_MD_TABLE))


def literal(label: object) -> str:
    r"""A data value as a matplotlib text that is drawn literally.

    ``$`` becomes ``\$`` so that matplotlib never reads the text as mathtext (it draws
    ``\$`` as ``$``); a leading ``_`` gets a zero-width space before it, because
    matplotlib leaves labels starting with ``_`` out of legends.

    Parameters
    ----------
    label : object
        Any value; it is drawn as ``str(label)``.

    Returns
    -------
    str
        Text for a tick label, legend entry, annotation or title.

    Examples
    --------
    >>> literal("$5 to $10 plan")
    '\\$5 to \\$10 plan'
    >>> literal("_internal").startswith("\u200b")
    True
    """
    text = str(label).replace("$", r"\$")
    return f"\u200b{text}" if text.startswith("_") else text
