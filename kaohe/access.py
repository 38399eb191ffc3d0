"""Who may see and do what: decided here and nowhere else.

Every user belongs to one unit and sees that unit's subtree. A district administrator manages all of it;
an assessor reads all of it; a unit cadre manages their own unit's subtree (for a grassroots cadre that is
the unit alone). Anything outside a user's subtree does not exist for them: a 404, never a 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaohe.accounts.models import Role
from kaohe.organisations.models import Organisation, OrganisationQuerySet


class Do(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # name, members (and category, for those who may restructure)
    RESTRUCTURE = "restructure"  # add units under it, move, deactivate, reactivate, import
    EXPORT = "export"


def scope_root(user: Any) -> Organisation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return user.organisation


def scope_root_or_404(user: Any) -> Organisation:
    """The unit whose subtree the user sees; a user without one sees nothing at all."""
    root = scope_root(user)
    if root is None:
        raise Http404
    return root


def visible_organisations(user: Any) -> OrganisationQuerySet:
    root = scope_root(user)
    if root is None:
        return Organisation.objects.none()
    return Organisation.objects.subtree_of(root)


def can(user: Any, action: Do, organisation: Organisation) -> bool:
    root = scope_root(user)
    if root is None or not organisation.is_within(root):
        return False
    if action in (Do.VIEW, Do.EXPORT):
        return True
    if user.role == Role.ASSESSOR:
        return False
    if action == Do.EDIT:
        return True
    # Restructuring a unit is the business of someone above it, except that one may add units under,
    # and import into, the unit one is responsible for.
    return user.role in (Role.DISTRICT_ADMIN, Role.CADRE) and organisation.tier != "grassroots"


def can_move_or_deactivate(user: Any, organisation: Organisation) -> bool:
    """Only someone above a unit may move or deactivate it: never one's own root."""
    root = scope_root(user)
    return can(user, Do.RESTRUCTURE, root) if root and organisation != root and organisation.is_within(root) else False


def get_organisation(user: Any, code: str, action: Do = Do.VIEW) -> Organisation:
    """The unit with this code if the user may see it (else 404) and do the action (else 403)."""
    organisation = visible_organisations(user).filter(code=code).first()
    if organisation is None:
        raise Http404
    if not can(user, action, organisation):
        raise PermissionDenied
    return organisation
