"""The round's pages: the cycle's (open, progress, assign, publish, past years, paper scoring) and each
unit's assessment (items, evidence, submit, review, return, history)."""

from kaohe.assessments import urls_assessment, urls_cycle

app_name = "assessments"
urlpatterns = urls_cycle.urlpatterns + urls_assessment.urlpatterns
