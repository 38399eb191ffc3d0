from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.versions import Versioned


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    ASSESSOR = "assessor", _("Assessor (考核组成员)")
    CADRE = "cadre", _("Unit cadre")


class UserWithUnitManager(UserManager["User"]):
    def get_queryset(self) -> models.QuerySet[User]:
        # Every page needs the signed-in user's unit to decide access: fetch it with the user.
        return super().get_queryset().select_related("organisation")


class User(Versioned, AbstractUser):
    """A person who signs in. What they may see and do follows from role and unit (kaohe.access)."""

    # Chinese names are one string: kaohe keeps the whole name here, and calls it so (admin, messages).
    first_name = models.CharField(_("Full name"), max_length=150, blank=True)

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CADRE)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("A district administrator or assessor belongs to the district federation."),
    )

    objects: ClassVar[UserWithUnitManager] = UserWithUnitManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
