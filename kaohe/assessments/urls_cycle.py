"""The cycle's pages (helper "cycle"). Listed before the unit pages (<year>/<code>/), so that these words are
never read as a unit's code."""

from django.urls import path

from kaohe.assessments import views_cycle, views_cycle_import

urlpatterns = [
    path("", views_cycle.cycle_list, name="cycles"),
    path("open/", views_cycle.open_cycle, name="open"),
    path("import/", views_cycle_import.import_past, name="import_past"),
    path("<int:year>/", views_cycle.progress, name="progress"),
    path("<int:year>/export.xlsx", views_cycle.progress_export, name="progress_export"),
    path("<int:year>/assign/", views_cycle.assign, name="assign"),
    path("<int:year>/publish/", views_cycle.publish, name="publish"),
    path("<int:year>/review-sheet.xlsx", views_cycle_import.review_sheet, name="review_sheet"),
    path("<int:year>/review-sheet/", views_cycle_import.review_sheet_upload, name="review_sheet_upload"),
]
