"""The dashboards: /console/insights/<kind>/, its CSV and the rows behind its figures."""

from django.urls import URLPattern, URLResolver, path

from porchlight.insights import district_views, period_views, views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("console/insights/", views.dashboard, name="home"),
    path("console/insights/period/", period_views.report, name="period"),
    path("console/insights/period/report.pdf", period_views.report_pdf, name="period_pdf"),
    path("console/insights/districts/", district_views.districts_page, name="districts"),
    path("console/insights/<slug:kind>/", views.dashboard, name="dashboard"),
    path("console/insights/<slug:kind>/export.csv", views.dashboard_csv, name="csv"),
    path("console/insights/<slug:kind>/rows/", views.figure_rows, name="rows"),
]
