"""Records (台账) through the API, as each persona meets them on the record pages: the lists with their filters
and totals, adding, editing and deleting with the version read, a document's file, and imports that take a
whole file or nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import csv_bytes
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, ActivityCategory, Document, DocumentKind, EducationFund
from kaohe.tests.pins import pins

pytestmark = pytest.mark.django_db

RECORD_ACTIONS = (Action.RECORD_CREATED, Action.RECORD_UPDATED, Action.RECORD_DELETED, Action.RECORDS_IMPORTED)
LECTURE = {"category": "lecture", "name": "职工读书会", "date": "2026-03-01", "participants": 30, "speaker": "王老师"}
KIND_EXAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    "activities": ({**LECTURE, "category": "training"}, "name"),
    "documents": ({"kind": "annual_plan", "title": "2026年学习计划", "date": "2026-01-05"}, "title"),
    "teams": ({"team": "teachers", "name": "李老师", "role": "兼职教师"}, "name"),
    "funds": ({"amount": "1200.50", "date": "2026-02-01", "purpose": "购买图书"}, "purpose"),
    "honours": ({"level": "municipal", "title": "市级学习型工会", "date": "2026-05-01"}, "title"),
    "stations": ({"name": "职工书屋", "address": "城关路1号", "area": "45.5", "equipment": "投影仪"}, "name"),
}
# Writers of records lock their district's row on PostgreSQL (records/actions.py: lock_records_of); SQLite's
# writers take turns without it.
DISTRICT_LOCK = 1 if connection.features.has_select_for_update else 0


def records_url(kind: str = "activities") -> str:
    return reverse("api:records", args=[kind])


def record_url(record: Any, kind: str = "activities") -> str:
    return reverse("api:record", args=[kind, record.pk])


def file_url(record: Any) -> str:
    return reverse("api:record_file", args=["documents", record.pk])


def import_url(kind: str = "activities") -> str:
    return reverse("api:records_import", args=[kind])


def add_activity(unit: Organisation, name: str, **values: Any) -> Activity:
    values = {"category": ActivityCategory.LECTURE, "date": datetime.date(2026, 3, 1), "participants": 10, **values}
    return Activity.objects.create(organisation=unit, name=name, **values)


def record_events() -> list[str]:
    return list(Event.objects.filter(action__in=RECORD_ACTIONS).order_by("pk").values_list("action", flat=True))


def fields_at_fault(response: Any) -> list[str | None]:
    return [error["field"] for error in response.json()["errors"]]


def names_listed(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {record["name"] for record in response.json()["results"]}


@pytest.fixture
def activities(tree: dict[str, Organisation]) -> dict[str, Activity]:
    """One activity in each unit of both districts, named after the unit's code."""
    return {code: add_activity(unit, f"活动-{code}") for code, unit in tree.items()}


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# Lists: who sees what --------------------------------------------------------------------------------------


def test_the_district_admin_lists_every_unit_of_the_district_with_the_pages_total(api, activities):
    response = api["district_admin"].get(records_url())

    body = response.json()
    assert names_listed(response) == {f"活动-{code}" for code in activities if code.startswith("YX")}
    assert (body["count"], body["participants"], body["amount"]) == (7, 70, None)
    assert (body["unit"]["code"], body["subtree"]) == ("YX", True)
    first = body["results"][0]
    assert set(first) >= {"id", "unit", "version", "may_edit", "category", "date", "participants"}
    assert (first["version"], first["may_edit"]) == (1, True)


def test_a_secondary_cadre_lists_their_system_one_unit_or_a_unit_below(api, activities):
    chengguan = api["secondary_cadre"]

    whole_system = chengguan.get(records_url())
    own_unit_only = chengguan.get(records_url(), {"unit": "YX-S1", "subtree": "false"})
    one_unit_below = chengguan.get(records_url(), {"unit": "YX-S1-G2", "subtree": "true"})

    assert names_listed(whole_system) == {"活动-YX-S1", "活动-YX-S1-G1", "活动-YX-S1-G2"}
    assert names_listed(own_unit_only) == {"活动-YX-S1"}
    assert names_listed(one_unit_below) == {"活动-YX-S1-G2"}


def test_the_assessor_reads_every_record_but_may_edit_none(api, activities):
    response = api["assessor"].get(records_url())

    assert len(names_listed(response)) == 7
    assert {record["may_edit"] for record in response.json()["results"]} == {False}


@pytest.mark.parametrize(
    ("persona", "code"),
    [("outsider", "YX-S1-G1"), ("outsider", "YX"), ("secondary_cadre", "YX-S2"), ("grassroots_cadre", "YX-S1")],
)
def test_the_records_of_a_unit_outside_ones_subtree_are_not_found(api, activities, persona, code):
    response = api[persona].get(records_url(), {"unit": code})

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_unit_that_does_not_exist_is_not_found(api, activities):
    assert api["district_admin"].get(records_url(), {"unit": "NOPE-1"}).status_code == 404


def test_an_unknown_kind_is_not_found_on_every_endpoint(api, activities):
    admin = api["district_admin"]
    record = activities["YX"]

    assert admin.get(records_url("meetings")).status_code == 404
    assert admin.post(records_url("meetings"), {"unit": "YX"}, format="json").status_code == 404
    assert admin.get(record_url(record, "meetings")).status_code == 404
    assert admin.patch(record_url(record, "meetings"), {"version": 1}, format="json").status_code == 404
    assert admin.delete(record_url(record, "meetings") + "?version=1").status_code == 404
    assert admin.get(reverse("api:record_file", args=["meetings", record.pk])).status_code == 404
    assert admin.post(import_url("meetings"), {}).status_code == 404
    assert Activity.objects.filter(pk=record.pk).exists()


def test_without_a_key_nothing_is_listed(anonymous, activities):
    response = anonymous.get(records_url())

    assert response.status_code == 401
    assert response.json()["detail"]


# Lists: filters and pages ----------------------------------------------------------------------------------


def test_the_list_filters_by_category_and_dates_and_adds_up_what_it_finds(api, tree):
    unit = tree["YX-S1-G1"]
    add_activity(unit, "三月大讲堂", date=datetime.date(2026, 3, 10), participants=40)
    add_activity(unit, "五月大讲堂", date=datetime.date(2026, 5, 10), participants=50)
    add_activity(unit, "三月培训", category=ActivityCategory.TRAINING, date=datetime.date(2026, 3, 12))

    response = api["district_admin"].get(
        records_url(), {"unit": "YX", "category": "lecture", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    )

    assert names_listed(response) == {"三月大讲堂"}
    assert (response.json()["count"], response.json()["participants"]) == (1, 40)


def test_the_funds_list_adds_up_the_amounts(api, tree):
    for amount in ("1200.50", "99.25"):
        EducationFund.objects.create(
            organisation=tree["YX-S1-G1"], amount=Decimal(amount), date=datetime.date(2026, 2, 1), purpose="购书"
        )

    body = api["grassroots_cadre"].get(records_url("funds")).json()

    assert (body["count"], body["amount"], body["participants"]) == (2, 1299.75, None)
    assert {record["amount"] for record in body["results"]} == {1200.5, 99.25}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "2026-04-01", "date_to": "2026-03-01"}, "date_to"),
        ({"category": "meeting-of-everyone"}, "category"),
        ({"unit": "YX\x00"}, "unit"),
        ({"unit": "Y" * 101}, "unit"),
    ],
    ids=["no-such-date", "from-after-to", "no-such-category", "nul-in-unit", "unit-too-long"],
)
def test_a_bad_filter_is_refused_naming_its_field(api, activities, query, field):
    response = api["district_admin"].get(records_url(), query)

    assert response.status_code == 400
    assert field in fields_at_fault(response)


def test_a_long_list_comes_in_pages_of_fifty_newest_first(api, tree):
    first = datetime.date(2026, 1, 1)
    Activity.objects.bulk_create(
        Activity(
            organisation=tree["YX-S1-G1"],
            category=ActivityCategory.LECTURE,
            name=f"第{number:03}次",
            date=first + datetime.timedelta(days=number),
            participants=1,
        )
        for number in range(120)
    )
    admin = api["district_admin"]

    pages = [admin.get(records_url(), {"unit": "YX", "page": number}).json() for number in (1, 2, 3)]

    assert [len(page["results"]) for page in pages] == [50, 50, 20]
    assert {page["count"] for page in pages} == {120}
    assert {page["participants"] for page in pages} == {120}, "the total is of every page"
    assert pages[0]["results"][0]["name"] == "第119次"
    assert pages[2]["results"][-1]["name"] == "第000次"
    assert "unit=YX" in pages[0]["next"]
    assert "page=2" in pages[0]["next"]
    assert pages[2]["next"] is None
    assert admin.get(records_url(), {"page": 9}).status_code == 404


@pytest.mark.parametrize("count", [5, 60])
@pins("api:records")
def test_the_list_costs_the_same_queries_whatever_the_number_of_records(api, tree, django_assert_num_queries, count):
    units = [tree["YX-S1-G1"], tree["YX-S2-G1"], tree["YX-D1"]]
    for number in range(count):
        add_activity(units[number % 3], f"活动{number}")
    admin = api["district_admin"]
    admin.get(reverse("api:me"))  # the key's first use is noted once: not part of the list's cost

    # the key with its person and unit, its requests counted, the unit asked for, the participants in all, the
    # count, the page's rows with their units
    with django_assert_num_queries(6):
        response = admin.get(records_url(), {"unit": "YX", "subtree": "true"})
    assert response.json()["count"] == count


# Adding ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(KIND_EXAMPLES))
def test_a_secondary_cadre_adds_a_record_of_each_kind_for_a_unit_below(api, secondary_cadre, tree, slug):
    values, text_field = KIND_EXAMPLES[slug]

    response = api["secondary_cadre"].post(records_url(slug), {"unit": "YX-S1-G1", **values}, format="json")

    assert response.status_code == 201, response.content
    record = KINDS[slug].model._default_manager.get()
    assert (record.organisation, record.created_by) == (tree["YX-S1-G1"], secondary_cadre)
    body = response.json()
    assert (body["id"], body["unit"]["code"], body["version"], body[text_field]) == (
        record.pk,
        "YX-S1-G1",
        1,
        values[text_field],
    )
    assert record_events() == [Action.RECORD_CREATED]


def test_the_assessor_may_not_add_records(api, tree):
    response = api["assessor"].post(records_url(), {"unit": "YX-S1-G1", **LECTURE}, format="json")

    assert response.status_code == 403
    assert not Activity.objects.exists()
    assert record_events() == []


def test_a_unit_is_named_by_its_code_or_its_whole_name(api, tree):
    chengguan = api["secondary_cadre"]

    by_name = chengguan.post(records_url(), {**LECTURE, "unit": "城关小学工会"}, format="json")
    by_part_of_it = chengguan.post(records_url(), {**LECTURE, "unit": "小学", "name": "又一次"}, format="json")

    assert by_name.json()["unit"]["code"] == "YX-S1-G2"
    assert (by_part_of_it.status_code, fields_at_fault(by_part_of_it)) == (400, ["unit"])
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "code"),
    [("grassroots_cadre", "YX-S1-G2"), ("grassroots_cadre", "YX-S1"), ("outsider", "YX-S1-G1")],
    ids=["a-sibling", "the-unit-above", "another-district"],
)
def test_a_unit_one_does_not_keep_records_of_is_refused_as_on_the_page(api, tree, persona, code):
    """The page's form offers only one's own units: any other is "no unit matches", beside the unit; and a code
    that is part of one's own (YX-S1 of YX-S1-G1) is not taken for it, as the page's picker would."""
    response = api[persona].post(records_url(), {"unit": code, **LECTURE}, format="json")

    assert response.status_code == 400
    assert fields_at_fault(response) == ["unit"]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("slug", "changes", "field"),
    [
        ("activities", {"participants": -1}, "participants"),
        ("activities", {"participants": 10**12}, "participants"),
        ("activities", {"participants": "三十"}, "participants"),
        ("activities", {"date": "2026-02-30"}, "date"),
        ("activities", {"name": "读书\x00会"}, "name"),
        ("activities", {"name": ""}, "name"),
        ("activities", {"note": "x" * 10_001}, "note"),
        ("activities", {"category": "party"}, "category"),
        ("activities", {"name": ["读书会", "又一个"]}, "name"),
        ("funds", {"amount": "-5"}, "amount"),
        ("funds", {"amount": "1e12"}, "amount"),
        ("stations", {"area": "-1"}, "area"),
    ],
    ids=[
        "negative-participants",
        "too-many-participants",
        "participants-in-words",
        "no-such-date",
        "nul-in-name",
        "no-name",
        "note-too-long",
        "no-such-category",
        "a-list-for-a-name",
        "negative-amount",
        "too-large-amount",
        "negative-area",
    ],
)
def test_bad_input_is_refused_naming_its_field_and_nothing_is_written(api, tree, slug, changes, field):
    values = {**KIND_EXAMPLES[slug][0], **changes}

    response = api["secondary_cadre"].post(records_url(slug), {"unit": "YX-S1-G1", **values}, format="json")

    assert response.status_code == 400, response.content
    assert field in fields_at_fault(response)
    assert not KINDS[slug].model._default_manager.exists()
    assert record_events() == []


def test_a_body_that_is_not_an_object_is_refused(api, tree):
    response = api["secondary_cadre"].post(records_url(), [LECTURE], format="json")

    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_an_identical_record_is_refused_unless_the_program_says_anyway(api, tree):
    chengguan = api["secondary_cadre"]
    first = chengguan.post(records_url(), {"unit": "YX-S1-G1", **LECTURE}, format="json").json()

    again = chengguan.post(records_url(), {"unit": "YX-S1-G1", **LECTURE, "speaker": "李老师"}, format="json")
    anyway = chengguan.post(records_url(), {"unit": "YX-S1-G1", **LECTURE, "anyway": True}, format="json")

    assert again.status_code == 409
    assert again.json()["existing"] == first["id"]
    assert anyway.status_code == 201
    assert Activity.objects.count() == 2
    assert record_events() == [Action.RECORD_CREATED, Action.RECORD_CREATED]


@pins("api:record_file")
def test_a_document_is_uploaded_with_its_file_and_downloaded_within_the_system(
    api, tree, media, django_assert_num_queries
):
    document = {"unit": "YX-S1-G1", "kind": "annual_plan", "title": "学习计划", "date": "2026-01-05"}
    upload = SimpleUploadedFile("学习计划.pdf", b"%PDF-1.4 plan", content_type="application/pdf")

    added = api["secondary_cadre"].post(records_url("documents"), {**document, "file": upload}, format="multipart")

    assert added.status_code == 201, added.content
    stored = Document.objects.get()
    assert (media / stored.file.name).read_bytes() == b"%PDF-1.4 plan"
    body = added.json()
    assert body["file_name"] == "学习计划.pdf"
    assert body["file_url"].endswith(file_url(stored))
    shequ = api["grassroots_cadre"]
    shequ.get(reverse("api:me"))
    # the key with its person and unit, its requests counted, the record with its unit (then the file, from storage)
    with django_assert_num_queries(3):
        response = shequ.get(file_url(stored), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert api["outsider"].get(file_url(stored)).status_code == 404
    assert api["assessor"].get(file_url(stored)).status_code == 200


def test_a_document_file_too_large_is_refused_and_nothing_is_written(api, tree, media, settings):
    settings.MAX_DOCUMENT_FILE_SIZE = 10
    document = {"unit": "YX-S1-G1", "kind": "report", "title": "报告", "date": "2026-01-05"}
    upload = SimpleUploadedFile("报告.pdf", b"x" * 11)

    response = api["secondary_cadre"].post(records_url("documents"), {**document, "file": upload}, format="multipart")

    assert response.status_code == 400
    assert fields_at_fault(response) == ["file"]
    assert not Document.objects.exists()
    assert list(media.iterdir()) == []


def test_a_document_without_a_file_and_other_kinds_have_no_file(api, tree, activities, media):
    document = Document.objects.create(
        organisation=tree["YX"], kind=DocumentKind.POLICY, title="无附件", date=datetime.date(2026, 1, 1)
    )
    admin = api["district_admin"]

    assert admin.get(record_url(document, "documents")).json()["file_url"] is None
    assert admin.get(file_url(document)).status_code == 404
    assert admin.get(reverse("api:record_file", args=["activities", activities["YX"].pk])).status_code == 404


# One record: reading, editing, deleting --------------------------------------------------------------------


@pins("api:record")
def test_a_grassroots_cadre_reads_their_record_with_its_version(api, activities, django_assert_num_queries):
    shequ = api["grassroots_cadre"]
    shequ.get(reverse("api:me"))

    # the key with its person and unit, its requests counted, the record with its unit
    with django_assert_num_queries(3):
        response = shequ.get(record_url(activities["YX-S1-G1"]))

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["version"], body["unit"]["code"], body["may_edit"]) == (
        "活动-YX-S1-G1",
        1,
        "YX-S1-G1",
        True,
    )


@pytest.mark.parametrize(
    ("persona", "code"),
    [("outsider", "YX"), ("outsider", "YX-S1-G1"), ("grassroots_cadre", "YX-S1"), ("secondary_cadre", "YX-S2-G1")],
)
def test_a_record_outside_ones_subtree_is_not_found_whatever_one_does(api, activities, persona, code):
    record = activities[code]
    client = api[persona]

    assert client.get(record_url(record)).status_code == 404
    assert client.patch(record_url(record), {"name": "改名", "version": 1}, format="json").status_code == 404
    assert client.delete(record_url(record) + "?version=1").status_code == 404
    record.refresh_from_db()
    assert (record.name, record.version) == (f"活动-{code}", 1)
    assert record_events() == []


def test_a_record_number_that_no_record_has_is_not_found(api, activities):
    admin = api["district_admin"]

    assert admin.get(reverse("api:record", args=["activities", 10**20])).status_code == 404
    assert admin.get(record_url(activities["YX"], "documents")).status_code == 404  # of another kind


def test_a_cadre_edits_what_they_send_at_the_version_read(api, secondary_cadre, activities, tree):
    record = activities["YX-S1-G1"]

    response = api["secondary_cadre"].patch(
        record_url(record), {"name": "春季读书会", "participants": 45, "version": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["participants"], body["version"], body["category"]) == ("春季读书会", 45, 2, "lecture")
    record.refresh_from_db()
    assert (record.name, record.participants, record.date, record.organisation) == (
        "春季读书会",
        45,
        datetime.date(2026, 3, 1),
        tree["YX-S1-G1"],
    )
    event = Event.objects.get(action=Action.RECORD_UPDATED)
    assert event.actor == secondary_cadre
    assert event.details["changes"] == {"name": ["活动-YX-S1-G1", "春季读书会"], "participants": [10, 45]}


def test_a_cadre_moves_a_record_to_another_unit_of_their_system(api, activities, tree):
    record = activities["YX-S1-G1"]

    response = api["secondary_cadre"].patch(record_url(record), {"unit": "YX-S1-G2", "version": 1}, format="json")

    assert response.json()["unit"]["code"] == "YX-S1-G2"
    record.refresh_from_db()
    assert record.organisation == tree["YX-S1-G2"]


def test_a_document_gets_a_new_file_by_multipart_and_keeps_it_otherwise(api, tree, media):
    chengguan = api["secondary_cadre"]
    values = {"unit": "YX-S1-G1", "kind": "report", "title": "报告", "date": "2026-01-05"}
    added = chengguan.post(
        records_url("documents"), {**values, "file": SimpleUploadedFile("a.pdf", b"a")}, format="multipart"
    ).json()
    document = Document.objects.get()

    replaced = chengguan.patch(
        record_url(document, "documents"),
        {"file": SimpleUploadedFile("b.pdf", b"b"), "version": added["version"]},
        format="multipart",
    )
    retitled = chengguan.patch(
        record_url(document, "documents"), {"title": "新标题", "version": replaced.json()["version"]}, format="json"
    )

    assert (replaced.status_code, retitled.status_code) == (200, 200)
    document.refresh_from_db()
    assert (document.title, (media / document.file.name).read_bytes()) == ("新标题", b"b")
    assert retitled.json()["file_name"] == "b.pdf"


def test_the_assessor_may_not_edit_or_delete(api, activities):
    record = activities["YX-S1-G1"]
    assessor = api["assessor"]

    assert assessor.patch(record_url(record), {"name": "改名", "version": 1}, format="json").status_code == 403
    assert assessor.delete(record_url(record) + "?version=1").status_code == 403
    record.refresh_from_db()
    assert (record.name, record.version) == ("活动-YX-S1-G1", 1)
    assert record_events() == []


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"name": "改名"}, "version"),
        ({"name": "改名", "version": "一"}, "version"),
        ({"name": "改名", "version": 0}, "version"),
        ({"participants": -1, "version": 1}, "participants"),
        ({"participants": 10**12, "version": 1}, "participants"),
        ({"date": "2026-02-30", "version": 1}, "date"),
        ({"speaker": "王\x00老师", "version": 1}, "speaker"),
        ({"name": "", "version": 1}, "name"),
        ({"unit": "YX-S2-G1", "version": 1}, "unit"),
    ],
    ids=[
        "no-version",
        "version-in-words",
        "version-zero",
        "negative-participants",
        "too-many-participants",
        "no-such-date",
        "nul-in-speaker",
        "name-emptied",
        "unit-of-another-system",
    ],
)
def test_a_bad_edit_is_refused_naming_its_field_and_the_record_stays_as_it_was(api, activities, sent, field):
    record = activities["YX-S1-G1"]

    response = api["secondary_cadre"].patch(record_url(record), sent, format="json")

    assert response.status_code == 400, response.content
    assert field in fields_at_fault(response)
    record.refresh_from_db()
    assert (record.name, record.participants, record.speaker, record.version) == ("活动-YX-S1-G1", 10, "", 1)
    assert record_events() == []


def test_an_edit_over_a_newer_version_is_refused_and_says_the_version_now(api, activities):
    record = activities["YX-S1-G1"]
    api["grassroots_cadre"].patch(record_url(record), {"name": "社区的改动", "version": 1}, format="json")

    response = api["secondary_cadre"].patch(record_url(record), {"participants": 99, "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    record.refresh_from_db()
    assert (record.name, record.participants, record.version) == ("社区的改动", 10, 2)


def test_an_edit_that_makes_a_record_identical_to_another_is_refused_unless_anyway(api, tree):
    unit = tree["YX-S1-G1"]
    kept = add_activity(unit, "读书会")
    other = add_activity(unit, "观影会")
    chengguan = api["secondary_cadre"]

    refused = chengguan.patch(record_url(other), {"name": "读书会", "version": 1}, format="json")
    anyway = chengguan.patch(record_url(other), {"name": "读书会", "version": 1, "anyway": True}, format="json")

    assert (refused.status_code, refused.json()["existing"]) == (409, kept.pk)
    assert anyway.status_code == 200
    assert record_events() == [Action.RECORD_UPDATED]


def test_a_cadre_deletes_a_record_at_the_version_read(api, secondary_cadre, activities):
    record = activities["YX-S1-G2"]

    response = api["secondary_cadre"].delete(record_url(record) + "?version=1")

    assert response.status_code == 204
    assert not Activity.objects.filter(pk=record.pk).exists()
    event = Event.objects.get(action=Action.RECORD_DELETED)
    assert (event.actor, event.details["record_id"]) == (secondary_cadre, record.pk)


def test_the_version_may_come_in_the_body_as_the_pages_delete_form_sends_it(api, activities):
    record = activities["YX-S1-G1"]

    response = api["grassroots_cadre"].delete(record_url(record), {"version": 1}, format="json")

    assert response.status_code == 204
    assert not Activity.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("query", ["", "?version=", "?version=abc", "?version=99999999999"])
def test_a_delete_without_a_version_read_is_refused_naming_it(api, activities, query):
    record = activities["YX-S1-G1"]

    response = api["grassroots_cadre"].delete(record_url(record) + query)

    assert response.status_code == 400
    assert fields_at_fault(response) == ["version"]
    assert Activity.objects.filter(pk=record.pk).exists()


def test_a_delete_of_what_changed_since_it_was_read_is_refused(api, activities):
    record = activities["YX-S1-G1"]
    api["grassroots_cadre"].patch(record_url(record), {"name": "改过了", "version": 1}, format="json")

    response = api["secondary_cadre"].delete(record_url(record) + "?version=1")

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert Activity.objects.filter(pk=record.pk, name="改过了").exists()
    assert record_events() == [Action.RECORD_UPDATED]


@pins("api:record")
def test_editing_and_deleting_cost_a_fixed_number_of_queries(api, activities, django_assert_num_queries):
    record = activities["YX-S1-G1"]
    shequ = api["grassroots_cadre"]
    shequ.get(reverse("api:me"))

    # the key and its requests counted; the record; the unit, among the person's; the form's checks of the
    # record (a savepoint about each); then as on the page, in one transaction: the record locked, checked again
    # (its unit, its constraint), no other record identical, what it counted, saved, the totals moved, the event
    with django_assert_num_queries(21 + DISTRICT_LOCK):
        assert shequ.patch(record_url(record), {"participants": 12, "version": 1}, format="json").status_code == 200
    # the key and its requests counted; the record; then in one transaction: the record locked, what it
    # counted, deleted, the totals moved, the event (and savepoints about them)
    with django_assert_num_queries(12):
        assert shequ.delete(record_url(record) + "?version=2").status_code == 204


# Imports ---------------------------------------------------------------------------------------------------

HEADINGS = KINDS["activities"].headings


def activities_file(*rows: tuple[str, int]) -> SimpleUploadedFile:
    lines = [[code, "大讲堂", "2026-03-05", f"{code} 大讲堂", participants, "", "", ""] for code, participants in rows]
    return SimpleUploadedFile("活动.csv", csv_bytes(lines, HEADINGS))


@pins("api:records_import")
def test_a_secondary_cadre_imports_a_file_for_their_system_and_again_adds_nothing(
    api, secondary_cadre, tree, django_assert_num_queries
):
    chengguan = api["secondary_cadre"]
    rows = (("YX-S1", 30), ("YX-S1-G1", 40), ("YX-S1-G2", 50))
    chengguan.get(reverse("api:me"))

    # the key and its requests counted; the units of the system; then in one transaction: the rows recorded
    # already, the new ones written with their totals, the event
    with django_assert_num_queries(11 + DISTRICT_LOCK):
        first = chengguan.post(import_url(), {"file": activities_file(*rows)}, format="multipart")
    again = chengguan.post(import_url(), {"file": activities_file(*rows)}, format="multipart")

    assert first.status_code == 200, first.content
    assert (first.json()["added"], first.json()["skipped_count"]) == (3, 0)
    assert "活动.csv" in first.json()["summary"]
    assert Activity.objects.filter(created_by=secondary_cadre).count() == 3
    assert (again.json()["added"], again.json()["skipped_count"]) == (0, 3)
    assert again.json()["skipped"][0] == {"row": 2, "same_as_row": None, "reason": again.json()["skipped"][0]["reason"]}
    event = Event.objects.filter(action=Action.RECORDS_IMPORTED).latest("pk")
    assert (event.details["added"], event.details["skipped"]) == (0, 3)


def test_one_bad_row_refuses_the_whole_file_naming_its_row_and_column(api, tree):
    response = api["secondary_cadre"].post(
        import_url(), {"file": activities_file(("YX-S1", 30), ("YX-S1-G1", -1), ("YX-S1-G2", 50))}, format="multipart"
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (3, "参加人数")
    assert error["message"]
    assert not Activity.objects.exists()
    assert record_events() == []


@pytest.mark.parametrize(
    ("persona", "rows", "refused"),
    [
        ("grassroots_cadre", (("YX-S1-G1", 1), ("YX-S1-G2", 1)), [3]),
        ("outsider", (("YX-S1-G1", 1), ("YX", 1)), [2, 3]),
    ],
    ids=["a-sibling", "another-district"],
)
def test_rows_of_units_outside_ones_system_refuse_the_file(api, tree, persona, rows, refused):
    response = api[persona].post(import_url(), {"file": activities_file(*rows)}, format="multipart")

    assert response.status_code == 400
    assert [(error["row"], error["field"]) for error in response.json()["errors"]] == [
        (row, "单位编码") for row in refused
    ]
    assert not Activity.objects.exists()


def test_the_assessor_may_not_import(api, tree):
    response = api["assessor"].post(import_url(), {"file": activities_file(("YX-S1-G1", 1))}, format="multipart")

    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_a_file_of_the_wrong_type_or_none_at_all_is_refused(api, tree):
    chengguan = api["secondary_cadre"]

    wrong_type = chengguan.post(import_url(), {"file": SimpleUploadedFile("活动.txt", b"hello")}, format="multipart")
    no_file = chengguan.post(import_url(), {}, format="multipart")
    as_json = chengguan.post(import_url(), {"file": "活动.csv"}, format="json")

    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"][0]["row"] == 0
    assert (no_file.status_code, fields_at_fault(no_file)) == (400, ["file"])
    assert as_json.status_code == 415
    assert not Activity.objects.exists()


def test_a_file_too_large_is_refused_naming_it(api, tree, settings):
    settings.MAX_IMPORT_FILE_SIZE = 100

    response = api["secondary_cadre"].post(
        import_url(), {"file": activities_file(*((("YX-S1-G1", n)) for n in range(10)))}, format="multipart"
    )

    assert response.status_code == 400
    assert fields_at_fault(response) == ["file"]
    assert not Activity.objects.exists()
