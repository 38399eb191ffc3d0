"""Every change to the tree goes through one of these functions: in a transaction, with history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from kaohe.access import Do, can
from kaohe.history.actions import record_event
from kaohe.history.models import Action, Event
from kaohe.organisations.importing import ImportPlan
from kaohe.organisations.models import (
    ALLOWED_PARENT_CATEGORIES,
    FILE_NAME_OF_CATEGORY,
    Category,
    Organisation,
    path_for,
)
from kaohe.versions import refuse_if_stale

EDITABLE_FIELDS = ("name", "category", "members")
# What each new version of a unit is recorded as (its records and accounts have their own events).
UNIT_CHANGES = (
    Action.ORGANISATION_UPDATED,
    Action.ORGANISATION_MOVED,
    Action.ORGANISATION_DEACTIVATED,
    Action.ORGANISATION_REACTIVATED,
)


def check_placement(category: str, parent: Organisation | None) -> None:
    parent_category = parent.category if parent else None
    if parent_category not in ALLOWED_PARENT_CATEGORIES[category]:
        if parent is None:
            raise ValidationError(_("Only a 区总工会 may stand at the top of the tree."))
        raise ValidationError(
            _("A %(child)s cannot be placed directly under a %(parent)s.")
            % {"child": FILE_NAME_OF_CATEGORY[category], "parent": FILE_NAME_OF_CATEGORY[parent.category]}
        )


def check_code_free(actor: Any, code: str) -> None:
    """A code taken in the actor's system names its unit; one taken elsewhere only cannot be used, so that
    nobody learns from the refusal that another system holds it (codes are unique across every district)."""
    holder = Organisation.objects.filter(code=code).first()
    if holder is None:
        return
    if can(actor, Do.VIEW, holder):
        message = _("The code %(code)s is already used by %(unit)s.") % {"code": code, "unit": holder}
    else:
        message = _("The code %(code)s cannot be used; choose another.") % {"code": code}
    raise ValidationError({"code": message})


@transaction.atomic
def create_organisation(
    actor: Any, *, parent: Organisation, code: str, name: str, category: str, members: int
) -> Organisation:
    check_placement(category, parent)
    check_code_free(actor, code)
    organisation = Organisation.objects.create(
        parent=parent,
        code=code,
        name=name,
        category=category,
        members=members,
        path=path_for(parent.path, code),
        depth=parent.depth + 1,
    )
    record_event(actor, Action.ORGANISATION_CREATED, organisation, name=name, members=members)
    return organisation


def check_no_district() -> None:
    existing = Organisation.objects.filter(category=Category.DISTRICT).order_by("pk").first()
    if existing is not None:
        raise ValidationError(
            _(
                "This database already has a district federation, %(unit)s: kaohe setup only starts an empty "
                "one. Add units with the units import and accounts on the People pages."
            )
            % {"unit": existing}
        )


@transaction.atomic
def set_up_district(
    *, code: str, name: str, admin_username: str, admin_full_name: str, admin_password: str
) -> tuple[Organisation, Any]:
    """The first district federation and its first district administrator (`kaohe setup`).

    Only on a database without a district: a second district joins through the units import, by people who
    are already responsible for one, never through a command that would make its own administrator.
    """
    check_no_district()
    check_code_free(None, code)
    district = Organisation.objects.create(
        code=code, name=name, category=Category.DISTRICT, path=path_for("", code), depth=0
    )
    record_event(None, Action.ORGANISATION_CREATED, district, name=name, members=0, by="kaohe setup")
    from kaohe.accounts.actions import create_account
    from kaohe.accounts.models import Role

    administrator = create_account(
        None,
        username=admin_username,
        full_name=admin_full_name,
        role=Role.DISTRICT_ADMIN,
        unit=district,
        password=admin_password,
    )
    return district, administrator


def history_of(organisation: Organisation) -> QuerySet[Event]:
    """The unit's own changes: one event for each version after the first."""
    return Event.objects.filter(organisation=organisation, action__in=UNIT_CHANGES)


def _locked(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


@transaction.atomic
def update_organisation(
    actor: Any, organisation: Organisation, *, read_version: int | None = None, **values: Any
) -> Organisation:
    """Name, category and member count; a category must still fit the parent and the children.

    Refused (StaleEdit) if the unit changed since the person read it at read_version (kaohe.versions):
    views pass the version their form read; writers without a form leave it out.
    """
    organisation = _locked(organisation)
    refuse_if_stale(organisation, read_version, history_of(organisation))
    if values.get("category", organisation.category) != organisation.category:
        check_placement(values["category"], organisation.parent)
        for child in organisation.children.all():
            check_placement(child.category, Organisation(category=values["category"]))
    changes = {
        field: [getattr(organisation, field), value]
        for field, value in values.items()
        if field in EDITABLE_FIELDS and getattr(organisation, field) != value
    }
    if changes:
        for field, (_before, after) in changes.items():
            setattr(organisation, field, after)
        organisation.version += 1
        organisation.save(update_fields=[*changes, "version", "updated_at"])
        record_event(actor, Action.ORGANISATION_UPDATED, organisation, changes=changes)
    return organisation


@transaction.atomic
def move_organisation(
    actor: Any, organisation: Organisation, new_parent: Organisation, *, read_version: int | None = None
) -> Organisation:
    organisation = _locked(organisation)
    refuse_if_stale(organisation, read_version, history_of(organisation))
    if new_parent.is_within(organisation):
        raise ValidationError(_("A unit cannot be moved under itself or under one of its own units."))
    if not new_parent.is_active:
        raise ValidationError(_("%(unit)s is deactivated; units cannot be moved under it.") % {"unit": new_parent})
    check_placement(organisation.category, new_parent)
    old_parent = organisation.parent
    organisation.parent = new_parent
    organisation.version += 1
    organisation.save(update_fields=["parent", "version", "updated_at"])
    repath_subtree(organisation, path_for(new_parent.path, organisation.code))
    record_event(
        actor,
        Action.ORGANISATION_MOVED,
        organisation,
        before=old_parent.code if old_parent else "",
        after=new_parent.code,
    )
    organisation.refresh_from_db()
    return organisation


def repath_subtree(organisation: Organisation, new_path: str) -> None:
    """Rewrite the paths of a unit and everything under it after it changed parent."""
    old_path = organisation.path
    if old_path == new_path:
        return
    depth_shift = new_path.count("/") - old_path.count("/")
    subtree = list(Organisation.objects.subtree_of(organisation).only("pk", "path", "depth"))
    for unit in subtree:
        unit.path = new_path + unit.path[len(old_path) :]
        unit.depth += depth_shift
    Organisation.objects.bulk_update(subtree, ["path", "depth"], batch_size=1000)


@transaction.atomic
def deactivate_organisation(actor: Any, organisation: Organisation) -> Organisation:
    # A button that names the state it leads to: a stale page cannot undo anyone's change, so no version check.
    organisation = _locked(organisation)
    active_children = organisation.children.filter(is_active=True).count()
    if active_children:
        raise ValidationError(
            _("%(unit)s still has %(count)s active units under it; move or deactivate them first.")
            % {"unit": organisation, "count": active_children}
        )
    organisation.is_active = False
    organisation.version += 1
    organisation.save(update_fields=["is_active", "version", "updated_at"])
    # A dissolved unit's cadres lose their access with it; reactivating the unit leaves that to a manager.
    from kaohe.accounts.actions import set_account_active

    accounts = list(organisation.users.filter(is_active=True))
    for account in accounts:
        set_account_active(actor, account, active=False)
    record_event(actor, Action.ORGANISATION_DEACTIVATED, organisation, accounts=[a.username for a in accounts])
    return organisation


@transaction.atomic
def reactivate_organisation(actor: Any, organisation: Organisation) -> Organisation:
    organisation = _locked(organisation)
    if organisation.parent and not organisation.parent.is_active:
        raise ValidationError(_("Reactivate the unit above it, %(unit)s, first.") % {"unit": organisation.parent})
    organisation.is_active = True
    organisation.version += 1
    organisation.save(update_fields=["is_active", "version", "updated_at"])
    record_event(actor, Action.ORGANISATION_REACTIVATED, organisation)
    return organisation


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_organisations(actor: Any, plan: ImportPlan, *, scope: Organisation | None, filename: str) -> ImportSummary:
    """Write a checked plan: new codes are created, known codes updated, never duplicated."""
    ids = {code: org.pk for code, org in plan.existing.items()}
    ids.update(
        Organisation.objects.filter(code__in={u.parent_code for u in plan.units} - set(ids)).values_list("code", "pk")
    )
    created = _create_new_units(plan, ids)
    updated = _update_known_units(plan, ids)
    events = [Event(actor=_as_actor(actor), action=Action.ORGANISATION_CREATED, organisation=org) for org in created]
    events += [
        Event(
            actor=_as_actor(actor), action=Action.ORGANISATION_UPDATED, organisation=org, details={"changes": changes}
        )
        for org, changes in updated
    ]
    Event.objects.bulk_create(events, batch_size=1000)
    summary = ImportSummary(len(created), len(updated), len(plan.units) - len(created) - len(updated))
    record_event(actor, Action.ORGANISATIONS_IMPORTED, scope, file=filename, **summary.__dict__)
    return summary


def _as_actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _create_new_units(plan: ImportPlan, ids: dict[str, int]) -> list[Organisation]:
    """Level by level, so that every parent exists (and has its id) before its children."""
    new_units = sorted((u for u in plan.units if u.code not in plan.existing), key=lambda u: u.path.count("/"))
    created: list[Organisation] = []
    for depth in sorted({u.path.count("/") for u in new_units}):
        level = [
            Organisation(
                code=u.code,
                name=u.name,
                category=u.category,
                members=u.members,
                parent_id=ids.get(u.parent_code),
                path=u.path,
                depth=u.path.count("/") - 2,
            )
            for u in new_units
            if u.path.count("/") == depth
        ]
        created += Organisation.objects.bulk_create(level, batch_size=1000)
        ids.update((org.code, org.pk) for org in level)
    return created


def _update_known_units(plan: ImportPlan, ids: dict[str, int]) -> list[tuple[Organisation, dict[str, Any]]]:
    updated = []
    moved = []
    for unit in plan.units:
        org = plan.existing.get(unit.code)
        if org is None:
            continue
        wanted = {"name": unit.name, "category": unit.category, "members": unit.members}
        wanted["parent_id"] = ids.get(unit.parent_code)
        changes = {f: [getattr(org, f), v] for f, v in wanted.items() if getattr(org, f) != v}
        if "parent_id" in changes:
            moved.append((org, unit.path))
            changes["parent"] = [org.ancestor_codes[-1] if org.ancestor_codes else "", unit.parent_code]
            del changes["parent_id"]
        if changes:
            for field, value in wanted.items():
                setattr(org, field, value)
            # Counted in the database: the plan read these units before this transaction began.
            org.version = F("version") + 1  # type: ignore[assignment]
            updated.append((org, changes))
    Organisation.objects.bulk_update(
        [org for org, _ in updated], ["name", "category", "members", "parent", "version"], batch_size=1000
    )
    # Each move reads the unit's current path first, so the order of the moves does not matter.
    for org, new_path in moved:
        org.refresh_from_db(fields=["path"])
        repath_subtree(org, new_path)
    return updated
