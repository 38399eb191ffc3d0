from django.urls import path

from kaohe.figures import views

app_name = "figures"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="export"),
    path("<str:code>/", views.unit_figures, name="unit"),
]
