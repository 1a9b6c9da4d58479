"""The public online report pages (docs/admins.md, "Online reports")."""

from django.urls import URLPattern, URLResolver, path

from porchlight.reports import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", views.agencies, name="report_agencies"),
    path("report/<slug:agency>/", views.choose, name="report_choose"),
    path("report/<slug:agency>/filed/", views.filed, name="report_filed"),
    path("report/<slug:agency>/<slug:code>/", views.form, name="report_form"),
]
