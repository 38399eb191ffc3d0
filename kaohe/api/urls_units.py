"""Units (the tree, its changes and its import) and the standards they are assessed against."""

from django.urls import path

from kaohe.api import views_standards, views_units

urlpatterns = [
    path("units/", views_units.Units.as_view(), name="units"),
    # Before units/<code>/: as on the pages, "import" names the import, never a unit.
    path("units/import/", views_units.UnitsImport.as_view(), name="units_import"),
    path("units/<str:code>/", views_units.Unit.as_view(), name="unit"),
    path("units/<str:code>/children/", views_units.UnitChildren.as_view(), name="unit_children"),
    path("units/<str:code>/move/", views_units.UnitMove.as_view(), name="unit_move"),
    path("units/<str:code>/deactivate/", views_units.UnitDeactivate.as_view(), name="unit_deactivate"),
    path("units/<str:code>/reactivate/", views_units.UnitReactivate.as_view(), name="unit_reactivate"),
    path("units/<str:code>/history/", views_units.UnitHistory.as_view(), name="unit_history"),
    path("standards/", views_standards.Standards.as_view(), name="standards"),
    path("standards/<slug:slug>/<int:version>/", views_standards.StandardVersion.as_view(), name="standard"),
]
