from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running kaohe in production: the server, backups and load measurements (management commands only)."""

    name = "kaohe.operations"
    verbose_name = _("Operations")
