"""The records (台账) units keep: the single source of every figure the standard counts (figures.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.versions import Versioned


class ActivityCategory(models.TextChoices):
    LECTURE = "lecture", _("Lecture hall")
    TRAINING = "training", _("Thematic training")
    LEADING_GROUP_MEETING = "leading_group_meeting", _("Leading-group meeting")
    OFFICE_MEETING = "office_meeting", _("Creation-office meeting")
    EXCHANGE_MEETING = "exchange_meeting", _("Experience-exchange meeting")
    LIFELONG_LEARNING = "lifelong_learning", _("Lifelong-learning activity")
    WORKER_ACTIVITY = "worker_activity", _("Worker activity")
    PUBLIC_WELFARE = "public_welfare", _("Public-welfare activity")
    SELECTION = "selection", _("Selection and commendation")


# 活动类别 as written in import files (part of the file format, never translated), with the long name the
# standard uses for the lecture hall.
ACTIVITY_CATEGORY_BY_FILE_NAME: dict[str, str] = {
    "大讲堂": ActivityCategory.LECTURE,
    "职工素质教育大讲堂": ActivityCategory.LECTURE,
    "专题培训": ActivityCategory.TRAINING,
    "领导小组会议": ActivityCategory.LEADING_GROUP_MEETING,
    "创建办公室会议": ActivityCategory.OFFICE_MEETING,
    "经验交流会": ActivityCategory.EXCHANGE_MEETING,
    "终身学习活动": ActivityCategory.LIFELONG_LEARNING,
    "职工活动": ActivityCategory.WORKER_ACTIVITY,
    "社会公益活动": ActivityCategory.PUBLIC_WELFARE,
    "评选表彰": ActivityCategory.SELECTION,
}


class DocumentKind(models.TextChoices):
    POLICY = "policy", _("Policy document")
    RULES = "rules", _("Rules")
    FIVE_YEAR_PLAN = "five_year_plan", _("Five-year plan")
    ANNUAL_PLAN = "annual_plan", _("Annual plan")
    ANNUAL_SUMMARY = "annual_summary", _("Annual summary")
    RESEARCH = "research", _("Research result")
    CASES = "cases", _("Case collection")
    EXEMPLARS = "exemplars", _("Collection of exemplary deeds")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class Team(models.TextChoices):
    MANAGEMENT = "management", _("Management team")
    TEACHERS = "teachers", _("Full- and part-time teachers")
    VOLUNTEERS = "volunteers", _("Volunteers")


class HonourLevel(models.TextChoices):
    DISTRICT = "district", _("District level")
    MUNICIPAL = "municipal", _("Municipal level")
    NATIONAL = "national", _("National level")


class RecordQuerySet(models.QuerySet[Any]):
    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Fills any fingerprint the caller left empty, as save() does: bulk writers (the demo) skip save()."""
        records = list(objs)
        for record in records:
            if not record.fingerprint:
                record.fingerprint = _kind_of(record).fingerprint(record)
        return super().bulk_create(records, *args, **kwargs)


class Record(Versioned):
    """What every record has: the unit it belongs to, who entered it when, the fingerprint of its identity and
    its version, which edit forms carry (kaohe.versions)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A digest of the kind's identity (kinds.py: the unit and the columns that make two records the same), so
    # that an import asks the database which of its rows are recorded already, a few hundred at a time, through
    # one index, instead of reading every record of the system. Not unique: a person may add a duplicate on
    # purpose, and older data may hold some.
    fingerprint = models.CharField(max_length=32, default="", editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The actions set the fingerprint already (to look for a duplicate); this keeps it true for any writer.
        self.fingerprint = _kind_of(self).fingerprint(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fingerprint"}
        super().save(*args, **kwargs)


def _kind_of(record: Record) -> Any:
    from kaohe.records.kinds import kind_of  # the registry imports these models

    return kind_of(record)


class Activity(Record):
    category = models.CharField(_("activity category"), max_length=30, choices=ActivityCategory.choices)
    name = models.CharField(_("activity name"), max_length=200)
    date = models.DateField(_("activity date"))
    participants = models.PositiveIntegerField(_("participants"), validators=[MinValueValidator(0)])
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-id"]
        indexes = [
            # Figures count a year's activities of one category, participants included, so that an index alone
            # answers them: across a district by category first, for a unit's own subtree by unit first.
            # Lists filter a unit by date.
            models.Index(fields=["category", "date", "organisation", "participants"], name="activity_figures"),
            models.Index(fields=["organisation", "category", "date", "participants"], name="activity_unit_figures"),
            models.Index(fields=["organisation", "-date"], name="activity_unit_date"),
            models.Index(fields=["fingerprint"], name="activity_fingerprint"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(participants__gte=0), name="activity_participants_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Document(Record):
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    file = models.FileField(_("file"), upload_to="records/documents/%Y/", blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-date"], name="document_unit_date"),
            models.Index(fields=["fingerprint"], name="document_fingerprint"),
        ]

    def __str__(self) -> str:
        return self.title


class TeamMember(Record):
    team = models.CharField(_("team"), max_length=20, choices=Team.choices)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "name", "id"]
        indexes = [
            models.Index(fields=["organisation", "team"], name="teammember_unit_team"),
            models.Index(fields=["fingerprint"], name="teammember_fingerprint"),
        ]

    def __str__(self) -> str:
        return self.name


class EducationFund(Record):
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    date = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)

    class Meta:
        verbose_name = _("education funds spent")
        verbose_name_plural = _("education funds spent")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["date", "organisation"], name="educationfund_year_unit"),
            models.Index(fields=["fingerprint"], name="educationfund_fingerprint"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="educationfund_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.purpose}"


class Honour(Record):
    level = models.CharField(_("level"), max_length=20, choices=HonourLevel.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["date", "organisation"], name="honour_year_unit"),
            models.Index(fields=["fingerprint"], name="honour_fingerprint"),
        ]

    def __str__(self) -> str:
        return self.title


class LearningStation(Record):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    equipment = models.TextField(_("equipment"), blank=True)

    class Meta:
        verbose_name = _("learning station")
        verbose_name_plural = _("learning stations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["fingerprint"], name="learningstation_fingerprint")]

    def __str__(self) -> str:
        return self.name
