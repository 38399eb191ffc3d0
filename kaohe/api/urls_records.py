"""Records (台账) of every kind, under the kinds' names as the pages use them: /api/records/activities/, …"""

from django.urls import path

from kaohe.api import views_records

urlpatterns = [
    path("records/<slug:kind>/", views_records.Records.as_view(), name="records"),
    path("records/<slug:kind>/import/", views_records.RecordsImport.as_view(), name="records_import"),
    path("records/<slug:kind>/<int:pk>/", views_records.RecordDetail.as_view(), name="record"),
    path("records/<slug:kind>/<int:pk>/file/", views_records.RecordFile.as_view(), name="record_file"),
]
