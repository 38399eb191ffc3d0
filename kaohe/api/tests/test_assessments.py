"""One unit's assessment through the API, as the personas live it: the unit fills it in (self-scores, files,
records) and submits, its reviewer scores it, returns it or marks it reviewed, the district publishes and
reopens. The same rights, refusals and history as the assessment's pages (kaohe/assessments/tests/), and the
final scores hidden from the unit until publication, exactly as there."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.accounts.models import Role
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Evidence, EvidenceFile, Item, Return, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted
from kaohe.conftest import make_user
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.records.models import Activity, ActivityCategory
from kaohe.tests.pins import pins

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
SCORED = ["1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "4.3", "4.4", "5.1", "6.1", "6.2", "6.3", "6.4", "7.1", "8"]


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(code: str = "YX-S1-G1", rest: str = "", year: int | str = 2026) -> str:
    return f"/api/assessments/{year}/{code}/{rest}"


def item_url(number: str, rest: str = "", code: str = "YX-S1-G1") -> str:
    return url(code, f"items/{number}/{rest}")


def item_of(cycle: Cycle, number: str, code: str = "YX-S1-G1") -> Item:
    return Item.objects.select_related("assessment__cycle", "assessment__organisation").get(
        assessment__cycle=cycle, assessment__organisation__code=code, number=number
    )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def fields_at_fault(response: Any) -> list[str | None]:
    assert response.status_code == 400, response.content
    return [error["field"] for error in response.json()["errors"]]


def events(action: str) -> int:
    return Event.objects.filter(action=action).count()


def version_of(code: str = "YX-S1-G1") -> int:
    return Assessment.objects.get(organisation__code=code).version


def add_file(
    cycle: Cycle,
    actor: Any,
    name: str = "签到表.pdf",
    content: bytes = PDF,
    number: str = "6.1",
    code: str = "YX-S1-G1",
) -> Evidence:
    return actions.add_evidence(actor, item_of(cycle, number, code), uploaded=SimpleUploadedFile(name, content))


def lecture(tree: dict[str, Any], code: str = "YX-S1-G1") -> Activity:
    return Activity.objects.create(
        organisation=tree[code],
        category=ActivityCategory.LECTURE,
        name="大讲堂第一讲",
        date=datetime.date(2026, 3, 5),
        participants=40,
    )


@pytest.fixture
def published(cycle: Cycle, personas: dict[str, Any]) -> Cycle:
    """Every unit filled in, reviewed as self-assessed and published (actions do not ask who acts)."""
    admin = personas["district_admin"]
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(admin, assessment)
        actions.submit_self_assessment(admin, assessment)
        review_all(personas["assessor"], assessment)
    actions.publish_cycle(admin, cycle)
    return cycle


# Reading the assessment -------------------------------------------------------------------------------------


def test_the_unit_reads_its_state_deadlines_items_and_what_is_missing(api, cycle, grassroots_cadre, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2026, 11, 20))
    add_file(cycle, grassroots_cadre)

    body = ok(api["grassroots_cadre"].get(url()))

    assert (body["year"], body["unit"]["code"], body["status"], body["round"]) == (2026, "YX-S1-G1", "draft", 1)
    assert (body["tier"], body["column"], body["version"]) == ("grassroots", "direct", version_of())
    assert body["reviewing_unit"] == {"code": "YX-S1", "name": "城关街道总工会", "tier": "secondary"}
    assert [(d["day"], d["days_left"]) for d in body["deadlines"]] == [("2026-11-30", 10), ("2026-12-20", 30)]
    assert (body["self_total"], body["points_total"]) == (None, 100)
    assert len(body["missing"]) == 15
    assert body["rights"]["may_self_assess"]
    assert not body["rights"]["sees_final"]
    assert [item["number"] for item in body["items"]] == SCORED
    lectures = body["items"][SCORED.index("6.1")]
    assert (lectures["points"], lectures["proposed"], lectures["evidence_count"]) == (15, 0, 1)
    assert [figure["key"] for figure in lectures["figures"]] == ["lecture_count", "lecture_participation_rate"]
    assert lectures["figures"][0] == {"key": "lecture_count", "item": "6.1", "value": 0, "target": 5, "met": False}
    [piece] = lectures["evidence"]
    assert (piece["kind"], piece["file_name"], piece["content_type"]) == ("file", "签到表.pdf", "application/pdf")
    assert piece["download"] == url(rest=f"evidence/{piece['id']}/")
    assert piece["added_by"]["username"] == "shequ"
    assert "final_total" not in body
    assert "final_score" not in lectures
    assert "comment" not in lectures


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("grassroots_cadre", "YX-S1-G1", 200),
        ("grassroots_cadre", "YX-S1-G2", 404),  # a neighbour
        ("grassroots_cadre", "YX-S1", 404),  # the unit above
        ("secondary_cadre", "YX-S1-G1", 200),  # its system's
        ("secondary_cadre", "YX-S2-G1", 404),  # another system's
        ("assessor", "YX-S1-G1", 200),  # reads the whole district
        ("district_admin", "YX-S1-G1", 200),
        ("outsider", "YX-S1-G1", 404),
        ("outsider", "LQ-S1", 404),  # its own, but its district has no cycle for the year
        ("district_admin", "NOPE", 404),
        ("district_admin", "YX%00", 404),
        ("district_admin", "Y" * 300, 404),
    ],
)
def test_who_sees_an_assessment(api, cycle, persona, code, expected):
    assert api[persona].get(url(code)).status_code == expected
    assert api[persona].get(item_url("6.1", code=code)).status_code == expected
    assert api[persona].get(url(code, "history/")).status_code == expected


@pytest.mark.parametrize("year", [2025, 1900, 10**12])
def test_a_year_without_the_cycle_is_not_found(api, cycle, year):
    assert api["grassroots_cadre"].get(url(year=year)).status_code == 404
    assert api["grassroots_cadre"].get(url(year=year, rest="items/6.1/")).status_code == 404


def test_without_a_key_nothing_is_shown(anonymous, cycle):
    assert anonymous.get(url()).status_code == 401


def test_before_publication_the_unit_never_sees_its_final_scores(api, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(
        secondary_cadre, assessment.items.get(number="1.1"), final_score="3", reason="只一次", comment="补签到表"
    )

    own = ok(api["grassroots_cadre"].get(url()))
    assert "final_total" not in own
    assert "grade" not in own
    assert not any({"final_score", "reason", "comment"} & set(item) for item in own["items"])
    own_item = ok(api["grassroots_cadre"].get(item_url("1.1")))
    assert not {"final_score", "reason", "comment"} & set(own_item)
    history = ok(api["grassroots_cadre"].get(url(rest="history/")))["results"]
    assert Action.ITEM_REVIEWED not in [event["action"] for event in history]
    assert "只一次" not in json.dumps(own, ensure_ascii=False) + json.dumps(history, ensure_ascii=False)

    reviewer = ok(api["secondary_cadre"].get(url()))
    assert reviewer["final_total"] == 3
    assert reviewer["grade"] == ""
    scored = reviewer["items"][0]
    assert (scored["final_score"], scored["reason"], scored["comment"]) == (3, "只一次", "补签到表")
    assert ok(api["district_admin"].get(item_url("1.1")))["final_score"] == 3
    assert "final_score" not in ok(api["assessor"].get(item_url("1.1")))  # the secondary union reviews it


def test_after_publication_the_unit_sees_its_final_total_grade_and_scores(api, published):
    body = ok(api["grassroots_cadre"].get(url()))

    assert (body["status"], body["final_total"], body["grade"]) == ("published", 100, "优秀")
    assert body["items"][0]["final_score"] == 4
    assert body["missing"] == []
    assert not body["rights"]["may_self_assess"]
    assert body["published_at"]


@pins("api:assessment")
def test_an_assessment_costs_the_same_with_more_evidence(api, cycle, tree, grassroots_cadre, django_assert_num_queries):
    client = api["grassroots_cadre"]
    add_file(cycle, grassroots_cadre)
    actions.add_evidence(grassroots_cadre, item_of(cycle, "6.1"), record=lecture(tree))
    # The key and its use (2); the assessment (1); its items (1); its evidence (1) and the records linked, one
    # query per kind (1); its returns (1); the unit that reviews it (1).
    with django_assert_num_queries(8):
        ok(client.get(url()))
    for number in ("1.1", "2.1", "3.1", "4.1"):
        add_file(cycle, grassroots_cadre, f"{number}.jpg", JPEG, number)
        actions.add_evidence(grassroots_cadre, item_of(cycle, number), record=lecture(tree))
    actions.save_self_item(grassroots_cadre, item_of(cycle, "1.1"), self_score="4", explanation="见材料")
    with django_assert_num_queries(8):
        assert sum(item["evidence_count"] for item in ok(client.get(url()))["items"]) == 10


# One item ---------------------------------------------------------------------------------------------------


def test_an_item_shows_its_requirements_figures_evidence_and_the_records_it_may_link(
    api, cycle, tree, grassroots_cadre
):
    lecture(tree)
    piece = add_file(cycle, grassroots_cadre)
    actions.add_evidence(
        grassroots_cadre, item_of(cycle, "6.1"), uploaded=SimpleUploadedFile("b.pdf", PDF), requirement=2
    )

    body = ok(api["grassroots_cadre"].get(item_url("6.1")))

    assert (body["number"], body["points"], body["status"]) == ("6.1", 15, "draft")
    assert [row["position"] for row in body["requirements"]] == [1, 2]
    assert body["requirements"][0]["evidence"] == []
    assert len(body["requirements"][1]["evidence"]) == 1
    assert piece.pk in [e["id"] for e in body["evidence"] if e["requirement"] is None]  # the item as a whole
    assert [figure["key"] for figure in body["live_figures"]] == ["lecture_count", "lecture_participation_rate"]
    assert body["live_proposal"] is not None
    assert body["empty_year"] is False
    [group] = body["linkable_records"]
    assert [record["label"] for record in group["records"]] == ["2026-03-05 大讲堂第一讲"]
    assert group["records"][0]["value"].startswith("activities:")
    assert ok(api["secondary_cadre"].get(item_url("6.1")))["linkable_records"] == []  # not theirs to link


def test_category_8_is_one_item_and_its_parts_are_not(api, cycle):
    assert ok(api["grassroots_cadre"].get(item_url("8")))["points"] == 20

    response = api["grassroots_cadre"].get(item_url("8.1"))

    assert response.status_code == 404
    assert "8" in response.json()["detail"]


@pytest.mark.parametrize("number", ["99.9", "9", "6.9", "abc", "6.1.1"])
def test_an_item_the_assessment_does_not_have_is_not_found(api, cycle, number):
    assert api["grassroots_cadre"].get(item_url(number)).status_code == 404
    assert api["grassroots_cadre"].patch(item_url(number, "self/"), {"version": 1}, format="json").status_code == 404


@pins("api:assessment_item")
def test_an_item_costs_the_same_with_more_evidence(api, cycle, tree, grassroots_cadre, django_assert_num_queries):
    client = api["grassroots_cadre"]
    add_file(cycle, grassroots_cadre)
    # The key and its use (2); the assessment (1); the item (1); the unit's figures now (3); its evidence (1);
    # the records it may link, one query per kind (6); whether the year has records (1); the returns (1).
    with django_assert_num_queries(16):
        ok(client.get(item_url("6.1")))
    for _ in range(5):
        add_file(cycle, grassroots_cadre, "more.jpg", JPEG)
        lecture(tree)
    with django_assert_num_queries(16):
        assert len(ok(client.get(item_url("6.1")))["evidence"]) == 6


# The self-assessment ----------------------------------------------------------------------------------------


def test_the_unit_saves_a_self_score_and_its_draft_starts(api, cycle):
    item = item_of(cycle, "6.1")

    body = ok(
        api["grassroots_cadre"].patch(
            item_url("6.1", "self/"),
            {"self_score": "3.5", "explanation": "讲了四次", "version": item.version},
            format="json",
        )
    )

    assert (body["self_score"], body["explanation"], body["version"]) == (3.5, "讲了四次", item.version + 1)
    item.refresh_from_db()
    assert (item.self_score, item.explanation) == (Decimal("3.5"), "讲了四次")
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT
    assert Event.objects.filter(action=Action.SELF_SCORED, details__item="6.1").count() == 1


def test_what_is_not_sent_stays_and_null_clears_the_score(api, cycle):
    client, item = api["grassroots_cadre"], item_of(cycle, "6.1")
    ok(
        client.patch(
            item_url("6.1", "self/"),
            {"self_score": 4, "explanation": "讲了四次", "version": item.version},
            format="json",
        )
    )

    kept = ok(client.patch(item_url("6.1", "self/"), {"self_score": 5, "version": item.version + 1}, format="json"))
    assert (kept["self_score"], kept["explanation"]) == (5, "讲了四次")
    cleared = ok(
        client.patch(item_url("6.1", "self/"), {"self_score": None, "version": kept["version"]}, format="json")
    )
    assert (cleared["self_score"], cleared["explanation"]) == (None, "讲了四次")


def test_a_self_score_sent_as_a_form_is_read_the_same(api, cycle):
    item = item_of(cycle, "1.1")

    response = api["grassroots_cadre"].patch(
        item_url("1.1", "self/"), {"self_score": "2", "version": str(item.version)}, format="multipart"
    )

    assert ok(response)["self_score"] == 2


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"self_score": 99}, "self_score"),
        ({"self_score": "3.3"}, "self_score"),
        ({"self_score": "abc"}, "self_score"),
        ({"self_score": -1}, "self_score"),
        ({"self_score": "1" * 30}, "self_score"),
        ({"self_score": [3]}, "self_score"),
        ({"explanation": "见\x00材料"}, "explanation"),
        ({"explanation": "长" * 10_001}, "explanation"),
    ],
)
def test_a_bad_self_assessment_is_refused_naming_the_field_and_nothing_is_written(api, cycle, sent, field):
    item = item_of(cycle, "6.1")

    response = api["grassroots_cadre"].patch(item_url("6.1", "self/"), {**sent, "version": item.version}, format="json")

    assert field in fields_at_fault(response)
    assert Item.objects.get(pk=item.pk).version == item.version
    assert events(Action.SELF_SCORED) == 0


def test_a_score_too_large_for_any_number_is_refused(api, cycle):
    item = item_of(cycle, "6.1")
    body = f'{{"self_score": 1e400, "version": {item.version}}}'

    response = api["grassroots_cadre"].patch(item_url("6.1", "self/"), body, content_type="application/json")

    assert fields_at_fault(response) == ["self_score"]
    assert Item.objects.get(pk=item.pk).self_score is None


@pytest.mark.parametrize("version", [None, "abc", [1]])
def test_a_self_assessment_without_its_version_is_refused(api, cycle, version):
    sent = {"self_score": "3"} if version is None else {"self_score": "3", "version": version}

    response = api["grassroots_cadre"].patch(item_url("6.1", "self/"), sent, format="json")

    assert "version" in fields_at_fault(response)
    assert item_of(cycle, "6.1").self_score is None


def test_the_later_of_two_saves_from_the_same_version_is_refused_with_the_version_stored(api, cycle):
    version = item_of(cycle, "6.1").version
    ok(api["grassroots_cadre"].patch(item_url("6.1", "self/"), {"self_score": "3", "version": version}, format="json"))

    response = api["grassroots_cadre"].patch(
        item_url("6.1", "self/"), {"self_score": "5", "version": version}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == version + 1
    assert item_of(cycle, "6.1").self_score == 3


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("secondary_cadre", "YX-S1-G1", 403),  # its reviewer
        ("assessor", "YX-S1-G1", 403),
        ("district_admin", "YX-S1-G1", 403),
        ("assessor", "YX-S1", 403),  # the assessor does not self-assess
        ("outsider", "YX-S1-G1", 404),
        ("secondary_cadre", "YX-S1", 200),  # its own
        ("district_admin", "YX", 200),  # the district federation's own
    ],
)
def test_only_the_units_own_people_self_assess(api, cycle, persona, code, expected):
    version = item_of(cycle, "6.1", code).version

    response = api[persona].patch(
        item_url("6.1", "self/", code), {"self_score": "3", "version": version}, format="json"
    )

    assert response.status_code == expected
    assert (item_of(cycle, "6.1", code).self_score is None) == (expected != 200)


def test_once_submitted_the_unit_saves_nothing_and_is_told_why(api, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    item = item_of(cycle, "6.1")

    response = api["grassroots_cadre"].patch(
        item_url("6.1", "self/"), {"self_score": "3", "version": item.version}, format="json"
    )

    assert fields_at_fault(response) == [None]
    assert "submitted" in response.json()["detail"].lower() or "已提交" in response.json()["detail"]
    assert item_of(cycle, "6.1").self_score == 15


@pins("api:assessment_item_self")
def test_a_self_score_costs_the_same_with_more_evidence(api, cycle, grassroots_cadre, django_assert_num_queries):
    client = api["grassroots_cadre"]
    add_file(cycle, grassroots_cadre)  # the draft is started: each save below changes only the item
    for score, pieces in (("3", 0), ("4", 5)):
        for _ in range(pieces):
            add_file(cycle, grassroots_cadre, "more.jpg", JPEG)
        version = item_of(cycle, "6.1").version
        # The key and its use (2); the assessment (1), the item (1); a savepoint and its release (2); both
        # locked (2); saved (1), its event (1); the answer: the item's evidence (1).
        with django_assert_num_queries(11):
            ok(client.patch(item_url("6.1", "self/"), {"self_score": score, "version": version}, format="json"))


# The review -------------------------------------------------------------------------------------------------


def test_the_reviewer_gives_a_final_score_with_a_reason_where_it_differs(api, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    item = item_of(cycle, "1.1")
    client = api["secondary_cadre"]

    same = ok(client.patch(item_url("1.1", "review/"), {"final_score": "4", "version": item.version}, format="json"))
    assert (same["final_score"], same["version"]) == (4, item.version + 1)
    refused = client.patch(item_url("1.1", "review/"), {"final_score": "3", "version": same["version"]}, format="json")
    assert fields_at_fault(refused) == ["reason"]
    lower = ok(
        client.patch(
            item_url("1.1", "review/"),
            {"final_score": "3", "reason": "只一次", "comment": "补", "version": same["version"]},
            format="json",
        )
    )
    assert (lower["final_score"], lower["reason"], lower["comment"]) == (3, "只一次", "补")
    kept = ok(
        client.patch(item_url("1.1", "review/"), {"reason": "只讲一次", "version": lower["version"]}, format="json")
    )
    assert (kept["final_score"], kept["comment"]) == (3, "补")  # left out: as they were
    assert Event.objects.filter(action=Action.ITEM_REVIEWED, details__item="1.1").count() == 3


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"final_score": 99}, "final_score"),
        ({"final_score": "3.3"}, "final_score"),
        ({"final_score": "abc"}, "final_score"),
        ({"final_score": "4", "reason": "\x00"}, "reason"),
        ({"final_score": "4", "comment": {"a": 1}}, "comment"),
    ],
)
def test_a_bad_final_score_is_refused_naming_the_field(api, cycle, grassroots_cadre, sent, field):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    item = item_of(cycle, "1.1")

    response = api["secondary_cadre"].patch(
        item_url("1.1", "review/"), {**sent, "version": item.version}, format="json"
    )

    assert field in fields_at_fault(response)
    assert item_of(cycle, "1.1").final_score is None


def test_a_final_score_over_a_newer_version_is_refused(api, cycle, grassroots_cadre, secondary_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    item = item_of(cycle, "1.1")
    actions.review_item(secondary_cadre, item, final_score="4")

    response = api["secondary_cadre"].patch(
        item_url("1.1", "review/"), {"final_score": "3", "reason": "少", "version": item.version}, format="json"
    )

    assert response.status_code == 409
    assert item_of(cycle, "1.1").final_score == 4


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("grassroots_cadre", "YX-S1-G1", 403),  # its own
        ("assessor", "YX-S1-G1", 403),  # a grassroots union is its secondary union's
        ("district_admin", "YX-S1-G1", 403),  # administrators never review
        ("secondary_cadre", "YX-S1", 403),  # never its own
        ("outsider", "YX-S1-G1", 404),
        ("secondary_cadre", "YX-S1-G1", 200),
        ("assessor", "YX-S1", 200),
    ],
)
def test_only_the_reviewer_gives_final_scores(api, cycle, personas, persona, code, expected):
    submitted(personas["district_admin"], cycle, code)
    item = item_of(cycle, "1.1", code)

    response = api[persona].patch(
        item_url("1.1", "review/", code), {"final_score": "4", "version": item.version}, format="json"
    )

    assert response.status_code == expected
    assert (item_of(cycle, "1.1", code).final_score is None) == (expected != 200)


def test_a_draft_is_not_reviewed(api, cycle):
    item = item_of(cycle, "1.1")

    response = api["secondary_cadre"].patch(
        item_url("1.1", "review/"), {"final_score": "4", "version": item.version}, format="json"
    )

    assert fields_at_fault(response) == [None]
    assert item_of(cycle, "1.1").final_score is None


@pins("api:assessment_item_review")
def test_a_final_score_costs_the_same_with_more_evidence(api, cycle, grassroots_cadre, django_assert_num_queries):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    for score, reason in (("4", ""), ("3", "少")):
        version = item_of(cycle, "1.1").version
        # The key and its use (2); the assessment (1), the item (1); a savepoint and its release (2); both
        # locked (2); saved (1), its event (1); the answer: the item's evidence (1).
        with django_assert_num_queries(11):
            ok(
                api["secondary_cadre"].patch(
                    item_url("1.1", "review/"),
                    {"final_score": score, "reason": reason, "version": version},
                    format="json",
                )
            )


# Evidence ---------------------------------------------------------------------------------------------------


def test_the_unit_uploads_a_file_for_a_requirement(api, cycle, grassroots_cadre):
    response = api["grassroots_cadre"].post(
        item_url("6.1", "evidence/"),
        {"file": SimpleUploadedFile("签到表.pdf", PDF), "requirement": "2", "note": "第一讲"},
        format="multipart",
    )

    body = ok(response, 201)
    assert (body["kind"], body["file_name"], body["requirement"], body["note"]) == ("file", "签到表.pdf", 2, "第一讲")
    assert (body["content_type"], body["size"]) == ("application/pdf", len(PDF))
    [piece] = Evidence.objects.all()
    assert (piece.item.number, piece.added_by) == ("6.1", grassroots_cadre)
    assert events(Action.EVIDENCE_ADDED) == 1
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT
    assert api["grassroots_cadre"].get(body["download"]).status_code == 200


def test_a_photo_from_the_phones_camera_is_added(api, cycle):
    response = api["grassroots_cadre"].post(
        item_url("6.1", "evidence/"), {"photo": SimpleUploadedFile("IMG.JPG", JPEG)}
    )

    assert ok(response, 201)["content_type"] == "image/jpeg"


def test_the_unit_links_one_of_its_records(api, cycle, tree):
    record = lecture(tree)

    response = api["grassroots_cadre"].post(
        item_url("6.1", "evidence/"), {"record": f"activities:{record.pk}", "requirement": 1}, format="json"
    )

    body = ok(response, 201)
    assert (body["kind"], body["record"], body["requirement"]) == ("record", f"activities:{record.pk}", 1)
    assert body["record_label"]
    assert body["download"] is None
    assert body["record_deleted"] is False


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"file": SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>")}, "file"),
        ({"file": SimpleUploadedFile("空.pdf", b"")}, "file"),
        ({"file": SimpleUploadedFile("a.pdf", PDF), "requirement": "3"}, "requirement"),  # 6.1 has two
        ({"file": SimpleUploadedFile("a.pdf", PDF), "requirement": "0"}, "requirement"),
        ({"file": SimpleUploadedFile("a.pdf", PDF), "requirement": "abc"}, "requirement"),
        ({"file": SimpleUploadedFile("a.pdf", PDF), "note": "注\x00"}, "note"),
        ({"note": "忘了选文件"}, "file"),
        ({"file": SimpleUploadedFile("a.pdf", PDF), "photo": SimpleUploadedFile("b.jpg", JPEG)}, "photo"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field_and_nothing_is_stored(api, cycle, sent, field):
    response = api["grassroots_cadre"].post(item_url("6.1", "evidence/"), sent, format="multipart")

    assert field in fields_at_fault(response)
    assert (Evidence.objects.count(), EvidenceFile.objects.count(), events(Action.EVIDENCE_ADDED)) == (0, 0, 0)


def test_a_file_over_the_size_limit_is_refused(api, cycle, settings):
    settings.MAX_EVIDENCE_FILE_SIZE = 100

    response = api["grassroots_cadre"].post(
        item_url("6.1", "evidence/"), {"file": SimpleUploadedFile("大.pdf", PDF + b" " * 200)}
    )

    assert fields_at_fault(response) == ["file"]
    assert "100" in response.json()["detail"]


@pytest.mark.parametrize("record", ["activities:0", "nothing:1", "", "activities:999999999999999999999"])
def test_linking_no_record_of_the_units_is_refused(api, cycle, record):
    response = api["grassroots_cadre"].post(item_url("6.1", "evidence/"), {"record": record}, format="json")

    assert fields_at_fault(response) == ["record"]
    assert Evidence.objects.count() == 0


def test_a_neighbours_record_is_not_linked(api, cycle, tree):
    neighbours = lecture(tree, "YX-S1-G2")

    response = api["grassroots_cadre"].post(
        item_url("6.1", "evidence/"), {"record": f"activities:{neighbours.pk}"}, format="json"
    )

    assert fields_at_fault(response) == ["record"]


@pytest.mark.parametrize(
    ("persona", "expected"), [("secondary_cadre", 403), ("assessor", 403), ("district_admin", 403), ("outsider", 404)]
)
def test_only_the_units_own_people_add_evidence(api, cycle, persona, expected):
    response = api[persona].post(item_url("6.1", "evidence/"), {"file": SimpleUploadedFile("a.pdf", PDF)})

    assert response.status_code == expected
    assert Evidence.objects.count() == 0


def test_no_evidence_is_added_once_submitted(api, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")

    response = api["grassroots_cadre"].post(item_url("6.1", "evidence/"), {"file": SimpleUploadedFile("a.pdf", PDF)})

    assert fields_at_fault(response) == ["file"]  # where the page shows it
    assert Evidence.objects.count() == 0


@pins("api:assessment_item_evidence")
def test_adding_evidence_costs_the_same_with_more_of_it(api, cycle, grassroots_cadre, django_assert_num_queries):
    add_file(cycle, grassroots_cadre)  # the draft is started, the content stored
    for pieces in (0, 5):
        for _ in range(pieces):
            add_file(cycle, grassroots_cadre, "more.jpg", JPEG)
        # The key and its use (2); the assessment (1), the item (1); a savepoint and its release (2); both
        # locked (2); the stored content found (1); the evidence saved (1), its event (1).
        with django_assert_num_queries(11):
            ok(
                api["grassroots_cadre"].post(item_url("6.1", "evidence/"), {"file": SimpleUploadedFile("a.pdf", PDF)}),
                201,
            )


def test_the_unit_removes_a_piece_of_evidence(api, cycle, grassroots_cadre):
    piece = add_file(cycle, grassroots_cadre)

    response = api["grassroots_cadre"].delete(item_url("6.1", f"evidence/{piece.pk}/"))

    assert response.status_code == 204
    assert Evidence.objects.count() == 0
    assert EvidenceFile.objects.count() == 1  # the stored content stays: others may share it
    assert events(Action.EVIDENCE_REMOVED) == 1


@pytest.mark.parametrize(
    ("persona", "expected"), [("secondary_cadre", 403), ("district_admin", 403), ("outsider", 404)]
)
def test_only_the_units_own_people_remove_evidence(api, cycle, grassroots_cadre, persona, expected):
    piece = add_file(cycle, grassroots_cadre)

    assert api[persona].delete(item_url("6.1", f"evidence/{piece.pk}/")).status_code == expected
    assert Evidence.objects.count() == 1


def test_evidence_is_removed_only_through_its_own_item(api, cycle, grassroots_cadre):
    piece = add_file(cycle, grassroots_cadre)

    assert api["grassroots_cadre"].delete(item_url("1.1", f"evidence/{piece.pk}/")).status_code == 404
    assert api["grassroots_cadre"].delete(item_url("6.1", f"evidence/{10**30}/")).status_code == 404
    assert Evidence.objects.count() == 1


def test_evidence_is_not_removed_once_submitted(api, cycle, grassroots_cadre):
    piece = add_file(cycle, grassroots_cadre)
    submitted(grassroots_cadre, cycle, "YX-S1-G1")

    assert fields_at_fault(api["grassroots_cadre"].delete(item_url("6.1", f"evidence/{piece.pk}/"))) == [None]
    assert Evidence.objects.count() == 1


@pins("api:assessment_item_evidence_remove")
def test_removing_evidence_costs_the_same_with_more_of_it(api, cycle, grassroots_cadre, django_assert_num_queries):
    add_file(cycle, grassroots_cadre)
    for pieces in (1, 6):
        while Evidence.objects.count() < pieces:
            add_file(cycle, grassroots_cadre, "more.jpg", JPEG)
        piece = Evidence.objects.last()
        # The key and its use (2); the assessment (1), the item (1), the evidence (1); a savepoint and its
        # release (2); both locked (2); deleted (1), its event (1).
        with django_assert_num_queries(11):
            assert api["grassroots_cadre"].delete(item_url("6.1", f"evidence/{piece.pk}/")).status_code == 204


# Downloading evidence ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "disposition", "content_type"),
    [
        ("签到表.pdf", PDF, "inline", "application/pdf"),
        ("现场.jpg", JPEG, "inline", "image/jpeg"),
        ("总结.docx", docx(), "attachment", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("名字不对.pdf", JPEG, "inline", "image/jpeg"),  # typed by its content, named accordingly
    ],
)
def test_a_download_is_typed_by_its_content_and_never_runs_as_a_page(
    api, cycle, grassroots_cadre, name, content, disposition, content_type
):
    piece = add_file(cycle, grassroots_cadre, name, content)

    response = api["secondary_cadre"].get(url(rest=f"evidence/{piece.pk}/"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(f"{disposition}; filename*=UTF-8''")
    assert response["Content-Disposition"].endswith(piece.file.extension)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_only_evidence_with_a_file_of_an_assessment_one_sees_is_downloaded(api, cycle, tree, grassroots_cadre):
    neighbour = make_user("xiaoxue", Role.CADRE, tree["YX-S1-G2"])
    theirs = actions.add_evidence(
        neighbour, item_of(cycle, "6.1", "YX-S1-G2"), uploaded=SimpleUploadedFile("a.pdf", PDF)
    )
    record = actions.add_evidence(grassroots_cadre, item_of(cycle, "6.1"), record=lecture(tree))
    mine = add_file(cycle, grassroots_cadre)

    client = api["grassroots_cadre"]
    assert client.get(url("YX-S1-G2", f"evidence/{theirs.pk}/")).status_code == 404
    assert client.get(url(rest=f"evidence/{theirs.pk}/")).status_code == 404  # looked up within the assessment
    assert client.get(url(rest=f"evidence/{record.pk}/")).status_code == 404  # a record has no file
    assert client.get(url(rest=f"evidence/{10**30}/")).status_code == 404
    assert api["outsider"].get(url(rest=f"evidence/{mine.pk}/")).status_code == 404
    refused = client.get(url(rest="evidence/999/"), HTTP_ACCEPT="image/png")
    assert (refused.status_code, refused["Content-Type"]) == (404, "application/json")


@pins("api:assessment_evidence")
def test_a_download_costs_the_same_whatever_the_file(api, cycle, grassroots_cadre, django_assert_num_queries):
    for name, content in (("a.pdf", PDF), ("b.docx", docx())):
        piece = add_file(cycle, grassroots_cadre, name, content)
        # The key and its use (2); the assessment (1); the evidence and its file (1).
        with django_assert_num_queries(4):
            assert api["grassroots_cadre"].get(url(rest=f"evidence/{piece.pk}/")).status_code == 200


# Submitting -------------------------------------------------------------------------------------------------


def test_an_incomplete_assessment_is_not_submitted_and_the_answer_lists_what_is_missing(api, cycle):
    response = api["grassroots_cadre"].post(url(rest="submit/"), {"version": version_of()}, format="json")

    assert fields_at_fault(response) == [None] * 15
    assert response.json()["errors"][0]["message"].startswith(("Item 1.1", "条目 1.1", "第 1.1"))
    assert assessment_of(cycle, "YX-S1-G1").status == Status.NOT_STARTED


def test_a_complete_assessment_is_submitted_once(api, cycle, grassroots_cadre):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    client = api["grassroots_cadre"]

    body = ok(client.post(url(rest="submit/"), {"version": version_of()}, format="json"))

    assert (body["status"], body["self_total"], body["version"]) == ("submitted", 100, version_of())
    assert body["submitted_at"]
    assert body["missing"] == []
    assert events(Action.ASSESSMENT_SUBMITTED) == 1
    twice = client.post(url(rest="submit/"), {"version": version_of()}, format="json")
    assert fields_at_fault(twice) == [None]
    assert events(Action.ASSESSMENT_SUBMITTED) == 1


def test_a_submit_without_its_version_or_over_a_newer_one_is_refused(api, cycle, grassroots_cadre):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    client = api["grassroots_cadre"]

    assert fields_at_fault(client.post(url(rest="submit/"), {}, format="json")) == ["version"]
    stale = client.post(url(rest="submit/"), {"version": version_of() - 1}, format="json")
    assert (stale.status_code, stale.json()["current_version"]) == (409, version_of())
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


@pytest.mark.parametrize(
    ("persona", "expected"), [("secondary_cadre", 403), ("assessor", 403), ("district_admin", 403), ("outsider", 404)]
)
def test_only_the_units_own_people_submit_it(api, cycle, grassroots_cadre, persona, expected):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))

    assert api[persona].post(url(rest="submit/"), {"version": version_of()}, format="json").status_code == expected
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


@pins("api:assessment_submit")
def test_submitting_costs_the_same_with_more_evidence(
    api, cycle, grassroots_cadre, secondary_cadre, django_assert_num_queries
):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    for pieces in (1, 5):
        for _ in range(pieces):
            add_file(cycle, grassroots_cadre, "more.jpg", JPEG)
        sent = {"version": version_of()}
        # The key and its use (2); the assessment (1); a savepoint and its release (2); it locked (1); its
        # items, for what is missing (1); the unit's figures (3), its items again and their proposals saved
        # (2); saved (1), its self-total (1), its event (1); the answer: the assessment again, its items,
        # evidence, reviewing unit and returns (5).
        with django_assert_num_queries(20):
            ok(api["grassroots_cadre"].post(url(rest="submit/"), sent, format="json"))
        actions.return_assessment(secondary_cadre, assessment_of(cycle, "YX-S1-G1"), comment="再补")


# Returning, marking reviewed --------------------------------------------------------------------------------


def test_the_reviewer_returns_it_with_comments_and_the_unit_sees_them(api, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    sent = {"comment": "请补充材料", "item_comments": {"6.1": "缺少签到表", "2.1": ""}, "version": version_of()}

    body = ok(api["secondary_cadre"].post(url(rest="return/"), sent, format="json"))

    assert (body["status"], body["round"]) == ("returned", 2)
    assert list(Return.objects.values_list("comment", "item_comments")) == [("请补充材料", {"6.1": "缺少签到表"})]
    assert events(Action.ASSESSMENT_RETURNED) == 1
    own = ok(api["grassroots_cadre"].get(url()))
    assert own["returns"][0]["item_comments"] == {"6.1": "缺少签到表"}
    assert own["rights"]["may_self_assess"]
    assert [c["comment"] for c in ok(api["grassroots_cadre"].get(item_url("6.1")))["returned_comments"]] == [
        "缺少签到表"
    ]


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"comment": "  "}, "comment"),
        ({"comment": "", "item_comments": {"6.1": " "}}, "comment"),
        ({"comment": "改", "item_comments": {"99.9": "没有"}}, "item_comments"),
        ({"comment": "改", "item_comments": ["6.1"]}, "item_comments"),
        ({"comment": "改", "item_comments": {"6.1": "缺\x00"}}, "item_comments.6.1"),
        ({"comment": "改", "item_comments": {"6.1": ["缺"]}}, "item_comments.6.1"),
        ({"comment": "改\x00"}, "comment"),
    ],
)
def test_a_bad_return_changes_nothing(api, cycle, grassroots_cadre, sent, field):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")

    response = api["secondary_cadre"].post(url(rest="return/"), {**sent, "version": version_of()}, format="json")

    assert field in fields_at_fault(response)
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED
    assert Return.objects.count() == 0


def test_a_draft_is_not_returned_and_a_return_over_a_newer_version_is_refused(api, cycle, grassroots_cadre):
    draft = api["secondary_cadre"].post(url(rest="return/"), {"comment": "改", "version": version_of()}, format="json")
    assert fields_at_fault(draft) == [None]

    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    stale = api["secondary_cadre"].post(url(rest="return/"), {"comment": "改", "version": 1}, format="json")
    assert stale.status_code == 409
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "expected"), [("grassroots_cadre", 403), ("assessor", 403), ("district_admin", 403), ("outsider", 404)]
)
def test_only_the_reviewer_returns_it(api, cycle, grassroots_cadre, persona, expected):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")

    response = api[persona].post(url(rest="return/"), {"comment": "自己退回", "version": version_of()}, format="json")

    assert response.status_code == expected
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED


@pins("api:assessment_return")
def test_returning_costs_the_same_with_more_evidence(api, cycle, grassroots_cadre, django_assert_num_queries):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    for pieces in (1, 5):
        for _ in range(pieces):
            add_file(cycle, grassroots_cadre, "more.jpg", JPEG)
        actions.submit_self_assessment(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
        sent = {"comment": "改", "item_comments": {"6.1": "缺"}, "version": version_of()}
        # The key and its use (2); the assessment (1), its items (1); a savepoint and its release (2); it
        # locked (1); its item numbers (1); the return saved (1); the item commented on, read and saved (2);
        # saved (1), its event (1); the answer: the assessment again, its items, evidence, reviewing unit and
        # returns (5).
        with django_assert_num_queries(18):
            ok(api["secondary_cadre"].post(url(rest="return/"), sent, format="json"))


def test_the_reviewer_marks_it_reviewed_once_every_item_is_scored(api, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client = api["secondary_cadre"]
    refused = client.post(url(rest="review-complete/"), {"version": version_of()}, format="json")
    assert len(fields_at_fault(refused)) == 15
    for item in assessment.items.all():
        reason = "材料不全" if actions.needs_reason(item, item.self_score) else ""
        actions.review_item(secondary_cadre, item, final_score=item.self_score, reason=reason)

    body = ok(client.post(url(rest="review-complete/"), {"version": version_of()}, format="json"))

    assert (body["status"], body["final_total"], body["grade"]) == ("reviewed", 100, "优秀")
    assert body["reviewed_at"]
    assert events(Action.ASSESSMENT_REVIEWED) == 1
    own = ok(api["grassroots_cadre"].get(url()))
    assert own["status"] == "reviewed"
    assert "final_total" not in own


@pytest.mark.parametrize(
    ("persona", "expected"), [("grassroots_cadre", 403), ("district_admin", 403), ("assessor", 403), ("outsider", 404)]
)
def test_only_the_reviewer_marks_it_reviewed(api, cycle, grassroots_cadre, secondary_cadre, persona, expected):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    for item in assessment.items.all():
        actions.review_item(secondary_cadre, item, final_score=item.self_score, reason="齐")

    response = api[persona].post(url(rest="review-complete/"), {"version": version_of()}, format="json")

    assert response.status_code == expected
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED


@pins("api:assessment_complete_review")
def test_marking_reviewed_costs_the_same_with_more_evidence(api, cycle, personas, django_assert_num_queries):
    for code, pieces in (("YX-S1-G1", 0), ("YX-S1-G2", 5)):
        for _ in range(pieces):
            add_file(cycle, personas["district_admin"], "more.jpg", JPEG, code=code)
        assessment = submitted(personas["district_admin"], cycle, code)
        for item in assessment.items.all():
            actions.review_item(personas["secondary_cadre"], item, final_score=item.self_score, reason="齐")
        sent = {"version": version_of(code)}
        # The key and its use (2); the assessment (1); a savepoint and its release (2); it locked (1), its
        # items (1); saved (1), its event (1); the answer: the assessment again, its items, evidence, reviewing
        # unit and returns (5).
        with django_assert_num_queries(14):
            ok(api["secondary_cadre"].post(url(code, "review-complete/"), sent, format="json"))


# Reopening after publication --------------------------------------------------------------------------------


def test_the_admin_reopens_a_published_assessment_with_a_reason(api, published):
    client = api["district_admin"]
    refused = client.post(url(rest="reopen/"), {"reason": "", "version": version_of()}, format="json")
    assert fields_at_fault(refused) == ["reason"]

    body = ok(client.post(url(rest="reopen/"), {"reason": "计分有误", "version": version_of()}, format="json"))

    assert body["status"] == "submitted"
    assert assessment_of(published, "YX-S1-G1").final_total is None
    assert events(Action.ASSESSMENT_REOPENED) == 1
    assert "final_total" not in ok(api["grassroots_cadre"].get(url()))  # with its reviewer again


def test_an_assessment_not_published_is_not_reopened(api, cycle):
    response = api["district_admin"].post(url(rest="reopen/"), {"reason": "改", "version": version_of()}, format="json")

    assert fields_at_fault(response) == ["reason"]  # where the page says it
    assert assessment_of(cycle, "YX-S1-G1").status == Status.NOT_STARTED


@pytest.mark.parametrize(
    ("persona", "expected"), [("assessor", 403), ("secondary_cadre", 403), ("grassroots_cadre", 403), ("outsider", 404)]
)
def test_only_a_district_admin_reopens(api, published, persona, expected):
    response = api[persona].post(url(rest="reopen/"), {"reason": "改", "version": version_of()}, format="json")

    assert response.status_code == expected
    assert assessment_of(published, "YX-S1-G1").status == Status.PUBLISHED


@pins("api:assessment_reopen")
def test_reopening_costs_the_same_for_every_unit(api, published, django_assert_num_queries):
    for code in ("YX-S1-G1", "YX-S1-G2"):
        sent = {"reason": "复核", "version": version_of(code)}
        # The key and its use (2); the assessment (1) and its district (1); a savepoint and its release (2); it
        # locked (1); saved (1), its event (1); the answer: the assessment again, its items, evidence, reviewing
        # unit and returns (5).
        with django_assert_num_queries(14):
            ok(api["district_admin"].post(url(code, "reopen/"), sent, format="json"))


# History ----------------------------------------------------------------------------------------------------


def test_the_history_lists_what_happened_latest_first_and_one_items_on_asking(api, cycle, grassroots_cadre):
    actions.save_self_item(grassroots_cadre, item_of(cycle, "6.1"), self_score="3", explanation="讲了")
    add_file(cycle, grassroots_cadre, number="1.1")

    lines = ok(api["grassroots_cadre"].get(url(rest="history/")))["results"]

    assert [line["action"] for line in lines] == [Action.EVIDENCE_ADDED, Action.SELF_SCORED, Action.SELF_SCORED]
    assert lines[0]["item"] == "1.1"
    assert lines[0]["actor"] == "shequ"
    changed = {change["field"]: change["after"] for change in lines[1]["changes"]}
    assert changed == {"self_score": "3", "explanation": "讲了"}
    only = ok(api["grassroots_cadre"].get(url(rest="history/"), {"item": "6.1"}))["results"]
    assert [line["item"] for line in only] == ["6.1"]


@pytest.mark.parametrize("item", ["99.9", "x" * 20, "6.1\x00"])
def test_the_history_of_an_item_the_assessment_does_not_have_is_a_400(api, cycle, item):
    assert fields_at_fault(api["grassroots_cadre"].get(url(rest="history/"), {"item": item})) == ["item"]


@pins("api:assessment_history")
def test_the_history_costs_the_same_however_long_it_is(api, cycle, grassroots_cadre, django_assert_num_queries):
    client = api["grassroots_cadre"]
    for scores in (["1"], [str(n) for n in range(2, 12)]):
        for score in scores:
            actions.save_self_item(grassroots_cadre, item_of(cycle, "6.1"), self_score=score, explanation="讲了")
        # The key and its use (2); the assessment (1); its item numbers (1); the count and the page of events (2).
        with django_assert_num_queries(6):
            ok(client.get(url(rest="history/")))


# A whole year -----------------------------------------------------------------------------------------------


def reviewer_of(assessment: Assessment, personas: dict[str, Any]) -> Any:
    """The district's assessor, or a cadre of the grassroots union's secondary union (made for YX-S2)."""
    if assessment.tier != "grassroots":
        return personas["assessor"]
    above = Organisation.objects.get(code=assessment.organisation.parent_code)
    if above.code == "YX-S1":
        return personas["secondary_cadre"]
    return make_user(f"cadre-{above.code}", Role.CADRE, above)


def test_a_whole_year_through_the_api(api, tree, standard, personas):
    """Opened, self-assessed with a file, submitted, returned, submitted again, reviewed and published: every
    step a request, as a script of the district and its unions would send them."""
    admin, unit, reviewer = api["district_admin"], api["grassroots_cadre"], api["secondary_cadre"]
    opened = ok(admin.post("/api/cycles/", {"year": 2026, "self_deadline": "2026-11-30"}, format="json"), 201)
    assert opened["progress"]["total"] == 7

    sheet = ok(unit.get(url()))
    for item in sheet["items"]:
        sent = {"self_score": str(item["points"]), "explanation": "见佐证材料", "version": item["version"]}
        ok(unit.patch(item_url(item["number"], "self/"), sent, format="json"))
    evidence = ok(
        unit.post(item_url("6.1", "evidence/"), {"file": SimpleUploadedFile("签到表.pdf", PDF), "requirement": "1"}),
        201,
    )
    ok(unit.post(url(rest="submit/"), {"version": ok(unit.get(url()))["version"]}, format="json"))

    returned = ok(
        reviewer.post(
            url(rest="return/"),
            {"item_comments": {"6.1": "请补充第二讲的签到表"}, "version": ok(reviewer.get(url()))["version"]},
            format="json",
        )
    )
    assert returned["status"] == "returned"
    ok(
        unit.post(item_url("6.1", "evidence/"), {"file": SimpleUploadedFile("第二讲.jpg", JPEG), "requirement": "2"}),
        201,
    )
    ok(unit.post(url(rest="submit/"), {"version": ok(unit.get(url()))["version"]}, format="json"))

    for item in ok(reviewer.get(url()))["items"]:
        sent = {"final_score": str(item["self_score"]), "reason": "材料齐全", "version": item["version"]}
        ok(reviewer.patch(item_url(item["number"], "review/"), sent, format="json"))
    ok(reviewer.post(url(rest="review-complete/"), {"version": ok(reviewer.get(url()))["version"]}, format="json"))
    assert "final_total" not in ok(unit.get(url()))

    cycle = Cycle.objects.get(year=2026)
    for assessment in (
        Assessment.objects.filter(cycle=cycle)
        .exclude(organisation__code="YX-S1-G1")
        .select_related("organisation", "cycle")
    ):
        fill_in(personas["district_admin"], assessment)
        actions.submit_self_assessment(personas["district_admin"], assessment)
        review_all(reviewer_of(assessment, personas), assessment)
    assert ok(admin.post("/api/cycles/2026/publish/"))["published"] == 7

    final = ok(unit.get(url()))
    assert (final["status"], final["final_total"], final["grade"], final["round"]) == ("published", 100, "优秀", 2)
    assert unit.get(evidence["download"]).status_code == 200
    story = [line["action"] for line in ok(unit.get(url(rest="history/"), {"page_size": 100}))["results"]]
    assert story.count(Action.ASSESSMENT_SUBMITTED) == 2
    assert story[0] == Action.ASSESSMENT_PUBLISHED
