"""The OpenAPI schema says what every route may answer, not only what each view names.

Every route can refuse its input (400: a body that is not JSON, an infinite number, a NUL character),
its caller (401, 403) and an oversized body (413), each as ``{"error": "..."}``; views list their own
codes (404, 409, 503) with ``ERROR`` below. Both API authentications are described, so clients and
the schema-driven tests know how to call.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
ERROR_COMPONENT = "Error"
ERROR_REFERENCE = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
ERROR = OpenApiResponse(response=ERROR_SCHEMA, description='{"error": "..."}')
COMMON_ERRORS = {
    "400": "Bad input: a body that is not a JSON object, an infinite number, a NUL character, a missing id",
    "401": "No or a wrong session or API token",
    "403": "The route needs a staff user",
    "413": "The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE",
}
PUBLIC_PATHS = {"/api/health"}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "common.api.auth.BearerTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "API_TOKEN, as the media-server plugins send it"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "common.api.auth.ApiSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def common_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the common error answers on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                if path in PUBLIC_PATHS and code in ("401", "403"):
                    continue
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    response["content"] = {"application/json": {"schema": ERROR_REFERENCE}}
    return result
