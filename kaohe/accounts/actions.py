"""Every change to an account goes through one of these functions: in a transaction, with history.

Who may change which account is decided in kaohe.access before these are called. Here are the rules that
hold whoever acts: a username is taken whatever its case, district administrators and assessors belong to
the district federation, and a deactivated unit gets no new or revived accounts. History records the
username and what changed, never a password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from axes.utils import reset as clear_failed_logins
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.access import visible_accounts
from kaohe.accounts.models import ApiToken, Role, User
from kaohe.accounts.passwords import initial_password
from kaohe.accounts.queries import existing_accounts
from kaohe.history.actions import record_event
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Category, Organisation
from kaohe.spreadsheets import ImportRefused, RowError
from kaohe.versions import refuse_if_stale

if TYPE_CHECKING:
    from kaohe.accounts.importing import AccountsPlan, SkippedRow

API_TOKEN_PREFIX = "kh_"  # noqa: S105 (not a secret: says what the string is, to a person and to secret scanners)
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
    # The manager chose the password and knows it: the person chooses their own at first login.
    account = User(username=username, first_name=full_name, role=role, organisation=unit, must_change_password=True)
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
    account.must_change_password = True  # the manager knows this one: the person chooses their own
    account.version += 1
    account.save(update_fields=["password", "must_change_password", "version"])
    # People are given a new password mostly after locking themselves out: the lock goes with the old one.
    clear_failed_logins(username=account.username)
    record_event(actor, Action.PASSWORD_RESET, account.organisation, username=account.username)
    return account


@transaction.atomic
def change_own_password(user: User, password: str) -> User:
    """The person's own new password: from now on nobody else knows it, so they are no longer sent to the
    password page (accounts/middleware.py). Other sessions opened with the old password end."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record_event(user, Action.PASSWORD_CHANGED, user.organisation)
    return user


@dataclass(frozen=True)
class IssuedAccount:
    """A new account and its initial password, for the login slips of the one response that shows them."""

    account: User
    password: str


@dataclass(frozen=True)
class AccountsImported:
    issued: list[IssuedAccount]
    skipped: list[SkippedRow]


def import_accounts(actor: Any, plan: AccountsPlan, *, scope: Organisation, filename: str) -> AccountsImported:
    """Every new account of a checked plan, each with a generated initial password it must change at first
    login, or none (ImportRefused). History names each account, never a password.

    The passwords are hashed before the transaction opens: hashing 1,000 takes half a minute, which no lock
    should be held for. They are returned, and kept nowhere else.
    """
    issued = []
    for planned in plan.accounts:
        account = User(
            username=planned.username,
            first_name=planned.full_name,
            role=planned.role,
            organisation=planned.unit,
            phone=planned.phone,
            must_change_password=True,
        )
        password = initial_password(account)
        account.password = make_password(password)
        issued.append(IssuedAccount(account, password))
    try:
        _create_imported(actor, issued, plan, scope=scope, filename=filename)
    except IntegrityError:
        raise ImportRefused([_taken_meanwhile()]) from None
    return AccountsImported(issued=issued, skipped=plan.skipped)


@transaction.atomic
def _create_imported(
    actor: Any, issued: list[IssuedAccount], plan: AccountsPlan, *, scope: Organisation, filename: str
) -> None:
    accounts = [entry.account for entry in issued]
    # Checked again now: someone may have made one of these usernames while the passwords were hashed.
    if existing_accounts(account.username for account in accounts):
        raise ImportRefused([_taken_meanwhile()])
    User.objects.bulk_create(accounts, batch_size=500)
    by = actor if getattr(actor, "pk", None) else None
    Event.objects.bulk_create(
        (
            Event(
                actor=by,
                action=Action.ACCOUNT_CREATED,
                organisation=account.organisation,
                details={
                    "username": account.username,
                    "full_name": account.first_name,
                    "role": account.role,
                    "unit": _code(account.organisation),
                    "file": filename,
                },
            )
            for account in accounts
        ),
        batch_size=1000,
    )
    skipped = len(plan.skipped)
    record_event(actor, Action.ACCOUNTS_IMPORTED, scope, file=filename, created=len(accounts), skipped=skipped)


def _taken_meanwhile() -> RowError:
    return RowError(0, "", _("Some of these usernames were taken while the file was being imported; import it again."))


# API tokens: each person makes, names and revokes their own (the profile page); nobody else sees them.
MAX_ACTIVE_TOKENS = 20  # a program a key; twenty programs is beyond any person


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new key for the person's programs, and the key itself: the only time anyone sees it."""
    with transaction.atomic():
        User.objects.select_for_update(of=("self",)).filter(pk=user.pk).first()  # two clicks at once: one key each
        if user.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                {
                    "name": _("You have %(count)d keys: revoke one you no longer use first.")
                    % {"count": MAX_ACTIVE_TOKENS}
                }
            )
        key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=hash_api_key(key))
        record_event(user, Action.API_TOKEN_CREATED, user.organisation, token=name, prefix=token.prefix)
    return token, key


def revoke_api_token(user: User, token: ApiToken) -> ApiToken:
    """The key stops working at once, for good; it stays listed, so its owner sees when it was revoked."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(user, Action.API_TOKEN_REVOKED, user.organisation, token=token.name, prefix=token.prefix)
    return token


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
