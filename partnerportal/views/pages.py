"""Portal-wide pages: home, health check, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the database may be why we are here.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
