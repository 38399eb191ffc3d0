from django.contrib.auth import views as auth_views
from django.urls import path

from kaohe.accounts import views
from kaohe.accounts.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_token, name="profile_revoke_token"),
    # The people pages: names start with "people", which the navigation uses to mark its link active.
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="people_create"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/import/template.xlsx", views.people_import_template, name="people_import_template"),
    path(
        "people/import/template-units.xlsx",
        views.people_import_template_for_units,
        name="people_import_template_for_units",
    ),
    path("people/<str:username>/edit/", views.person_edit, name="people_edit"),
    path("people/<str:username>/deactivate/", views.person_set_active, {"active": False}, name="people_deactivate"),
    path("people/<str:username>/reactivate/", views.person_set_active, {"active": True}, name="people_reactivate"),
    path("people/<str:username>/password/", views.person_password, name="people_password"),
]
