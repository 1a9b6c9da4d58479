"""Feedback's pages: the public survey (/s/<token>/) and the console (/console/feedback/…)."""

from django.urls import URLPattern, URLResolver, path

from porchlight.feedback import console, survey

app_name = "feedback"

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/<str:token>/", survey.page, name="survey"),
    path("console/feedback/", console.measures, name="measures"),
    path("console/feedback/follow-ups/", console.follow_ups, name="follow_ups"),
    path("console/feedback/follow-ups/<int:pk>/", console.follow_up, name="follow_up"),
    path("console/feedback/commendations/", console.commendations, name="commendations"),
    path("console/feedback/roster/", console.roster_import, name="roster"),
    path("console/feedback/roster/<int:pk>/", console.roster_progress, name="roster_progress"),
]
