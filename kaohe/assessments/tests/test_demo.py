"""`kaohe demo --scale district`: last year's cycle published, with totals over every grade, and this year's
open with units in every state, so that every page of the round has something to show on first start; and
running it again changes nothing."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from typing import Any

from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.assessments.models import Assessment, Cycle, Item, Return, Status
from kaohe.assessments.todo import todo_of
from kaohe.history.models import Event
from kaohe.organisations.models import Organisation
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path


def demo(*options: str) -> str:
    out = io.StringIO()
    call_command("demo", "--scale", "district", *options, stdout=out)
    return out.getvalue()


def everything_of_the_round() -> dict[str, Any]:
    """What the round's tables hold, to compare before and after a second run."""
    return {
        "cycles": list(Cycle.objects.values_list("year", "published_at", "version").order_by("year")),
        "states": Counter(Assessment.objects.values_list("cycle__year", "status")),
        "versions": sum(Assessment.objects.values_list("version", flat=True)),
        "items": Item.objects.aggregate(
            scored=Count("pk", filter=Q(self_score__isnull=False)),
            final=Count("pk", filter=Q(final_score__isnull=False)),
        ),
        "item versions": sum(Item.objects.values_list("version", flat=True)),
        "returns": Return.objects.count(),
        "events": Event.objects.filter(details__has_key="cycle_id").count(),
    }


def test_the_demo_gives_every_page_of_the_round_something_and_running_it_again_changes_nothing(db, client):
    # One demo for all three stories: building it takes most of half a minute.
    load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))
    said = demo()

    last_year_is_published_over_every_grade()
    this_year_has_every_state_but_published(said)
    each_demo_login_has_something_to_do_on_its_home_page(client)

    before = everything_of_the_round()
    events = Event.objects.count()
    assert "not loaded" in demo("--if-empty")
    assert Event.objects.count() == events
    assert f"The {timezone.localdate().year} cycle exists already" in demo()
    assert everything_of_the_round() == before


def last_year_is_published_over_every_grade() -> None:
    units = Organisation.objects.filter(is_active=True).count()
    past = Cycle.objects.get(year=timezone.localdate().year - 1)
    assert past.published_at is not None
    assert past.imported  # as a federation starting with kaohe brings in last year's file
    assert set(past.assessments.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert past.assessments.count() == units
    grades = Counter(past.assessments.values_list("grade", flat=True))
    assert set(grades) == {"优秀", "良好", "合格", "不合格"}  # totals spread over every grade
    assert min(grades.values()) >= 20


def this_year_has_every_state_but_published(said: str) -> None:
    units = Organisation.objects.filter(is_active=True).count()
    current = Cycle.objects.get(year=timezone.localdate().year)
    assert current.published_at is None
    states = Counter(current.assessments.values_list("status", flat=True))
    assert set(states) == {Status.NOT_STARTED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.REVIEWED}
    assert sum(states.values()) == units
    assert (current.self_deadline, current.review_deadline) == (
        timezone.localdate() + datetime.timedelta(days=10),
        timezone.localdate() + datetime.timedelta(days=31),
    )
    assert Return.objects.filter(assessment__cycle=current).exclude(comment="").count() == states[Status.RETURNED]
    reviewed = current.assessments.filter(status=Status.REVIEWED)
    assert not Item.objects.filter(assessment__in=reviewed, final_score__isnull=True).exists()
    assert Item.objects.filter(assessment__cycle=current, proposed__isnull=False).exists()  # the records count
    assert f"The {timezone.localdate().year} cycle" in said


def each_demo_login_has_something_to_do_on_its_home_page(client: Any) -> None:
    logins = {user.username: user for user in User.objects.all()}

    admin = {task.kind: task.part for task in todo_of(logins["admin"]).tasks}
    assert admin["own"].assessment.status == Status.DRAFT  # the district's own, being filled in
    assert admin["progress"].total == Organisation.objects.filter(is_active=True).count()

    [assessor] = todo_of(logins["assessor"]).tasks
    assert assessor.part.count > 0

    secondary = {task.kind: task.part for task in todo_of(logins["secondary"]).tasks}
    assert secondary["own"].returned is not None  # returned with comments
    assert secondary["own"].returned.item_comments
    assert secondary["reviews"].count >= 3  # its system's units waiting

    [grassroots] = todo_of(logins["grassroots"]).tasks
    assert grassroots.part.assessment.status == Status.DRAFT
    assert 2 <= len(grassroots.part.missing) < 15

    for username, user in logins.items():
        client.force_login(user)
        assert client.get("/").status_code == 200, username


def test_without_a_standard_the_demo_makes_units_and_no_cycles(db):
    said = demo()

    assert Organisation.objects.count() == 441
    assert not Cycle.objects.exists()
    assert "No standard" in said
