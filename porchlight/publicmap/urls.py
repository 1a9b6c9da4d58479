from django.urls import URLPattern, URLResolver, path

from porchlight.publicmap import views

app_name = "publicmap"

urlpatterns: list[URLPattern | URLResolver] = [
    path("map/", views.index, name="index"),
    path("map/<slug:slug>/", views.map_page, name="map"),
    path("map/<slug:slug>/summary/", views.summary_page, name="summary"),
]
