from __future__ import annotations

from functools import cached_property

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaohe.standard.document import StandardDocument, parse_standard


class Standard(models.Model):
    """One version of an assessment standard. Its content is fixed once a cycle uses it."""

    slug = models.SlugField(_("identifier"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    # The canonical mapping of kaohe.standard.document.to_data: the YAML schema, stable keys.
    document = models.JSONField()
    content_hash = models.CharField(max_length=64, editable=False)
    source = models.CharField(_("loaded from"), max_length=255, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    # The version a year's figures are counted on until that year has a cycle (kaohe.standard.in_force).
    # Changed only by actions.make_default_standard (and by load_standard on an install that has none).
    is_default = models.BooleanField(_("default"), default=False, editable=False)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="standard_slug_version_unique"),
            # The whole federation has one default, whatever the slug: a year is counted on one version.
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="standard_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.slug} v{self.version}）"

    @cached_property
    def doc(self) -> StandardDocument:
        return parse_standard(self.document)
