from django.urls import path

from porchlight.media import tus, views

urlpatterns = [
    path("media/<path:name>", views.serve, name="media"),
    # Resumable uploads (tus 1.0): media/tus.py.
    path("uploads/tus/", tus.create_view, name="tus-create"),
    path("uploads/tus/<uuid:upload_id>", tus.upload_view, name="tus-upload"),
]
