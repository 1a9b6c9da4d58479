"""GeoReport v2 under /open311/v2/: every path ends in .json or .xml, as the spec writes them."""

from django.urls import URLPattern, URLResolver, re_path

from porchlight.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^services" + FMT, views.service_list, name="open311_services"),
    re_path(
        r"^services/(?P<code>[a-z0-9_-]{1,40})" + FMT,
        views.service_definition,
        name="open311_service",
    ),
    re_path(r"^requests" + FMT, views.service_requests, name="open311_requests"),
    re_path(
        r"^requests/(?P<number>[A-Za-z0-9_-]{1,40})" + FMT,
        views.service_request,
        name="open311_request",
    ),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_-]{1,40})" + FMT, views.token, name="open311_token"),
    # Anything else under /open311/v2/ gets the spec's error document, not an HTML page.
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
