from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "kaohe.api"
    verbose_name = _("API")

    def ready(self) -> None:
        # drf-spectacular learns how the API authenticates from this extension (in the schema's securitySchemes).
        from kaohe.api import authentication  # noqa: F401
