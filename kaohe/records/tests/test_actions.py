"""The three changes of a record, each with its history event, whoever calls them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.history.models import Action, Event
from kaohe.records.actions import create_record, delete_record, update_record
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, Document, EducationFund

pytestmark = pytest.mark.django_db

ACTIVITIES, DOCUMENTS = KINDS["activities"], KINDS["documents"]
READING = {"category": "lecture", "name": "读书会", "date": datetime.date(2026, 3, 1), "participants": 30}


def test_creating_a_record_writes_it_with_its_author_and_an_event(tree, secondary_cadre):
    activity = create_record(secondary_cadre, ACTIVITIES, tree["YX-S1-G1"], READING)

    assert Activity.objects.get(pk=activity.pk).created_by == secondary_cadre
    event = Event.objects.get()
    assert (event.action, event.actor, event.organisation) == (
        Action.RECORD_CREATED,
        secondary_cadre,
        tree["YX-S1-G1"],
    )
    assert event.details["kind"] == "activities"
    assert event.details["record_id"] == activity.pk
    assert event.details["changes"]["name"] == [None, "读书会"]
    assert event.details["changes"]["date"] == [None, "2026-03-01"]
    assert event.details["changes"]["organisation"] == [None, "YX-S1-G1"]


def test_updating_a_record_records_what_changed(tree, secondary_cadre):
    activity = create_record(secondary_cadre, ACTIVITIES, tree["YX-S1-G1"], READING)

    update_record(secondary_cadre, activity, {"organisation": tree["YX-S1-G2"], **READING, "participants": 45})

    event = Event.objects.get(action=Action.RECORD_UPDATED)
    assert event.organisation == tree["YX-S1-G2"]
    assert event.details["changes"] == {"organisation": ["YX-S1-G1", "YX-S1-G2"], "participants": [30, 45]}
    moved = Activity.objects.get()
    assert (moved.organisation, moved.participants) == (tree["YX-S1-G2"], 45)


def test_an_update_that_changes_nothing_writes_nothing(tree, secondary_cadre):
    activity = create_record(secondary_cadre, ACTIVITIES, tree["YX-S1-G1"], READING)
    saved_at = Activity.objects.get().updated_at

    update_record(secondary_cadre, activity, READING)

    assert not Event.objects.filter(action=Action.RECORD_UPDATED).exists()
    assert Activity.objects.get().updated_at == saved_at


def test_deleting_a_record_keeps_its_values_in_the_history(tree, secondary_cadre):
    fund = create_record(
        secondary_cadre,
        KINDS["funds"],
        tree["YX-S1"],
        {"amount": Decimal("1200.50"), "date": datetime.date(2026, 2, 1), "purpose": "购书"},
    )
    fund_id = fund.pk

    delete_record(secondary_cadre, fund)

    assert not EducationFund.objects.exists()
    event = Event.objects.get(action=Action.RECORD_DELETED)
    assert (event.organisation, event.details["record_id"]) == (tree["YX-S1"], fund_id)
    assert event.details["changes"]["amount"] == ["1200.50", None]


def test_invalid_values_are_refused_whoever_calls(tree, secondary_cadre):
    with pytest.raises(ValidationError):
        create_record(secondary_cadre, ACTIVITIES, tree["YX-S1"], {**READING, "category": "picnic"})

    assert not Activity.objects.exists()
    assert not Event.objects.exists()


def test_deleting_a_document_removes_its_file_once_committed(
    tree, secondary_cadre, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    create_record(
        secondary_cadre,
        DOCUMENTS,
        tree["YX-S1"],
        {
            "kind": "report",
            "title": "报告",
            "date": datetime.date(2026, 1, 1),
            "file": SimpleUploadedFile("r.pdf", b"r"),
        },
    )
    document = Document.objects.get()
    stored = tmp_path / document.file.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        delete_record(secondary_cadre, document)

    assert not Document.objects.exists()
    assert not stored.exists()
    assert Event.objects.get(action=Action.RECORD_DELETED).details["changes"]["file"] == [document.file.name, None]
