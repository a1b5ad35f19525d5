"""Opening data files the same way on every engine.

What a file holds is read from its first bytes (not trusted from its suffix), text files
get one encoding and one delimiter for every engine, and engine failures on a file become
errors that say what is wrong with the file and how to fix it.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import EmptyDataError, RetentionKitError

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xls")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *PARQUET_SUFFIXES, *EXCEL_SUFFIXES)
#: Delimiters recognised in text files (sep=None).
DELIMITERS = ",;\t|"
#: Cell texts read as missing in text files, the same on every engine.
NULL_TOKENS = ["", "NULL", "null", "NaN", "nan", "N/A", "n/a", "#N/A"]
_SAMPLE_BYTES = 64 * 1024
_UTF8 = ("utf-8", "utf-8-sig")

_MAGIC = (
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3", "an SQLite database"),
)


@dataclass(frozen=True)
class CsvLayout:
    """How a text file is read: its encoding, delimiter and header."""

    encoding: str
    sep: str
    columns: list[str]


def existing_file(source: str | Path) -> Path:
    """The path of a data file that exists and is not empty, or a clear error."""
    path = Path(source)
    if not path.is_file():
        msg = f"data file {str(path)!r} does not exist (looked in {Path.cwd()})."
        raise RetentionKitError(msg)
    if path.stat().st_size == 0:
        msg = f"data file {str(path)!r} is empty (0 bytes): there are no rows to read."
        raise EmptyDataError(msg)
    return path


def file_kind(path: Path) -> str:
    """``"text"``, ``"parquet"`` or ``"excel"``, checked against what the file holds."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        msg = (
            f"data file {str(path)!r}: cannot read {suffix or 'files without a suffix'}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}."
        )
        raise RetentionKitError(msg)
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    looks = _looks_like(head)
    if suffix in TEXT_SUFFIXES:
        kind, ok = "text", looks in ("text", "UTF-16 text")
        wanted = f"a {suffix[1:].upper()} text file"
    elif suffix in PARQUET_SUFFIXES:
        kind, ok, wanted = "parquet", looks == "a Parquet file", "a Parquet file"
    else:
        kind, wanted = "excel", "an Excel workbook"
        ok = looks.startswith(("a zip archive", "an old Excel"))
    if not ok:
        fix = {
            "a Parquet file": "rename it to .parquet",
            "text": "rename it to .csv",
            "UTF-16 text": "rename it to .csv",
            "an old Excel (.xls) workbook": "rename it to .xls",
            "a zip archive (an .xlsx workbook is one)": (
                "rename it to .xlsx if it is a workbook, or unzip it and pass the file inside"
            ),
            "a gzip-compressed file": "decompress it first (gunzip)",
        }.get(looks, "export the data as CSV or Parquet")
        msg = (
            f"data file {str(path)!r} is not {wanted}: its content looks like {looks}. "
            f"Check that it is the right file, or {fix}."
        )
        raise RetentionKitError(msg)
    return kind


def _looks_like(head: bytes) -> str:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16 text"
    if b"\x00" in head:
        return "binary data"
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        return "an HTML page (some 'Excel' exports are web pages)"
    if start.startswith((b"<?xml",)):
        return "an XML document"
    return "text"


def csv_layout(path: Path, *, encoding: str | None, sep: str | None) -> CsvLayout:
    """Encoding, delimiter and header of a text file, from its first lines.

    ``encoding=None`` reads UTF-8 (with or without a byte-order mark) and UTF-16 with a
    byte-order mark; other encodings must be named. ``sep=None`` picks one of
    :data:`DELIMITERS` with :class:`csv.Sniffer`.
    """
    with path.open("rb") as handle:
        raw = handle.read(_SAMPLE_BYTES)
        whole = not handle.read(1)
    if encoding is None:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
    try:
        codecs.lookup(encoding)
    except LookupError:
        msg = f"encoding={encoding!r} is not an encoding Python knows; try 'latin-1' or 'cp1252'."
        raise RetentionKitError(msg) from None
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        text = decoder.decode(raw, final=whole)
    except UnicodeDecodeError as err:
        if encoding in _UTF8:
            raise not_utf8_error(path, encoding) from None
        raise _decode_error(path, encoding, err) from None
    lines = text.splitlines()
    if not whole:
        lines = lines[:-1]  # the last line of the sample may be cut
    lines = [line for line in lines if line.strip()]
    if not lines:
        msg = f"data file {str(path)!r} has no header and no rows (only blank lines)."
        raise EmptyDataError(msg)
    if sep is None:
        try:
            sep = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=DELIMITERS).delimiter
        except csv.Error:
            sep = ","
    header = next(csv.reader([lines[0]], delimiter=sep))
    if len(header) == 1:
        inside = [d for d in DELIMITERS if d in header[0]]
        if inside:
            shown = {"\t": "\\t"}.get(inside[0], inside[0])
            msg = (
                f"data file {str(path)!r} was read as one column named {header[0][:60]!r}, "
                f"which contains {shown!r}: the delimiter is probably {shown!r}. Pass "
                f"sep={shown!r} (--sep on the command line)."
            )
            raise RetentionKitError(msg)
    if whole and len(lines) == 1:
        msg = f"data file {str(path)!r} has a header ({', '.join(header[:8])}) but no rows of data."
        raise EmptyDataError(msg)
    return CsvLayout(encoding=encoding, sep=sep, columns=header)


def not_utf8_error(path: Path, encoding: str = "utf-8") -> RetentionKitError:
    """The error for a text file that is not UTF-8, naming the first bad byte and line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    bad: int | None = None
    with path.open("rb") as handle:
        if encoding == "utf-8-sig" and handle.read(3) != codecs.BOM_UTF8:
            handle.seek(0)
        offset = handle.tell()
        while chunk := handle.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                bad = offset - pending + err.start
                break
            offset += len(chunk)
    if bad is None:
        return RetentionKitError(
            f"data file {str(path)!r} could not be read as UTF-8 text. Pass its encoding, "
            f"e.g. encoding='latin-1' or encoding='cp1252' (--encoding on the command line)."
        )
    with path.open("rb") as handle:
        before = handle.read(bad)
        handle.seek(bad)
        byte = handle.read(1)
    line_no = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    with path.open("rb") as handle:
        handle.seek(line_start)
        line = handle.readline()[:80].decode("latin-1").rstrip("\r\n")
    return RetentionKitError(
        f"data file {str(path)!r} is not UTF-8 text: byte 0x{byte.hex()} at offset {bad:,} "
        f"(line {line_no:,}: {line!r}) is not valid UTF-8. Files saved by Excel on Windows "
        f"are often Windows-1252 or Latin-1: pass encoding='cp1252' or encoding='latin-1' "
        f"(--encoding on the command line)."
    )


def _decode_error(path: Path, encoding: str, err: UnicodeDecodeError) -> RetentionKitError:
    return RetentionKitError(
        f"data file {str(path)!r} cannot be read as {encoding}: byte "
        f"0x{err.object[err.start : err.start + 1].hex()} at offset {err.start:,}. Pass the "
        f"file's encoding with encoding= (--encoding on the command line)."
    )


def read_pandas(
    path: Path, *, encoding: str | None, sep: str | None, text_cols: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Read a file into pandas (text columns ``text_cols`` are kept as text)."""
    kind = file_kind(path)
    if kind == "parquet":
        return pd.read_parquet(path)
    if kind == "excel":
        try:
            return pd.read_excel(path)
        except Exception as err:  # noqa: BLE001 - any reader failure: say which file
            msg = f"data file {str(path)!r} could not be read as Excel: {err}"
            raise RetentionKitError(msg) from None
    layout = csv_layout(path, encoding=encoding, sep=sep)
    try:
        return pd.read_csv(
            path,
            sep=layout.sep,
            encoding=layout.encoding,
            dtype={c: "str" for c in text_cols if c in layout.columns},
            keep_default_na=False,
            na_values=NULL_TOKENS,
            low_memory=False,
        )
    except UnicodeDecodeError:
        raise not_utf8_error(path, layout.encoding) from None
    except (ValueError, pd.errors.ParserError) as err:
        raise csv_error(path, layout, err) from None


def scan_lazy(
    path: Path, engine: str, *, encoding: str | None, sep: str | None, text_cols: tuple[str, ...]
) -> Any:
    """Open a Parquet or text file lazily with Polars or DuckDB (nothing is read yet).

    Polars reads text in other encodings than UTF-8 into memory first; DuckDB reads UTF-8
    text only (convert other files to UTF-8 or Parquet).
    """
    if path.suffix.lower() in EXCEL_SUFFIXES:
        msg = (
            f"data file {str(path)!r}: engine={engine!r} scans Parquet or CSV files; read "
            f"Excel files with engine='pandas' (or convert them to Parquet)."
        )
        raise RetentionKitError(msg)
    kind = file_kind(path)
    if engine == "polars":
        import polars as pl

        if kind == "parquet":
            return pl.scan_parquet(path)
        layout = csv_layout(path, encoding=encoding, sep=sep)
        options: dict[str, Any] = {
            "separator": layout.sep,
            "schema_overrides": {c: pl.String for c in text_cols if c in layout.columns},
            "null_values": NULL_TOKENS,
            "infer_schema_length": 10_000,
        }
        if layout.encoding in _UTF8:
            return pl.scan_csv(path, **options)
        return pl.read_csv(path, encoding=layout.encoding, **options).lazy()
    import duckdb

    if kind == "parquet":
        return duckdb.read_parquet(str(path))
    layout = csv_layout(path, encoding=encoding, sep=sep)
    if layout.encoding not in _UTF8:
        msg = (
            f"data file {str(path)!r} is {layout.encoding} text; engine='duckdb' reads UTF-8 "
            f"text only. Convert it once, e.g. pd.read_csv(path, encoding="
            f"{layout.encoding!r}).to_parquet('orders.parquet'), or use engine='polars' or "
            f"engine='pandas'."
        )
        raise RetentionKitError(msg)
    try:
        return duckdb.read_csv(
            str(path),
            header=True,
            delimiter=layout.sep,
            dtype={c: "VARCHAR" for c in text_cols if c in layout.columns},
            na_values=NULL_TOKENS,
        )
    except duckdb.Error as err:
        raise csv_error(path, layout, err) from None


def csv_error(path: Path, layout: CsvLayout | None, err: Exception) -> RetentionKitError:
    """A failure while reading a text file, as an error that names the file and a fix."""
    text = str(err)
    if "utf-8" in text.lower() or "unicode" in text.lower():
        return not_utf8_error(path, layout.encoding if layout else "utf-8")
    first = " ".join(text.strip().splitlines()[:3])[:300]
    sep = f" with delimiter {layout.sep!r}" if layout else ""
    return RetentionKitError(
        f"data file {str(path)!r} could not be read{sep}: {first}. Check that every row "
        f"has as many fields as the header and that the column holds one kind of value; "
        f"pass sep= if the delimiter is wrong."
    )


def non_empty(folder: Path) -> bool:
    """Whether ``folder`` is a directory with anything in it."""
    return folder.is_dir() and any(folder.iterdir())
