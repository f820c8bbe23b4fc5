"""Portal-wide pages: home, health and readiness checks, metrics, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from partnerportal.infrastructure.metrics import metrics_allowed, metrics_enabled, metrics_exposition
from partnerportal.infrastructure.readiness import readiness_report
from permissions import policy
from permissions.roles import Action


def home(request):
    """Send staff to the customer list; users without a role get a page that says so."""
    if policy.has_action(request.user, Action.VIEW_CUSTOMER):
        return redirect("customers:customer_list")
    return render(request, "partnerportal/no_role.html")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 after a database round-trip, 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@login_not_required
@never_cache
@require_GET
def readyz(request):
    """200 when this node can serve: the database answers, no migration is pending and a task worker was seen within
    PORTAL_WORKER_HEARTBEAT_MAX_AGE seconds; otherwise 503 naming the failing checks. Reads only."""
    ready, body = readiness_report()
    return JsonResponse(body, status=200 if ready else 503)


@login_not_required
@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics, for a scraper holding PORTAL_METRICS_TOKEN and/or inside PORTAL_METRICS_ALLOW; without
    either configured the route does not exist (404), and a scraper that fails them gets 403."""
    if not metrics_enabled():
        raise Http404
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the database may be why we are here.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
