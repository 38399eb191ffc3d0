"""The load driver of `make load`: its people must do what people do, be timed honestly, and leave the
records as they found them."""

from __future__ import annotations

import contextlib
import datetime
import random
from typing import Any

import pytest

from kaohe.operations import load
from kaohe.records.actions import create_record
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, ActivityCategory

PASSWORD = "correct-horse-42"


@pytest.fixture(scope="session")
def over_plain_http() -> None:
    """The live server speaks plain HTTP; its middleware reads these once, when it starts."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def server(over_plain_http: None, live_server: Any) -> Any:
    return live_server


def a_person(server, username, unit, below, run):
    persona = load.Persona(username, 1.0, (), password=PASSWORD)
    browser = load.Browser(server.url)
    return load.Person(0, persona, unit, below, browser, run.recorder, run, random.Random(1))  # noqa: S311


def a_lecture(unit, name, note=""):
    values = {
        "category": ActivityCategory.LECTURE,
        "name": name,
        "date": datetime.date(2026, 3, 5),
        "participants": 40,
        "note": note,
    }
    return create_record(None, KINDS["activities"], unit, values)


def test_a_secondary_cadre_of_the_load_logs_in_reads_edits_imports_and_everything_is_put_back(
    server, tree, secondary_cadre
):
    lecture = a_lecture(tree["YX-S1-G1"], "读书分享会", note="原来的备注")
    run = load.Run(server.url, load.Plan(people=1, seconds=0, think=0, ramp=0), {})
    person = a_person(server, "chengguan", "YX-S1", ["YX-S1-G1", "YX-S1-G2"], run)

    for step in (
        load.log_in,
        load.look_at_tree,
        load.look_at_own_figures,
        load.look_at_figures_below,
        load.look_at_overview,
        load.look_at_records,
        load.edit_a_record,
        load.import_activities,
        load.log_out_and_in,
    ):
        step(person)
    lecture.refresh_from_db()
    imported = Activity.objects.filter(name__startswith=f"{load.MARK} {run.token} ")
    assert lecture.note.startswith(load.MARK)
    assert imported.count() == load.IMPORT_ROWS
    assert set(imported.values_list("organisation__code", flat=True)) <= {"YX-S1-G1", "YX-S1-G2"}

    restored, deleted = load.restore(run.notes, run.token)

    rows = {row.page: row for row in load.summaries(run.recorder)}
    assert {page: row.errors for page, row in rows.items() if row.errors} == {}
    assert rows["log in"].requests == 2
    assert rows["save edit (chengguan)"].requests == 1
    assert rows["import (chengguan)"].requests == 1
    assert (restored, deleted) == (1, load.IMPORT_ROWS)
    lecture.refresh_from_db()
    assert lecture.note == "原来的备注"
    assert not imported.exists()


def test_a_page_that_answers_otherwise_than_a_person_expects_counts_as_an_error(server, tree, grassroots_cadre):
    run = load.Run(server.url, load.Plan(people=1, seconds=0, think=0, ramp=0), {})
    person = a_person(server, "shequ", "YX-S1-G1", ["YX-S1-G1"], run)
    load.log_in(person)

    load.look_at_overview(person)  # fine: a cadre's overview covers their own unit
    person.unit = "LQ-S1"  # outside the cadre's system: not found

    with contextlib.suppress(load.UnexpectedAnswer):  # what the driver does: count it and go on
        load.look_at_own_figures(person)

    rows = {row.page: row for row in load.summaries(run.recorder)}
    assert rows["figures overview (shequ)"].errors == 0
    assert rows["figures of one's unit (shequ)"].errors == 1
    assert rows["figures of one's unit (shequ)"].ok is False
    assert run.recorder.pages["figures of one's unit (shequ)"].first_errors == ["status 404, expected 200"]


def test_percentiles_are_nearest_rank_so_p95_is_a_time_that_was_measured():
    times = [float(n) for n in range(1, 101)]
    random.Random(7).shuffle(times)  # noqa: S311

    assert load.percentile(times, 0.50) == 50.0
    assert load.percentile(times, 0.95) == 95.0
    assert load.percentile([0.2], 0.95) == 0.2
    assert load.percentile([0.1, 0.9], 0.95) == 0.9


def test_the_people_come_in_the_personas_shares():
    people = load.spread(50)

    assert [p.username for p in people].count("admin") == 10
    assert [p.username for p in people].count("secondary") == 25
    assert [p.username for p in people].count("grassroots") == 15
    assert {p.username for p in load.spread(2)} == {"admin", "secondary", "grassroots"}


def test_demo_logins_of_a_district_built_before_argon2id_are_hashed_as_today_before_the_run(tree, settings):
    """A bench district from before holds PBKDF2 hashes; the first login of each would re-make them (a third
    of a second once), so the run does it beforehand, as Django does at a login, and production hashing stays."""
    from django.contrib.auth.hashers import make_password

    from kaohe.accounts.models import User
    from kaohe.organisations.demo import DEMO_PASSWORD

    settings.PASSWORD_HASHERS = [
        "kaohe.accounts.hashers.SizedArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    old = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    User.objects.create(username="secondary", organisation=tree["YX-S1"], password=old)
    User.objects.create(username="grassroots", organisation=tree["YX-S1-G1"], password=make_password(DEMO_PASSWORD))

    assert load.hash_as_today() == ["secondary"]

    secondary = User.objects.get(username="secondary")
    assert secondary.password.startswith("argon2$argon2id$")
    assert secondary.check_password(DEMO_PASSWORD)
    assert load.hash_as_today() == []  # nothing left to re-make
