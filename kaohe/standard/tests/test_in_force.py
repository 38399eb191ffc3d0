"""Which version is in force: a year's cycle's version once that year has a cycle, before that the default
version a district administrator chose. Loading a version never changes which one is in force; making one
the default is a separate step, confirmed on its page and recorded in the history."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from kaohe.assessments.models import Cycle
from kaohe.history.models import Action, Event
from kaohe.standard.actions import load_standard, make_default_standard
from kaohe.standard.document import StandardDocument, parse_standard, to_data
from kaohe.standard.files import SHIPPED, as_yaml, read_standard_path
from kaohe.standard.in_force import InForce, default_note, standard_in_force, why_in_force
from kaohe.standard.models import Standard
from kaohe.standard.tests.test_pages import yaml_upload
from kaohe.tests.pins import pins
from kaohe.tests.test_rights import main_of

pytestmark = pytest.mark.django_db

SLUG = "fangshan-2026-trial"
SHIPPED_FILE = SHIPPED / "fangshan-2026-trial.yaml"
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


@pytest.fixture
def shipped() -> StandardDocument:
    return read_standard_path(SHIPPED_FILE)


def version_of(shipped: StandardDocument, version: int, title: str = "") -> StandardDocument:
    data = to_data(shipped)
    data["version"] = version
    data["title"] = title or data["title"]
    return parse_standard(data)


@pytest.fixture
def v1(shipped: StandardDocument) -> Standard:
    return load_standard(None, shipped)[0]


@pytest.fixture
def v2(v1: Standard, shipped: StandardDocument) -> Standard:
    return load_standard(None, version_of(shipped, 2))[0]


def defaults() -> list[int]:
    return list(Standard.objects.filter(is_default=True).values_list("version", flat=True))


def events(action: Action) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("pk"))


def confirm_url(version: int, slug: str = SLUG) -> str:
    return reverse("standard:make_default", args=[slug, version])


# Which version is in force ---------------------------------------------------------------------------------


def test_before_any_cycle_the_default_version_is_in_force(v1, v2):
    in_force = why_in_force(2026)

    assert in_force == InForce(2026, v1)
    assert not in_force.by_cycle
    assert standard_in_force(2026) == v1
    assert "2026" in in_force.reason


def test_a_cycle_for_the_year_wins_over_the_default(v1, v2):
    Cycle.objects.create(year=2026, name="2026年度考核", standard=v2)

    in_force = why_in_force(2026)

    assert in_force.standard == v2
    assert in_force.by_cycle
    assert in_force.cycle_name == "2026年度考核"
    assert "2026年度考核" in in_force.reason


def test_another_year_without_a_cycle_still_uses_the_default(v1, v2):
    Cycle.objects.create(year=2026, name="2026年度考核", standard=v2)

    assert why_in_force(2027) == InForce(2027, v1)
    assert why_in_force(2025) == InForce(2025, v1)


def test_with_nothing_loaded_no_version_is_in_force(db):
    assert why_in_force(2026) == InForce(2026, None)
    assert standard_in_force(2026) is None


def test_a_year_costs_one_query_with_a_cycle_and_two_without(v1, django_assert_num_queries):
    Cycle.objects.create(year=2026, name="2026年度考核", standard=v1)

    with django_assert_num_queries(1):  # the version joined to the year's cycle
        why_in_force(2026)
    with django_assert_num_queries(2):  # no cycle of the year; the default version
        why_in_force(2027)


# Loading never changes the default --------------------------------------------------------------------------


def test_the_first_version_loaded_into_an_empty_install_becomes_the_default(shipped):
    standard, _outcome = load_standard(None, shipped)

    assert standard.is_default
    assert defaults() == [1]
    assert events(Action.STANDARD_LOADED)[0].details["made_default"] is True


def test_loading_a_new_version_does_not_change_the_one_in_force(v1, shipped):
    v2, _outcome = load_standard(None, version_of(shipped, 2))

    assert not v2.is_default
    assert defaults() == [1]
    assert standard_in_force(2026) == v1
    assert [event.details["made_default"] for event in events(Action.STANDARD_LOADED)] == [True, False]


def test_correcting_the_default_version_keeps_it_the_default(v1, v2, shipped):
    load_standard(None, version_of(shipped, 1, title="更正后的标题"))
    load_standard(None, version_of(shipped, 2, title="更正后的标题"))

    assert defaults() == [1]


def test_the_database_refuses_a_second_default(v1, v2):
    with pytest.raises(IntegrityError), transaction.atomic():
        Standard.objects.filter(pk=v2.pk).update(is_default=True)


def test_an_existing_install_keeps_counting_on_the_version_it_loaded_last(v1, v2):
    migration = importlib.import_module("kaohe.standard.migrations.0002_is_default")
    Standard.objects.update(is_default=False)  # as the field was added: nothing is the default yet

    migration.mark_the_latest_loaded_as_default(apps, None)

    assert defaults() == [2]


# Making a version the default -------------------------------------------------------------------------------


def test_making_a_version_the_default_is_recorded_and_moves_the_years_without_a_cycle(district_admin, v1, v2):
    Cycle.objects.create(year=2026, name="2026年度考核", standard=v1)

    assert make_default_standard(district_admin, v2) is True

    assert defaults() == [2]
    assert standard_in_force(2027) == v2  # no cycle: the new default
    assert standard_in_force(2026) == v1  # the cycle's version, whatever the default
    [event] = events(Action.STANDARD_MADE_DEFAULT)
    assert event.actor == district_admin
    assert event.details == {"slug": SLUG, "version": 2, "previous": {"slug": SLUG, "version": 1}}


def test_making_the_default_the_default_again_changes_and_records_nothing(district_admin, v1):
    loaded_at = Standard.objects.get().loaded_at

    assert make_default_standard(district_admin, v1) is False

    assert defaults() == [1]
    assert events(Action.STANDARD_MADE_DEFAULT) == []
    assert Standard.objects.get().loaded_at == loaded_at


def test_choosing_a_default_does_not_touch_when_a_version_was_loaded(district_admin, v1, v2):
    loaded_at = {standard.version: standard.loaded_at for standard in Standard.objects.all()}

    make_default_standard(district_admin, v2)

    assert {standard.version: standard.loaded_at for standard in Standard.objects.all()} == loaded_at


# The list shows the default -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["district_admin", "assessor", "secondary_cadre", "grassroots_cadre", "outsider"])
def test_everyone_sees_which_version_is_the_default_and_only_a_district_admin_may_change_it(
    client, personas, v1, v2, persona, tree
):
    Cycle.objects.create(district=tree["YX"], year=2026, name="2026年度考核", standard=v1)
    client.force_login(personas[persona])

    page = client.get(reverse("standard:list")).content.decode()

    assert f'data-default="{SLUG}-1"' in page
    assert f'data-default="{SLUG}-2"' not in page
    assert ("2026年度考核" in page) == (persona != "outsider")  # another district's cycle is not theirs to see
    assert 'id="in-force-rule"' in page
    assert (confirm_url(2) in page) == (persona == "district_admin")
    assert confirm_url(1) not in page  # already the default


# The confirmation page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", OK),
        ("assessor", FORBIDDEN),
        ("secondary_cadre", FORBIDDEN),
        ("grassroots_cadre", FORBIDDEN),
        ("outsider", FORBIDDEN),
    ],
)
def test_only_a_district_admin_may_open_the_confirmation(client, personas, v2, persona, expected):
    client.force_login(personas[persona])

    assert client.get(confirm_url(2)).status_code == expected


@pytest.mark.parametrize("persona", ["assessor", "secondary_cadre", "grassroots_cadre", "outsider"])
def test_nobody_else_may_make_a_version_the_default(client, personas, v2, persona):
    client.force_login(personas[persona])

    assert client.post(confirm_url(2)).status_code == FORBIDDEN
    assert defaults() == [1]
    assert events(Action.STANDARD_MADE_DEFAULT) == []


@pytest.mark.parametrize(
    "url",
    [confirm_url(3), confirm_url(1, slug="no-such-standard"), f"/standard/{SLUG}/two/make-default/"],
)
def test_a_version_that_does_not_exist_is_not_found(client, district_admin, v2, url):
    client.force_login(district_admin)

    assert client.get(url).status_code == NOT_FOUND
    assert client.post(url).status_code == NOT_FOUND
    assert defaults() == [1]


def test_someone_not_logged_in_is_sent_to_log_in(client, v2):
    response = client.get(confirm_url(2))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_confirmation_says_what_changes_and_changes_nothing(client, district_admin, v1, v2, tree):
    Cycle.objects.create(district=tree["YX"], year=2026, name="2026年度考核", standard=v1)
    client.force_login(district_admin)

    response = client.get(confirm_url(2))

    assert response.context["standard"] == v2
    assert response.context["current"] == v1
    page = response.content.decode()
    assert 'id="what-changes"' in page
    assert "2026年度考核" in page  # the year its cycle keeps
    assert defaults() == [1]
    assert events(Action.STANDARD_MADE_DEFAULT) == []


@pins("standard:make_default")
def test_the_confirmation_costs_the_same_queries_however_many_versions_and_cycles(
    client, district_admin, v1, v2, shipped, django_assert_num_queries
):
    for version in (3, 4):
        standard = load_standard(None, version_of(shipped, version))[0]
        Cycle.objects.create(year=2020 + version, name=f"{2020 + version}年度考核", standard=standard)
    client.force_login(district_admin)

    # session, user with unit, the version, the current default, every cycle with its version
    with django_assert_num_queries(5):
        assert client.get(confirm_url(2)).status_code == OK


def test_a_district_admin_confirms_and_the_version_becomes_the_default(client, district_admin, v1, v2):
    client.force_login(district_admin)

    response = client.post(confirm_url(2), follow=True)

    assert response.redirect_chain == [(reverse("standard:list"), 302)]
    assert [str(message) for message in response.context["messages"]]  # said what happened
    assert defaults() == [2]
    assert standard_in_force(2027) == Standard.objects.get(version=2)
    [event] = events(Action.STANDARD_MADE_DEFAULT)
    assert event.actor == district_admin
    assert event.details["previous"] == {"slug": SLUG, "version": 1}


def test_confirming_without_the_forms_csrf_token_is_refused(district_admin, v2):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_admin)

    assert client.post(confirm_url(2)).status_code == FORBIDDEN
    assert defaults() == [1]


def test_the_default_version_offers_nothing_to_confirm(client, district_admin, v1, v2):
    client.force_login(district_admin)

    page = client.get(confirm_url(1)).content.decode()
    response = client.post(confirm_url(1), follow=True)

    assert 'id="already-default"' in page
    assert "<form" not in main_of(page)
    assert response.redirect_chain == [(reverse("standard:list"), 302)]
    assert events(Action.STANDARD_MADE_DEFAULT) == []


def test_other_methods_are_not_allowed(client, district_admin, v2):
    client.force_login(district_admin)

    assert client.put(confirm_url(2)).status_code == 405
    assert defaults() == [1]


# Loading and choosing from the command line and the import page ----------------------------------------------


def test_the_load_command_says_whether_the_loaded_version_is_the_default(capsys, tmp_path, shipped):
    revised = tmp_path / "v2.yaml"
    revised.write_text(as_yaml(version_of(shipped, 2)), encoding="utf-8")

    call_command("load_standard", str(SHIPPED_FILE))
    first = capsys.readouterr()
    call_command("load_standard", str(revised))
    second = capsys.readouterr()

    v1, v2 = Standard.objects.get(version=1), Standard.objects.get(version=2)
    # The line scripts read stays on stdout; the sentence for people goes beside it, on stderr.
    assert (first.out, second.out) == (f"{SLUG} v1: created\n", f"{SLUG} v2: created\n")
    assert first.err == default_note(v1) + "\n"  # the first version: the default
    assert second.err == default_note(v2) + "\n"  # not the default; version 1 still is
    assert (v1.is_default, v2.is_default) == (True, False)


def test_the_standard_command_makes_a_version_the_default(capsys, v1, v2):
    call_command("standard", "default", f"{SLUG}:2")

    assert capsys.readouterr().out == f"{SLUG} v2: now the default (was {SLUG} v1)\n"
    assert defaults() == [2]
    [event] = events(Action.STANDARD_MADE_DEFAULT)
    assert event.actor is None
    assert event.details["previous"] == {"slug": SLUG, "version": 1}


def test_the_standard_command_on_the_default_changes_nothing(capsys, v1):
    call_command("standard", "default", f"{SLUG}:1")

    assert capsys.readouterr().out == f"{SLUG} v1: already the default\n"
    assert events(Action.STANDARD_MADE_DEFAULT) == []


@pytest.mark.parametrize("spec", [SLUG, f"{SLUG}:", f"{SLUG}:two", ":1", f"{SLUG}:3", "no-such-standard:1"])
def test_the_standard_command_refuses_a_version_it_cannot_name(v1, spec):
    with pytest.raises(CommandError):
        call_command("standard", "default", spec)

    assert defaults() == [1]


def test_the_import_page_says_whether_the_loaded_version_is_the_default(client, district_admin, v1, shipped):
    client.force_login(district_admin)

    response = client.post(
        reverse("standard:import"), {"file": yaml_upload(to_data(version_of(shipped, 2)))}, follow=True
    )

    said = [str(message) for message in response.context["messages"]]
    assert said[1:] == [default_note(Standard.objects.get(version=2))]  # after what was loaded: not the default
    assert defaults() == [1]
