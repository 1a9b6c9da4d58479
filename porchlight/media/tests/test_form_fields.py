"""The form fields: a refused upload is a form error (translated, with its code), an accepted
one cleans to `Accepted`; PhotosField takes several files up to its limit."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from porchlight.media.forms import PhotoField, PhotosField, VideoField
from standins.media import jpeg_with_gps, need_ffmpeg, upload, video_with_gps


class Report(forms.Form):
    photo = PhotoField(required=False)
    photos = PhotosField(max_files=2, required=False)
    video = VideoField(required=False)


def _form(**files: object) -> Report:
    data = MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in files.items()})
    return Report(data={}, files=data)


def test_accepted_photo_cleans_to_accepted() -> None:
    form = _form(photo=upload("a.jpg", jpeg_with_gps()))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["photo"].content_type == "image/jpeg"
    assert form.cleaned_data["photos"] == [] and form.cleaned_data["video"] is None


def test_refused_photo_is_a_form_error_in_the_readers_language() -> None:
    form = _form(photo=upload("a.jpg", b"<html>not a photo</html>"))
    assert not form.is_valid()
    assert form.errors.as_data()["photo"][0].code == "wrong_type"
    with translation.override("es"):
        assert "no es una foto" in str(form.errors["photo"][0])


def test_several_photos_up_to_the_limit() -> None:
    two = [upload(f"{i}.jpg", jpeg_with_gps()) for i in range(2)]
    form = _form(photos=two)
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["photos"]) == 2
    three = [upload(f"{i}.jpg", jpeg_with_gps()) for i in range(3)]
    form = _form(photos=three)
    assert not form.is_valid()
    assert form.errors.as_data()["photos"][0].code == "too_many"
    assert "at most 2 photos" in str(form.errors["photos"][0])
    with translation.override("es"):
        assert "2 fotos" in str(form.errors["photos"][0])


def test_one_bad_photo_among_several_is_refused() -> None:
    form = _form(
        photos=[upload("1.jpg", jpeg_with_gps()), upload("2.jpg", jpeg_with_gps() + b"%PDF-1.4")]
    )
    assert not form.is_valid()
    assert form.errors.as_data()["photos"][0].code == "polyglot"


def test_inputs_tell_the_picker_what_to_offer() -> None:
    html = str(Report())
    assert 'accept="image/jpeg,' in html and 'accept="video/mp4,' in html
    assert "multiple" in html


def test_video_field(tmp_path: Path) -> None:
    need_ffmpeg()
    form = _form(video=upload("v.mov", video_with_gps(tmp_path, "mov")))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["video"].poster is not None
