from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "kaohe.standard"
    verbose_name = _("Assessment standard")
