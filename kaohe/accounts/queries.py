"""Read-side queries of accounts: what the people list shows, at a fixed number of SQL queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kaohe.accounts.models import User
from kaohe.organisations.models import Organisation


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
