from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from kaohe.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("organisation",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role in kaohe"), {"fields": ("role", "organisation", "phone", "must_change_password")}),
    )
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Role in kaohe"), {"fields": ("role", "organisation")}))
