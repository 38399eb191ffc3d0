"""Every edit carries the version it was read at, so that nobody's save silently undoes someone else's.

A versioned model counts its changes in `version`. Every action that changes a row locks it
(`select_for_update`), moves it to its next version and records one history event, so the history holds
one event per version after the first. An edit form carries the version it was opened at in a hidden field
(`VersionedFormMixin`); the action, with the row locked, compares it with the stored one
(`refuse_if_stale`). If someone saved in between, the action raises `StaleEdit`, which says who changed
what and when, and the form shows what is stored now, at its version, so that the person makes their
changes again on top of it (`saved_or_current_shown`). Views pass the version their form read as
`read_version`; writers without a form (imports, commands, scripts) move the version on but have nothing to
compare, and leave it out (None).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.history.models import Action, Event

Saved = TypeVar("Saved")

NOT_SAVED = gettext_lazy("Your changes were not saved; the form shows the current values — make your changes again.")
NOT_DELETED = gettext_lazy(
    "It was not deleted; the page shows the current values — delete it again if it should still go."
)
UNVERSIONED = gettext_lazy(
    "This form was sent without the version it was opened at, so saving it could undo someone else's changes. "
    "It now shows the current values — make your changes again."
)

# Events that change one field and say which by their action rather than in their "changes".
FIELD_CHANGED_BY: dict[str, str] = {
    Action.ORGANISATION_MOVED: "parent",
    Action.ORGANISATION_DEACTIVATED: "is_active",
    Action.ORGANISATION_REACTIVATED: "is_active",
    Action.ACCOUNT_DEACTIVATED: "is_active",
    Action.ACCOUNT_REACTIVATED: "is_active",
}
MAX_EVENTS_READ = 20  # someone away for a hundred changes needs the latest, not all of them


class Versioned(models.Model):
    """A row edited through forms: how many changes it has been through, counted by the action functions."""

    # Also the database's default, for rows written by plain SQL (the bench) and for the rows that exist.
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True


class StaleEdit(ValidationError):
    """The row changed after the person read it; saving their form would have undone that change."""

    def __init__(self, current: Versioned, message: str):
        super().__init__(message, code="stale")
        self.current = current


def refuse_if_stale(
    current: Versioned,
    read_version: int | None,
    history: models.QuerySet[Event],
    *,
    outcome: str | Promise = NOT_SAVED,
    fields: Mapping[str, str] | None = None,
) -> None:
    """Raises StaleEdit unless `current` (its row locked) is still at the version the person read.

    `history` is the object's own events, one per version after the first; `fields` maps the names its
    changes use to the model's fields where they differ. None as the version read: nothing to compare.
    """
    if read_version is None or read_version == current.version:
        return
    missed = max(0, min(current.version - read_version, MAX_EVENTS_READ))
    events = list(history.select_related("actor").order_by("-at", "-id")[:missed])
    changed = [(fields or {}).get(name, name) for name in _fields_changed_by(events)]
    known = {field.name for field in current._meta.concrete_fields}  # history may name what no field holds
    sentences = [_who_changed(current, events[0] if events else None)]
    sentences += [
        _("%(field)s is now %(value)s.") % {"field": label_of(current, name), "value": shown(current, name)}
        for name in dict.fromkeys(changed)
        if name in known
    ]
    raise StaleEdit(current, " ".join([*sentences, str(outcome)]))


def _fields_changed_by(events: list[Event]) -> list[str]:
    names: list[str] = []
    for event in events:
        names += list(event.details.get("changes") or {})
        if event.action in FIELD_CHANGED_BY:
            names.append(FIELD_CHANGED_BY[event.action])
    return names


def _who_changed(current: Versioned, latest: Event | None) -> str:
    thing = current._meta.verbose_name
    if latest is None:
        return _("This %(thing)s was changed since you opened it.") % {"thing": thing}
    time = _when(latest.at)
    if latest.actor is None:  # an import from the command line
        return _("This %(thing)s was changed at %(time)s since you opened it.") % {"thing": thing, "time": time}
    person = latest.actor.get_full_name() or latest.actor.get_username()
    return _("This %(thing)s was changed by %(person)s at %(time)s since you opened it.") % {
        "thing": thing,
        "person": person,
        "time": time,
    }


def _when(at: datetime.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else f"{local:%Y-%m-%d %H:%M}"


def label_of(instance: models.Model, name: str) -> str:
    return str(capfirst(instance._meta.get_field(name).verbose_name))  # type: ignore[union-attr]


def shown(instance: models.Model, name: str) -> str:
    """A field's stored value as a page shows it: choices by their label, units by name and code."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if getattr(field, "choices", None):
        value = getattr(instance, f"get_{name}_display")()
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    elif isinstance(value, FieldFile):
        value = os.path.basename(value.name or "")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = f"{value:,}"
    return Truncator(str(value)).chars(60) if value not in (None, "") else "—"


class VersionedFormMixin:
    """An edit form's hidden `version`: the version of the object the person opened the form on.

    Model forms edit their instance; other forms name what they edit as `edited=`. A form for a new object
    has no version. Once valid, the version is `read_version`, for the action, and not in `cleaned_data`.
    """

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    is_bound: bool
    _errors: Any
    _bound_fields_cache: dict[str, Any]
    add_error: Callable[..., None]

    def __init__(self, *args: Any, edited: Versioned | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if edited is None:
            edited = getattr(self, "instance", None)
        self.read_version: int | None = None
        if edited is not None and edited.pk is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=edited.version)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if not self.is_bound or "version" not in self.fields:
            return
        if "version" in self._errors:
            # A page opened before edits carried versions, or a hand-made request: nothing to compare with.
            del self._errors["version"]
            self.show_current()
            self.add_error(None, str(UNVERSIONED))
        else:
            self.read_version = self.cleaned_data.pop("version")

    def show_current(self) -> None:
        """Shows the values and the version this request read, instead of the ones the person sent.

        They are the stored ones, newer than what the person saw. Should yet another save land between
        reading them and the action's lock, the version shown is older than that save too, and the next
        attempt is refused again with the newest values: never saved over.
        """
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            instance.refresh_from_db()  # validating wrote the sent values onto the object the page shows
        self.is_bound = False  # an unbound form shows its initial values: those read, with their version
        self._bound_fields_cache.clear()


class ConfirmForm(VersionedFormMixin, forms.Form):
    """A button that acts on what the page showed (delete this record): it carries only that version."""


def show_refusal(form: forms.BaseForm, error: ValidationError, refusals_on: str | None = None) -> None:
    """An action's refusal on the form: on the field it names where the form has it, else on `refusals_on`
    (None: above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(refusals_on, error.messages)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else refusals_on, errors)


def saved_or_current_shown(
    form: VersionedFormMixin, save: Callable[[], Saved], refusals_on: str | None = None
) -> Saved | None:
    """What the action returns, or None with its refusal on the form (as kaohe.forms.saved_or_form_error:
    on the field the action names, else on `refusals_on` or above the form).

    Refused because someone saved in between, the form shows what is stored now and its version, so that
    the person's next save is on top of the other's.
    """
    try:
        return save()
    except StaleEdit as stale:
        form.show_current()
        form.add_error(None, stale.messages)
    except ValidationError as error:
        show_refusal(form, error, refusals_on)  # type: ignore[arg-type]  # a form, with the mixin
    return None
