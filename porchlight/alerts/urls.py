from django.urls import URLPattern, URLResolver, path, re_path

from porchlight.alerts import console, pwa, resident, views, watch_views

app_name = "alerts"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: pages, feeds (Atom, and CAP 1.2 in Atom), per agency and per beat.
    path("alerts/a/<str:token>/", views.page, name="page"),
    path("alerts/a/<str:token>/cap.xml", views.cap_message, name="cap_message"),
    path("alerts/<slug:slug>/", views.agency_alerts, name="list"),
    path("alerts/<slug:slug>/feed.atom", views.agency_feed, {"kind": "atom"}, name="atom_feed"),
    path("alerts/<slug:slug>/cap.atom", views.agency_feed, {"kind": "cap"}, name="cap_feed"),
    re_path(
        r"^alerts/(?P<slug>[-\w]+)/beats/(?P<code>[^/]{1,32})/feed\.atom$",
        views.beat_feed,
        {"kind": "atom"},
        name="beat_atom_feed",
    ),  # fmt: skip
    re_path(
        r"^alerts/(?P<slug>[-\w]+)/beats/(?P<code>[^/]{1,32})/cap\.atom$",
        views.beat_feed,
        {"kind": "cap"},
        name="beat_cap_feed",
    ),  # fmt: skip
    # Residents: alert settings and this browser's push subscription.
    path("me/alerts/", resident.settings_page, name="settings"),
    path("me/alerts/push/subscribe", resident.push_subscribe, name="push_subscribe"),
    path("me/alerts/push/unsubscribe", resident.push_unsubscribe, name="push_unsubscribe"),
    path("me/watch/", watch_views.my_groups, name="watch"),
    path("me/watch/<int:pk>/", watch_views.my_group, name="watch_group"),
    # The installable web app.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    # Staff.
    path("console/alerts/", console.alert_list, name="console"),
    path("console/alerts/<int:pk>/cancel", console.alert_cancel, name="cancel"),
    path("console/alerts/<int:pk>/pin", console.alert_pin, name="pin"),
    path("console/alerts/watch/", watch_views.groups, name="console_watch"),
    path("console/alerts/watch/<int:pk>/", watch_views.group_detail, name="console_watch_group"),
    path(
        "console/alerts/watch/members/<int:pk>/role",
        watch_views.member_role,
        name="console_watch_role",
    ),
    path("console/alerts/posts/<int:pk>/reply/", watch_views.reply, name="reply"),
]
