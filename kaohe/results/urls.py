from django.urls import path

from kaohe.results import views, views_dashboard, views_sheet

app_name = "results"

urlpatterns = [
    path("", views.cycles, name="cycles"),
    path("dashboard/", views_dashboard.district_dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views_dashboard.district_dashboard_export, name="dashboard_export"),
    path("unit/<str:code>/", views_dashboard.unit_results, name="unit"),
    path("unit/<str:code>/export.xlsx", views_dashboard.unit_results_export, name="unit_export"),
    path("<int:year>/", views.ranking, name="ranking"),
    path("<int:year>/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("<int:year>/ranking.pdf", views.ranking_pdf, name="ranking_pdf"),
    path("<int:year>/sheets.pdf", views_sheet.score_sheets_pdf, name="sheets_pdf"),
    path("<int:year>/<str:code>/", views_sheet.score_sheet, name="sheet"),
    path("<int:year>/<str:code>/sheet.pdf", views_sheet.score_sheet_pdf, name="sheet_pdf"),
    path("<int:year>/<str:code>/sheet.xlsx", views_sheet.score_sheet_export, name="sheet_export"),
]
