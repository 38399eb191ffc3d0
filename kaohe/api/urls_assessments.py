"""The round: /api/cycles/… (a district's years) and /api/assessments/<year>/<unit code>/… (one unit's
assessment, its items by number: 6.1, or 8 for the pooled category)."""

from django.urls import path

from kaohe.api import views_assessments as assessments
from kaohe.api import views_cycles as cycles
from kaohe.assessments import urls_assessment  # noqa: F401  (registers the `itemnumber` converter)

CYCLE = "cycles/<int:year>/"
ONE = "assessments/<int:year>/<str:code>/"
ITEM = ONE + "items/<itemnumber:item>/"

urlpatterns = [
    path("cycles/", cycles.Cycles.as_view(), name="cycles"),
    path(CYCLE, cycles.CycleDetail.as_view(), name="cycle"),
    path(CYCLE + "publish/", cycles.CyclePublish.as_view(), name="cycle_publish"),
    path(CYCLE + "assign/", cycles.CycleAssign.as_view(), name="cycle_assign"),
    path(CYCLE + "assessments/", cycles.CycleAssessments.as_view(), name="cycle_assessments"),
    path(ONE, assessments.AssessmentDetail.as_view(), name="assessment"),
    path(ONE + "submit/", assessments.AssessmentSubmit.as_view(), name="assessment_submit"),
    path(ONE + "return/", assessments.AssessmentReturn.as_view(), name="assessment_return"),
    path(ONE + "review-complete/", assessments.AssessmentCompleteReview.as_view(), name="assessment_complete_review"),
    path(ONE + "reopen/", assessments.AssessmentReopen.as_view(), name="assessment_reopen"),
    path(ONE + "history/", assessments.AssessmentHistory.as_view(), name="assessment_history"),
    path(ONE + "evidence/<int:pk>/", assessments.AssessmentEvidenceFile.as_view(), name="assessment_evidence"),
    path(ITEM, assessments.AssessmentItem.as_view(), name="assessment_item"),
    path(ITEM + "self/", assessments.ItemSelf.as_view(), name="assessment_item_self"),
    path(ITEM + "review/", assessments.ItemReview.as_view(), name="assessment_item_review"),
    path(ITEM + "evidence/", assessments.ItemEvidence.as_view(), name="assessment_item_evidence"),
    path(
        ITEM + "evidence/<int:pk>/",
        assessments.ItemEvidenceRemove.as_view(),
        name="assessment_item_evidence_remove",
    ),
]
