from django.urls import URLPattern, URLResolver, path

from porchlight.cases import console, views

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<slug:slug>/updates/", views.opt_in, name="opt-in"),
    path("cases/<slug:slug>/updates/<str:token>/", views.opt_in_code, name="opt-in-code"),
    path("cases/<slug:slug>/report-copy/", views.report_copy, name="report-copy"),
    path("console/cases/copies/", console.copy_list, name="console-copies"),
    path("console/cases/copies/<int:pk>/", console.copy_status, name="console-copy-status"),
    path("console/cases/", console.case_list, name="console-cases"),
    path("console/cases/<int:pk>/", console.case_detail, name="console-case"),
    path("console/cases/<int:pk>/note/", console.case_note, name="console-case-note"),
    path("console/cases/<int:pk>/status/", console.case_term, name="console-case-status"),
]
