"""The OpenAPI schema and the reference page (Swagger UI from the sidecar package's static files; no CDN)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.views import SpectacularJSONAPIView


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI 3 schema, public like the reference page (it describes the API, it holds no data)."""

    authentication_classes: list = []
    permission_classes: list = []


def docs(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The reference page: a static script starts Swagger UI on the schema (no inline script, so the CSP holds)."""
    return render(request, "api/docs.html")
