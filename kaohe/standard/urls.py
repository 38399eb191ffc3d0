from django.urls import path

from kaohe.standard import views

app_name = "standard"
urlpatterns = [
    path("", views.standard_list, name="list"),
]
