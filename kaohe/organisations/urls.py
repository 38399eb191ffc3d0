from django.urls import path

from kaohe.organisations import picker, views

app_name = "organisations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_units, name="import"),
    path("suggest/", picker.suggest, name="suggest"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/new/", views.create, name="create"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/deactivate/", views.set_active, {"active": False}, name="deactivate"),
    path("<str:code>/reactivate/", views.set_active, {"active": True}, name="reactivate"),
    path("<str:code>/export.xlsx", views.export_units, name="export"),
]
