r"""CSV output safe to open in a spreadsheet (one writer for API exports and dashboard tables).

* **Formula injection**: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return would be run as a formula by Excel/LibreOffice; such cells get a
  leading apostrophe (``'=cmd`` shows as the text ``=cmd``), as OWASP recommends.
  Numbers are written as numbers (a negative number stays ``-5``), and only text is
  prefixed; an import of an exported file keeps the apostrophe as part of the text.
* **Line breaks**: rows end with ``\r\n`` (RFC 4180), so the writer quotes every field
  that contains a ``\r`` or ``\n`` — a bare carriage return inside a field can no
  longer split a row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["FORMULA_PREFIXES", "safe_cell", "to_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading apostrophe if it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of ``header`` and ``rows`` (cells made safe by :func:`safe_cell`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()
