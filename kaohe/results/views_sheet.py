"""A unit's score sheet (考核评分表), as a page to print and as xlsx laid out like the seed's table (merged
cells), with the federation's name, the cycle, and room for the reviewer's signature and the seal."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from kaohe import access
from kaohe.assessments.models import Assessment, Cycle, Item
from kaohe.organisations.models import Organisation, Tier
from kaohe.pdf import pdf_response, render_pdf
from kaohe.results.sheet import Sheet, sheet_of
from kaohe.spreadsheets import export_response, store_value

HEADINGS = ("序号", "考核内容", "工作内容", "考核要求", "分值", "自评分", "评定分", "评语")
WIDTHS = (6, 16, 30, 60, 7, 8, 8, 30)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def sheet_for(user: Any, year: int, code: str) -> Sheet:
    """The unit's sheet of the year if the user sees its assessment (else 404), final scores as they may see them."""
    assessment = access.get_assessment(user, Assessment.objects.all(), year, code)
    items = list(assessment.items.all())
    return sheet_of(assessment, items, access.can_see_final_scores(user, assessment))


@login_required
def score_sheet(request: HttpRequest, year: int, code: str) -> HttpResponse:
    found = sheet_for(request.user, year, code)
    return render(request, "results/sheet.html", {"sheet": found, **_heading(found)})


def _heading(found: Sheet) -> dict[str, Any]:
    assessment = found.assessment
    district = assessment.cycle.district
    return {
        "federation": district.name if district else "",
        "cycle": assessment.cycle,
        "unit": assessment.organisation,
    }


@login_required
def score_sheet_export(request: HttpRequest, year: int, code: str) -> HttpResponse:
    found = sheet_for(request.user, year, code)
    unit = found.assessment.organisation
    return export_response(write_sheet_xlsx(found), f"考核评分表-{year}-{unit.name}.xlsx")


def write_sheet_xlsx(found: Sheet) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 (a new workbook has its sheet)
    sheet.title = "考核评分表"
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    assessment = found.assessment
    _merged_line(sheet, 1, f"{assessment.cycle.name} · 考核评分表", Font(bold=True, size=14))
    _merged_line(
        sheet,
        2,
        f"被考核单位：{assessment.organisation.name}（{assessment.organisation.code}） · {found.column_heading}",
    )
    for column, heading in enumerate(HEADINGS, start=1):
        cell = _put(sheet, 3, column, heading)
        cell.font, cell.fill = Font(bold=True), HEADING_FILL
    row = 4
    for category in found.categories:
        first = row
        for line in category.rows:
            contents = "\n".join(text for _number, text in line.contents)
            values = [
                category.number,
                f"{category.title}（{category.points}分）",
                contents,
                "\n".join(line.duties),
                line.points,
                line.self_score,
                line.final_score,
                line.words,
            ]
            for column, value in enumerate(values, start=1):
                _put(sheet, row, column, value)
            row += 1
        if row - 1 > first:
            for column in (1, 2):
                sheet.merge_cells(start_row=first, start_column=column, end_row=row - 1, end_column=column)
        _subtotal_row(
            sheet, row, f"第{category.number}类小计", category.points, category.self_subtotal, category.final_subtotal
        )
        row += 1
    _subtotal_row(sheet, row, "合计", found.points, found.self_total, found.final_total)
    _put(sheet, row + 1, 1, "等级")
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=4)
    _put(sheet, row + 1, 5, found.grade or None)
    sheet.merge_cells(start_row=row + 1, start_column=5, end_row=row + 1, end_column=8)
    _merged_line(
        sheet,
        row + 3,
        "评审单位（盖章）：　　　　　　　　　　评审人签字：　　　　　　　　　　日期：　　　　年　　月　　日",
    )
    _print_setup(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    cell = sheet.cell(row, column)
    store_value(cell, value)
    cell.border = BORDER
    cell.alignment = Alignment(
        vertical="top", wrap_text=True, horizontal="center" if column in (1, 2, 5, 6, 7) else "left"
    )
    return cell


def _merged_line(sheet: Any, row: int, text: str, font: Font | None = None) -> None:
    cell = sheet.cell(row, 1)
    store_value(cell, text)
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    if font:
        cell.font = font
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADINGS))


def _subtotal_row(sheet: Any, row: int, label: str, points: Any, self_total: Any, final_total: Any) -> None:
    _put(sheet, row, 1, label).font = Font(bold=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    for column, value in ((5, points), (6, self_total), (7, final_total), (8, None)):
        cell = _put(sheet, row, column, value)
        cell.fill, cell.font = SUBTOTAL_FILL, Font(bold=True)
    sheet.cell(row, 1).fill = SUBTOTAL_FILL


def _print_setup(sheet: Any) -> None:
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


# PDF ------------------------------------------------------------------------------------------------------

# Score sheets in one PDF at most: a system's (a street has a few hundred units) lays out in well under a
# minute; a whole tier of a large district is asked for a system at a time.
MOST_SHEETS_IN_ONE_PDF = 300


@login_required
def score_sheet_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    found = sheet_for(request.user, year, code)
    content = render_pdf("results/sheets_pdf.html", {"sheets": [found], **_heading(found)})
    return pdf_response(content, f"考核评分表-{year}-{found.assessment.organisation.name}.pdf")


class SheetsForm(forms.Form):
    tier = forms.ChoiceField(choices=[("", "")] + [(t.value, t.label) for t in Tier], required=False)
    system = forms.CharField(required=False, max_length=100)


@login_required
def score_sheets_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """A district administrator's print run: the score sheets of a tier, or of a secondary union's system
    (the union and the units under it), in one PDF."""
    cycle = access.get_cycle(request.user, Cycle.objects.select_related("district"), year)
    if not access.can_run_cycle(request.user, cycle.district):
        raise access.SeeButNotChange
    form = SheetsForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    assessments = access.visible_assessments(request.user, cycle.assessments.all()).select_related("organisation")
    if chosen.get("tier"):
        assessments = assessments.filter(tier=chosen["tier"])
    if chosen.get("system"):
        system = Organisation.objects.filter(code=chosen["system"]).first()
        assessments = assessments.filter(organisation__path__under=system.path) if system else assessments.none()
    listed = list(assessments.order_by("organisation__path")[: MOST_SHEETS_IN_ONE_PDF + 1])
    if len(listed) > MOST_SHEETS_IN_ONE_PDF or not listed:
        message = (
            _("%(count)s score sheets are more than one PDF holds (%(most)s): choose a system.")
            % {"count": assessments.count(), "most": MOST_SHEETS_IN_ONE_PDF}
            if listed
            else _("No assessment matches: choose another tier or system.")
        )
        return render(request, "results/sheets_refused.html", {"cycle": cycle, "message": message}, status=400)
    sheets = _sheets_of(request.user, cycle, listed)
    context = {"sheets": sheets, "cycle": cycle, "federation": cycle.district.name if cycle.district else ""}
    return pdf_response(render_pdf("results/sheets_pdf.html", context), f"考核评分表-{year}.pdf")


def _sheets_of(user: Any, cycle: Cycle, assessments: list[Assessment]) -> list[Sheet]:
    """Their sheets from one query of their items, every assessment reading the same copy of the standard."""
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(assessment__in=[a.pk for a in assessments]).order_by("assessment", "position"):
        items[item.assessment_id].append(item)
    sheets = []
    for assessment in assessments:
        assessment.cycle = cycle
        sheets.append(sheet_of(assessment, items[assessment.pk], access.can_see_final_scores(user, assessment)))
    return sheets
