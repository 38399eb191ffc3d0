"""Assessment cycles. For now a cycle only names the year and the standard version it runs on, which is
what locks that version; opening a cycle with its assessments is the next issue's (ROADMAP.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cycle(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    standard = models.ForeignKey(
        "standard.Standard", verbose_name=_("standard"), on_delete=models.PROTECT, related_name="cycles"
    )

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name
