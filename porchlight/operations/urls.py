from django.urls import path

from porchlight.operations import views

app_name = "operations"

urlpatterns = [
    path("console/operations/intake/", views.intake, name="intake"),
    path("console/operations/retention/", views.retention_view, name="retention"),
    path("console/operations/retention/policy/", views.policy, name="policy"),
    path("console/operations/holds/", views.hold_place, name="hold_place"),
    path("console/operations/holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("console/operations/records/", views.records_export, name="records"),
]
