from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="organisations:tree"), name="home"),
    path("accounts/", include("kaohe.accounts.urls")),
    path("units/", include("kaohe.organisations.urls")),
    path("standard/", include("kaohe.standard.urls")),
    path("records/", include("kaohe.records.urls")),
    path("figures/", include("kaohe.figures.urls")),
    path("assessments/", include("kaohe.assessments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
