"""Form fields for photo and video uploads: they clean to `Accepted` (or a list of them), and
an `UploadRefused` becomes a form error with its translated message and its code.

    class ReportForm(forms.Form):
        photos = PhotosField(max_files=4, required=False)
        video = VideoField(required=False)

    form.cleaned_data["photos"]  # list[Accepted]; then storage.keep(each)

The `accept` attribute only helps the phone's picker choose; the server sniffs every file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext_lazy

from porchlight.media.uploads import Accepted, UploadRefused, accept_image, accept_video

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,.heic,.heif"
VIDEO_ACCEPT = "video/mp4,video/quicktime,video/webm,.mov"


def _accept(check: Callable[[Any], Accepted], upload: Any) -> Accepted:
    try:
        return check(upload)
    except UploadRefused as refused:
        message: Any = refused.message  # a lazy translation: rendered in the reader's language
        raise ValidationError(message, code=refused.code) from None


class PhotoField(forms.FileField):
    check = staticmethod(accept_image)
    accept = IMAGE_ACCEPT

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "accept": self.accept}

    def clean(self, data: Any, initial: Any = None) -> Accepted | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        return _accept(self.check, upload)


class VideoField(PhotoField):
    check = staticmethod(accept_video)
    accept = VIDEO_ACCEPT


class _Multiple(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (`<input type=file multiple>`), at most `max_files`."""

    def __init__(self, *, max_files: int = 4, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", _Multiple)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "accept": IMAGE_ACCEPT}

    def clean(self, data: Any, initial: Any = None) -> list[Accepted]:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                ngettext_lazy(
                    "Choose at most %(count)d photo.",
                    "Choose at most %(count)d photos.",
                    "count",
                ),
                code="too_many",
                params={"count": self.max_files},
            )
        accepted = []
        for upload in uploads:
            forms.FileField.clean(self, upload, initial)
            accepted.append(_accept(accept_image, upload))
        return accepted


__all__ = ["PhotoField", "PhotosField", "VideoField"]
