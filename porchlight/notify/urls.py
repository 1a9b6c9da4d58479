from django.urls import path

from porchlight.notify import views

app_name = "notify"

urlpatterns = [
    path("dev/inbox/", views.inbox, name="dev_inbox"),
    path("notify/sms/status/<int:outbox_id>/", views.sms_status, name="sms_status"),
]
