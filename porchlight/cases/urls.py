from django.urls import URLPattern, URLResolver, path

from porchlight.cases import views

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<slug:slug>/updates/", views.opt_in, name="opt-in"),
    path("cases/<slug:slug>/updates/<str:token>/", views.opt_in_code, name="opt-in-code"),
]
