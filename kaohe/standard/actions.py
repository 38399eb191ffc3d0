from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaohe.history.actions import record_event
from kaohe.history.models import Action
from kaohe.standard.document import StandardDocument, content_hash, to_data
from kaohe.standard.models import Standard


class Loaded(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"


class StandardLocked(Exception):
    """A cycle uses this version: its content can never change; load the revision as a new version."""

    def __init__(self, standard: Standard, cycle_names: list[str]):
        self.standard = standard
        self.cycle_names = cycle_names
        super().__init__(
            _(
                "Version %(version)s of %(slug)s is used by the cycle %(cycles)s and cannot be changed; "
                "load the revision under a new version number."
            )
            % {"version": standard.version, "slug": standard.slug, "cycles": "、".join(cycle_names)}
        )


@transaction.atomic
def load_standard(actor: Any, document: StandardDocument, source: str = "") -> tuple[Standard, Loaded]:
    """Add a version, or replace one that no cycle uses yet; identical content changes nothing."""
    digest = content_hash(document)
    standard = Standard.objects.select_for_update().filter(slug=document.slug, version=document.version).first()
    if standard is not None and standard.content_hash == digest:
        return standard, Loaded.UNCHANGED
    if standard is not None:
        cycles = list(standard.cycles.values_list("name", flat=True))
        if cycles:
            raise StandardLocked(standard, cycles)
    outcome = Loaded.CREATED if standard is None else Loaded.REPLACED
    standard = standard or Standard(slug=document.slug, version=document.version)
    standard.title = document.title
    standard.document = to_data(document)
    standard.content_hash = digest
    standard.source = source[:255]
    # Loading never changes which version is in force; only a fresh install's first version becomes the
    # default, so that its figures are counted on something without a further step.
    made_default = not standard.is_default and not Standard.objects.filter(is_default=True).exists()
    standard.is_default = standard.is_default or made_default
    standard.save()
    record_event(
        actor,
        Action.STANDARD_LOADED,
        None,
        slug=standard.slug,
        version=standard.version,
        outcome=outcome.value,
        source=source,
        content_hash=digest,
        made_default=made_default,
    )
    return standard, outcome


@transaction.atomic
def make_default_standard(actor: Any, standard: Standard) -> bool:
    """Make this version the default: figures of every year without a cycle are counted on it from now on.

    Records the previous default and the new one. Returns False, changing and recording nothing, when the
    version is already the default.
    """
    # Every version locked (there are a handful): two administrators choosing at once take turns, and the
    # second one's event names the first one's choice as the previous default.
    versions = list(Standard.objects.select_for_update().only("slug", "version", "is_default"))
    previous = next((version for version in versions if version.is_default), None)
    if previous is not None and previous.pk == standard.pk:
        return False
    # update(), not save(): loaded_at (auto_now) says when the content was loaded, not when it was chosen.
    Standard.objects.filter(is_default=True).update(is_default=False)
    Standard.objects.filter(pk=standard.pk).update(is_default=True)
    standard.is_default = True
    record_event(
        actor,
        Action.STANDARD_MADE_DEFAULT,
        None,
        slug=standard.slug,
        version=standard.version,
        previous={"slug": previous.slug, "version": previous.version} if previous else None,
    )
    return True
