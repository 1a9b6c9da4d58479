from django.urls import path

from porchlight.media import views

urlpatterns = [
    path("media/<path:name>", views.serve, name="media"),
]
