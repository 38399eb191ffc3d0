"""What the round's endpoints answer and read, as exact types (kaohe/api/views_cycles.py, views_assessments.py).

Answers are built as plain dicts by the views and passed through these serializers, so that every response
matches the schema by construction. Final scores, their reasons and the reviewer's comments are left out
(the keys are absent, not null) for whoever may not see them yet (kaohe.access.can_see_final_scores): the
unit itself until the cycle is published, exactly as its pages hide them.

The input serializers only describe, for the schema, what the page's own forms read (kaohe.api.inputs).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kaohe.assessments.forms_cycle import MAX_UNITS_CHOSEN, SEARCH_MAX_LENGTH, YEAR_MAX, YEAR_MIN
from kaohe.assessments.models import Status
from kaohe.assessments.queries_cycle import OVERDUE_REVIEW, OVERDUE_SELF
from kaohe.limits import LONG_TEXT_MAX_LENGTH
from kaohe.organisations.models import Tier

# The review's fields a reader sees only with the final scores (an item's, a list row's, the assessment's).
FINAL_FIELDS = ("final_score", "reason", "comment", "final_total", "grade")


def score_field(**kwargs: Any) -> serializers.DecimalField:
    """A score or a total: one decimal, at most 99,999.9 (a column's points add up to a hundred)."""
    return serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False, **kwargs)


class FinalHidden(serializers.Serializer):
    """Leaves out FINAL_FIELDS unless the reader sees final scores: as the object says (`sees_final`, a row of
    a list of several units), else as the serializer's context says (the items of one assessment)."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        given = isinstance(instance, dict) and "sees_final" in instance
        if not (instance["sees_final"] if given else self.context.get("sees_final", False)):
            for name in FINAL_FIELDS:
                data.pop(name, None)
        return data


# References -------------------------------------------------------------------------------------------------


class UnitRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField(help_text="district, secondary, direct or grassroots")


class PersonRef(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(help_text="The full name, or the username where none is given.")


class StandardRef(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()


# Cycles -----------------------------------------------------------------------------------------------------


class Band(serializers.Serializer):
    grade = serializers.CharField()
    lowest = serializers.FloatField(help_text="The lowest total of the grade.")


class CycleCounts(serializers.Serializer):
    units = serializers.IntegerField(help_text="Assessments the key's person sees in the cycle.")
    with_units = serializers.IntegerField(help_text="Not started, drafting or returned.")
    submitted = serializers.IntegerField()
    reviewed = serializers.IntegerField()
    published = serializers.IntegerField()


class CycleOut(serializers.Serializer):
    year = serializers.IntegerField()
    name = serializers.CharField()
    district = UnitRef(allow_null=True)
    standard = StandardRef()
    self_deadline = serializers.DateField(allow_null=True)
    review_deadline = serializers.DateField(allow_null=True)
    bands = Band(many=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True, help_text="The first publication.")
    imported = serializers.BooleanField(help_text="Brought in from a past year's file of final scores.")
    state = serializers.ChoiceField(choices=["open", "published", "correcting", "imported"])
    state_label = serializers.CharField()
    counts = CycleCounts()
    version = serializers.IntegerField()


class StatusCount(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.values)
    label = serializers.CharField()
    count = serializers.IntegerField()


class TierCount(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.values)
    label = serializers.CharField()
    total = serializers.IntegerField()
    by_status = StatusCount(many=True)


class Overdue(serializers.Serializer):
    self_count = serializers.IntegerField(help_text="Still filling in after the self-assessment deadline.")
    review_count = serializers.IntegerField(help_text="Submitted and not reviewed after the review deadline.")


class Progress(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCount(many=True)
    tiers = TierCount(many=True)
    overdue = Overdue()


class CycleRights(serializers.Serializer):
    may_run = serializers.BooleanField(help_text="Assign, publish, reopen: the district's administrators.")
    may_review = serializers.BooleanField(help_text="Reviews some of the cycle's units.")


class CycleDetailOut(CycleOut):
    progress = Progress(help_text="Counts per state and tier of the assessments the key's person sees.")
    rights = CycleRights()


class ProgressRowOut(FinalHidden):
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.values, help_text="As the cycle opened it.")
    tier_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.values)
    status_label = serializers.CharField()
    overdue = serializers.BooleanField()
    self_total = score_field(allow_null=True)
    final_total = score_field(
        allow_null=True, required=False, help_text="Fixed once published; before, the final scores so far."
    )
    grade = serializers.CharField(required=False, allow_blank=True)
    reviewer = serializers.CharField(help_text="The assessor given it (or every assessor), or the union above.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class PublishOut(serializers.Serializer):
    published = serializers.IntegerField(help_text="Assessments published by this request.")
    cycle = CycleDetailOut()


class AssignOut(serializers.Serializer):
    changed = serializers.IntegerField(help_text="Assessments whose assessor changed.")
    assessor = PersonRef(allow_null=True, help_text="null: back with every assessor of the district.")
    units = serializers.ListField(child=serializers.CharField())


# Assessments ------------------------------------------------------------------------------------------------


class FigureOut(serializers.Serializer):
    """A figure behind a proposal as stored when the proposal was last worked out (opening, submission)."""

    key = serializers.CharField()
    item = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="A count, yuan, or a rate (0.8 is 80 %).")
    target = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class EvidenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    requirement = serializers.IntegerField(allow_null=True, help_text="Its position; null: the item as a whole.")
    kind = serializers.ChoiceField(choices=["file", "record"])
    file_name = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField(allow_blank=True, help_text="Read from the file's content.")
    size = serializers.IntegerField(allow_null=True)
    download = serializers.CharField(allow_null=True, help_text="The file's address in the API; null for a record.")
    record = serializers.CharField(allow_blank=True, help_text="kind:id, as linked; empty for a file.")
    record_label = serializers.CharField(allow_blank=True)
    record_deleted = serializers.BooleanField(help_text="The record linked was deleted since.")
    note = serializers.CharField(allow_blank=True)
    added_by = PersonRef(allow_null=True)
    added_at = serializers.DateTimeField()


class ItemOut(FinalHidden):
    number = serializers.CharField(help_text="6.1; 8 for category 8, scored once.")
    title = serializers.CharField(allow_blank=True, help_text="What the standard asks (category 8: its title).")
    points = score_field()
    proposed = score_field(allow_null=True, help_text="From the figures; null where no rule counts records.")
    figures = FigureOut(many=True)
    self_score = score_field(allow_null=True)
    explanation = serializers.CharField(allow_blank=True)
    final_score = score_field(allow_null=True, required=False)
    reason = serializers.CharField(allow_blank=True, required=False)
    comment = serializers.CharField(allow_blank=True, required=False)
    evidence_count = serializers.IntegerField()
    evidence = EvidenceOut(many=True)
    version = serializers.IntegerField()


class Deadline(serializers.Serializer):
    label = serializers.CharField()
    day = serializers.DateField()
    days_left = serializers.IntegerField(help_text="Negative: overdue by so many days.")


class ReturnOut(serializers.Serializer):
    round = serializers.IntegerField()
    comment = serializers.CharField(allow_blank=True)
    item_comments = serializers.DictField(child=serializers.CharField(), help_text="item number → comment")
    returned_by = PersonRef(allow_null=True)
    returned_at = serializers.DateTimeField()


class AssessmentRights(serializers.Serializer):
    may_self_assess = serializers.BooleanField()
    may_review = serializers.BooleanField()
    may_return = serializers.BooleanField()
    may_reopen = serializers.BooleanField()
    sees_final = serializers.BooleanField(help_text="Final scores, their reasons and comments are shown.")
    is_own = serializers.BooleanField(help_text="The key's person fills this assessment in.")
    is_reviewer = serializers.BooleanField()


class AssessmentOut(FinalHidden):
    year = serializers.IntegerField()
    cycle = serializers.CharField(help_text="The cycle's name.")
    unit = UnitRef()
    status = serializers.ChoiceField(choices=Status.values)
    status_label = serializers.CharField()
    version = serializers.IntegerField()
    tier = serializers.ChoiceField(choices=Tier.values, help_text="As the cycle opened it.")
    column = serializers.CharField(help_text="The standard's column it is scored in.")
    round = serializers.IntegerField(help_text="One more each time it was returned.")
    reviewing_unit = UnitRef(allow_null=True, help_text="Whose cadres review it; null: the district's assessors.")
    reviewer = PersonRef(allow_null=True, help_text="The assessor given it; null: any of the district's.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    deadlines = Deadline(many=True)
    self_total = score_field(allow_null=True)
    points_total = score_field()
    final_total = score_field(allow_null=True, required=False)
    grade = serializers.CharField(allow_blank=True, required=False)
    returns = ReturnOut(many=True, help_text="Every time it went back to the unit, latest first.")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="What the unit must still fill in to submit (to its people)."
    )
    rights = AssessmentRights()
    items = ItemOut(many=True)


class RequirementOut(serializers.Serializer):
    position = serializers.IntegerField(help_text="What an evidence's `requirement` holds.")
    item = serializers.CharField()
    number = serializers.IntegerField(help_text="As printed in the column.")
    text = serializers.CharField()
    item_content = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(child=serializers.IntegerField(), help_text="The ids of its evidence.")


class LiveFigureOut(serializers.Serializer):
    """A figure from the unit's records as they are now, in words as the page shows it."""

    key = serializers.CharField()
    item = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField()
    target = serializers.CharField()
    met = serializers.ChoiceField(choices=["true", "false", "none"])
    scope = serializers.CharField()
    basis = serializers.CharField(allow_blank=True)


class ReturnedComment(serializers.Serializer):
    round = serializers.IntegerField()
    comment = serializers.CharField()
    returned_by = PersonRef(allow_null=True)
    returned_at = serializers.DateTimeField()


class RecordChoice(serializers.Serializer):
    value = serializers.CharField(help_text="What to send as `record` to link it.")
    label = serializers.CharField()


class RecordGroup(serializers.Serializer):
    kind = serializers.CharField()
    records = RecordChoice(many=True)


class ItemDetailOut(ItemOut):
    status = serializers.ChoiceField(choices=Status.values, help_text="The assessment's.")
    requirements = RequirementOut(many=True)
    live_figures = LiveFigureOut(many=True)
    live_proposal = score_field(allow_null=True, help_text="Proposed from the records as they are now.")
    empty_year = serializers.BooleanField(help_text="Nothing is recorded for the year yet.")
    returned_comments = ReturnedComment(many=True)
    linkable_records = RecordGroup(
        many=True, help_text="The unit's records it may link as evidence now (empty to others)."
    )
    rights = AssessmentRights()


class ChangeOut(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class NoteOut(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField()


class EventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    who = serializers.CharField()
    actor = serializers.CharField(allow_null=True, help_text="The username; null for the command line.")
    action = serializers.CharField()
    action_label = serializers.CharField()
    item = serializers.CharField(allow_blank=True)
    changes = ChangeOut(many=True)
    notes = NoteOut(many=True)


# Inputs, for the schema -------------------------------------------------------------------------------------

VERSION_HELP = "The version it was read at (its `version`): a save over a newer one is refused (409)."


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, help_text=VERSION_HELP)


def text_field(help_text: str, max_length: int = LONG_TEXT_MAX_LENGTH) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, help_text=help_text)


def _band_fields() -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for number in range(1, 5):
        fields[f"band_{number}_name"] = serializers.CharField(required=False, max_length=20)
        fields[f"band_{number}_lowest"] = serializers.DecimalField(
            max_digits=4, decimal_places=1, min_value=0, max_value=100, required=False, coerce_to_string=False
        )
    return fields


OpenCycleInput = type(
    "OpenCycleInput",
    (serializers.Serializer,),
    {
        "__doc__": "The open page's form; a field left out keeps the value the page offers.",
        "year": serializers.IntegerField(
            min_value=YEAR_MIN, max_value=YEAR_MAX, required=False, help_text="The first year without a cycle."
        ),
        "standard": serializers.IntegerField(required=False, help_text="A version's id; the default version."),
        "self_deadline": serializers.DateField(required=False, allow_null=True),
        "review_deadline": serializers.DateField(required=False, allow_null=True),
        **_band_fields(),
    },
)


class AssignInput(serializers.Serializer):
    assessor = serializers.CharField(
        allow_null=True, required=False, max_length=150, help_text="An assessor's username; null: every assessor."
    )
    units = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=MAX_UNITS_CHOSEN,
        help_text="The codes of units the district's assessors review (secondary, direct, the district).",
    )


class ProgressFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.values, required=False)
    tier = serializers.ChoiceField(choices=Tier.values, required=False)
    system = serializers.CharField(
        required=False, max_length=40, help_text="A secondary union's code: it and the units under it."
    )
    overdue = serializers.ChoiceField(choices=[OVERDUE_SELF, OVERDUE_REVIEW], required=False)
    q = serializers.CharField(required=False, max_length=SEARCH_MAX_LENGTH, help_text="Part of a name or code.")
    reviewer = serializers.CharField(
        required=False, max_length=150, help_text="An assessor's username: the units given to them."
    )


class SelfInput(serializers.Serializer):
    self_score = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=20, help_text="0 to the points, by 0.5."
    )
    explanation = text_field("Left out: kept as it is.")
    version = version_field()


class ReviewInput(serializers.Serializer):
    final_score = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=20, help_text="0 to the points, by 0.5."
    )
    reason = text_field("Needed where the final score differs from the self-score or the proposal.")
    comment = text_field("For the unit.")
    version = version_field()


class EvidenceUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPG or PNG pictures, Word or Excel documents.")
    requirement = serializers.IntegerField(required=False, allow_null=True, help_text="Its position; none: the item.")
    note = text_field("", max_length=200)


class EvidenceLinkInput(serializers.Serializer):
    record = serializers.CharField(max_length=60, help_text="kind:id, one of the item's `linkable_records`.")
    requirement = serializers.IntegerField(required=False, allow_null=True, help_text="Its position; none: the item.")
    note = text_field("", max_length=200)


class ConfirmInput(serializers.Serializer):
    version = version_field()


class ReturnInput(serializers.Serializer):
    comment = text_field("What the unit should change.")
    item_comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH),
        required=False,
        help_text="item number → what to change in it",
    )
    version = version_field()


class ReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, help_text="Why it is reopened.")
    version = version_field()


class HistoryFilter(serializers.Serializer):
    item = serializers.CharField(required=False, max_length=10, help_text="One item's history (6.1, 8).")
