"""An assessment's history: who changed what when, from what to what; one item's on its own; the reviewer's
scores kept from the unit until publication."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments import actions
from kaohe.assessments.models import Item
from kaohe.assessments.tests.conftest import submitted
from kaohe.history.models import Action

OK, NOT_FOUND = 200, 404


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(code: str, rest: str = "") -> str:
    return f"/assessments/2026/{code}/{rest}"


def item_of(cycle: Any, code: str, number: str) -> Item:
    return Item.objects.select_related("assessment__cycle", "assessment__organisation").get(
        assessment__cycle=cycle, assessment__organisation__code=code, number=number
    )


def test_every_change_shows_who_when_and_before_and_after(client, cycle, grassroots_cadre):
    item = item_of(cycle, "YX-S1-G1", "1.1")
    actions.save_self_item(grassroots_cadre, item, self_score="3", explanation="一次")
    actions.save_self_item(grassroots_cadre, item, self_score="4", explanation="两次")
    actions.add_evidence(grassroots_cadre, item, uploaded=SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n"))
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "history/"))

    lines = response.context["lines"]
    assert [line.event.action for line in lines] == [
        Action.EVIDENCE_ADDED,
        Action.SELF_SCORED,
        Action.SELF_SCORED,
        Action.SELF_SCORED,  # the draft opened: not started → draft
    ]
    latest_score = lines[1]
    assert latest_score.who == "shequ"
    assert latest_score.item == "1.1"
    assert [(c.before, c.after) for c in latest_score.changes] == [("3", "4"), ("一次", "两次")]
    assert [(c.before, c.after) for c in lines[0].changes] == [("—", "签到表.pdf")]
    html = response.content.decode()
    assert "<del" in html
    assert "签到表.pdf" in html


def test_one_items_history_alone(client, cycle, grassroots_cadre):
    actions.save_self_item(grassroots_cadre, item_of(cycle, "YX-S1-G1", "1.1"), self_score="3", explanation="一")
    actions.save_self_item(grassroots_cadre, item_of(cycle, "YX-S1-G1", "6.1"), self_score="10", explanation="三讲")
    client.force_login(grassroots_cadre)
    assert "/assessments/2026/YX-S1-G1/history/?item=6.1" in client.get(url("YX-S1-G1", "6.1/")).content.decode()

    response = client.get(url("YX-S1-G1", "history/?item=6.1"))

    assert {line.item for line in response.context["lines"]} == {"6.1"}
    assert len(response.context["lines"]) == 1


def test_an_item_the_assessment_does_not_have_is_reported_and_everything_shown(client, cycle, grassroots_cadre):
    actions.save_self_item(grassroots_cadre, item_of(cycle, "YX-S1-G1", "1.1"), self_score="3", explanation="一")
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "history/?item=9.9"))

    assert response.status_code == OK
    assert response.context["form"].errors["item"]
    assert len(response.context["lines"]) == 2


def test_a_return_shows_its_comments(client, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.return_assessment(secondary_cadre, assessment, comment="请补充", item_comments={"6.1": "缺签到表"})
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "history/"))

    [returned] = [line for line in response.context["lines"] if line.event.action == Action.ASSESSMENT_RETURNED]
    assert [text for _label, text in returned.notes] == ["请补充", "缺签到表"]
    [status] = returned.changes
    assert (status.before, status.after) in [("Submitted", "Returned"), ("已提交", "已退回")]


def test_the_reviewers_scores_stay_out_of_the_units_history_until_publication(
    client, cycle, grassroots_cadre, secondary_cadre
):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(secondary_cadre, assessment.items.get(number="1.1"), final_score="3", reason="只一次")
    client.force_login(grassroots_cadre)
    unit_sees = {line.event.action for line in client.get(url("YX-S1-G1", "history/")).context["lines"]}
    client.force_login(secondary_cadre)
    reviewer_sees = {line.event.action for line in client.get(url("YX-S1-G1", "history/")).context["lines"]}

    assert Action.ITEM_REVIEWED not in unit_sees
    assert Action.ITEM_REVIEWED in reviewer_sees


def test_a_long_history_is_paginated(client, cycle, grassroots_cadre):
    item = item_of(cycle, "YX-S1-G1", "1.1")
    for number in range(60):
        item = actions.save_self_item(grassroots_cadre, item, self_score=str(number % 5), explanation=f"第{number}次")
    client.force_login(grassroots_cadre)

    first = client.get(url("YX-S1-G1", "history/"))
    second = client.get(url("YX-S1-G1", "history/?page=2"))

    assert len(first.context["lines"]) == 50
    assert len(second.context["lines"]) == 11  # 60 saves and the draft's opening
    assert re.search(r'href="\?page=2"', first.content.decode())


@pytest.mark.parametrize(("persona", "expected"), [("grassroots_cadre", NOT_FOUND), ("outsider", NOT_FOUND)])
def test_a_history_outside_ones_subtree_does_not_exist(client, cycle, personas, persona, expected):
    client.force_login(personas[persona])

    assert client.get(url("YX-S1-G2", "history/")).status_code == expected
