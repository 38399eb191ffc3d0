"""The yearly round (READING.md, "How a score is reached" and "The round of a year").

A district's cycle of a year runs on one version of the standard, copied into the cycle when it opens
(`document`), so that later versions never change it. Opening gives every active unit one assessment holding
one row per scored item of its column (category 8 pooled as item "8"), with the proposal worked out from the
unit's figures. Units score themselves (self), the unit above reviews (final), the district publishes.

Every change goes through kaohe.assessments.actions, the only writer of these rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.standard.document import StandardDocument, parse_standard
from kaohe.versions import Versioned

POOLED_ITEM = "8"  # READING.md: category 8 is scored once, its number standing for it in files and exports


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


# States in which the unit writes its self-assessment; in the others it is with the reviewer or fixed.
SELF_ASSESSING = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)


class Cycle(Versioned):
    district = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("district federation"),
        null=True,
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    standard = models.ForeignKey(
        "standard.Standard", verbose_name=_("standard"), on_delete=models.PROTECT, related_name="cycles"
    )
    # The standard's document as it was at opening: what this cycle's pages and scores read.
    document = models.JSONField(default=dict, editable=False)
    self_deadline = models.DateField(_("self-assessment deadline"), null=True, blank=True)
    review_deadline = models.DateField(_("review deadline"), null=True, blank=True)
    # [[grade, lowest total], …] from the best down; READING.md's default unless the district changed them.
    bands = models.JSONField(_("grade bands"), default=list, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    imported = models.BooleanField(_("brought in from a past year's file"), default=False, editable=False)

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="cycle_district_year_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def doc(self) -> StandardDocument:
        return parse_standard(self.document or self.standard.document)

    def grade_of(self, total: Decimal | None) -> str:
        """The band a total falls in: the first whose lowest total it reaches (READING.md's bands)."""
        if total is None:
            return ""
        for grade, lowest in self.bands:
            if total >= Decimal(str(lowest)):
                return str(grade)
        return str(self.bands[-1][0]) if self.bands else ""


class Assessment(Versioned):
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="assessments")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessments"
    )
    # The unit's tier and column when the cycle opened: a unit moved later is still scored as it was opened.
    tier = models.CharField(_("tier"), max_length=20)
    column = models.CharField(_("column"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # The assessor a district administrator gave this unit to; None: any assessor of the district.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned assessor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments_to_review",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)  # one more each time it is returned
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Fixed at publication (READING.md: sum of the final scores, category 8 pooled) and kept with its grade.
    final_total = models.DecimalField(_("final total"), null=True, blank=True, max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cycle", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organisation"], name="assessment_cycle_unit_unique"),
        ]
        indexes = [models.Index(fields=["cycle", "status"], name="assessment_cycle_status")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.organisation}"

    @property
    def is_self_assessing(self) -> bool:
        return self.status in SELF_ASSESSING


class Item(Versioned):
    """One scored item of an assessment: an item of the column, or the pooled category 8."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.CharField(_("item"), max_length=10)  # "6.1"; "8" for the pooled category
    position = models.PositiveSmallIntegerField(default=0)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    # The score the figures propose (READING.md, "The proposal, exactly"); None where no rule counts.
    proposed = models.DecimalField(_("proposed score"), null=True, blank=True, max_digits=5, decimal_places=1)
    # The figures behind the proposal as they stood when it was last worked out, for the reviewer's page.
    figures = models.JSONField(default=list, blank=True, editable=False)
    # The same figures' verdicts in a few characters, "lecture_count=1 lecture_participation_rate=0" (those with
    # a target, by key): what a dashboard groups a district's items by, without reading their JSON. Written
    # with `figures`, always (rule_states_of).
    rule_states = models.CharField(max_length=400, blank=True, default="", editable=False)
    self_score = models.DecimalField(_("self-score"), null=True, blank=True, max_digits=5, decimal_places=1)
    explanation = models.TextField(_("explanation"), blank=True)
    final_score = models.DecimalField(_("final score"), null=True, blank=True, max_digits=5, decimal_places=1)
    reason = models.TextField(_("reason for the final score"), blank=True)
    comment = models.TextField(_("reviewer's comment"), blank=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["assessment", "position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="item_assessment_number_unique")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_pooled(self) -> bool:
        return self.number == POOLED_ITEM


def rule_states_of(figures: Iterable[Mapping[str, Any]]) -> str:
    """An item's `rule_states` from its figures as stored: each figure with a target, met (1) or not (0)."""
    return " ".join(sorted(f"{f['key']}={int(bool(f['met']))}" for f in figures if f.get("met") is not None))


def evidence_path(instance: Any, filename: str) -> str:
    """Content-addressed: the same file uploaded by a hundred units is stored once."""
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class EvidenceFile(models.Model):
    """A file's content, once, named by its SHA-256 through Django's storage API (local disk or S3)."""

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    extension = models.CharField(max_length=10)  # from the content's type, never from the uploaded name
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class Evidence(models.Model):
    """A piece of proof for an item: an uploaded file or a link to one of the unit's records."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="evidence")
    # The number of the requirement it proves, as printed in the column; None: the item as a whole.
    requirement = models.PositiveSmallIntegerField(_("requirement"), null=True, blank=True)
    file = models.ForeignKey(EvidenceFile, null=True, blank=True, on_delete=models.PROTECT, related_name="uses")
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    record_kind = models.CharField(_("record kind"), max_length=20, blank=True)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    record_label = models.CharField(_("record"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item", "requirement", "added_at", "id"]

    def __str__(self) -> str:
        return self.file_name or self.record_label


class Return(models.Model):
    """One time an assessment went back to its unit: the reviewer's comments, kept for every later round."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="returns")
    round = models.PositiveSmallIntegerField(_("round"))
    comment = models.TextField(_("comment"), blank=True)
    item_comments = models.JSONField(default=dict, blank=True)  # item number → comment
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "round"]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.round}"
