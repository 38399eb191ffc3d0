"""Who fills in, who reviews (READING.md, "The round of a year"), decided in kaohe.access."""

from __future__ import annotations

import pytest

from kaohe import access
from kaohe.accounts.models import Role
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment
from kaohe.assessments.tests.conftest import assessment_of
from kaohe.conftest import make_user


@pytest.mark.parametrize(
    ("persona", "code", "fills_in", "reviews"),
    [
        ("grassroots_cadre", "YX-S1-G1", True, False),  # its own, never its final score
        ("grassroots_cadre", "YX-S1-G2", False, False),  # a neighbour
        ("secondary_cadre", "YX-S1", True, False),  # its own: reviewed by the district
        ("secondary_cadre", "YX-S1-G1", False, True),  # a grassroots union of its system
        ("secondary_cadre", "YX-S2-G1", False, False),  # another system's
        ("assessor", "YX-S1", False, True),
        ("assessor", "YX-D1", False, True),
        ("assessor", "YX", False, True),  # the district federation's own assessment
        ("assessor", "YX-S1-G1", False, False),  # grassroots: its secondary union's business
        ("district_admin", "YX", True, False),
        ("district_admin", "YX-S1", False, False),
        ("outsider", "YX-S1", False, False),
    ],
)
def test_who_fills_in_and_who_reviews(cycle, personas, persona, code, fills_in, reviews):
    user, assessment = personas[persona], assessment_of(cycle, code)
    assert access.can_self_assess(user, assessment) is fills_in
    assert access.can_review(user, assessment) is reviews


def test_an_assessor_reviews_only_the_units_given_to_them_once_they_are_split(cycle, personas, tree):
    colleague = make_user("kaohezu2", Role.ASSESSOR, tree["YX"])
    given = assessment_of(cycle, "YX-S1")
    actions.assign_reviewer(personas["district_admin"], [given], colleague)
    given = assessment_of(cycle, "YX-S1")
    assert access.can_review(colleague, given)
    assert not access.can_review(personas["assessor"], given)
    assert access.can_review(personas["assessor"], assessment_of(cycle, "YX-S2"))  # not given to anyone


def test_outside_the_subtree_an_assessment_does_not_exist(cycle, personas):
    from django.http import Http404

    with pytest.raises(Http404):
        access.get_assessment(personas["outsider"], Assessment.objects.all(), 2026, "YX-S1")
    with pytest.raises(Http404):
        access.get_assessment(personas["grassroots_cadre"], Assessment.objects.all(), 2026, "YX-S1-G2")
    assert access.get_assessment(personas["secondary_cadre"], Assessment.objects.all(), 2026, "YX-S1-G2")


def test_only_the_districts_administrators_run_its_cycle(cycle, personas, tree):
    assert access.can_run_cycle(personas["district_admin"], tree["YX"])
    assert not access.can_run_cycle(personas["district_admin"], tree["LQ"])
    for persona in ("assessor", "secondary_cadre", "grassroots_cadre", "outsider"):
        assert not access.can_run_cycle(personas[persona], tree["YX"])
