"""The tree of units: district federations, secondary unions and grassroots unions (READING.md)."""

from __future__ import annotations

import re
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from kaohe.versions import Versioned

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
CODE_MAX_LENGTH = 40
PATH_SEPARATOR = "/"


class Tier(models.TextChoices):
    """The column of the standard a unit is assessed against (READING.md, "Who is assessed")."""

    DISTRICT = "district", _("District federation")
    SECONDARY = "secondary", _("Secondary union")
    DIRECT = "direct", _("Directly affiliated grassroots union")
    GRASSROOTS = "grassroots", _("Grassroots union")


class Category(models.TextChoices):
    """单位类别, as units are named in import files and on pages."""

    DISTRICT = "district", _("District federation of trade unions")
    TOWNSHIP = "township", _("Township or street federation")
    BUREAU = "bureau", _("Commission, bureau or company union")
    DIRECT = "direct", _("Directly affiliated grassroots union")
    GRASSROOTS = "grassroots", _("Grassroots union")


# 单位类别 as written in import files: part of the file format, so never translated.
CATEGORY_BY_FILE_NAME: dict[str, str] = {
    "区总工会": Category.DISTRICT,
    "乡镇街道总工会": Category.TOWNSHIP,
    "委局公司工会": Category.BUREAU,
    "区直属基层工会": Category.DIRECT,
    "基层工会": Category.GRASSROOTS,
}
FILE_NAME_OF_CATEGORY: dict[str, str] = {category: name for name, category in CATEGORY_BY_FILE_NAME.items()}


TIER_OF_CATEGORY = {
    Category.DISTRICT: Tier.DISTRICT,
    Category.TOWNSHIP: Tier.SECONDARY,
    Category.BUREAU: Tier.SECONDARY,
    Category.DIRECT: Tier.DIRECT,
    Category.GRASSROOTS: Tier.GRASSROOTS,
}

# Which category a unit's parent may have; None means the unit is a root of the tree.
ALLOWED_PARENT_CATEGORIES: dict[str, set[str | None]] = {
    Category.DISTRICT: {None},
    Category.TOWNSHIP: {Category.DISTRICT},
    Category.BUREAU: {Category.DISTRICT},
    Category.DIRECT: {Category.DISTRICT},
    Category.GRASSROOTS: {Category.TOWNSHIP, Category.BUREAU},
}


# Siblings are listed townships first, then bureaus and companies, then direct and grassroots units.
CATEGORY_ORDER = models.Case(
    *(models.When(category=category, then=models.Value(rank)) for rank, category in enumerate(Category)),
    output_field=models.IntegerField(),
)


@models.CharField.register_lookup
class PathPrefix(models.Lookup):  # type: ignore[type-arg]
    """`path__under=root.path`: a path starting with another, letter case included, on every database.

    SQLite's LIKE ignores ASCII case (FACTS.md), while codes are unique case-sensitively: a LIKE prefix
    would put /yx/… inside /YX/ and show one system another's data. GLOB is case-sensitive and, like LIKE,
    answered by the path's index. PostgreSQL's LIKE is case-sensitive already: Django's startswith there.
    """

    lookup_name = "under"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Codes hold no GLOB wildcards (CODE_PATTERN), but a bracket makes any such character plain.
        pattern = re.sub(r"([*?\[])", r"[\1]", str(self.rhs)) + "*"
        return f"{lhs} GLOB %s", [*lhs_params, pattern]


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def subtree_of(self, root: Organisation) -> OrganisationQuerySet:
        """The unit and every unit under it: one indexed prefix match on the path, letter case included."""
        return self.filter(path__under=root.path)

    def in_display_order(self) -> OrganisationQuerySet:
        return self.order_by("-is_active", CATEGORY_ORDER, "code")

    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)


class Organisation(Versioned):
    code = models.CharField(
        _("unit code"),
        max_length=CODE_MAX_LENGTH,
        unique=True,
        validators=[RegexValidator(CODE_PATTERN)],
        help_text=_("Letters, digits, '.', '_' and '-'; the key that imports match on."),
    )
    name = models.CharField(_("unit name"), max_length=100)
    category = models.CharField(_("unit category"), max_length=20, choices=Category.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Codes from the root down, e.g. "/D01/S03/G0117/": a unit's subtree is every path starting with its own.
    path = models.CharField(max_length=(CODE_MAX_LENGTH + 1) * 12, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    members = models.PositiveIntegerField(_("members"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(members__gte=0), name="organisation_members_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def tier(self) -> Tier:
        return TIER_OF_CATEGORY[Category(self.category)]

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of the units above this one, root first (no query: read off the path)."""
        return [code for code in self.path.split(PATH_SEPARATOR) if code][:-1]

    @property
    def parent_code(self) -> str | None:
        """The code of the unit directly above (no query); None for a root of the tree."""
        above = self.ancestor_codes
        return above[-1] if above else None

    def is_within(self, root: Organisation) -> bool:
        return self.path.startswith(root.path)


def is_code(text: str) -> bool:
    """Whether the text could be a unit's code (no query): what a file or an address names is checked first."""
    # fullmatch: re.match's $ would let a code end in a line break.
    return len(text) <= CODE_MAX_LENGTH and re.fullmatch(CODE_PATTERN, text) is not None


def path_for(parent_path: str, code: str) -> str:
    return f"{parent_path or PATH_SEPARATOR}{code}{PATH_SEPARATOR}"
