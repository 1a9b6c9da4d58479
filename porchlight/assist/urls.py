"""Requests for assistance: the public log, the residents' pages, the console."""

from django.urls import URLPattern, URLResolver, path

from porchlight.assist.views import console, public, resident

app_name = "assist"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: the transparency log and its CSV.
    path("assist/<slug:slug>/", public.log_page, name="log"),
    path("assist/<slug:slug>/log.csv", public.log_csv, name="log_csv"),
    # Residents (signed in): a request's page and share form; withdrawing a share.
    path("n/<slug:slug>/assist/<int:pk>/", resident.share_page, name="share"),
    path("n/<slug:slug>/assist/shares/<int:pk>/withdraw", resident.withdraw, name="withdraw"),
    # Staff.
    path("console/assist/", console.request_list, name="console"),
    path("console/assist/new/", console.request_new, name="console_new"),
    path("console/assist/<int:pk>/", console.request_detail, name="console_detail"),
    path(
        "console/assist/<int:pk>/<str:action>",
        console.request_action,
        name="console_action",
    ),
    path("console/assist/shares/<int:pk>/evidence", console.share_evidence, name="evidence"),
    path("console/assist/files/<int:pk>/download", console.file_download, name="download"),
]
