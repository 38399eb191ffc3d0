"""What the API says of units, standards and their history, and what it reads for them beyond the pages'
forms: the filters of its lists and the edit's body as the schema shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kaohe.forms import StyledFormMixin, UnitChoiceField, offer_units_of
from kaohe.limits import LARGEST_COUNT
from kaohe.organisations.models import Category, Organisation, Tier
from kaohe.organisations.queries import Totals
from kaohe.standard.document import TIERS

YES_OR_NO = [("true", "true"), ("false", "false")]


def yes_or_no(label: Any, help_text: Any) -> forms.TypedChoiceField:
    """A boolean of a query: "true" or "false", anything else refused (a checkbox would read junk as false)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_OR_NO,
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )


# Units ----------------------------------------------------------------------------------------------------


class UnitsFilterForm(StyledFormMixin, forms.Form):
    """GET units/: the units of the key's person's subtree, narrowed."""

    under = UnitChoiceField(required=False, help_text=_("A unit's code: that unit and every unit under it."))
    children_of = UnitChoiceField(required=False, help_text=_("A unit's code: only the units directly under it."))
    tier = forms.ChoiceField(choices=[("", "—"), *Tier.choices], required=False)
    active = yes_or_no(_("active"), _("true: only active units; false: only deactivated ones."))
    q = forms.CharField(required=False, max_length=100, help_text=_("Part of a unit's name or code."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_units_of(self, user)


class UnitChildrenFilterForm(StyledFormMixin, forms.Form):
    """GET units/<code>/children/: the tree shows active units; the unit's page shows deactivated ones too."""

    include_inactive = yes_or_no(
        _("Include the deactivated units"), _("true: deactivated units too, after the active ones.")
    )


class UnitOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.values)
    tier = serializers.ChoiceField(choices=Tier.values, help_text="The column of the standard it is assessed against.")
    parent = serializers.CharField(source="parent_code", allow_null=True, help_text="The code of the unit above.")
    members = serializers.IntegerField(min_value=0, max_value=LARGEST_COUNT)
    is_active = serializers.BooleanField()
    depth = serializers.IntegerField(min_value=0, help_text="0 for a district federation, 1 under it, …")
    version = serializers.IntegerField(min_value=1, help_text="Send it back with an edit or a move.")


class UnitChildOut(UnitOut):
    """A unit as a row of the tree: with the totals of its own subtree."""

    units_below = serializers.IntegerField(source="totals.units", min_value=0, help_text="Active units under it.")
    members_in_all = serializers.IntegerField(
        source="totals.members", min_value=0, help_text="Its members and those of every active unit under it."
    )


@dataclass
class UnitSeen:
    """A unit with what its page shows beside it; reads as the unit for everything else."""

    unit: Organisation
    children: int
    active_children: int
    totals: Totals
    may_edit: bool
    may_add_units: bool
    may_move: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unit, name)


class UnitDetailOut(UnitChildOut):
    children = serializers.IntegerField(min_value=0, help_text="Units directly under it, deactivated ones included.")
    active_children = serializers.IntegerField(min_value=0, help_text="Active units directly under it.")
    may_edit = serializers.BooleanField(help_text="Whether the key may edit it (PATCH).")
    may_add_units = serializers.BooleanField(help_text="Whether the key may add units under it.")
    may_move = serializers.BooleanField(help_text="Whether the key may move, deactivate and reactivate it.")


class UnitEditInput(serializers.Serializer):
    """PATCH units/<code>/ as the schema shows it: the edit page's form reads it; a field left out keeps its value."""

    name = serializers.CharField(max_length=100, required=False)
    category = serializers.ChoiceField(
        choices=Category.values, required=False, help_text="Only by someone above the unit; one that fits its parent."
    )
    members = serializers.IntegerField(min_value=0, max_value=LARGEST_COUNT, required=False)
    version = serializers.IntegerField(min_value=0, help_text="The version read (GET units/<code>/).")


class UnitMoveInput(serializers.Serializer):
    new_parent = serializers.CharField(max_length=100, help_text="The code (or name) of the unit it will belong to.")
    version = serializers.IntegerField(min_value=0, help_text="The version read (GET units/<code>/).")


class UnitsImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="The units file (.xlsx or .csv), as on the import page.")


class UnitsImportOut(serializers.Serializer):
    file = serializers.CharField()
    created = serializers.IntegerField(min_value=0)
    updated = serializers.IntegerField(min_value=0)
    unchanged = serializers.IntegerField(min_value=0)


class UnitEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    actor = serializers.CharField(source="actor.username", allow_null=True, help_text="null: the system.")


# Standards ------------------------------------------------------------------------------------------------


class StandardCycleRef(serializers.Serializer):
    year = serializers.IntegerField()
    name = serializers.CharField()


class StandardOut(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField(min_value=1)
    title = serializers.CharField()
    is_default = serializers.BooleanField(help_text="Years without a cycle are counted on the default version.")
    sha256 = serializers.CharField(source="content_hash", help_text="Of the document's canonical JSON.")
    loaded_at = serializers.DateTimeField()
    locked = serializers.BooleanField(help_text="A cycle uses it: its content can no longer change.")
    cycles = StandardCycleRef(
        many=True, source="cycles_seen", help_text="The cycles of the key's district that use it."
    )


COLUMNS = "one of " + ", ".join(TIERS)  # the standard's columns: a unit's tier but grassroots


class StandardTiersOut(serializers.Serializer):
    district = serializers.CharField()
    secondary = serializers.CharField()
    direct = serializers.CharField()


class StandardRequirementOut(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()


class StandardRequirementsOut(serializers.Serializer):
    district = StandardRequirementOut(many=True)
    secondary = StandardRequirementOut(many=True)
    direct = StandardRequirementOut(many=True)


class StandardTargetOut(serializers.Serializer):
    kind = serializers.CharField(help_text="constant, multiple or share")
    value = serializers.FloatField(required=False, help_text="kind constant: the number to reach.")
    factor = serializers.FloatField(required=False, help_text="kind multiple: times `of`.")
    ratio = serializers.FloatField(required=False, help_text="kind share: the share of `of`.")
    of = serializers.CharField(required=False, help_text="kind multiple or share: what it is counted on.")


class StandardRuleOut(serializers.Serializer):
    indicator = serializers.CharField()
    tier = serializers.CharField(help_text=COLUMNS)
    comparison = serializers.CharField(allow_null=True)
    target = StandardTargetOut(allow_null=True)


class StandardItemOut(serializers.Serializer):
    number = serializers.CharField()
    content = serializers.CharField()
    points = serializers.FloatField(allow_null=True, help_text="null inside a pooled category.")
    requirements = StandardRequirementsOut()
    rules = StandardRuleOut(many=True)


class StandardCategoryOut(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    points = serializers.FloatField()
    pooled = serializers.BooleanField()
    items = StandardItemOut(many=True)


class StandardDocumentOut(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    total_points = serializers.FloatField()
    tiers = StandardTiersOut()
    grassroots_column = serializers.CharField(help_text="The column a grassroots union is assessed against: " + COLUMNS)
    categories = StandardCategoryOut(many=True)


class StandardDetailOut(StandardOut):
    document = StandardDocumentOut(help_text="As stored: the YAML schema's canonical mapping.")
