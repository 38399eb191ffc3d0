"""What every page's frame shows: the federation's name, and whom to ask for an account.

Both are lazy, so that a page which does not show them costs nothing. For a signed-in user the federation
is their own district, read off their unit's parents, which arrive with the user (accounts.models), so it
costs no query either; only a page for nobody in particular (the login page) asks the database, once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from kaohe.organisations.queries import federation_name


def federation(request: HttpRequest) -> dict[str, Any]:
    return {
        "federation_name": SimpleLazyObject(lambda: federation_name(getattr(request, "user", None))),
        "account_contact": SimpleLazyObject(account_contact),
    }


def account_contact() -> str:
    """Whom to ask for an account or a forgotten password: settings.ACCOUNT_CONTACT (env KAOHE_ACCOUNT_CONTACT)."""
    return str(settings.ACCOUNT_CONTACT or _("Ask the system administrator of the trade union above your unit."))
