"""A test-only page with the resumable upload field (settings.ROOT_URLCONF in the browser test):
the product's URLs plus /test/resumable/, a form around media/_resumable_field.html."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from porchlight.urls import urlpatterns as product
from standins.media import TUS_PURPOSE, TUS_TOKEN

PAGE = """{% extends "base.html" %}
{% block title %}Resumable uploads{% endblock %}
{% block content %}
<h1>Share photos and videos</h1>
<form method="post" action="/test/resumable/">
  {% csrf_token %}
  {% include "media/_resumable_field.html" with purpose=purpose metadata=meta chunk_size=262144 %}
  <p><button type="submit">Send</button></p>
</form>
{% if sent is not None %}<p id="sent">{{ sent }}</p>{% endif %}
{% endblock %}"""


def page(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string(PAGE)
    sent = request.POST.get("uploads") if request.method == "POST" else None
    context = {"purpose": TUS_PURPOSE, "meta": {"token": TUS_TOKEN, "case": "24-5"}, "sent": sent}
    return HttpResponse(template.render(context, request))


urlpatterns = [path("test/resumable/", page), *product]
