"""Every change to an account goes through one of these functions: in a transaction, with history.

Who may change which account is decided in kaohe.access before these are called. Here are the rules that
hold whoever acts: a username is taken whatever its case, district administrators and assessors belong to
the district federation, and a deactivated unit gets no new or revived accounts. History records the
username and what changed, never a password.
"""

from __future__ import annotations

from typing import Any

from axes.utils import reset as clear_failed_logins
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kaohe.access import visible_accounts
from kaohe.accounts.models import Role, User
from kaohe.history.actions import record_event
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Category, Organisation
from kaohe.versions import refuse_if_stale

DISTRICT_ROLES = (Role.DISTRICT_ADMIN, Role.ASSESSOR)
# What each new version of an account is recorded as, and the model fields its changes name otherwise.
ACCOUNT_CHANGES = (
    Action.ACCOUNT_UPDATED,
    Action.ACCOUNT_DEACTIVATED,
    Action.ACCOUNT_REACTIVATED,
    Action.PASSWORD_RESET,
)
FIELDS_IN_HISTORY = {"full_name": "first_name", "unit": "organisation"}


def check_role_fits_unit(role: str, unit: Organisation) -> None:
    if role in DISTRICT_ROLES and unit.category != Category.DISTRICT:
        raise ValidationError(
            _("District administrators and assessors belong to the district federation (区总工会): give its code.")
        )


def check_username_free(username: str, actor: Any) -> None:
    # "Zhang" and "zhang" would be two people nobody can tell apart on a list: one of them is refused.
    taken = User.objects.filter(username__iexact=username)
    if not taken.exists():
        return
    if visible_accounts(actor).filter(pk__in=taken).exists():
        raise ValidationError(_("The username %(username)s is already in use.") % {"username": username})
    # Usernames are unique across every district: refusing one says no more than that it cannot be had,
    # never that an account of another system holds it.
    raise ValidationError(_("The username %(username)s cannot be used; choose another.") % {"username": username})


def check_unit_active(unit: Organisation) -> None:
    if not unit.is_active:
        raise ValidationError(_("%(unit)s is deactivated; it cannot have active accounts.") % {"unit": unit})


@transaction.atomic
def create_account(actor: Any, *, username: str, full_name: str, role: str, unit: Organisation, password: str) -> User:
    check_role_fits_unit(role, unit)
    check_unit_active(unit)
    check_username_free(username, actor)
    account = User(username=username, first_name=full_name, role=role, organisation=unit)
    account.set_password(password)
    account.save()
    record_event(actor, Action.ACCOUNT_CREATED, unit, username=username, full_name=full_name, role=role, unit=unit.code)
    return account


def history_of(account: User) -> QuerySet[Event]:
    """The account's changes: one event for each version after the first."""
    return Event.objects.filter(action__in=ACCOUNT_CHANGES, details__username=account.username)


def _locked(account: User) -> User:
    # Only the account's own row: PostgreSQL refuses FOR UPDATE across the unit's outer join.
    return User.objects.select_for_update(of=("self",)).get(pk=account.pk)


@transaction.atomic
def update_account(
    actor: Any, account: User, *, full_name: str, role: str, unit: Organisation, read_version: int | None = None
) -> User:
    """Full name, role and unit; the username is the login and stays as it was created.

    Refused (StaleEdit) if the account changed since the person read it at read_version (kaohe.versions):
    views pass the version their form read; writers without a form leave it out.
    """
    account = _locked(account)
    refuse_if_stale(account, read_version, history_of(account), fields=FIELDS_IN_HISTORY)
    check_role_fits_unit(role, unit)
    if unit != account.organisation and account.is_active:
        check_unit_active(unit)
    before = {"full_name": account.get_full_name(), "role": account.role, "unit": _code(account.organisation)}
    after = {"full_name": full_name, "role": role, "unit": unit.code}
    changes = {key: [before[key], value] for key, value in after.items() if before[key] != value}
    if changes:
        # Chinese names are one string: the whole name goes in first_name, as the demo users have it.
        account.first_name, account.last_name = full_name, ""
        account.role, account.organisation = role, unit
        account.version += 1
        account.save(update_fields=["first_name", "last_name", "role", "organisation", "version"])
        record_event(actor, Action.ACCOUNT_UPDATED, unit, username=account.username, changes=changes)
    return account


def _code(unit: Organisation | None) -> str:
    return unit.code if unit else ""


@transaction.atomic
def set_account_active(actor: Any, account: User, active: bool) -> User:
    """A deactivated account cannot log in and its open sessions end; its history keeps its name.

    A button that names the state it leads to: a stale page cannot undo anyone's change, so no version check.
    """
    account = _locked(account)
    if account.is_active == active:
        return account
    if active and account.organisation is not None:
        check_unit_active(account.organisation)
    account.is_active = active
    account.version += 1
    account.save(update_fields=["is_active", "version"])
    action = Action.ACCOUNT_REACTIVATED if active else Action.ACCOUNT_DEACTIVATED
    record_event(actor, action, account.organisation, username=account.username)
    return account


@transaction.atomic
def reset_password(actor: Any, account: User, password: str) -> User:
    """A new password the manager hands over; the old one and the sessions opened with it stop working."""
    account = _locked(account)
    account.set_password(password)
    account.version += 1
    account.save(update_fields=["password", "version"])
    # People are given a new password mostly after locking themselves out: the lock goes with the old one.
    clear_failed_logins(username=account.username)
    record_event(actor, Action.PASSWORD_RESET, account.organisation, username=account.username)
    return account
