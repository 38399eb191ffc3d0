"""The records (台账) units keep: the single source of every figure the standard counts (figures.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, router, transaction
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
    """Bulk writes keep what save() keeps: the fingerprints, and the yearly totals the figures read (totals.py),
    in the same transaction as the records."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Fills any fingerprint the caller left empty, as save() does: bulk writers (the demo) skip save()."""
        records = list(objs)
        for record in records:
            if not record.fingerprint:
                record.fingerprint = _kind_of(record).fingerprint(record)
        totals = _totals()
        if not totals.counts(self.model):
            return super().bulk_create(records, *args, **kwargs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(records, *args, **kwargs)
            if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
                # Which rows went in is not known: the units' totals are made again from their records.
                totals.rebuild(sorted({record.organisation_id for record in created}))
            else:
                totals.add_records(self.model, created, self.db)
        return created

    def update(self, **kwargs: Any) -> int:
        totals = _totals()
        if not totals.changes_counted_fields(self.model, kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            changed = self.model._base_manager.using(self.db).filter(pk__in=pks)
            totals.add_query(changed, sign=-1)
            count = super().update(**kwargs)
            totals.add_query(changed)
        return count

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        totals = _totals()
        if not totals.counts(self.model):
            return super().delete()
        with transaction.atomic(using=self.db):
            totals.add_query(self.all(), sign=-1)
            return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


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
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "fingerprint"}
        totals = _totals()
        counted = totals.counts(type(self))
        if not counted or (update_fields is not None and not totals.changes_counted_fields(type(self), update_fields)):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # The yearly totals move with the record, in its transaction: what it added as stored, what it adds now.
        with transaction.atomic(using=using):
            before = totals.stored_contribution(self)
            super().save(*args, **kwargs)
            totals.replace(before, totals.contribution(self), using)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        totals = _totals()
        if not totals.counts(type(self)):
            return super().delete(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            before = totals.stored_contribution(self)
            deleted = super().delete(*args, **kwargs)
            totals.replace(before, None, using)
        return deleted


def _kind_of(record: Record) -> Any:
    from kaohe.records.kinds import kind_of  # the registry imports these models

    return kind_of(record)


def _totals() -> Any:
    from kaohe.records import totals  # it reads these models

    return totals


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


class YearTotals(models.Model):
    """What a unit's own records of one calendar year add up to, as the figures count them (totals.py keeps
    them, kaohe.figures.compute reads them): one row per unit and year that has any."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    lectures = models.IntegerField(default=0)
    trainings = models.IntegerField(default=0)
    leading_group_meetings = models.IntegerField(default=0)
    office_meetings = models.IntegerField(default=0)
    exchange_meetings = models.IntegerField(default=0)
    participants = models.BigIntegerField(default=0)  # of the lectures, person-times
    funds_fen = models.BigIntegerField(default=0)  # education funds in fen: exact sums on every database
    honours_district = models.IntegerField(default=0)
    honours_municipal = models.IntegerField(default=0)
    honours_national = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="yeartotals_unit_year")]
        # A district's figures read a year's rows of thousands of units.
        indexes = [models.Index(fields=["year", "organisation"], name="yeartotals_year_unit")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"
