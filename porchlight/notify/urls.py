from django.urls import path

from porchlight.notify import views

app_name = "dev"

urlpatterns = [path("inbox/", views.inbox, name="inbox")]
