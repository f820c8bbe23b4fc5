"""Activity log pages: the filtered list (keyset pages) and its streamed CSV export."""

from __future__ import annotations

import json
from datetime import UTC

from django.utils import timezone
from django.views import View

from activity import selectors
from activity.forms import ActivityFilterForm
from partnerportal.infrastructure.csvexport import csv_lines, csv_response
from partnerportal.infrastructure.pagination import Ordering, list_state_query
from partnerportal.views.generic import AuthenticatedHttpRequest, KeysetListView, PortalPermissionMixin
from permissions.roles import Action

ORDERING = Ordering("created_at", descending=True)


def details_json(details) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""


def _filter_form(request) -> ActivityFilterForm:
    data = request.GET.copy()
    default_from, default_to = ActivityFilterForm.default_range()
    # Show the default range in the form, so the page says which days it covers.
    if not data.get("date_from") and not data.get("date_to"):
        data["date_from"], data["date_to"] = default_from.isoformat(), default_to.isoformat()
    return ActivityFilterForm(data, user=request.user)


class ActivityListView(KeysetListView):
    """The partner's activity log, newest first, filtered by date range, customer, user and action."""

    permission_required = Action.VIEW_ACTIVITY
    template_name = "activity/activity_list.html"
    ordering = ORDERING
    rows_name = "entries"

    def get_list_queryset(self):
        self.form = _filter_form(self.request)
        self.values = self.form.values()
        return selectors.activity_list(user=self.request.user, **self.values)

    def prepare_rows(self, rows):
        visible = selectors.visible_customer_ids(user=self.request.user, entries=rows)
        for entry in rows:
            entry.customer_visible = entry.customer_id in visible

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, values=self.values, export_query=list_state_query(self.request))
        return context


class ActivityExportView(PortalPermissionMixin, View):
    """The activity log under the current filters as a streamed CSV (safe against formula injection)."""

    request: AuthenticatedHttpRequest
    permission_required = Action.VIEW_ACTIVITY
    http_method_names = ["get", "head"]
    # "Action" is the stored code (stable across languages and releases, the same value the `action` filter takes)
    # and "Action label" its label in the exporting user's language; "Details" is the stored record, raw.
    header = ["Time (UTC)", "User", "Customer ID", "Customer", "Action", "Action label", "Details", "Client address"]

    def get(self, request):
        values = _filter_form(request).values()
        qs = selectors.activity_list(user=request.user, **values).order_by(*ORDERING.order_by())
        rows = (
            (
                entry.created_at.astimezone(UTC).isoformat(),
                entry.actor_email,
                entry.customer_id or "",
                entry.customer_name,
                entry.action,
                entry.get_action_display(),
                details_json(entry.details),
                entry.client_address or "",
            )
            for entry in qs.iterator(chunk_size=2000)
        )
        stamp = timezone.localdate().isoformat()
        return csv_response(csv_lines(self.header, rows), filename=f"activity-{stamp}.csv")
