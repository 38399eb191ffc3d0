"""Record pages as each persona meets them: lists, filters, forms, files and exports."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, ActivityCategory, Document, DocumentKind
from kaohe.tests.pins import pins

pytestmark = pytest.mark.django_db

LIST = reverse("records:list", args=["activities"])
EXPORT = reverse("records:export", args=["activities"])


def add_activity(unit: Organisation, name: str, **values: Any) -> Activity:
    values = {"category": ActivityCategory.LECTURE, "date": datetime.date(2026, 3, 1), "participants": 10, **values}
    return Activity.objects.create(organisation=unit, name=name, **values)


@pytest.fixture
def activities(tree):
    """One activity in each unit of both districts, named after the unit's code."""
    return {code: add_activity(unit, f"活动-{code}") for code, unit in tree.items()}


def shown(client, url: str = LIST, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def names_on(page: str, activities: dict[str, Activity]) -> set[str]:
    return {code for code, activity in activities.items() if f"活动-{code}<" in page}


# Who sees what


def test_the_district_admin_sees_every_unit_of_the_district(client, district_admin, activities):
    client.force_login(district_admin)

    page = shown(client)

    assert names_on(page, activities) == {"YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"}
    assert "区人民医院工会" in page  # rows name their unit


def test_a_secondary_cadre_sees_their_system_or_their_own_unit(client, secondary_cadre, activities):
    client.force_login(secondary_cadre)

    whole_system = shown(client)
    own_unit_only = shown(client, unit="YX-S1")  # the subtree box left unticked
    one_unit_below = shown(client, unit="YX-S1-G2", subtree="on")

    assert names_on(whole_system, activities) == {"YX-S1", "YX-S1-G1", "YX-S1-G2"}
    assert names_on(own_unit_only, activities) == {"YX-S1"}
    assert names_on(one_unit_below, activities) == {"YX-S1-G2"}


def test_a_grassroots_cadre_sees_only_their_unit(client, grassroots_cadre, activities):
    client.force_login(grassroots_cadre)

    assert names_on(shown(client), activities) == {"YX-S1-G1"}


@pytest.mark.parametrize(("persona", "code"), [("outsider", "YX"), ("outsider", "YX-S1"), ("secondary_cadre", "YX-S2")])
def test_a_unit_outside_ones_system_is_not_found(client, personas, activities, persona, code):
    """As if it did not exist: the filter says that no unit matches, and nothing of it is shown or exported."""
    client.force_login(personas[persona])

    page = shown(client, unit=code, subtree="on")

    assert names_on(page, activities) == set()
    with translation.override("zh-hans"):
        assert _("No unit has a name or code containing “%(text)s”.") % {"text": code} in page
    export = client.get(EXPORT, {"unit": code, "subtree": "on"})
    assert (export.status_code, export["Location"].split("?")[0]) == (302, LIST)


def test_a_list_without_records_says_so_rather_than_vanishing(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(reverse("records:list", args=["documents"]))

    assert response.context["page"].paginator.count == 0
    assert 'id="records"' in response.content.decode()
    assert 'id="filter-refused"' not in response.content.decode()


def test_an_unknown_kind_is_not_found(client, district_admin):
    client.force_login(district_admin)

    assert client.get(reverse("records:list", args=["meetings"])).status_code == 404


def test_the_assessor_reads_but_changes_nothing(client, assessor, activities):
    activity = activities["YX-S1-G1"]
    client.force_login(assessor)

    page = shown(client)
    edit = reverse("records:edit", args=["activities", activity.pk])
    delete = reverse("records:delete", args=["activities", activity.pk])

    assert "活动-YX-S1-G1" in page
    assert edit not in page
    assert reverse("records:create", args=["activities"]) not in page
    assert client.get(reverse("records:create", args=["activities"])).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"unit": "YX-S1-G1", "name": "改名"}).status_code == 403
    assert client.post(delete).status_code == 403
    assert Activity.objects.filter(pk=activity.pk, name="活动-YX-S1-G1").exists()


def test_a_cadre_gets_edit_links_on_their_rows(client, secondary_cadre, activities):
    client.force_login(secondary_cadre)

    page = shown(client)

    assert reverse("records:edit", args=["activities", activities["YX-S1-G2"].pk]) in page
    assert reverse("records:delete", args=["activities", activities["YX-S1-G2"].pk]) in page


def test_records_outside_ones_system_are_not_found(client, secondary_cadre, activities):
    other = activities["YX-S2-G1"]
    client.force_login(secondary_cadre)

    assert client.get(reverse("records:edit", args=["activities", other.pk])).status_code == 404
    assert client.post(reverse("records:delete", args=["activities", other.pk])).status_code == 404
    assert Activity.objects.filter(pk=other.pk).exists()


# Filters and pages


def test_the_list_filters_by_category_and_dates(client, district_admin, tree):
    unit = tree["YX-S1-G1"]
    add_activity(unit, "三月大讲堂", date=datetime.date(2026, 3, 10))
    add_activity(unit, "五月大讲堂", date=datetime.date(2026, 5, 10))
    add_activity(unit, "三月培训", category=ActivityCategory.TRAINING, date=datetime.date(2026, 3, 12))
    client.force_login(district_admin)

    page = shown(client, unit="YX", subtree="on", category="lecture", date_from="2026-03-01", date_to="2026-03-31")

    assert "三月大讲堂" in page
    assert "五月大讲堂" not in page
    assert "三月培训" not in page


@pytest.mark.parametrize(
    "dates",
    [{"date_from": "2026-13-45"}, {"date_from": "2026-04-01", "date_to": "2026-03-01"}],
    ids=["not-a-date", "from-after-to"],
)
def test_bad_dates_are_reported_on_the_form(client, district_admin, activities, dates):
    client.force_login(district_admin)

    response = client.get(LIST, {"unit": "YX", "subtree": "on", **dates})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()
    assert response.context["page"] is None
    assert 'id="filter-refused"' in response.content.decode()


def test_a_long_list_comes_in_pages_of_fifty(client, district_admin, tree):
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
    client.force_login(district_admin)

    responses = [client.get(LIST, {"unit": "YX", "subtree": "on", "page": number}) for number in (1, 2, 3)]

    pages = [response.context for response in responses]
    assert [len(page["rows"]) for page in pages] == [50, 50, 20]
    assert pages[0]["page"].paginator.num_pages == 3
    assert pages[0]["rows"][0].record.name == "第119次"  # newest first
    assert pages[2]["rows"][-1].record.name == "第000次"
    assert "?unit=YX&amp;subtree=on&amp;page=2" in responses[0].content.decode()  # the next page keeps the filter


@pytest.mark.parametrize("count", [5, 60])
@pins("records:list")
def test_the_list_costs_the_same_queries_whatever_the_number_of_records(
    client, district_admin, tree, django_assert_num_queries, count
):
    units = [tree["YX-S1-G1"], tree["YX-S2-G1"], tree["YX-D1"]]
    for number in range(count):
        add_activity(units[number % 3], f"活动{number}")
    client.force_login(district_admin)

    # session, user with unit, the chosen unit, the person-times in all, the count, the page's rows with their units
    with django_assert_num_queries(6):
        assert client.get(LIST).status_code == 200


# Export


def test_the_export_holds_the_filtered_rows_in_the_import_layout(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书会", participants=35, speaker="王老师", date=datetime.date(2026, 4, 2))
    add_activity(tree["YX-S1-G2"], "职工运动会", category=ActivityCategory.WORKER_ACTIVITY)
    add_activity(tree["YX-S2-G1"], "别的系统的活动")
    client.force_login(secondary_cadre)

    response = client.get(EXPORT, {"unit": "YX-S1", "subtree": "on", "category": "lecture"})

    assert response.status_code == 200
    assert "activities-YX-S1.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))  # row 1 is the title
    code, *others = KINDS["activities"].headings
    assert list(rows[0]) == [code, "单位名称", *others]
    assert rows[1:] == [
        ("YX-S1-G1", "城关社区工会", "大讲堂", datetime.datetime(2026, 4, 2), "读书会", 35, "王老师", None, None)
    ]


def test_an_export_with_a_bad_filter_goes_back_to_the_list(client, district_admin, activities):
    client.force_login(district_admin)

    response = client.get(EXPORT, {"unit": "YX", "date_from": "2026-04-01", "date_to": "2026-03-01"})

    assert response.status_code == 302
    assert response["Location"].startswith(LIST + "?unit=YX")


# Create, edit, delete

KIND_EXAMPLES = {
    "activities": (
        {"category": "training", "name": "职工读书会", "date": "2026-03-01", "participants": "30", "speaker": "王老师"},
        "name",
    ),
    "documents": ({"kind": "annual_plan", "title": "2026年学习计划", "date": "2026-01-05"}, "title"),
    "teams": ({"team": "teachers", "name": "李老师", "role": "兼职教师"}, "name"),
    "funds": ({"amount": "1200.50", "date": "2026-02-01", "purpose": "购买图书"}, "purpose"),
    "honours": ({"level": "municipal", "title": "市级学习型工会", "date": "2026-05-01"}, "title"),
    "stations": ({"name": "职工书屋", "address": "城关路1号", "area": "45.5", "equipment": "投影仪"}, "name"),
}


@pytest.mark.parametrize("slug", list(KIND_EXAMPLES))
def test_a_cadre_adds_edits_and_deletes_a_record_of_each_kind(client, secondary_cadre, tree, slug):
    values, text_field = KIND_EXAMPLES[slug]
    model = KINDS[slug].model
    client.force_login(secondary_cadre)

    added = client.post(reverse("records:create", args=[slug]), {"unit": "YX-S1-G1", **values})

    assert added.status_code == 302
    assert added["Location"] == reverse("records:list", args=[slug])
    record = model._default_manager.get()
    assert record.organisation == tree["YX-S1-G1"]
    assert record.created_by == secondary_cadre
    assert values[text_field] in shown(client, reverse("records:list", args=[slug]))

    edit = reverse("records:edit", args=[slug, record.pk])
    assert client.get(edit).status_code == 200
    edited = client.post(edit, {"unit": "YX-S1-G2", **values, text_field: "改过的名称", "version": record.version})

    assert edited.status_code == 302
    record.refresh_from_db()
    assert (record.organisation, getattr(record, text_field)) == (tree["YX-S1-G2"], "改过的名称")

    delete = reverse("records:delete", args=[slug, record.pk])
    assert "改过的名称" in shown(client, delete)  # the confirmation shows what goes
    assert client.post(delete, {"version": record.version}).status_code == 302
    assert not model._default_manager.exists()
    assert list(Event.objects.filter(details__kind=slug).values_list("action", flat=True).order_by("id")) == [
        Action.RECORD_CREATED,
        Action.RECORD_UPDATED,
        Action.RECORD_DELETED,
    ]


ACTIVITY = KIND_EXAMPLES["activities"][0]


@pytest.mark.parametrize(
    ("slug", "values", "field"),
    [
        ("activities", {**ACTIVITY, "participants": "-1"}, "participants"),
        ("activities", {**ACTIVITY, "name": ""}, "name"),
        ("activities", {**ACTIVITY, "date": "2026-02-30"}, "date"),
        ("activities", {**ACTIVITY, "unit": "YX-S2-G1"}, "unit"),  # another system of the district
        ("activities", {**ACTIVITY, "unit": "LQ-S1-G1"}, "unit"),  # another district
        ("funds", {"amount": "-5", "date": "2026-02-01", "purpose": "购书"}, "amount"),
        ("stations", {"name": "书屋", "area": "-1"}, "area"),
    ],
    ids=[
        "negative-participants",
        "no-name",
        "no-such-date",
        "other-system",
        "other-district",
        "negative-amount",
        "negative-area",
    ],
)
def test_bad_input_is_reported_and_nothing_is_written(client, secondary_cadre, slug, values, field):
    client.force_login(secondary_cadre)

    response = client.post(reverse("records:create", args=[slug]), {"unit": "YX-S1-G1", **values})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not KINDS[slug].model._default_manager.exists()
    assert not Event.objects.exists()


def test_a_bad_edit_leaves_the_record_as_it_was(client, secondary_cadre, tree):
    activity = add_activity(tree["YX-S1-G1"], "原来的名称")
    client.force_login(secondary_cadre)

    response = client.post(
        reverse("records:edit", args=["activities", activity.pk]),
        {**ACTIVITY, "unit": "YX-S1-G1", "participants": "-3", "version": activity.version},
    )

    assert response.status_code == 200
    activity.refresh_from_db()
    assert (activity.name, activity.participants) == ("原来的名称", 10)


def test_the_form_offers_the_users_own_unit(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    form = client.get(reverse("records:create", args=["honours"])).context["form"]

    assert form["unit"].value() == "YX-S1-G1"


# Document files


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_document_is_uploaded_and_downloaded_within_the_system(client, secondary_cadre, outsider, media):
    upload = SimpleUploadedFile("学习计划.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    client.force_login(secondary_cadre)

    client.post(
        reverse("records:create", args=["documents"]),
        {"unit": "YX-S1-G1", "kind": "annual_plan", "title": "学习计划", "date": "2026-01-05", "file": upload},
    )

    document = Document.objects.get()
    assert (media / document.file.name).read_bytes() == b"%PDF-1.4 plan"
    url = reverse("records:file", args=["documents", document.pk])
    assert url in shown(client, reverse("records:list", args=["documents"]))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert "attachment" in response["Content-Disposition"]

    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_replacing_a_documents_file_removes_the_old_one(
    client, secondary_cadre, media, django_capture_on_commit_callbacks
):
    client.force_login(secondary_cadre)
    values = {"unit": "YX-S1-G1", "kind": "report", "title": "报告", "date": "2026-01-05"}
    client.post(reverse("records:create", args=["documents"]), {**values, "file": SimpleUploadedFile("a.pdf", b"a")})
    document = Document.objects.get()
    old = media / document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("records:edit", args=["documents", document.pk]),
            {**values, "file": SimpleUploadedFile("b.pdf", b"b"), "version": document.version},
        )

    document.refresh_from_db()
    assert (media / document.file.name).read_bytes() == b"b"
    assert not old.exists()


def test_editing_a_document_without_a_new_file_keeps_its_file(client, secondary_cadre, media):
    client.force_login(secondary_cadre)
    values = {"unit": "YX-S1-G1", "kind": "report", "title": "报告", "date": "2026-01-05"}
    client.post(reverse("records:create", args=["documents"]), {**values, "file": SimpleUploadedFile("a.pdf", b"a")})
    document = Document.objects.get()
    stored = document.file.name

    client.post(
        reverse("records:edit", args=["documents", document.pk]),
        {**values, "title": "新标题", "version": document.version},
    )

    document.refresh_from_db()
    assert (document.title, document.file.name) == ("新标题", stored)


def test_a_document_without_a_file_and_other_kinds_have_no_file_page(client, district_admin, tree, media):
    document = Document.objects.create(
        organisation=tree["YX"], kind=DocumentKind.POLICY, title="无附件", date=datetime.date(2026, 1, 1)
    )
    activity = add_activity(tree["YX"], "活动")
    client.force_login(district_admin)

    assert client.get(reverse("records:file", args=["documents", document.pk])).status_code == 404
    assert client.get(reverse("records:file", args=["activities", activity.pk])).status_code == 404


def test_amounts_show_with_two_decimals(client, district_admin, tree):
    from kaohe.records.models import EducationFund

    EducationFund.objects.create(
        organisation=tree["YX"], amount=Decimal("12345.5"), date=datetime.date(2026, 1, 1), purpose="购书"
    )
    client.force_login(district_admin)

    assert "12,345.50" in shown(client, reverse("records:list", args=["funds"]))
