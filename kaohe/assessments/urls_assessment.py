"""One unit's assessment: /assessments/<year>/<unit code>/…, its items by number (6.1, or 8 for the pooled
category), its history and its evidence files."""

from django.urls import path, register_converter

from kaohe.assessments import views_assessment as views
from kaohe.assessments import views_assessment_item as item_views


class ItemNumberConverter:
    """An item as the standard numbers it: 6.1, or a category's number alone (8)."""

    regex = r"[0-9]{1,2}(?:\.[0-9]{1,2})?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ItemNumberConverter, "itemnumber")

ONE = "<int:year>/<str:code>/"
ITEM = ONE + "<itemnumber:item>/"

urlpatterns = [
    path(ONE, views.assessment_page, name="assessment"),
    path(ONE + "submit/", views.submit, name="assessment_submit"),
    path(ONE + "review-complete/", views.complete_review, name="assessment_complete_review"),
    path(ONE + "return/", views.return_page, name="assessment_return"),
    path(ONE + "reopen/", views.reopen_page, name="assessment_reopen"),
    path(ONE + "history/", views.history, name="assessment_history"),
    path(ONE + "evidence/<int:pk>/", views.evidence_file, name="assessment_evidence"),
    path(ITEM, item_views.item_page, name="assessment_item"),
    path(ITEM + "self/", item_views.save_self, name="assessment_item_self"),
    path(ITEM + "review/", item_views.save_review, name="assessment_item_review"),
    path(ITEM + "evidence/", item_views.upload_evidence, name="assessment_item_upload"),
    path(ITEM + "link/", item_views.link_evidence, name="assessment_item_link"),
    path(ITEM + "evidence/<int:pk>/remove/", item_views.remove_evidence, name="assessment_item_remove"),
]
