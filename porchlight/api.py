"""The JSON API (django-ninja, OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from porchlight.calls.api import router as calls_router
from porchlight.calls.schemas import CadEventBatch


class PorchlightAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # Intake reads its body itself (see calls/api.py), so ninja does not see the request
        # schema; publish it here so the spec documents every field.
        extra = CadEventBatch.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(extra.pop("$defs", {}))
        components["CadEventBatch"] = extra
        return schema


api = PorchlightAPI(
    title="Porchlight API",
    version="1",
    description="CAD/RMS intake and agency integrations. See docs/integrators.md.",
    urls_namespace="api",
)
api.add_router("/", calls_router)
