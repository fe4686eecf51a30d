"""Excel (XLSX) export of a bidder's evaluation with openpyxl: one sheet with the checklist, a
frozen header row, a drop-down list on the status column, then the summary and the verdict."""

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gpp.exporters.evaluation import EvaluationView
from gpp.exporters.model import Cell, Link

SHEET_WIDTH_CHARS = 190  # total width of the columns, shared out by the view's percentages
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _value(value: Cell, number: bool) -> str | int:
    text = value.text if isinstance(value, Link) else value
    return int(text) if number and text.isdigit() else text


def _put(ws, row: int, column: int, value: Cell, bold: bool = False, number: bool = False):
    """Write one cell; `number` turns a count or a row number back into a number."""
    cell = ws.cell(row=row, column=column, value=_value(value, number))
    if isinstance(cell.value, str):
        # Text that starts with "=" stays text: a bidder's note must never become a formula.
        cell.data_type = "s"
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_evaluation(view: EvaluationView) -> bytes:
    """Return the XLSX bytes of a bidder's evaluation."""
    wb = Workbook()
    ws = wb.active
    ws.title = _BAD_SHEET_CHARS.sub(" ", view.checks_heading)[:31] or "Evaluation"
    wb.properties.title = view.title
    wb.properties.language = view.lang
    wb.properties.creator = "RE-PLAN City Life"

    table = view.checks
    fill = PatternFill("solid", fgColor="E8E8E8")
    for col, label in enumerate(table.header, start=1):
        _put(ws, 1, col, label, bold=True).fill = fill
    for r, values in enumerate(table.rows, start=2):
        for col, value in enumerate(values, start=1):
            _put(ws, r, col, value, number=col == 1)
    last_row = max(2, len(table.rows) + 1)
    last_col = get_column_letter(len(table.header))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    for col, percent in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = max(
            5, SHEET_WIDTH_CHARS * percent // 100
        )

    # The drop-down offers the same translated labels the cells hold.
    choices = ",".join(s.replace(",", " ").replace('"', "'") for s in view.statuses)
    validation = DataValidation(
        type="list",
        formula1=f'"{choices}"',
        allow_blank=False,
        showErrorMessage=True,
        error=view.status_prompt,
        prompt=view.status_prompt,
        showInputMessage=True,
    )
    status = get_column_letter(view.status_column + 1)
    validation.add(f"{status}2:{status}{last_row}")
    ws.add_data_validation(validation)

    row = last_row + 2
    _put(ws, row, 2, view.summary_heading, bold=True)
    for label, count in view.summary.rows:
        row += 1
        _put(ws, row, 2, label)
        _put(ws, row, 3, count, number=True)
    row += 1
    for label, value in view.facts:
        row += 1
        _put(ws, row, 2, label, bold=True)
        _put(ws, row, 3, value)
    row += 2
    _put(ws, row, 2, view.note)

    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = view.title.replace("&", "&&")
    ws.oddFooter.right.text = "&P / &N"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
