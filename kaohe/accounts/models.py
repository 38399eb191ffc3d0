from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.versions import Versioned

PHONE_MAX_LENGTH = 20


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    ASSESSOR = "assessor", _("Assessor (考核组成员)")
    CADRE = "cadre", _("Unit cadre")


class UserWithUnitManager(UserManager["User"]):
    def get_queryset(self) -> models.QuerySet[User]:
        # Every page needs the signed-in user's unit to decide access: fetch it with the user. And its parents
        # up to the district federation (units are at most two levels below it), whose name heads every page.
        return super().get_queryset().select_related("organisation__parent__parent")


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
    phone = models.CharField(_("phone"), max_length=PHONE_MAX_LENGTH, blank=True)
    # Set when someone else chose the password (an import's initial password, a manager's reset): until the
    # person picks their own, every page sends them to the password page (accounts/middleware.py).
    must_change_password = models.BooleanField(_("must change password"), default=False, db_default=False)

    objects: ClassVar[UserWithUnitManager] = UserWithUnitManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class ApiToken(models.Model):
    """A key a program signs in with, acting as its person. Only its SHA-256 is stored: the key is shown
    once, when made, and whoever reads the database cannot sign in with what they read. A key is 256 random
    bits, so a fast hash is enough (a slow one protects guessable passwords, and would cost every request)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The key's first characters, shown in the list so that its owner knows which key is which.
    prefix = models.CharField(_("starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The throttle's fixed window (kaohe/api/throttling.py): the minute (since the epoch) of the key's latest
    # request and how many requests it made in that minute. On the row itself, so that every app server
    # counts the same requests at the cost of one UPDATE, which also sets last_used_at.
    throttle_minute = models.BigIntegerField(default=0, db_default=0, editable=False)
    throttle_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
