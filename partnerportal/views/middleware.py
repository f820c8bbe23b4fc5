"""Django's sign-in requirement for every page, after one question the cloud answers first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import Http404, HttpRequest, HttpResponseBase

from partnerportal.views.generic import PortalPermissionMixin
from permissions import policy


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Send anonymous visitors to sign in, except on a page of a feature this deployment's cloud withholds: 404.

    A withheld feature is absent for everyone (`PortalPermissionMixin.dispatch` says the same to signed-in users);
    sending visitors to the sign-in page first would tell them the page exists.
    """

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        view_class = getattr(view_func, "view_class", None)
        if not (isinstance(view_class, type) and issubclass(view_class, PortalPermissionMixin)):
            return super().process_view(request, view_func, view_args, view_kwargs)
        if not policy.cloud_offers(view_class.permission_for(request.method)):
            raise Http404
        return super().process_view(request, view_func, view_args, view_kwargs)
