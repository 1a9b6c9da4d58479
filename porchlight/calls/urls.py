"""The staff console for intake, mounted at /console/ (porchlight/urls.py)."""

from django.urls import path

from porchlight.calls import import_views, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("quarantine/", views.quarantine_list, name="quarantine_list"),
    path("quarantine/replay/", views.quarantine_replay_bulk, name="quarantine_replay_bulk"),
    path(
        "quarantine/discard-reason/",
        views.quarantine_discard_reason,
        name="quarantine_discard_reason",
    ),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/replay/", views.quarantine_replay, name="quarantine_replay"),
    path("quarantine/<int:pk>/discard/", views.quarantine_discard, name="quarantine_discard"),
    path("call-types/", views.call_type_list, name="call_type_list"),
    path("call-types/<int:pk>/", views.call_type_edit, name="call_type_edit"),
    path("priority-codes/", views.priority_list, name="priority_list"),
    path("priority-codes/<int:pk>/", views.priority_edit, name="priority_edit"),
    path("status-codes/", views.status_code_list, name="status_code_list"),
    path("status-codes/new/", views.status_code_edit, name="status_code_new"),
    path("status-codes/<int:pk>/", views.status_code_edit, name="status_code_edit"),
    path("import/", import_views.upload, name="import"),
    path("import/<int:pk>/", import_views.map_columns, name="import_map"),
    path("import/runs/<int:run_id>/reapply/", import_views.reapply, name="import_reapply"),
    path("import/<int:pk>/progress/", import_views.progress, name="import_progress"),
    path("track-links/", views.track_links, name="track_links"),
    path("track-links/<int:pk>/revoke/", views.track_link_revoke, name="track_link_revoke"),
]
