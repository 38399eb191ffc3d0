"""Figures and results (read only): a unit's figures and the system's overview, the published cycles, a
cycle's ranking, a unit's score sheet, and the dashboards' tables."""

from django.urls import path

from kaohe.api import views_figures, views_results

urlpatterns = [
    path("figures/", views_figures.FiguresOverview.as_view(), name="figures_overview"),
    path("figures/<str:code>/", views_figures.UnitFigures.as_view(), name="unit_figures"),
    path("results/", views_results.PublishedCycles.as_view(), name="results"),
    path("results/dashboard/", views_results.Dashboard.as_view(), name="dashboard"),
    path("results/units/<str:code>/", views_results.UnitResults.as_view(), name="unit_results"),
    path("results/<int:year>/ranking/", views_results.CycleRanking.as_view(), name="ranking"),
    path("results/<int:year>/<str:code>/", views_results.ScoreSheet.as_view(), name="score_sheet"),
]
