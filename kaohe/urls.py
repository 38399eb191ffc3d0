from django.contrib import admin
from django.urls import include, path

from kaohe import views
from kaohe.assessments import views_todo

urlpatterns = [
    path("", views_todo.home, name="home"),
    path("accounts/", include("kaohe.accounts.urls")),
    path("units/", include("kaohe.organisations.urls")),
    path("standard/", include("kaohe.standard.urls")),
    path("records/", include("kaohe.records.urls")),
    path("figures/", include("kaohe.figures.urls")),
    path("assessments/", include("kaohe.assessments.urls")),
    path("results/", include("kaohe.results.urls")),
    path("api/", include("kaohe.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
]

# kaohe's own error pages, in the reader's language (kaohe/views.py).
handler400 = "kaohe.views.bad_request"
handler403 = "kaohe.views.permission_denied"
handler404 = "kaohe.views.page_not_found"
handler500 = "kaohe.views.server_error"
