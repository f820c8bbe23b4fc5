"""The activity log (read): the log page's filters through its form, newest first, in keyset pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from activity import selectors
from activity.forms import ActivityFilterForm
from api.pagination import keyset_page
from api.problems import BadRequest, form_errors
from api.serializers_activity import ActivityEntrySerializer, ActivityListQuerySerializer, ActivityListSerializer
from api.views.base import ApiView, query_params
from api.views.customers import problems
from partnerportal.infrastructure.pagination import Ordering
from permissions.roles import Action

# `actor` is matched on the partner's entries only, so another partner's user finds nothing (not an error).
FORM_FILTERS = ("date_from", "date_to", "customer", "action")


class ActivityListView(ApiView):
    """The partner's activity log as the log page shows it to the user."""

    permissions = {"GET": Action.VIEW_ACTIVITY}

    @extend_schema(
        operation_id="activity_list",
        summary="List activity log entries",
        parameters=[ActivityListQuerySerializer],
        responses={(200, "application/json"): ActivityListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, ActivityListQuerySerializer)
        query = dict(request.query_params.items())
        # The page's form decides the filters (its messages; the default range when no date is given). Unlike the
        # page, which shows a bad filter's error next to the field and falls back, the API refuses it.
        form = ActivityFilterForm({k: v for k, v in query.items() if k in FORM_FILTERS}, user=request.user)
        if not form.is_valid():
            raise BadRequest(errors=form_errors(form))
        page = keyset_page(
            selectors.activity_list(user=request.user, **{**form.values(), "actor": params.get("actor")}),
            Ordering("created_at", descending=True),
            sort="-created_at",
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": ActivityEntrySerializer(page.rows, many=True).data, "next": page.next_cursor})
