"""{% load media_upload %}: what media/_resumable_field.html needs."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def tus_json(value: Any) -> str:
    """A dict of extra Upload-Metadata as JSON for a data- attribute (autoescaping makes it
    safe there; the script reads it back with JSON.parse). Values become strings, as tus
    metadata values are."""
    if not value:
        return "{}"
    return json.dumps({str(k): str(v) for k, v in dict(value).items()}, sort_keys=True)
