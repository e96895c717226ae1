"""The API, version 1: the NinjaAPI object, its OpenAPI document (errors as
application/problem+json) and the docs page (rendered here, nothing loaded from elsewhere)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema

from careloop.api import (
    endpoints_cases,
    endpoints_codebooks,
    endpoints_more,
    endpoints_surveys,
)
from careloop.api.problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPES,
    problem_handlers_install,
)

METHODS = ("get", "post", "put", "patch", "delete")
DESCRIPTION = (
    "Careloop's REST API. Authenticate with an organization's API token: "
    "`Authorization: Bearer <token>`. Each token holds scopes and acts with one role over the "
    "organization, a facility or a unit, like a person. Lists page by an opaque `cursor`. "
    "Create calls accept an `Idempotency-Key` header. Every error is a problem detail "
    "(RFC 9457, `application/problem+json`)."
)


class CareloopAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema.get("paths", {}).values():
            for method in METHODS:
                for status, response in item.get(method, {}).get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


def _field_text(spec: dict[str, Any]) -> str:
    options = spec.get("anyOf", [spec])
    kinds = [o.get("type") or o.get("$ref", "").rpartition("/")[2] for o in options]
    text = " or ".join(k for k in kinds if k)
    return f"{text}: one of {', '.join(map(str, spec['enum']))}" if "enum" in spec else text


class LocalDocs(DocsBase):
    """The operations, their parameters and responses, and the problem types, as plain HTML
    (templates cannot walk these dicts safely: a schema property may be called "items")."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = [
            {
                "label": f"{method.upper()} {path}",
                "summary": item[method].get("summary", ""),
                "parameters": [
                    (p["name"], p["in"], p.get("required", False))
                    for p in item[method].get("parameters", [])
                ],
                "body": ", ".join(item[method].get("requestBody", {}).get("content", {})),
                "responses": [
                    (code, r["description"]) for code, r in item[method]["responses"].items()
                ],
            }
            for path, item in schema.get("paths", {}).items()
            for method in METHODS
            if method in item
        ]
        schemas = [
            (
                name,
                [(field, _field_text(spec)) for field, spec in body.get("properties", {}).items()],
            )
            for name, body in sorted(schema.get("components", {}).get("schemas", {}).items())
        ]
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "operations": operations,
                "problem_types": sorted(PROBLEM_TYPES.items()),
                "schemas": schemas,
            },
        )


api = CareloopAPI(
    title="Careloop API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    docs=LocalDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problem_handlers_install(api)
api.add_router("", endpoints_cases.router)
api.add_router("", endpoints_more.router)
api.add_router("", endpoints_surveys.router)
api.add_router("", endpoints_codebooks.router)
