"""The lead pages: list (search, filters, sort, keyset pages, CSV), detail with the progress, accept, edit,
decline, won, lost, close as error and the favourite toggle. Every one needs WORK_LEADS; a lead outside the user's
scope (another partner's, or for assigned-scope staff one they are not on) is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from leads import selectors, services
from leads.forms import LeadDealForm, LeadDeclineForm, LeadFilterForm
from leads.models import Lead, LeadQuerySet, state_label
from partnerportal.infrastructure.csvexport import csv_lines, csv_response
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import (
    ASK_FIRST,
    AuthenticatedHttpRequest,
    Confirmation,
    KeysetListView,
    ObjectFormMixin,
    ObjectFormView,
    PortalPermissionMixin,
    ServiceActionView,
)
from permissions.roles import Action

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

EXPORT_CHUNK_ROWS = 2000


class LeadListView(KeysetListView):
    """The partner's leads: search, filters, sort and keyset pages, all state in the URL."""

    permission_required = Action.WORK_LEADS
    template_name = "leads/lead_list.html"
    rows_name = "leads"

    # Each served by its keyset index (lead_partner_received, lead_partner_company, both scanned either way).
    sorts = {key: Ordering(field, descending) for key, (field, descending) in selectors.SORTS.items()}

    def get_list_queryset(self):
        self.form = LeadFilterForm(self.request.GET, user=self.request.user)
        self.values = self.form.values()
        self.sort = self.values.pop("sort")
        return selectors.lead_list(user=self.request.user, **self.values)

    def get_sort(self) -> str:
        return self.sort

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, filtered=any(self.values.values()))
        return context


def _export_rows(rows, *, language: str) -> Iterator[tuple]:
    with translation.override(language):
        labels: dict[str, str] = {}
        for lead in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
            state = lead.state
            label = labels.get(state) or labels.setdefault(state, state_label(state))
            # An expired lead's contact details are hidden in the file as on the pages.
            hidden = state == Lead.EXPIRED
            yield (
                lead.pk,
                lead.received_at.isoformat(),
                lead.company_name,
                "" if hidden else lead.contact_name,
                "" if hidden else lead.email,
                "" if hidden else lead.phone,
                lead.country,
                lead.get_company_size_display(),
                lead.get_source_display(),
                label,
                lead.deal_name,
                "" if lead.estimated_value is None else lead.estimated_value,
                lead.currency,
                "" if hidden else lead.message,
            )


class LeadExportView(PortalPermissionMixin, View):
    """The lead list (whole, or as searched and filtered: same query string) as a streamed CSV file."""

    request: AuthenticatedHttpRequest
    permission_required = Action.WORK_LEADS
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        values = LeadFilterForm(request.GET, user=request.user).values()
        field, descending = selectors.SORTS[values.pop("sort")]
        rows = selectors.lead_list(user=request.user, **values).order_by(*Ordering(field, descending).order_by())
        header = [
            str(label)
            for label in (
                _("Lead ID"),
                _("Received"),
                _("Company name"),
                _("Contact name"),
                _("Email"),
                _("Phone"),
                _("Country/region"),
                _("Company size"),
                _("Source"),
                _("Status"),
                _("Deal name"),
                _("Estimated value"),
                _("Currency"),
                _("Message"),
            )
        ]
        lines = csv_lines(header, _export_rows(rows, language=translation.get_language()))
        return csv_response(lines, filename="leads.csv")


class LeadDetailView(PortalPermissionMixin, DetailView):
    """One lead: its progress (Received → Accepted → Won/Lost), the customer's request and the deal, and the
    actions its state allows."""

    request: AuthenticatedHttpRequest
    permission_required = Action.WORK_LEADS
    template_name = "leads/lead_detail.html"
    context_object_name = "lead"

    def get_queryset(self):
        return (
            selectors.lead_list(user=self.request.user)
            .select_related("customer", "invitation", "lead_contact")
            .prefetch_related("team_members")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead = self.object
        closed = lead.state in (Lead.Status.WON, Lead.Status.LOST)
        context.update(
            state_label=state_label(lead.state),
            # Received → Accepted → Won/Lost: which steps the lead has reached.
            progress=[
                (Lead.Status.RECEIVED.label, True),
                (Lead.Status.ACCEPTED.label, lead.accepted_at is not None),
                (state_label(lead.state) if closed else _("Won/Lost"), closed),
            ],
            can_answer=lead.state == Lead.Status.RECEIVED,
            can_close=lead.state == Lead.Status.ACCEPTED,
            can_convert=lead.state == Lead.Status.ACCEPTED,
            can_close_error=lead.state in (Lead.Status.RECEIVED, Lead.Status.ACCEPTED),
        )
        return context


class LeadStepFormView(ObjectFormView):
    """A form step on one lead in a given state (`state`); another state sends the user back to the lead."""

    permission_required = Action.WORK_LEADS
    model = Lead
    template_name = "generic/object_form.html"
    state: str = Lead.Status.RECEIVED
    title: str | StrPromise = ""
    submit_label: str | StrPromise = ""

    def get_queryset(self):
        return cast(LeadQuerySet, super().get_queryset()).with_status()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.state != self.state:
            messages.error(request, _("This lead can't take that step in its present state."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        # The object is fetched (and checked) above: skip ObjectFormMixin.get, which would fetch it again.
        return super(ObjectFormMixin, self).get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title % {"company": self.object.company_name},
            submit_label=self.submit_label,
            cancel_url=self.object.get_absolute_url(),
        )
        return context


class LeadAcceptView(LeadStepFormView):
    """Accept a received lead: deal name, estimated value and purchase date, team members, notes, IDs."""

    form_class = LeadDealForm
    title = _("Accept lead from %(company)s")
    submit_label = _("Accept")

    def get_initial(self):
        return {"team_members": [self.request.user.pk]}

    def perform(self, form):
        return services.lead_accept(actor=self.request.user, lead=self.object, **form.deal_data())

    def notify(self, lead) -> None:
        messages.success(self.request, _("The lead was accepted."))


class LeadUpdateView(LeadStepFormView):
    """Edit an accepted lead's deal."""

    form_class = LeadDealForm
    state = Lead.Status.ACCEPTED
    title = _("Edit the deal with %(company)s")
    submit_label = _("Save")

    def get_initial(self):
        lead = self.object
        return {
            "deal_name": lead.deal_name,
            "estimated_value": lead.estimated_value,
            "currency": lead.currency,
            "estimated_purchase_date": lead.estimated_purchase_date,
            "team_members": [member.pk for member in lead.team_members.all()],
            "notes": lead.notes,
            "crm_id": lead.crm_id,
            "campaign_id": lead.campaign_id,
        }

    def perform(self, form):
        return services.lead_update(actor=self.request.user, lead=self.object, **form.deal_data())

    def notify(self, lead) -> None:
        messages.success(self.request, _("The lead was saved."))


class LeadDeclineView(LeadStepFormView):
    """Decline a received lead with a reason; the customer is told to choose another partner."""

    form_class = LeadDeclineForm
    title = _("Decline lead from %(company)s")
    submit_label = _("Decline")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user")
        return kwargs

    def perform(self, form):
        return services.lead_decline(
            actor=self.request.user,
            lead=self.object,
            reason=form.cleaned_data["reason"],
            notes=form.cleaned_data["notes"],
        )

    def notify(self, lead) -> None:
        messages.success(self.request, _("The lead was declined; the customer is asked to choose another partner."))


class LeadActionView(ServiceActionView):
    """A POST-only button on one lead in the user's scope."""

    permission_required = Action.WORK_LEADS
    model = Lead

    def get_redirect_url(self, lead: Lead) -> str:
        return lead.get_absolute_url()


class LeadWinView(LeadActionView):
    """Mark an accepted lead won."""

    success_message = _("The lead was marked won.")

    def run(self, lead: Lead) -> None:
        services.lead_win(actor=self.request.user, lead=lead)


class LeadLoseView(LeadActionView):
    """Mark an accepted lead lost (after asking: it is archived for good)."""

    http_method_names = ASK_FIRST
    success_message = _("The lead was marked lost.")

    def get_confirmation(self, lead: Lead) -> Confirmation:
        return Confirmation(
            title=str(_("Mark the lead from %(company)s lost?") % {"company": lead.company_name}),
            message=str(_("The lead is archived: it can't be won, converted or changed afterwards.")),
            button=str(_("Mark lost")),
            cancel_url=lead.get_absolute_url(),
        )

    def run(self, lead: Lead) -> None:
        services.lead_lose(actor=self.request.user, lead=lead)


class LeadCloseView(LeadActionView):
    """Close a received or accepted lead as sent in error (after asking: it is archived for good)."""

    http_method_names = ASK_FIRST
    success_message = _("The lead was closed as an error.")

    def get_confirmation(self, lead: Lead) -> Confirmation:
        return Confirmation(
            title=str(_("Close the lead from %(company)s as an error?") % {"company": lead.company_name}),
            message=str(_("The lead is archived as sent in error: it can't be accepted, won or changed afterwards.")),
            button=str(_("Close as error")),
            cancel_url=lead.get_absolute_url(),
        )

    def run(self, lead: Lead) -> None:
        services.lead_close_as_error(actor=self.request.user, lead=lead)


class LeadFavouriteView(LeadActionView):
    """Mark or unmark the lead as a favourite (a plain form POST: works without JavaScript), then go back."""

    def run(self, lead: Lead) -> None:
        self.now_favourite = services.lead_favourite_toggle(user=self.request.user, lead=lead)

    def get_success_message(self, lead: Lead) -> str:
        return str(_("Added to favourites.") if self.now_favourite else _("Removed from favourites."))

    def get_redirect_url(self, lead: Lead) -> str:
        back = self.request.POST.get("next", "")
        if back.startswith(reverse("leads:lead_list")) and url_has_allowed_host_and_scheme(
            back, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return back
        return lead.get_absolute_url()
