"""Django's session middleware, minus one answer that signs people out by accident."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse


class SessionMiddleware(DjangoSessionMiddleware):
    """Deletes the session cookie only when this request emptied the session (signing out).

    Django also deletes it when the cookie names a session that no longer exists. Signing in
    replaces the session (new key, old row deleted), so a request the browser sent with the
    old cookie a moment earlier (the service worker fetching its offline page, another tab)
    is answered with "delete the cookie"; arriving after the sign-in's answer, it dropped the
    new cookie and the person was signed out on their next click. A cookie naming nothing is
    harmless to keep: the next request finds no session, and any session saved is a new key.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        stale = (
            session is not None
            and session.accessed
            and not session.modified
            and session.is_empty()
            and settings.SESSION_COOKIE_NAME in request.COOKIES
        )
        response = super().process_response(request, response)
        if stale:
            response.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        return response
