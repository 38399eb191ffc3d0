"""Read-side queries of accounts: what the people list shows, at a fixed number of SQL queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from kaohe.accounts.models import User
from kaohe.organisations.models import Organisation

# Codes and usernames asked about per query: small statements on every database, a few queries a file.
LOOKUP_BATCH_SIZE = 500


def filtered_accounts(unit: Organisation, *, subtree: bool, text: str) -> QuerySet[User]:
    """Accounts of the unit (and of the units under it), by unit and then username; the unit has passed
    the access check already. The user manager brings each account's unit along: no query per row."""
    if subtree:
        accounts = User.objects.filter(organisation__path__under=unit.path)
    else:
        accounts = User.objects.filter(organisation=unit)
    if text:
        accounts = accounts.filter(
            Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
        )
    return accounts.order_by("organisation__path", "username")


def units_without_active_account(unit: Organisation) -> QuerySet[Organisation]:
    """The active units of the unit's subtree that no active account belongs to, in tree order: one query
    (and one to count them), whatever the number of units."""
    active_account = User.objects.filter(organisation=OuterRef("pk"), is_active=True)
    return Organisation.objects.subtree_of(unit).active().filter(~Exists(active_account)).order_by("path")


def existing_accounts(usernames: Iterable[str]) -> dict[str, User]:
    """The accounts holding these usernames in any letter case, by lower-case username (a few queries)."""
    wanted = sorted({username.lower() for username in usernames})
    found: dict[str, User] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH_SIZE):
        batch = wanted[start : start + LOOKUP_BATCH_SIZE]
        accounts = User.objects.annotate(lower_username=Lower("username")).filter(lower_username__in=batch)
        found.update((account.username.lower(), account) for account in accounts)
    return found
