"""The cycle's two spreadsheets: the reviewer's paper score sheet (download, fill in, upload, all or nothing)
and a past year's final scores brought in as a published cycle. Each bad row kind is refused by row and column,
and a refused file changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Item, Status
from kaohe.assessments.tests.conftest import assessment_of, submitted
from kaohe.history.models import Action, Event
from kaohe.spreadsheets import ImportRefused

NUMBERS = ["1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "4.3", "4.4", "5.1", "6.1", "6.2", "6.3", "6.4", "7.1", "8"]
POINTS = dict(zip(NUMBERS, [4, 4, 4, 5, 5, 5, 5, 5, 10, 15, 5, 5, 4, 4, 20], strict=True))


def csv_file(headings: list[str], rows: list[list[object]], name: str = "sheet.csv") -> SimpleUploadedFile:
    lines = [",".join(headings), *(",".join("" if cell is None else str(cell) for cell in row) for row in rows)]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"))


def faults(refused: ImportRefused) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in refused.errors]


# The review sheet --------------------------------------------------------------------------------------------

REVIEW_HEADINGS = ["单位编码", "单位名称", "条目", "分值", "自评分", "建议分", "最终得分", "理由"]


def review_rows(code: str, final: object = None, reason: str = "核实无误") -> list[list[object]]:
    return [
        [code, "", number, POINTS[number], "", "", POINTS[number] if final is None else final, reason]
        for number in NUMBERS
    ]


@pytest.fixture
def g1(cycle, grassroots_cadre):
    """The grassroots union's assessment, submitted with full points: its secondary cadre reviews it."""
    return submitted(grassroots_cadre, cycle, "YX-S1-G1")


def sheet_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))


def test_the_sheet_holds_every_item_of_what_the_reviewer_reviews(client, cycle, g1, secondary_cadre, personas):
    submitted(personas["district_admin"], cycle, "YX-S2-G1")  # another system's: not this cadre's
    client.force_login(secondary_cadre)
    response = client.get("/assessments/2026/review-sheet.xlsx")
    rows = sheet_rows(response)
    assert rows[0] == tuple(REVIEW_HEADINGS)
    assert [row[0] for row in rows[1:]] == ["YX-S1-G1"] * 15
    assert [row[2] for row in rows[1:]] == NUMBERS
    assert rows[1][3:7] == (4, 4, None, None)  # points, self-score, no proposal, no final yet
    assert response["Content-Disposition"].startswith("attachment")


def test_the_assessors_sheet_holds_only_the_units_given_to_them(client, cycle, personas, tree):
    from kaohe.accounts.models import Role
    from kaohe.conftest import make_user

    for code in ("YX-S1", "YX-D1"):
        submitted(personas["district_admin"], cycle, code)
    colleague = make_user("kaohezu2", Role.ASSESSOR, tree["YX"])
    actions.assign_reviewer(personas["district_admin"], [assessment_of(cycle, "YX-D1")], colleague)
    client.force_login(personas["assessor"])
    assert {row[0] for row in sheet_rows(client.get("/assessments/2026/review-sheet.xlsx"))[1:]} == {"YX-S1"}


def test_a_cell_that_looks_like_a_formula_stays_text(client, cycle, g1, secondary_cadre):
    item = g1.items.get(number="1.1")
    actions.review_item(secondary_cadre, item, final_score="3", reason="=HYPERLINK(1)")
    client.force_login(secondary_cadre)
    workbook = load_workbook(io.BytesIO(client.get("/assessments/2026/review-sheet.xlsx").content))
    cell = workbook.active["H3"]
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_a_filled_in_sheet_saves_every_final_score(client, cycle, g1, secondary_cadre):
    client.force_login(secondary_cadre)
    rows = review_rows("YX-S1-G1")
    rows[0][6], rows[0][7] = "3.5", "只开展一次专题学习"
    response = client.post("/assessments/2026/review-sheet/", {"file": csv_file(REVIEW_HEADINGS, rows)})
    assert response.status_code == 302
    finals = dict(g1.items.values_list("number", "final_score"))
    assert finals["1.1"] == Decimal("3.5")
    assert finals["6.1"] == 15
    assert g1.items.get(number="1.1").reason == "只开展一次专题学习"
    assert Event.objects.filter(action=Action.REVIEWS_IMPORTED, details__saved=15).exists()
    assert Event.objects.filter(action=Action.ITEM_REVIEWED, details__assessment_id=g1.pk).count() == 15


def test_the_downloaded_sheet_filled_in_excel_imports_back(client, cycle, g1, secondary_cadre):
    client.force_login(secondary_cadre)
    workbook = load_workbook(io.BytesIO(client.get("/assessments/2026/review-sheet.xlsx").content))
    sheet = workbook.active
    for row in range(3, sheet.max_row + 1):
        sheet.cell(row, 7).value = sheet.cell(row, 4).value  # full points, as self-assessed
        sheet.cell(row, 8).value = "核实"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("评分表.xlsx", buffer.getvalue())
    assert client.post("/assessments/2026/review-sheet/", {"file": upload}).status_code == 302
    assert not g1.items.filter(final_score__isnull=True).exists()


def test_empty_final_scores_are_left_as_they_are_and_a_second_upload_changes_nothing(cycle, g1, secondary_cadre):
    rows = [
        (number, dict(zip(REVIEW_HEADINGS, row, strict=True))) for number, row in enumerate(review_rows("YX-S1-G1"), 2)
    ]
    rows[1][1]["最终得分"] = ""
    first = actions.import_reviews(secondary_cadre, cycle, rows)
    assert (first.saved, first.unchanged, first.left_empty) == (14, 0, 1)
    assert g1.items.get(number="2.1").final_score is None
    again = actions.import_reviews(secondary_cadre, cycle, rows)
    assert (again.saved, again.unchanged, again.left_empty) == (0, 14, 1)


def test_a_reviewers_comment_stays_when_the_sheet_saves_the_score(cycle, g1, secondary_cadre):
    item = g1.items.get(number="1.1")
    actions.review_item(secondary_cadre, item, final_score="4", comment="材料齐全")
    rows = [(2, dict(zip(REVIEW_HEADINGS, ["YX-S1-G1", "", "1.1", 4, 4, "", "3", "一次"], strict=True)))]
    actions.import_reviews(secondary_cadre, cycle, rows)
    item.refresh_from_db()
    assert (item.final_score, item.comment) == (3, "材料齐全")


@pytest.mark.parametrize(
    ("row", "column", "fault"),
    [
        (["NOPE", "", "1.1", 4, "", "", "4", ""], "单位编码", "NOPE"),  # no such unit
        (["LQ-S1-G1", "", "1.1", 4, "", "", "4", ""], "单位编码", "LQ-S1-G1"),  # another district's: unknown too
        (["YX-S1", "", "1.1", 4, "", "", "4", ""], "单位编码", "YX-S1"),  # its own: never reviewed by itself
        (["YX-S1-G2", "", "1.1", 4, "", "", "4", ""], "单位编码", "YX-S1-G2"),  # not submitted
        (["", "", "1.1", 4, "", "", "4", ""], "单位编码", ""),
        (["YX-S1-G1", "", "9.9", 4, "", "", "4", ""], "条目", "9.9"),
        (["YX-S1-G1", "", "8.1", 4, "", "", "4", ""], "条目", "8.1"),  # category 8 is scored once, as 8
        (["YX-S1-G1", "", "1.1", 4, "", "", "4.5", ""], "最终得分", "4"),  # beyond the item's points
        (["YX-S1-G1", "", "1.1", 4, "", "", "-1", ""], "最终得分", "0"),
        (["YX-S1-G1", "", "1.1", 4, "", "", "2.3", ""], "最终得分", "0.5"),  # off the step
        (["YX-S1-G1", "", "1.1", 4, "", "", "abc", ""], "最终得分", "abc"),
        (["YX-S1-G1", "", "1.1", 4, "", "", "3", ""], "理由", "4"),  # differs from the self-score: a reason
        (["YX-S1-G1", "", "1.1", 4, "", "", "4", "坏\x00字"], "理由", "U+0000"),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_saved(cycle, g1, secondary_cadre, row, column, fault):
    good = ["YX-S1-G1", "", "6.1", 15, "", "", "15", "核实"]
    rows = [(2, dict(zip(REVIEW_HEADINGS, good, strict=True))), (3, dict(zip(REVIEW_HEADINGS, row, strict=True)))]
    with pytest.raises(ImportRefused) as refused:
        actions.import_reviews(secondary_cadre, cycle, rows)
    assert faults(refused.value) == [(3, column)]
    assert fault in refused.value.errors[0].message
    assert not Item.objects.filter(assessment__cycle=cycle, final_score__isnull=False).exists()  # not even row 2


def test_outside_the_subtree_a_unit_reads_as_unknown_never_as_someone_elses(cycle, g1, secondary_cadre):
    def message_for(code: str) -> str:
        rows = [(2, dict(zip(REVIEW_HEADINGS, [code, "", "1.1", 4, "", "", "4", ""], strict=True)))]
        with pytest.raises(ImportRefused) as refused:
            actions.import_reviews(secondary_cadre, cycle, rows)
        return refused.value.errors[0].message.replace(code, "CODE")

    assert message_for("LQ-S1-G1") == message_for("NO-SUCH-UNIT")
    assert message_for("YX-S2-G1") == message_for("NO-SUCH-UNIT")  # another system of the same district


def test_a_duplicate_row_is_refused_naming_the_first(cycle, g1, secondary_cadre):
    row = ["YX-S1-G1", "", "1.1", 4, "", "", "4", ""]
    rows = [(2, dict(zip(REVIEW_HEADINGS, row, strict=True))), (5, dict(zip(REVIEW_HEADINGS, row, strict=True)))]
    with pytest.raises(ImportRefused) as refused:
        actions.import_reviews(secondary_cadre, cycle, rows)
    assert faults(refused.value) == [(5, "条目")]
    assert "2" in refused.value.errors[0].message


def test_the_page_lists_the_faults_first_and_saves_nothing(client, cycle, g1, secondary_cadre):
    client.force_login(secondary_cadre)
    rows = review_rows("YX-S1-G1")
    rows[3][6] = "99"
    rows[7][0] = "LQ-S1"
    response = client.post("/assessments/2026/review-sheet/", {"file": csv_file(REVIEW_HEADINGS, rows)})
    assert response.status_code == 200
    assert [(error.row, error.column) for error in response.context["errors"]] == [(5, "最终得分"), (9, "单位编码")]
    page = response.content.decode()
    assert page.index('id="import-errors"') < page.index('id="sheet-form"')
    assert not g1.items.filter(final_score__isnull=False).exists()


@pytest.mark.parametrize(
    ("upload", "column"),
    [
        (SimpleUploadedFile("sheet.txt", b"x"), ""),  # neither xlsx nor csv
        (SimpleUploadedFile("sheet.xlsx", b"not a zip"), ""),
        (csv_file(["单位编码", "条目", "最终得分"], [["YX-S1-G1", "1.1", "4"]]), "理由"),  # a required column missing
        (csv_file(REVIEW_HEADINGS, []), ""),  # no data rows
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(client, cycle, g1, secondary_cadre, upload, column):
    client.force_login(secondary_cadre)
    response = client.post("/assessments/2026/review-sheet/", {"file": upload})
    assert response.status_code == 200
    assert [error.column for error in response.context["errors"]] == [column]


def test_a_file_over_the_import_limit_is_refused_by_the_form(client, cycle, g1, secondary_cadre, settings):
    settings.MAX_IMPORT_FILE_SIZE = 10
    client.force_login(secondary_cadre)
    response = client.post(
        "/assessments/2026/review-sheet/", {"file": csv_file(REVIEW_HEADINGS, review_rows("YX-S1-G1"))}
    )
    assert response.context["form"].errors["file"]


def test_a_state_changed_between_check_and_save_refuses_the_whole_sheet(cycle, g1, secondary_cadre, monkeypatch):
    rows = [(n, dict(zip(REVIEW_HEADINGS, row, strict=True))) for n, row in enumerate(review_rows("YX-S1-G1"), 2)]
    real = actions.review_item
    calls = []

    def review_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ValidationError("returned meanwhile")
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "review_item", review_then_fail)
    with pytest.raises(ImportRefused):
        actions.import_reviews(secondary_cadre, cycle, rows)
    assert not g1.items.filter(final_score__isnull=False).exists()  # the first two rolled back too


# Past years -----------------------------------------------------------------------------------------------

PAST_HEADINGS = ["单位编码", "条目", "得分"]


def past_rows(code: str, score: object = None) -> list[list[object]]:
    return [[code, number, POINTS[number] if score is None else score] for number in NUMBERS]


def as_rows(rows: list[list[object]]) -> list[tuple[int, dict]]:
    return [(number, dict(zip(PAST_HEADINGS, row, strict=True))) for number, row in enumerate(rows, start=2)]


def test_a_past_year_becomes_a_published_cycle(tree, standard, district_admin):
    rows = past_rows("YX-D1") + [[code, number, "3"] for code, number, _score in past_rows("YX-S1")]
    cycle = actions.import_past_cycle(district_admin, tree["YX"], 2025, standard, as_rows(rows), source="2025.csv")
    assert cycle.imported
    assert cycle.published_at
    assessments = {a.organisation.code: a for a in cycle.assessments.select_related("organisation")}
    assert set(assessments) == {"YX-D1", "YX-S1"}  # the units in the file only
    d1, s1 = assessments["YX-D1"], assessments["YX-S1"]
    assert (d1.status, d1.final_total, d1.grade, d1.tier, d1.column) == (
        Status.PUBLISHED,
        100,
        "优秀",
        "direct",
        "direct",
    )
    assert (s1.final_total, s1.grade) == (45, "不合格")
    assert d1.items.count() == 15
    assert not Item.objects.filter(assessment__cycle=cycle, self_score__isnull=False).exists()
    assert Event.objects.filter(action=Action.CYCLE_IMPORTED, details__assessments=2, details__file="2025.csv").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda rows: rows[0].__setitem__(0, "NOPE"), [(2, "单位编码")]),
        (lambda rows: rows[0].__setitem__(0, "LQ-S1"), [(2, "单位编码")]),  # another district's unit
        (lambda rows: rows[0].__setitem__(1, "9.9"), [(2, "条目")]),
        (lambda rows: rows[14].__setitem__(1, "8.1"), [(16, "条目")]),  # category 8 is scored once, as 8
        (lambda rows: rows[9].__setitem__(2, "16"), [(11, "得分")]),  # 6.1 has 15 points
        (lambda rows: rows[9].__setitem__(2, "14.3"), [(11, "得分")]),  # off the 0.5 step
        (lambda rows: rows[9].__setitem__(2, "-0.5"), [(11, "得分")]),
        (lambda rows: rows[9].__setitem__(2, ""), [(11, "得分")]),
        (lambda rows: rows.append(["YX-D1", "6.1", "10"]), [(17, "条目")]),  # a duplicate
        (lambda rows: rows.pop(9), [(2, "条目")]),  # 6.1 missing: named on the unit's first row
    ],
)
def test_each_bad_row_refuses_the_past_year_whole(tree, standard, district_admin, change, expected):
    rows = past_rows("YX-D1")
    change(rows)
    with pytest.raises(ImportRefused) as refused:
        actions.import_past_cycle(district_admin, tree["YX"], 2025, standard, as_rows(rows))
    assert set(expected) <= set(faults(refused.value))
    assert not Cycle.objects.exists()
    assert not Assessment.objects.exists()


def test_a_missing_item_is_named_by_unit_and_item(tree, standard, district_admin):
    rows = [row for row in past_rows("YX-D1") if row[1] not in ("6.1", "8")]
    with pytest.raises(ImportRefused) as refused:
        actions.import_past_cycle(district_admin, tree["YX"], 2025, standard, as_rows(rows))
    messages = [error.message for error in refused.value.errors]
    assert len(messages) == 2
    assert all("YX-D1" in message for message in messages)
    assert "6.1" in messages[0]
    assert "8" in messages[1]


def test_a_year_that_has_a_cycle_is_refused(cycle, tree, standard, district_admin):
    with pytest.raises(ValidationError, match="2026"):
        actions.import_past_cycle(district_admin, tree["YX"], 2026, standard, as_rows(past_rows("YX-D1")))
    assert Cycle.objects.count() == 1


def test_the_page_brings_a_year_in_and_says_which_units_got_no_assessment(client, tree, standard, district_admin):
    client.force_login(district_admin)
    upload = csv_file(PAST_HEADINGS, past_rows("YX-D1") + past_rows("YX-S1"), name="2025年终得分.csv")
    response = client.post("/assessments/import/", {"year": "2025", "standard": standard.pk, "file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["assessed"] == 2
    assert page.context["left_out_count"] == 5
    assert {unit.code for unit in page.context["left_out"]} == {"YX", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"}
    assert 'id="left-out" data-count="5"' in page.content.decode()
    assert Cycle.objects.get(year=2025).imported


def test_the_page_lists_every_fault_and_brings_nothing_in(client, tree, standard, district_admin):
    client.force_login(district_admin)
    rows = past_rows("YX-D1")
    rows[0][2] = "5"
    rows[1][0] = "LQ-S1"
    response = client.post(
        "/assessments/import/", {"year": "2025", "standard": standard.pk, "file": csv_file(PAST_HEADINGS, rows)}
    )
    assert response.status_code == 200
    found = [(e.row, e.column) for e in response.context["errors"]]
    assert found == [(2, "条目"), (2, "得分"), (3, "单位编码")]  # row 3's unit unknown: YX-D1 lacks its 2.1
    assert not Cycle.objects.exists()


def test_the_page_refuses_a_year_with_a_cycle_on_the_form(client, cycle, standard, district_admin):
    client.force_login(district_admin)
    upload = csv_file(PAST_HEADINGS, past_rows("YX-D1"))
    response = client.post("/assessments/import/", {"year": "2026", "standard": standard.pk, "file": upload})
    assert response.status_code == 200
    assert "2026" in " ".join(response.context["form"].non_field_errors())


@pytest.mark.parametrize("data", [{"year": "1999"}, {"year": ""}, {"standard": "0"}, {"file": None}])
def test_the_page_refuses_a_bad_form(client, tree, standard, district_admin, data):
    client.force_login(district_admin)
    sent = {"year": "2025", "standard": standard.pk, "file": csv_file(PAST_HEADINGS, past_rows("YX-D1")), **data}
    response = client.post("/assessments/import/", {key: value for key, value in sent.items() if value is not None})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Cycle.objects.exists()


def test_an_imported_year_shows_as_published_on_the_progress_page(client, tree, standard, district_admin):
    actions.import_past_cycle(district_admin, tree["YX"], 2025, standard, as_rows(past_rows("YX-D1", score="2")))
    client.force_login(district_admin)
    response = client.get("/assessments/2025/")
    [row] = response.context["rows"]
    assert (row.code, row.final_total, row.self_total) == ("YX-D1", "30", "—")
    listed = client.get("/assessments/").content.decode()
    assert 'data-year="2025" data-state="imported"' in listed
