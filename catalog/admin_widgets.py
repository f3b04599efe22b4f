"""Admin editors for a product's sizes (a list) and size table (a grid): staff type cells, never JSON.

Both work without JavaScript (spare empty inputs are rendered); `static/admin/dwc/product_form.js` adds rows,
columns and sizes. A posted JSON text (scripts, older forms) is still understood.
"""

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SPARE_SIZES = 2
_CELL = re.compile(r"^(?P<name>.+)__r(?P<row>\d{1,3})c(?P<col>\d{1,3})$")
MAX_TABLE = 50
HEADER_HINTS = ["Размер", "Грудь, см", "Длина, см"]


def _json_or_none(values):
    """A single posted value that is JSON (the old textarea) as data; None when the post is the editor's."""
    if len(values) == 1 and values[0].strip().startswith("["):
        try:
            return json.loads(values[0])
        except ValueError:
            return values[0]
    return None


class SizeListWidget(forms.Widget):
    template_name = "admin/catalog/widgets/size_list.html"

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
        parsed = _json_or_none([value for value in values if value is not None])
        if parsed is not None:
            return parsed
        return [value.strip() for value in values if value and value.strip()]

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        sizes = [str(size) for size in value] if isinstance(value, list) else []
        context["widget"]["sizes"] = sizes + [""] * SPARE_SIZES
        return context


class SizeTableWidget(forms.Widget):
    template_name = "admin/catalog/widgets/size_table.html"

    def value_from_datadict(self, data, files, name):
        if name in data:
            values = data.getlist(name) if hasattr(data, "getlist") else [data[name]]
            parsed = _json_or_none(values)
            if parsed is not None:
                return parsed
        cells = {}
        for key in data:
            found = _CELL.match(key)
            if found and found["name"] == name:
                cells[(int(found["row"]), int(found["col"]))] = (data.get(key) or "").strip()
        if not cells:
            return []
        rows = max(row for row, _ in cells) + 1
        cols = max(col for _, col in cells) + 1
        grid = [[cells.get((row, col), "") for col in range(cols)] for row in range(rows)]
        # Rows and columns left empty are spare cells, not part of the table.
        grid = [row for row in grid if any(row)]
        if len(grid) < 2:
            return []  # headers alone (the defaults the form starts with) are no table
        # A heading with nothing under it (a default heading left unused) is no column.
        keep = [col for col in range(cols) if any(row[col] for row in grid[1:])]
        return [[row[col] for col in keep] for row in grid]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(str(key).startswith(f"{name}__r") for key in data)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        grid = (
            [[str(cell) for cell in row] for row in value if isinstance(row, list)]
            if isinstance(value, list)
            else []
        )
        cols = max((len(row) for row in grid), default=0)
        if not grid:
            # A new table starts with real headers (values, not look-alike placeholders) and empty rows under them.
            grid, cols = [list(HEADER_HINTS), [""] * 3], 3
        # One spare column and one spare row to type into.
        grid = [row + [""] * (cols - len(row)) + [""] for row in grid] + [[""] * (cols + 1)]
        cells = [[(f"{name}__r{r}c{c}", cell) for c, cell in enumerate(row)] for r, row in enumerate(grid)]
        context["widget"]["head"], context["widget"]["rows"] = cells[0], cells[1:]
        return context


class SizeListField(forms.Field):
    widget = SizeListWidget
    default_error_messages = {"invalid": _("Размеры — это список названий, например S, M, L или 42.")}

    def to_python(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(size, str | int) for size in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return [str(size).strip() for size in value if str(size).strip()]

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data) if not self.disabled else False


class SizeTableField(forms.Field):
    widget = SizeTableWidget
    default_error_messages = {
        "invalid": _("Таблица размеров — строки одинаковой длины: первая строка — заголовки."),
        "too_big": _("Таблица размеров не больше 50 строк и 50 столбцов."),
    }

    def to_python(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(value) > MAX_TABLE or any(len(row) > MAX_TABLE for row in value):
            raise ValidationError(self.error_messages["too_big"], code="too_big")
        return [[str(cell) for cell in row] for row in value]

    def has_changed(self, initial, data):
        try:
            return list(initial or []) != self.to_python(data)
        except ValidationError:
            return True
