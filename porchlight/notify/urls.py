from django.urls import path

from porchlight.notify import console, stops, unsubscribe, views

app_name = "notify"

urlpatterns = [
    path("dev/inbox/", views.inbox, name="dev_inbox"),
    path("notify/sms/status/<int:outbox_id>/", views.sms_status, name="sms_status"),
    path("notify/sms/inbound/", views.sms_inbound, name="sms_inbound"),
    path("notify/email/unsubscribe/<str:token>/", unsubscribe.page, name="email_unsubscribe"),
    path(
        "notify/email/unsubscribe/<str:token>/confirm/",
        unsubscribe.confirm,
        name="email_unsubscribe_confirm",
    ),
    path("console/replies/", console.replies, name="replies"),
    path("console/messages/", stops.messages_home, name="messages"),
    path("console/messages/stop/", stops.hold_create, name="messages_hold"),
    path("console/messages/stop/<int:pk>/resume/", stops.hold_lift, name="messages_lift"),
    path("console/messages/pause/", stops.pause, name="messages_pause"),
]
