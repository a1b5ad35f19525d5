"""Data values reach tables, Markdown, plots and exported pages as literal text, never markup.

Reports are mailed and opened in a browser: a segment called ``<img src=x onerror=alert(1)>``
must show as that text, a plan called ``$5 to $10 plan`` must not become a formula.
"""

from __future__ import annotations

import math
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402
from nbconvert.filters.markdown_mistune import markdown2html_mistune  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

import retention_kit as rk  # noqa: E402
from retention_kit import reporting  # noqa: E402
from retention_kit._html_safety import check_report_html, find_active_content  # noqa: E402
from retention_kit._text import literal  # noqa: E402
from retention_kit.exceptions import RetentionKitError  # noqa: E402

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
LONG = "Very long segment name " * 13 + "end"  # 302 characters
HOSTILE = [
    "$5 to $10 plan",
    "a_b^c",
    SCRIPT,
    IMG,
    "ลูกค้าใหม่",
    "عميل",
    "fans 😀🎉",
    LONG,
    "_internal",
    r"C:\temp $x$ \(y\)",
    "Tom & 'Jerry' \"quoted\"",
]
# matplotlib's DejaVu Sans has no Thai glyphs: it warns and draws boxes. The label text is
# still right (what these tests check), so only that warning is let through, only here.
GLYPH_WARNING = "ignore:Glyph .* missing from font:UserWarning"


class _Text(HTMLParser):
    """Text of an HTML fragment, and the tags it holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


# --------------------------------------------------------------------------- tables


def hostile_table() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "segment": [IMG, SCRIPT, "Tom & 'Jerry' \"q\""],
            "customers": [1234567, 3, 50],
            "crr": [70.0, math.nan, 81.25],
            "aov": [1234.5, -2.0, 0.0],
        },
        index=pd.Index([f"{IMG} row", "b", "c"], name="<b>name</b>"),
    )
    table[SCRIPT] = [0.5, 1.25, 2.0]  # a column header from the data
    return table


def test_format_table_escapes_cells_labels_index_names_and_caption():
    table = hostile_table()
    styled = reporting.format_table(
        table,
        percent=["crr"],
        money=["aov"],
        integer=["customers"],
        caption=f"Retention of {IMG}",
        labels={"segment": "<i>Segment</i>"},
    )
    assert styled.data is table
    html = styled.to_html()
    for raw in ("<img", "<script", "<b>name", "<i>Segment"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;</td>" in html  # a cell
    assert "&lt;img src=x onerror=alert(1)&gt; row</th>" in html  # the index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</th>" in html  # a column header
    assert "&lt;b&gt;name&lt;/b&gt;</th>" in html  # the index name
    assert "&lt;i&gt;Segment&lt;/i&gt;</th>" in html  # a label passed in
    assert "<caption>Retention of &lt;img src=x onerror=alert(1)&gt;</caption>" in html
    assert "Tom &amp; &#x27;Jerry&#x27; &quot;q&quot;</td>" in html
    assert find_active_content(html) == []
    assert '<table id="T_' in html and 'class="tex2jax_ignore mathjax_ignore">' in html
    # Numbers format as before: separators, percent, currency, dash for missing.
    lines = styled.to_string(delimiter="|").splitlines()  # header, index name, rows
    assert lines[2].split("|")[2:] == ["1,234,567", "70.0 %", "$1,234.50", "0.5"]
    assert lines[3].split("|")[2:] == ["3", "–", "-$2.00", "1.2"]


def test_format_table_escapes_the_currency_and_object_columns():
    table = pd.DataFrame({"aov": [5.0], "mixed": [b"<svg onload=alert(1)>"]})
    html = reporting.format_table(table, money=["aov"], currency="<u>$</u>").to_html()
    assert "<u>" not in html and "<svg" not in html
    assert "&lt;u&gt;$&lt;/u&gt;5.00" in html
    assert "b&#x27;&lt;svg onload=alert(1)&gt;&#x27;" in html


def test_format_table_headers_with_braces_are_not_format_fields():
    # Styler.relabel_index calls label.format(key): "{0.__class__}" would be evaluated.
    table = pd.DataFrame({"{0.__class__}": [1.0], "a{b": [2.0]})
    text = reporting.format_table(table, hide_index=True).to_string(delimiter="|")
    assert text.splitlines()[0] == "{0.__class__}|a{b"


def test_format_table_escapes_multiindex_headers():
    columns = pd.MultiIndex.from_tuples([(IMG, "crr"), ("web", SCRIPT)], names=["<x>", None])
    table = pd.DataFrame([[1.0, 2.0]], columns=columns)
    html = reporting.format_table(table).to_html()
    assert "<img" not in html and "<script" not in html and "<x>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;</th>" in html
    assert "&lt;x&gt;</th>" in html


def test_kpi_table_escapes_periods_and_threshold():
    kpis = {
        "period": IMG,
        "previous_period": SCRIPT,
        "revenue": 100.0,
        "revenue_previous": 45.0,
        "revenue_change": 55.0,
        "revenue_change_pct": 122.22,
        "loyal_customer_rate": 10.0,
        "loyalty_threshold": "<b>2</b>",
    }
    styled = reporting.kpi_table(kpis, currency="<€>")
    assert styled.data.loc["Revenue"].tolist() == ["<€>100.00", "<€>45.00", "+<€>55.00 (+122.2 %)"]
    html = styled.to_html()
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;€&gt;100.00</td>" in html
    assert 'class="tex2jax_ignore mathjax_ignore"' in html
    assert "Loyal customer rate (&gt; &lt;b&gt;2&lt;/b&gt; orders, to date)</th>" in html
    assert find_active_content(html) == []


# --------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize("value", [*HOSTILE, "**bold** _it_ `code` [a](javascript:x) | t |"])
def test_escape_md_renders_as_the_literal_text(value):
    html = markdown2html_mistune(reporting.escape_md(value))
    page = parse(html)
    assert "".join(page.text).strip() == value
    # Only the paragraph and the span that MathJax skips: no emphasis, link, code, image.
    assert page.tags == [("p", {}), ("span", {"class": "tex2jax_ignore"})]
    assert find_active_content(html) == []


@pytest.mark.parametrize("value", ["# Heading", "- item", "1. item", "> quote", "    code"])
def test_escape_md_at_line_start_is_no_block(value):
    html = markdown2html_mistune(f"{reporting.escape_md(value)} kept 70 %.")
    assert [tag for tag, _ in parse(html).tags] == ["p", "span"]
    assert "".join(parse(html).text).strip() == f"{value.strip()} kept 70 %."


def test_escape_md_keeps_the_sentence_markup_and_one_line():
    value = "a\nb\r\n# c"
    html = markdown2html_mistune(f"In **2024-12** {reporting.escape_md(value)} kept *70 %*.")
    page = parse(html)
    assert [tag for tag, _ in page.tags] == ["p", "strong", "span", "em"]
    assert "".join(page.text).strip() == "In 2024-12 a b  # c kept 70 %."


def test_escape_md_neutralises_bidi_overrides():
    assert "\u202e" not in reporting.escape_md("abc\u202edef")
    assert "abc\ufffddef" in reporting.escape_md("abc\u202edef")


def test_backslash_dollar_does_not_survive_nbconvert():
    # Why escape_md uses an entity inside a MathJax-ignored span: nbconvert turns "\$" back
    # into a bare "$", so MathJax would pair "$5 to $" into a formula in the exported page.
    assert markdown2html_mistune(r"A \$5 to \$10 plan") == "<p>A $5 to $10 plan</p>\n"


def test_escape_html():
    assert reporting.escape_html(IMG) == "&lt;img src=x onerror=alert(1)&gt;"
    assert reporting.escape_html("a & 'b' \"c\"") == "a &amp; &#x27;b&#x27; &quot;c&quot;"
    assert reporting.escape_html(12.5) == "12.5"


def test_escape_mpl_for_notebook_titles():
    title = f"Retention by {reporting.escape_mpl('$5 to $10 plan')}"
    fig, ax = plt.subplots()
    ax.set_title(title)
    fig.canvas.draw()
    assert shown(ax.title) == "Retention by $5 to $10 plan"


# --------------------------------------------------------------------------- plots


def shown(text) -> str:
    """What matplotlib draws for a Text artist; fails if it would be parsed as mathtext."""
    string, is_math = text._preprocess_math(text.get_text())
    assert not is_math, text.get_text()
    return string


def all_texts(fig) -> list[str]:
    return [shown(t) for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def segment_summary(names: list[str]) -> pd.DataFrame:
    periods = pd.period_range("2024-01", periods=4, freq="M")
    frames = []
    for i, name in enumerate(names):
        crr = np.array([80.0, 81.0, 79.0, 82.0]) - i
        frames.append(
            pd.DataFrame(
                {
                    "period": periods,
                    "crr": crr,
                    "crr_low": crr - 4,
                    "crr_high": crr + 4,
                    "segment": name,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def segment_nps(names: list[str], with_period: bool) -> pd.DataFrame:
    rows = []
    periods = pd.period_range("2024-01", periods=3, freq="M") if with_period else [None]
    for name in names:
        for period in periods:
            rows.append(
                {
                    "period": period,
                    "segment": name,
                    "n": 120,
                    "detractor_share": 30.0,
                    "passive_share": 30.0,
                    "promoter_share": 40.0,
                    "nps": 10.0,
                    "nps_low": 0.0,
                    "nps_high": 20.0,
                }
            )
    table = pd.DataFrame(rows)
    return table if with_period else table.drop(columns="period")


def survival_table(names: list[str]) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "time": [0.0, 1.0, 2.0],
                "survival": [100.0, 80.0, 60.0],
                "survival_low": [100.0, 70.0, 50.0],
                "survival_high": [100.0, 90.0, 70.0],
                "plan": name,
            }
        )
        for name in names
    ]
    return pd.concat(frames, ignore_index=True)


def cohort_table(names: list[str]) -> pd.DataFrame:
    values = [[100.0, 50.0, 40.0]] * len(names)
    return pd.DataFrame(values, index=pd.Index(names, name="cohort"), columns=[0, 1, 2])


def legend_texts(ax) -> list[str]:
    return [shown(t) for t in ax.get_legend().get_texts()]


PLOTS = {
    "period_metrics": lambda names, ax: rk.plot_period_metrics(
        segment_summary(names), by="segment", metrics="crr", ax=ax
    ),
    "nps_over_periods": lambda names, ax: rk.plot_nps(
        segment_nps(names, True), by="segment", ax=ax
    ),
    "nps_bars": lambda names, ax: rk.plot_nps(segment_nps(names, False), by="segment", ax=ax),
    "nps_shares": lambda names, ax: rk.plot_nps_shares(
        segment_nps(names, False), by="segment", ax=ax
    ),
    "survival": lambda names, ax: rk.plot_survival(survival_table(names), by="plan", ax=ax),
    "cohort_heatmap": lambda names, ax: rk.plot_cohort_heatmap(cohort_table(names), ax=ax),
    "cohort_curves": lambda names, ax: rk.plot_retention_curves(
        cohort_table(names), ax=ax, mean=False
    ),
}


@pytest.mark.filterwarnings(GLYPH_WARNING)
@pytest.mark.parametrize("plot", sorted(PLOTS))
@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_plot_shows_hostile_labels_literally(plot, label):
    names = sorted([label, "web"])
    fig, ax = plt.subplots(figsize=(8, 4))
    PLOTS[plot](names, ax)
    fig.canvas.draw()  # mathtext errors and layout failures surface here
    texts = all_texts(fig)  # and none of the texts is parsed as mathtext
    assert any(label in text for text in texts), texts


@pytest.mark.filterwarnings(GLYPH_WARNING)
@pytest.mark.parametrize("plot", ["nps_over_periods", "survival", "cohort_curves"])
def test_legend_keeps_every_segment(plot):
    names = sorted(HOSTILE)
    fig, ax = plt.subplots(figsize=(8, 4))
    PLOTS[plot](names, ax)
    fig.canvas.draw()
    entries = legend_texts(ax)
    # Displayed without the zero-width space that keeps "_internal" in the legend.
    assert [e.removeprefix("\u200b") for e in entries[: len(names)]] == names


def test_period_metrics_legend_and_ticks_by_hand():
    fig, ax = plt.subplots()
    rk.plot_period_metrics(
        segment_summary(["$5 to $10 plan", "a_b^c"]), by="segment", metrics="crr", ax=ax
    )
    fig.canvas.draw()
    raw = [t.get_text() for t in ax.get_legend().get_texts()]
    assert raw[:2] == [r"CRR: \$5 to \$10 plan", "CRR: a_b^c"]
    assert legend_texts(ax)[:2] == ["CRR: $5 to $10 plan", "CRR: a_b^c"]


def test_literal_is_undone_exactly_by_matplotlib():
    for label in ["$", "$$", r"\$", r"a\$b$c$", "no dollars", "_x"]:
        text = matplotlib.text.Text(0, 0, literal(label))
        assert shown(text).removeprefix("\u200b") == label


# --------------------------------------------------------------------------- exported pages


def export(outputs: list[dict], **options) -> str:
    notebook = new_notebook()
    cell = new_code_cell("show()")
    cell.outputs = outputs
    notebook.cells = [new_markdown_cell("# Report\n\nSome *text*."), cell]
    html, _ = HTMLExporter(template_name="lab", **options).from_notebook_node(notebook)
    return html


def html_output(html: str) -> dict:
    return new_output("display_data", data={"text/html": html, "text/plain": "table"})


def md_output(text: str) -> dict:
    return new_output("display_data", data={"text/markdown": text, "text/plain": "text"})


PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
    "rkJggg=="
)


def report_outputs() -> list[dict]:
    styled = reporting.format_table(hostile_table(), percent=["crr"], caption=f"By {IMG}")
    return [
        html_output(styled.to_html()),
        html_output(hostile_table().to_html()),  # pandas' own HTML escapes too
        md_output(f"In **2024-12** {reporting.escape_md('$5 to $10 ' + IMG)} kept *70 %*."),
        new_output("display_data", data={"image/png": PNG, "text/plain": "figure"}),
    ]


@pytest.mark.parametrize(
    "options",
    [{}, {"exclude_input": True, "exclude_input_prompt": True, "exclude_output_prompt": True}],
    ids=["full", "summary"],
)
def test_stock_export_with_escaped_data_passes(options, tmp_path):
    html = export(report_outputs(), **options)
    assert html.count("<script") == 4  # require.js, MathJax, its config, the Mermaid loader
    assert find_active_content(html) == []
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    check_report_html(page)


def test_export_of_unescaped_outputs_is_caught(tmp_path):
    hostile = (
        f"<table><td>{IMG}</td></table>"
        '<a href="JaVaScRiPt:alert(1)">link</a>'
        '<iframe src="https://example.org"></iframe>'
        "<svg onload=alert(1)></svg>"
    )
    html = export([html_output(hostile), md_output(f"Segment {SCRIPT}")])
    found = find_active_content(html)
    assert [item.split(": ", 1)[1] for item in found] == [
        "<img> event handler onerror='alert(1)'",
        "<a> script URL in href='JaVaScRiPt:alert(1)'",
        "<iframe> element",
        "<svg> event handler onload='alert(1)'",
        "<script> 'alert(1)'",
    ]
    page = tmp_path / "report.summary.html"
    page.write_text(html, encoding="utf-8")
    expected = r"report\.summary\.html.*5 piece\(s\)(.|\n)*onerror"
    with pytest.raises(RetentionKitError, match=expected):
        check_report_html(page)


@pytest.mark.parametrize(
    "html",
    [
        "<IMG SRC=x OnError=alert(1)>",
        "<a/onclick=alert(1)>x</a>",
        "<img src=x\nonerror=alert(1)>",
        '<img src="x"onerror=alert(1)>',
        "<details open ontoggle=alert(1)>",
        '<a href="  \x01javascript:alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="&#106;ava&#x73;cript&colon;alert(1)">x</a>',
        '<form><button formaction="javascript:alert(1)">x</button></form>',
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
        '<svg><animate attributeName="href" values="a;javascript:alert(1)"/></svg>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<meta http-equiv="Refresh" content="0;url=https://example.org">',
        '<base href="https://example.org/">',
        '<object data="x.swf"></object>',
        '<embed src="x.swf">',
        "<frameset><frame src=x></frameset>",
        "<script>alert(1)</script>",
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/evil.js"></script>',
        "<script>",
    ],
)
def test_active_content_variants_are_caught(html):
    assert find_active_content(f"<p>before</p>{html}<p>after</p>")


@pytest.mark.parametrize(
    "html",
    [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img onerror=x&gt;</p>",
        '<img src="data:image/png;base64,AAAA" alt="javascript is fine in text">',
        '<a href="https://example.org/?q=javascript:">x</a>',
        "<!-- <script>alert(1)</script> -->",
        '<style type="text/css">#T_1 td { text-align: right; }</style>',
        "<p>onerror=alert(1) as text</p>",
    ],
)
def test_inert_content_passes(html):
    assert find_active_content(html) == []


def test_template_script_with_changed_text_is_caught():
    html = export([])
    tampered = html.replace("MathJax.Hub.Config({", "alert(1); MathJax.Hub.Config({", 1)
    assert tampered != html
    assert find_active_content(html) == []
    (found,) = find_active_content(tampered)
    assert "<script> 'init_mathjax = function()" in found


def test_sanitize_html_would_break_the_tables():
    # nbconvert's sanitize_html (bleach with a short tag list) escapes <style>, <th>, <thead>,
    # <caption> and even <p> and <h1> into visible text: the report would be unreadable.
    styled = reporting.format_table(pd.DataFrame({"crr": [70.0]}), percent=["crr"])
    html = export([html_output(styled.to_html())], sanitize_html=True)
    assert "&lt;style" in html and "&lt;th" in html and "&lt;h1" in html
