"""The API under /api/: the schema and its documentation (public: they hold no data), then one module of
routes per concept users name, each calling the same access rules and action functions as the pages."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kaohe.api import views_me

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("me/", views_me.Me.as_view(), name="me"),
    path("", include("kaohe.api.urls_units")),
    path("", include("kaohe.api.urls_records")),
    path("", include("kaohe.api.urls_assessments")),
    path("", include("kaohe.api.urls_results")),
]
