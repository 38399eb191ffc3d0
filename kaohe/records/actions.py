"""Every change to a record goes through one of these functions: in a transaction, with history.

Callers decide access (kaohe.access); these functions keep the records valid whoever calls them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from kaohe.history.actions import record_event
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.records.kinds import Cell, RecordKind, kind_of
from kaohe.records.models import Record
from kaohe.versions import NOT_DELETED, refuse_if_stale


class DuplicateRecord(Exception):
    """An identical record (same identity, kinds.py) is stored already; nothing was written."""

    def __init__(self, existing: Record):
        super().__init__(f"identical to record {existing.pk}")
        self.existing = existing


def editable_fields(kind: RecordKind) -> list[str]:
    """The fields a person fills in: the kind's columns (the unit is chosen apart) and any attached file."""
    fields = [column.field for column in kind.columns if column.cell != Cell.UNIT]
    return fields + [field.name for field in kind.model._meta.get_fields() if isinstance(field, models.FileField)]


def lock_records_of(unit: Organisation | None) -> None:
    """Makes any other writer of records into the same district wait until this transaction ends.

    Looking for duplicates and writing must not interleave with another writer doing the same (one file
    imported twice at once, a double click), or both would find a row new and both add it. Every record
    belongs to one district, whoever's system the writer works in, so the district's row is the lock (None:
    every district, for the command line). FOR NO KEY UPDATE, so that records may still point at the row.
    SQLite has no row locks and needs none: kaohe begins its transactions IMMEDIATE (settings), so that
    writers take turns.
    """
    if not connection.features.has_select_for_update:
        return
    districts = Organisation.objects.filter(parent__isnull=True)
    if unit is not None:
        districts = districts.filter(code=(unit.ancestor_codes or [unit.code])[0])
    list(districts.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def create_record(
    actor: Any, kind: RecordKind, organisation: Organisation, values: dict[str, Any], allow_duplicate: bool = False
) -> Record:
    """Raises DuplicateRecord if an identical record is stored, unless the person said to add it anyway."""
    record = kind.model(organisation=organisation, created_by=_user_or_none(actor))
    _assign(record, values)
    record.full_clean()
    record.fingerprint = kind.fingerprint(record)
    if not allow_duplicate:
        _refuse_duplicate(kind, record)
    record.save()
    after = _snapshot(kind, record)
    changes = {field: [None, value] for field, value in after.items() if value not in (None, "")}
    record_event(actor, Action.RECORD_CREATED, organisation, kind=kind.slug, record_id=record.pk, changes=changes)
    return record


def history_of(kind: RecordKind, record: Record) -> models.QuerySet[Event]:
    """The record's changes: one event for each version after the first."""
    return Event.objects.filter(action=Action.RECORD_UPDATED, details__kind=kind.slug, details__record_id=record.pk)


@transaction.atomic
def update_record(
    actor: Any,
    record: Record,
    values: dict[str, Any],
    allow_duplicate: bool = False,
    *,
    read_version: int | None = None,
) -> Record:
    """Changes the given fields (and the unit, under "organisation"); nothing is written if none changed.

    Refused (StaleEdit) if the record changed since the person read it at read_version (kaohe.versions):
    views pass the version their form read; writers without a form leave it out.
    Raises DuplicateRecord if the change makes the record identical to another one, unless the person said
    to save it anyway. A record that was identical to another before (added anyway) may still be edited.
    """
    kind = kind_of(record)
    locked = _locked(kind, record)
    if locked is None:
        raise ValidationError(_("This record was deleted since you opened it; your changes were not saved."))
    record = locked
    refuse_if_stale(record, read_version, history_of(kind, record))
    before = _snapshot(kind, record)
    old_files = _file_names(record)
    old_fingerprint = record.fingerprint
    _assign(record, values)
    record.full_clean()
    if _snapshot(kind, record) == before:
        return record
    record.fingerprint = kind.fingerprint(record)
    if record.fingerprint != old_fingerprint and not allow_duplicate:
        _refuse_duplicate(kind, record)
    record.version += 1
    record.save()
    after = _snapshot(kind, record)  # a new file's stored name is known only once saved
    changes = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    _delete_files_on_commit(old_files - _file_names(record))
    record_event(
        actor, Action.RECORD_UPDATED, record.organisation, kind=kind.slug, record_id=record.pk, changes=changes
    )
    return record


@transaction.atomic
def delete_record(actor: Any, record: Record, *, read_version: int | None = None) -> Record:
    """Refused (StaleEdit) if the record changed since the person read it: they confirmed deleting what they saw.

    Returns the record as it was.
    """
    kind = kind_of(record)
    locked = _locked(kind, record)
    if locked is None:
        return record  # deleted meanwhile (a double click, or someone else): as the person asked
    record = locked
    refuse_if_stale(record, read_version, history_of(kind, record), outcome=NOT_DELETED)
    before = _snapshot(kind, record)
    record_id, organisation, files = record.pk, record.organisation, _file_names(record)
    record.delete()
    _delete_files_on_commit(files)
    changes = {field: [value, None] for field, value in before.items() if value not in (None, "")}
    record_event(actor, Action.RECORD_DELETED, organisation, kind=kind.slug, record_id=record_id, changes=changes)
    return record


def _locked(kind: RecordKind, record: Record) -> Record | None:
    """The record as stored, its row locked until the transaction ends; None if it was deleted meanwhile.

    Only the record's row: its unit is read along, not locked, so that other writers of the unit go on.
    """
    rows = kind.model._default_manager.select_for_update(of=("self",)).select_related("organisation")
    return rows.filter(pk=record.pk).first()


def _refuse_duplicate(kind: RecordKind, record: Record) -> None:
    """Raises DuplicateRecord if another record has the same fingerprint.

    Holds the district's lock until commit, so that the same form sent twice (a double click) waits and
    then finds the first.
    """
    lock_records_of(record.organisation)
    others = kind.model._default_manager.filter(fingerprint=record.fingerprint).exclude(pk=record.pk)
    existing = others.select_related("organisation").order_by("pk").first()
    if existing is not None:
        raise DuplicateRecord(existing)


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _assign(record: Record, values: dict[str, Any]) -> None:
    for name, value in values.items():
        # save_form_data knows that a file field given None keeps its file and given False drops it.
        record._meta.get_field(name).save_form_data(record, value)  # type: ignore[union-attr]


def _snapshot(kind: RecordKind, record: Record) -> dict[str, Any]:
    """The record's values as the history stores them (JSON): the unit by code, dates as text."""
    values = {"organisation": record.organisation.code}
    values.update({field: _as_json(getattr(record, field)) for field in editable_fields(kind)})
    return values


def _as_json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _file_names(record: Record) -> set[tuple[Any, str]]:
    """(storage, name) of every file the record holds."""
    files = (getattr(record, field.name) for field in record._meta.get_fields() if isinstance(field, models.FileField))
    return {(file.storage, file.name) for file in files if file}


def _delete_files_on_commit(files: set[tuple[Any, str]]) -> None:
    # Only once the change is committed: a rolled-back delete or edit must still find its file.
    for storage, name in files:
        transaction.on_commit(partial(storage.delete, name))
