from django.urls import path

from kaohe.standard import views

app_name = "standard"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("import/", views.import_standard, name="import"),
    path("<slug:slug>/compare/", views.compare_versions, name="compare"),
    path("<slug:slug>/<int:version>/", views.detail, name="detail"),
    path("<slug:slug>/<int:version>/export.xlsx", views.export, name="export"),
    path("<slug:slug>/<int:version>/make-default/", views.make_default, name="make_default"),
]
