"""Leads: the list (the list page's search, filters and sort, keyset pages), one lead, and its steps: accept, edit
the deal (If-Match), decline, won, lost and close as error.

Every endpoint needs WORK_LEADS and sees what the pages see (`leads.selectors.lead_list`: the partner's leads, for
assigned-scope staff the ones they are on the team of or the lead contact of); another lead is a 404. The steps
run the pages' forms and services; a step the lead's state does not allow (an archived or expired lead, or one
another request moved first) is a 422 with the page's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import keyset_page
from api.problems import (
    BadRequest,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    form_errors,
    validation_errors,
)
from api.serializers_leads import (
    LeadDealSerializer,
    LeadDeclineSerializer,
    LeadListSerializer,
    LeadQuerySerializer,
    LeadSerializer,
)
from api.views.base import ApiView, etag_of, query_params
from api.views.bodies import form_data
from api.views.customers import IDEMPOTENCY_PARAMETER, problems
from leads import selectors, services
from leads.forms import LeadDealForm, LeadDeclineForm, LeadFilterForm
from leads.models import Lead
from partnerportal.infrastructure.pagination import Ordering
from permissions.roles import Action

DEAL_FIELDS = frozenset(LeadDealSerializer().fields)
DECLINE_FIELDS = frozenset(LeadDeclineSerializer().fields)
FILTER_FIELDS = ("q", "status", "source", "favourite", "sort")
WRONG_STATE = _("This lead can't take that step in its present state.")


def lead_or_404(request: Request, pk: Any) -> Lead:
    """The lead when it is one of the user's (as the pages narrow them), with its derived state; 404 else."""
    lead = selectors.lead_detail(user=request.user, pk=pk)
    if lead is None:
        raise Http404
    return lead


def lead_etag(lead: Lead, body: Any) -> str:
    """The ETag over what the API shows and the rest of the deal an edit changes (date, team, notes, IDs)."""
    deal = {
        "estimated_purchase_date": lead.estimated_purchase_date,
        "team_members": sorted(member.pk for member in lead.team_members.all()),
        "notes": lead.notes,
        "crm_id": lead.crm_id,
        "campaign_id": lead.campaign_id,
    }
    return etag_of({"lead": body, "deal": deal})


def _answer(lead: Lead) -> Response:
    body = LeadSerializer(lead).data
    return Response(body, headers={"ETag": lead_etag(lead, body)})


def _reread(request: Request, lead: Lead) -> Response:
    """The lead after a step, as a GET would show it now (its state derived again)."""
    return _answer(selectors.lead_detail(user=request.user, pk=lead.pk) or lead)


def _deal_body(request: Request) -> dict[str, Any]:
    """The deal fields as the page's form posts them (team members as a list of ids, numbers as strings)."""
    try:
        raw = request.data
    except RequestDataTooBig:
        raise PayloadTooLarge() from None
    if isinstance(raw, dict) and isinstance(raw.get("team_members"), list):
        members = raw["team_members"]
        if not all(isinstance(m, int) and not isinstance(m, bool) and 0 < m <= 2**31 - 1 for m in members):
            raise BadRequest(errors={"team_members": [str(_("Must be a list of user ids."))]})
        raw = {**raw, "team_members": [str(m) for m in members]}
        request._full_data = raw  # the form_data reader below sees the normalised list
    return form_data(request, allowed=DEAL_FIELDS, lists=frozenset({"team_members"}))


def _step(lead: Lead, state: str | tuple[str, ...]) -> None:
    if lead.state not in ((state,) if isinstance(state, str) else state):
        raise Unprocessable(errors={"non_field_errors": [str(WRONG_STATE)]})


def _run(write: Callable[[], Any]) -> None:
    try:
        write()
    except ValidationError as exc:
        raise Unprocessable(errors=validation_errors(exc)) from None


class LeadListView(ApiView):
    """The user's leads, searched, filtered and sorted as on the list page, newest first by default."""

    permissions = {"GET": Action.WORK_LEADS}

    @extend_schema(
        operation_id="leads_list",
        summary="Leads",
        parameters=[LeadQuerySerializer],
        responses={(200, "application/json"): LeadListSerializer, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, LeadQuerySerializer)
        # The list page's own filter form judges the values; a country is any code (none of the user's leads from
        # there: an empty list), where the page offers only the countries its leads come from.
        raw = {name: request.query_params[name] for name in FILTER_FIELDS if name in request.query_params}
        if params.get("favourite"):
            raw["favourite"] = "on"
        else:
            raw.pop("favourite", None)
        form = LeadFilterForm(raw, user=request.user)
        if not form.is_valid():
            raise BadRequest(errors=form_errors(form))
        values = {**form.values(), "country": params.get("country", "")}
        field, descending = selectors.SORTS[values.pop("sort")]
        page = keyset_page(
            selectors.lead_list(user=request.user, **values),
            Ordering(field, descending),
            sort=params["sort"],
            cursor=params.get("cursor", ""),
            limit=params["limit"],
        )
        return Response({"results": LeadSerializer(page.rows, many=True).data, "next": page.next_cursor})


class LeadDetailView(ApiView):
    """One lead (its contact hidden once expired), and editing an accepted lead's deal (If-Match required)."""

    permissions = {"GET": Action.WORK_LEADS, "PATCH": Action.WORK_LEADS}

    @extend_schema(
        operation_id="leads_retrieve",
        summary="Get a lead",
        responses={(200, "application/json"): LeadSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _answer(lead_or_404(request, pk))

    @extend_schema(
        operation_id="leads_partial_update",
        summary="Edit an accepted lead's deal",
        request=LeadDealSerializer(partial=True),
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={
            (200, "application/json"): LeadSerializer,
            **problems(400, 401, 403, 404, 412, 413, 415, 422, 428, 429),
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        lead = lead_or_404(request, pk)
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired()
        changes = _deal_body(request)
        _step(lead, Lead.Status.ACCEPTED)
        # The fields not sent keep their values, as the edit page fills them in.
        current = {
            "deal_name": lead.deal_name,
            "estimated_value": "" if lead.estimated_value is None else str(lead.estimated_value),
            "currency": lead.currency,
            "estimated_purchase_date": (
                lead.estimated_purchase_date.isoformat() if lead.estimated_purchase_date else ""
            ),
            "team_members": [str(member.pk) for member in lead.team_members.all()],
            "notes": lead.notes,
            "crm_id": lead.crm_id,
            "campaign_id": lead.campaign_id,
        }
        form = LeadDealForm(data={**current, **changes}, user=request.user)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        with transaction.atomic():
            locked = Lead.objects.select_for_update(of=("self",)).filter(pk=lead.pk).first()
            seen = selectors.lead_detail(user=request.user, pk=lead.pk) if locked else None
            if seen is None:
                raise Http404
            if if_match.strip() not in {lead_etag(seen, LeadSerializer(seen).data), "*"}:
                raise PreconditionFailed()
            _run(lambda: services.lead_update(actor=request.user, lead=seen, **form.deal_data()))
        return _reread(request, lead)


class LeadStepView(ApiView):
    """A POST step on one lead (Idempotency-Key replays the first answer)."""

    permissions = {"GET": Action.WORK_LEADS, "POST": Action.WORK_LEADS}
    http_method_names = ["post", "options"]

    def post(self, request: Request, pk: int) -> Response:
        return self.idempotent(request, lambda: self.step(request, lead_or_404(request, pk)))

    def step(self, request: Request, lead: Lead) -> Response:
        raise NotImplementedError

    def no_body(self, request: Request) -> None:
        """A step without fields takes an empty body or `{}`."""
        if request.body:
            form_data(request, allowed=frozenset())


STEP_RESPONSES = {(200, "application/json"): LeadSerializer, **problems(400, 401, 403, 404, 413, 415, 422, 429)}


class LeadAcceptView(LeadStepView):
    @extend_schema(
        operation_id="leads_accept",
        summary="Accept a received lead",
        request=LeadDealSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def step(self, request: Request, lead: Lead) -> Response:
        data = _deal_body(request)
        _step(lead, Lead.Status.RECEIVED)
        form = LeadDealForm(data=data, user=request.user)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        _run(lambda: services.lead_accept(actor=request.user, lead=lead, **form.deal_data()))
        return _reread(request, lead)


class LeadDeclineView(LeadStepView):
    @extend_schema(
        operation_id="leads_decline",
        summary="Decline a received lead",
        request=LeadDeclineSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def step(self, request: Request, lead: Lead) -> Response:
        data = form_data(request, allowed=DECLINE_FIELDS)
        _step(lead, Lead.Status.RECEIVED)
        form = LeadDeclineForm(data=data)
        if not form.is_valid():
            raise Unprocessable(errors=form_errors(form))
        _run(
            lambda: services.lead_decline(
                actor=request.user, lead=lead, reason=form.cleaned_data["reason"], notes=form.cleaned_data["notes"]
            )
        )
        return _reread(request, lead)


class _LeadBodilessStepView(LeadStepView):
    """A step that takes no body: from one of `from_states`, through the pages' `service(actor=, lead=)`."""

    from_states: tuple[str, ...] = ()
    service: Callable[..., Any]

    def step(self, request: Request, lead: Lead) -> Response:
        self.no_body(request)
        _step(lead, self.from_states)
        _run(lambda: self.service(actor=request.user, lead=lead))
        return _reread(request, lead)


class LeadWinView(_LeadBodilessStepView):
    @extend_schema(
        operation_id="leads_win",
        summary="Mark an accepted lead won",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    from_states = (Lead.Status.ACCEPTED,)
    service = staticmethod(services.lead_win)


class LeadLoseView(_LeadBodilessStepView):
    @extend_schema(
        operation_id="leads_lose",
        summary="Mark an accepted lead lost",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    from_states = (Lead.Status.ACCEPTED,)
    service = staticmethod(services.lead_lose)


class LeadCloseView(_LeadBodilessStepView):
    @extend_schema(
        operation_id="leads_close",
        summary="Close a received or accepted lead as sent in error",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=STEP_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    from_states = (Lead.Status.RECEIVED, Lead.Status.ACCEPTED)
    service = staticmethod(services.lead_close_as_error)
