from django.urls import path
from django.views.generic import RedirectView

from kaohe.records import import_views, views

app_name = "records"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="records:list", permanent=False), {"kind": "activities"}, name="home"),
    path("<slug:kind>/", views.record_list, name="list"),
    path("<slug:kind>/new/", views.record_create, name="create"),
    path("<slug:kind>/export.xlsx", views.record_export, name="export"),
    path("<slug:kind>/import/", import_views.import_records, name="import"),
    path("<slug:kind>/import/template.xlsx", import_views.import_template, name="import_template"),
    path("<slug:kind>/<int:pk>/edit/", views.record_edit, name="edit"),
    path("<slug:kind>/<int:pk>/delete/", views.record_delete, name="delete"),
    path("<slug:kind>/<int:pk>/file/", views.record_file, name="file"),
]
