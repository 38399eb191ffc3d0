"""The demo's records: a year of every kind, none dated after today, never made twice."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kaohe.records import demo
from kaohe.records.models import (
    Activity,
    ActivityCategory,
    Document,
    EducationFund,
    Honour,
    LearningStation,
    Team,
    TeamMember,
)

pytestmark = pytest.mark.django_db

DATED = (Activity, Document, EducationFund, Honour)
EVERY_KIND = (*DATED, TeamMember, LearningStation)


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def as_if_today_were(monkeypatch, day: datetime.date) -> None:
    monkeypatch.setattr(demo, "today", lambda: day)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in EVERY_KIND}


def dates() -> set[datetime.date]:
    return {day for model in DATED for day in model.objects.values_list("date", flat=True)}


def test_the_demo_district_gets_a_year_of_records_once(tree, capsys):
    call_command("demo_records", "--year", "2026", "--if-empty")
    count = Activity.objects.count()
    call_command("demo_records", "--year", "2026", "--if-empty")

    assert Activity.objects.count() == count > 0
    assert Activity.objects.filter(category=ActivityCategory.LECTURE, date__year=2026).exists()
    assert set(Activity.objects.values_list("date__year", flat=True)) == {2026}
    assert "no demo records were added" in capsys.readouterr().out


def test_no_record_is_dated_after_today(tree, monkeypatch):
    as_if_today_were(monkeypatch, datetime.date(2026, 3, 15))

    call_command("demo_records")

    assert dates()
    assert max(dates()) <= datetime.date(2026, 3, 15)
    assert min(dates()) >= datetime.date(2026, 1, 1)


def test_on_new_years_day_every_record_is_dated_that_day(tree, monkeypatch):
    as_if_today_were(monkeypatch, datetime.date(2027, 1, 1))

    call_command("demo_records")

    assert dates() == {datetime.date(2027, 1, 1)}


def test_a_past_year_is_filled_to_its_end_and_no_further(tree, monkeypatch):
    as_if_today_were(monkeypatch, datetime.date(2026, 3, 15))

    call_command("demo_records", "--year", "2025")

    assert {day.year for day in dates()} == {2025}


def test_a_year_that_has_not_begun_is_refused(tree, monkeypatch):
    as_if_today_were(monkeypatch, datetime.date(2026, 3, 15))

    with pytest.raises(CommandError) as refused:
        call_command("demo_records", "--year", "2027")

    assert "2027" in str(refused.value)
    assert sum(counts().values()) == 0


def test_every_kind_of_record_has_entries(tree):
    call_command("demo_records", "--year", "2025")

    assert all(counts().values()), counts()
    assert set(TeamMember.objects.values_list("team", flat=True)) == set(Team)
    lectures = Activity.objects.filter(category=ActivityCategory.LECTURE)
    assert not lectures.filter(speaker="").exists()  # every lecture names its speaker
    assert Activity.objects.filter(category=ActivityCategory.EXCHANGE_MEETING, organisation=tree["YX"]).exists()
    assert Honour.objects.filter(organisation=tree["YX"]).exists()


def test_every_document_has_a_small_real_word_file(tree, file_store):
    call_command("demo_records", "--year", "2025")

    for document in Document.objects.all():
        content = document.file.read()
        assert 0 < len(content) < 10_000
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert document.title in archive.read("word/document.xml").decode()
        assert document.file.name.startswith("records/documents/")


def test_a_demo_document_downloads_from_its_page(client, district_admin):
    call_command("demo_records", "--year", "2025")
    document = Document.objects.filter(organisation__code="YX").first()
    client.force_login(district_admin)

    response = client.get(reverse("records:file", args=["documents", document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_running_it_again_duplicates_nothing_not_even_a_file(tree, file_store):
    call_command("demo_records", "--year", "2025")
    before, files = counts(), sorted(file_store.rglob("*.docx"))

    call_command("demo_records", "--year", "2025")

    assert counts() == before
    assert sorted(file_store.rglob("*.docx")) == files


def test_a_second_run_fills_in_only_what_a_unit_lacks(tree):
    call_command("demo_records", "--year", "2025")
    before = counts()
    TeamMember.objects.filter(organisation=tree["YX-S1"]).delete()
    removed = before["TeamMember"] - TeamMember.objects.count()

    call_command("demo_records", "--year", "2025")

    assert removed > 0
    assert counts() == before  # the same members again, and no one else's twice


def test_another_year_is_added_beside_the_first(tree, monkeypatch):
    as_if_today_were(monkeypatch, datetime.date(2026, 6, 30))
    call_command("demo_records", "--year", "2025")
    teams = TeamMember.objects.count()

    call_command("demo_records")

    assert {day.year for day in dates()} == {2025, 2026}
    assert TeamMember.objects.count() == teams  # teams and stations have no year: kept, not made again
