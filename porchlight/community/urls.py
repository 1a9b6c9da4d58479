"""Community pages: residents under n/<agency-slug>/, moderators under console/community/."""

from django.urls import URLPattern, URLResolver, path

from porchlight.community.views import accounts, console, posts

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    path("n/", accounts.index, name="index"),
    path("n/<slug:slug>/", accounts.home, name="home"),
    path("n/<slug:slug>/join/", accounts.join, name="join"),
    path("n/<slug:slug>/signin/", accounts.signin, name="signin"),
    path("n/<slug:slug>/rules/", posts.rules, name="rules"),
    path("n/<slug:slug>/feed/", posts.feed_view, name="feed"),
    path("n/<slug:slug>/places/new/", posts.place_new, name="place_new"),
    path("n/<slug:slug>/places/<int:pk>/delete/", posts.place_delete, name="place_delete"),
    path("n/<slug:slug>/posts/new/", posts.post_new, name="post_new"),
    path("n/<slug:slug>/posts/<int:pk>/", posts.post_detail, name="post"),
    path("n/<slug:slug>/posts/<int:pk>/edit/", posts.post_edit, name="post_edit"),
    path("n/<slug:slug>/posts/<int:pk>/delete/", posts.post_delete, name="post_delete"),
    path("n/<slug:slug>/posts/<int:pk>/comment/", posts.comment, name="comment"),
    path("n/<slug:slug>/posts/<int:pk>/flag/", posts.flag, name="flag"),
    path("n/<slug:slug>/removals/<int:pk>/appeal/", posts.appeal, name="appeal"),
    path("n/<slug:slug>/account/", accounts.profile, name="account"),
    path("n/<slug:slug>/account/export.json", accounts.export, name="export"),
    path("n/<slug:slug>/account/delete/", accounts.delete, name="delete"),
    path("console/community/", console.queue, name="console_queue"),
    path("console/community/posts/<int:pk>/", console.item, name="console_post"),
    path("console/community/posts/<int:pk>/act/", console.act, name="console_act"),
    path(
        "console/community/comments/<int:pk>/remove/",
        console.comment_remove,
        name="console_comment_remove",
    ),
    path("console/community/removals/<int:pk>/", console.appeal_view, name="console_appeal"),
    path(
        "console/community/removals/<int:pk>/decide/",
        console.appeal_decide,
        name="console_appeal_decide",
    ),
    path("n/<slug:slug>/comments/<int:pk>/flag/", posts.comment_flag, name="comment_flag"),
    path(
        "console/community/comments/<int:pk>/keep/",
        console.comment_keep,
        name="console_comment_keep",
    ),
]
