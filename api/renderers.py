"""CSV: the same rows and fields as the JSON, one line per row (`?format=csv` or
`Accept: text/csv`)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """A page of results as CSV with a header row; a single object or an error as one row.

    The next page's address is in the `Link` header (api/pagination.py), as in the JSON's
    `next`.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        view = (renderer_context or {}).get("view")
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        columns = _columns(view, rows)
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(row.get(key)) for key in columns})
        # A byte-order mark so Excel and Power BI read the text as UTF-8.
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _columns(view, rows) -> list[str]:
    serializer_class = getattr(view, "serializer_class", None)
    if serializer_class is not None and (not rows or "detail" not in rows[0]):
        return list(serializer_class().fields)
    return list(rows[0]) if rows else []


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
