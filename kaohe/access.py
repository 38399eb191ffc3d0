"""Who may see and do what: decided here and nowhere else.

Every user belongs to one unit and sees that unit's subtree. A district administrator manages all of it;
an assessor reads all of it; a unit cadre manages their own unit's subtree (for a grassroots cadre that is
the unit alone), except its accounts: a cadre's own unit's accounts are managed from above. Anything outside
a user's subtree does not exist for them: a 404, never a 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kaohe.accounts.models import Role, User
from kaohe.organisations.models import Organisation, OrganisationQuerySet


class SeeButNotChange(PermissionDenied):
    """Refused to someone who may see the thing they asked to change: the 403 page tells them they may look.
    A plain PermissionDenied says only that the page is not open to their role."""


class Do(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # name, members (and category, for those who may restructure)
    RESTRUCTURE = "restructure"  # add units under it, move, deactivate, reactivate, import
    EXPORT = "export"


# Only these have units under them (ALLOWED_PARENT_CATEGORIES): a direct or grassroots union has none to add.
TIERS_WITH_UNITS_UNDER_THEM = ("district", "secondary")


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
    return user.role in (Role.DISTRICT_ADMIN, Role.CADRE) and organisation.tier in TIERS_WITH_UNITS_UNDER_THEM


def can_move_or_deactivate(user: Any, organisation: Organisation) -> bool:
    """Only someone above a unit may move or deactivate it: never one's own root."""
    root = scope_root(user)
    return can(user, Do.RESTRUCTURE, root) if root and organisation != root and organisation.is_within(root) else False


def can_load_standards(user: Any) -> bool:
    """A standard is the whole federation's: everyone reads it, a district administrator loads versions."""
    return getattr(user, "is_authenticated", False) and user.role == Role.DISTRICT_ADMIN


def can_choose_default_standard(user: Any) -> bool:
    """The default version decides the figures of every year without a cycle: whoever loads versions."""
    return can_load_standards(user)


def get_organisation(user: Any, code: str, action: Do = Do.VIEW) -> Organisation:
    """The unit with this code if the user may see it (else 404) and do the action (else 403)."""
    organisation = visible_organisations(user).filter(code=code).first()
    if organisation is None:
        raise Http404
    if not can(user, action, organisation):
        raise SeeButNotChange
    return organisation


# People: who manages whose account. The same subtree rule as units (outside it: 404), and within it the
# manager's role decides (else 403).

# Units with units under them: their cadres look after the accounts of their system. A directly affiliated
# union is a grassroots union, like those under a secondary union: its accounts are managed from above.
TIERS_THAT_MANAGE_PEOPLE = TIERS_WITH_UNITS_UNDER_THEM


def may_manage_people(user: Any) -> bool:
    """Whether the user manages anyone's account at all: the people pages are theirs."""
    root = scope_root(user)
    if root is None:
        return False
    if user.role == Role.DISTRICT_ADMIN:
        return True
    return user.role == Role.CADRE and root.tier in TIERS_THAT_MANAGE_PEOPLE


def assignable_roles(user: Any) -> list[Role]:
    """Only a district administrator makes district administrators and assessors; others make cadres."""
    if not may_manage_people(user):
        return []
    return list(Role) if user.role == Role.DISTRICT_ADMIN else [Role.CADRE]


def may_manage_accounts_at(user: Any, unit: Organisation) -> bool:
    """Whether the user looks after the accounts of this unit: a district administrator those of the whole
    district, a cadre those of the units strictly below their own. A cadre's own unit's accounts are their
    colleagues', managed from above: otherwise a cadre could reset a colleague's password and act as them."""
    root = scope_root(user)
    if root is None or not may_manage_people(user) or not unit.is_within(root):
        return False
    return user.role == Role.DISTRICT_ADMIN or unit != root


def visible_accounts(user: Any) -> QuerySet[User]:
    """The accounts of every unit in the user's subtree (accounts without a unit belong to no one's)."""
    root = scope_root(user)
    if root is None:
        return User.objects.none()
    return User.objects.filter(organisation__path__under=root.path)


def can_manage_account(user: Any, account: User) -> bool:
    """A district administrator manages every account of the district but their own (other administrators'
    too: someone must be able to reset theirs); a cadre the cadre accounts of the units below their own."""
    if account.organisation is None or not may_manage_accounts_at(user, account.organisation):
        return False
    if account.pk == user.pk or account.is_staff or account.is_superuser:
        # One's own account changes only through the password page; operators' accounts (Django's admin
        # site) stay out of reach, or resetting a password here would hand over the admin site.
        return False
    return account.role in assignable_roles(user)


def get_account(user: Any, username: str) -> User:
    """The account with this username if its unit is in the user's subtree (else 404) and the user may
    manage it (else 403)."""
    account = visible_accounts(user).filter(username=username).first()
    if account is None:
        raise Http404
    if not can_manage_account(user, account):
        # Those who manage people see the account on their list; to others the people pages are closed.
        raise SeeButNotChange if may_manage_people(user) else PermissionDenied
    return account


# The assessment round (READING.md, "The round of a year"). Seeing an assessment follows the subtree rule;
# acting on it follows who the unit is: its own people fill it in, the unit above reviews it, and the
# district's administrators run the cycle. Every decision takes the assessment and reads its unit and tier
# as they were when the cycle opened.

SELF_ASSESSING_ROLES = (Role.CADRE, Role.DISTRICT_ADMIN)
REVIEWED_BY_THE_DISTRICT = ("district", "secondary", "direct")


def visible_assessments(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The assessments of units in the user's subtree: the rest do not exist for them."""
    root = scope_root(user)
    if root is None:
        return queryset.none()
    return queryset.filter(organisation__path__under=root.path)


def get_assessment(user: Any, queryset: QuerySet[Any], year: int, code: str) -> Any:
    """The assessment of this unit in the year's cycle of the user's district, if the user may see it (else 404)."""
    assessment = (
        visible_assessments(user, queryset)
        .filter(cycle__year=year, organisation__code=code)
        .select_related("cycle", "organisation", "reviewer")
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def can_self_assess(user: Any, assessment: Any) -> bool:
    """A unit's own cadres (a district federation's own administrators too) fill in its assessment."""
    root = scope_root(user)
    return root is not None and assessment.organisation_id == root.pk and user.role in SELF_ASSESSING_ROLES


def reviewing_unit_of(assessment: Any) -> str | None:
    """The code of the unit whose cadres review this one: a grassroots union's secondary union, the one just
    above it on its path. None: reviewed by the district's assessment team."""
    if assessment.tier in REVIEWED_BY_THE_DISTRICT:
        return None
    above = assessment.organisation.ancestor_codes
    return above[-1] if above else None


def can_review(user: Any, assessment: Any) -> bool:
    """The district's assessors review the secondary, direct and district units (only those given to them, if
    a district administrator split them up); a secondary union's cadres review its grassroots units. Nobody
    reviews their own unit's assessment."""
    root = scope_root(user)
    if root is None or not assessment.organisation.is_within(root):
        return False
    reviewing_unit = reviewing_unit_of(assessment)
    if reviewing_unit is None:  # the district's assessment team, for the district's own assessment too
        return user.role == Role.ASSESSOR and assessment.reviewer_id in (None, user.pk)
    return user.role == Role.CADRE and root.code == reviewing_unit and assessment.organisation_id != root.pk


def can_run_cycle(user: Any, district: Organisation) -> bool:
    """Opening, assigning, publishing, reopening and bringing in past years: the district's administrators."""
    root = scope_root(user)
    return root is not None and user.role == Role.DISTRICT_ADMIN and district.is_within(root)


# assessment (helper "assessment"): what of a review the pages show to whom.


def can_see_final_scores(user: Any, assessment: Any) -> bool:
    """Final scores are the reviewer's until publication: whoever reviews the unit and the district's
    administrators see them as they are given; the unit itself (and everyone else who sees it) once published."""
    root = scope_root(user)
    if root is None or not assessment.organisation.is_within(root):
        return False
    if assessment.status == "published":
        return True
    return can_review(user, assessment) or user.role == Role.DISTRICT_ADMIN


def final_scores_visible(user: Any) -> Q:
    """can_see_final_scores as a filter of assessments (within the user's subtree): for lists and exports that
    read thousands of rows as values. kaohe/tests/test_access_rules.py holds the two to the same answers."""
    root = scope_root(user)
    if root is None:
        return Q(pk__in=[])
    if user.role == Role.DISTRICT_ADMIN:
        return Q(pk__isnull=False)  # every one (an empty Q() would exclude every row)
    published = Q(status="published")
    if user.role == Role.ASSESSOR:
        given_to_them = Q(reviewer__isnull=True) | Q(reviewer=user)
        return published | (Q(tier__in=REVIEWED_BY_THE_DISTRICT) & given_to_them)
    reviewed_by_them = Q(organisation__parent=root) & ~Q(tier__in=REVIEWED_BY_THE_DISTRICT)
    return published | reviewed_by_them


# Helper "cycle": which cycle of a year a user's pages read, who sees others' progress, who reviews on paper.
# A user's district is the root of their unit's path: every user of it reads its cycles (each assessment
# still only within their own subtree), and no one sees another district's cycles at all.


def district_of(user: Any) -> Organisation | None:
    """The district federation the user's unit belongs to, read off the units selected with the user (no query:
    a unit is at most two levels below its district)."""
    unit = getattr(user, "organisation", None)
    while unit is not None and unit.parent_id is not None:
        unit = unit.parent
    return unit


def district_code_of(user: Any) -> str | None:
    """The code of the district federation the user's unit belongs to (no query: read off the path)."""
    root = scope_root(user)
    if root is None:
        return None
    above = root.ancestor_codes
    return above[0] if above else root.code


def visible_cycles(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    code = district_code_of(user)
    return queryset.none() if code is None else queryset.filter(district__code=code)


def get_cycle(user: Any, queryset: QuerySet[Any], year: int) -> Any:
    """The year's cycle of the user's district (else 404: another district's cycle does not exist for them)."""
    cycle = visible_cycles(user, queryset).filter(year=year).first()
    if cycle is None:
        raise Http404
    return cycle


def sees_others_assessments(user: Any) -> bool:
    """Whether the user's subtree holds units other than their own: a grassroots or direct union's people
    see only their own assessment, so a cycle's progress is for them that one assessment."""
    root = scope_root(user)
    return root is not None and root.tier in TIERS_WITH_UNITS_UNDER_THEM


def may_review_some(user: Any) -> bool:
    """Whether the user reviews anyone at all (can_review decides which): assessors and secondary cadres."""
    root = scope_root(user)
    if root is None:
        return False
    return user.role == Role.ASSESSOR or (user.role == Role.CADRE and root.tier == "secondary")


def reviewable_assessments(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """can_review as one query: the assessments of the queryset the user may review (their state aside)."""
    root = scope_root(user)
    if root is None:
        return queryset.none()
    visible = visible_assessments(user, queryset)
    if user.role == Role.ASSESSOR:
        given_to_them = Q(reviewer__isnull=True) | Q(reviewer=user)
        return visible.filter(given_to_them, tier__in=REVIEWED_BY_THE_DISTRICT)
    if user.role == Role.CADRE:  # the units just below their own, that the district does not review
        return visible.exclude(tier__in=REVIEWED_BY_THE_DISTRICT).filter(organisation__parent_id=root.pk)
    return queryset.none()


def visible_assessments_of(user: Any, cycle: Any) -> QuerySet[Any]:
    """visible_assessments of one cycle. Someone whose unit is the cycle's district sees all of it: the path
    test, which would join every unit of a 30,000-unit district to count them, is left out for them."""
    root = scope_root(user)
    if root is not None and root.pk == cycle.district_id:
        return cycle.assessments.all()
    return visible_assessments(user, cycle.assessments.all())
