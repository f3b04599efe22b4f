"""One writer for every CSV file the back office hands out: Excel as Russian staff open it (UTF-8 with a BOM,
«;» between cells), and typed text kept inert."""

import csv

from django.http import HttpResponse

DELIMITER = ";"
# A cell that starts with one of these is a formula to Excel: `=HYPERLINK(...)` typed as a name would run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Typed text as inert text: a leading apostrophe makes Excel show a would-be formula as it is (OWASP).

    Phones, dates and amounts are written by the shop itself and go out as they are."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_response(*, filename: str, header: list[str]):
    """An attachment named `filename` that starts with the BOM and `header`; returns it and its row writer."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=DELIMITER)
    writer.writerow(header)
    return response, writer
