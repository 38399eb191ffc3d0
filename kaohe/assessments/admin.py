from django.contrib import admin

from kaohe.assessments.models import Cycle


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "standard")
