"""Response headers every portal answer carries: Permissions-Policy and, where private data is served, no-store."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


def _is_download(response: HttpResponseBase) -> bool:
    return "attachment" in response.get("Content-Disposition", "")


class SecurityHeadersMiddleware:
    """Add `Permissions-Policy` to every response and `Cache-Control: no-store` to signed-in pages and downloads.

    A signed-in page or an export holds partner and customer data that no browser, proxy or shared cache may keep
    (the back button after signing out, a shared machine). Pages for anonymous visitors get no-store too unless
    the view chose its own caching, because most of them carry one-time links or forms with tokens.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PORTAL_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        private = (user is not None and user.is_authenticated) or _is_download(response)
        if private or not response.has_header("Cache-Control"):
            if response.has_header("Cache-Control"):
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True)
        return response
