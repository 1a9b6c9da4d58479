"""/dev/inbox: the messages the development channel "sent", shown as a phone would show them.

Only when the dev inbox is on (the demo, or DEBUG): a real deployment has no such page.
"""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from porchlight.notify.models import DevMessage

SHOWN = 300


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    if not (settings.DEV_INBOX or settings.DEBUG):
        raise Http404
    messages = list(DevMessage.objects.select_related("outbox__call")[:SHOWN])
    messages.sort(key=lambda m: (m.to, m.sent_at))
    phones = [(to, list(group)) for to, group in groupby(messages, key=lambda m: m.to)]
    # The phone with the newest message first.
    phones.sort(key=lambda pair: pair[1][-1].sent_at, reverse=True)
    return render(request, "dev/inbox.html", {"phones": phones, "count": len(messages)})
