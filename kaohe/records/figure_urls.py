from django.urls import path

from kaohe.records import figure_views

app_name = "figures"
urlpatterns = [
    path("", figure_views.overview, name="overview"),
    path("export.xlsx", figure_views.overview_export, name="export"),
    path("<str:code>/", figure_views.unit_figures, name="unit"),
]
