"""The JSON API (django-ninja, OpenAPI 3.1 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger

from porchlight.assist.api import router as assist_router
from porchlight.calls.api import router as calls_router
from porchlight.calls.schemas import CadEventBatch
from porchlight.cases.api import router as cases_router
from porchlight.cases.schemas import RmsEventBatch
from porchlight.publicmap.api import router as map_router


class PorchlightAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        # Intake reads its body itself (see calls/api.py), so ninja does not see the request
        # schema; publish it here so the spec documents every field.
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for batch in (CadEventBatch, RmsEventBatch):
            extra = batch.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(extra.pop("$defs", {}))
            components[batch.__name__] = extra
        _one_key_per_status(schema)
        return schema


def _one_key_per_status(schema: dict[str, Any]) -> None:
    """ninja keys a route's own responses by int (200) and openapi_extra's by text ("200"), so
    an operation could list 200 twice. JSON then carries a duplicated key, which Swagger UI
    refuses to parse ("duplicated mapping key"): merge them, openapi_extra's words winning."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not responses:
                continue
            merged: dict[str, Any] = {}
            # Int keys first, so the text key's (openapi_extra's) fields are applied over them.
            for status, response in sorted(
                responses.items(), key=lambda kv: isinstance(kv[0], str)
            ):
                merged[str(status)] = {**merged.get(str(status), {}), **response}
            operation["responses"] = merged


api = PorchlightAPI(
    title="Porchlight API",
    version="1",
    description="CAD/RMS intake and agency integrations. See docs/integrators.md.",
    urls_namespace="api",
    # No deep links: they put a link inside each operation's toggle button, which screen
    # readers cannot reach (axe nested-interactive).
    docs=Swagger(settings={"deepLinking": False}),
)
api.add_router("/", calls_router)
api.add_router("/", cases_router)
api.add_router("/", map_router)
api.add_router("/", assist_router)
