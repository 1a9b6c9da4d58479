"""The public track page, mounted at /t/ (porchlight/urls.py). No login: the token is the key."""

from django.urls import path

from porchlight.calls import track

urlpatterns = [
    # Any string, checked in the view, so a malformed token gets the same 404 as a wrong one.
    path("<str:token>", track.page, name="track"),
]
