"""Streamed CSV downloads that spreadsheets open safely (UTF-8 with BOM, no formula injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell that starts with one of these as a formula (tab and CR can shift it into one).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell value that a spreadsheet shows as text and never evaluates: risky first characters get a `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


BATCH_ROWS = 500  # rows joined into one chunk of the response: fewer, larger writes to the client


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Encode a header and rows as CSV (cells made safe) in chunks of rows, starting with a byte-order mark.

    The byte-order mark makes spreadsheets read the file as UTF-8 (names in Korean, accents, …).
    """
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([csv_safe(cell) for cell in header])
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([csv_safe(cell) for cell in row]))
        if len(batch) >= BATCH_ROWS:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_response(lines: Iterable[str], *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of already-encoded lines."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
