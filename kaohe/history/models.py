"""What happened, by whom, to which unit: written by the action functions, never by views."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    ORGANISATION_CREATED = "organisation.created", _("Unit created")
    ORGANISATION_UPDATED = "organisation.updated", _("Unit edited")
    ORGANISATION_MOVED = "organisation.moved", _("Unit moved")
    ORGANISATION_DEACTIVATED = "organisation.deactivated", _("Unit deactivated")
    ORGANISATION_REACTIVATED = "organisation.reactivated", _("Unit reactivated")
    ORGANISATIONS_IMPORTED = "organisations.imported", _("Units imported")
    PASSWORD_CHANGED = "user.password_changed", _("Password changed")
    STANDARD_LOADED = "standard.loaded", _("Standard loaded")
    STANDARD_MADE_DEFAULT = "standard.made_default", _("Default standard chosen")
    RECORD_CREATED = "record.created", _("Record added")
    RECORD_UPDATED = "record.updated", _("Record edited")
    RECORD_DELETED = "record.deleted", _("Record deleted")
    RECORDS_IMPORTED = "records.imported", _("Records imported")
    ACCOUNT_CREATED = "account.created", _("Account created")
    ACCOUNT_UPDATED = "account.updated", _("Account edited")
    ACCOUNT_DEACTIVATED = "account.deactivated", _("Account deactivated")
    ACCOUNT_REACTIVATED = "account.reactivated", _("Account reactivated")
    PASSWORD_RESET = "account.password_reset", _("Password reset")
    API_TOKEN_CREATED = "account.api_token_created", _("API token created")
    API_TOKEN_REVOKED = "account.api_token_revoked", _("API token revoked")
    CYCLE_OPENED = "cycle.opened", _("Cycle opened")
    CYCLE_PUBLISHED = "cycle.published", _("Cycle published")
    CYCLE_IMPORTED = "cycle.imported", _("Past year brought in")
    REVIEWERS_ASSIGNED = "cycle.reviewers_assigned", _("Assessors assigned")
    SELF_SCORED = "item.self_scored", _("Self-assessment saved")
    EVIDENCE_ADDED = "item.evidence_added", _("Evidence added")
    EVIDENCE_REMOVED = "item.evidence_removed", _("Evidence removed")
    ITEM_REVIEWED = "item.reviewed", _("Final score saved")
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("Self-assessment submitted")
    ASSESSMENT_RETURNED = "assessment.returned", _("Returned to the unit")
    ASSESSMENT_REVIEWED = "assessment.reviewed", _("Review completed")
    ASSESSMENT_PUBLISHED = "assessment.published", _("Published")
    ASSESSMENT_REOPENED = "assessment.reopened", _("Reopened")
    REVIEWS_IMPORTED = "assessment.reviews_imported", _("Final scores imported")
    ACCOUNTS_IMPORTED = "accounts.imported", _("Accounts imported")


class Event(models.Model):
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("unit"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # Before/after values and counts, for people reading the history; never read back by the product.
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history event")
        verbose_name_plural = _("history")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "-at"], name="event_organisation_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
