"""Relationship pages: invitations, acceptance, end and restore, partnerships, import."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.views.generic import (
    AuthenticatedHttpRequest,
    KeysetListMixin,
    KeysetListView,
    PortalPermissionMixin,
    ServiceActionMixin,
    ServiceFormMixin,
)
from permissions import policy
from permissions.roles import Action
from relationships import selectors
from relationships.forms.lifecycle import (
    CustomerImportUploadForm,
    PartnershipAuthorizeForm,
    PartnershipRequestForm,
    RelationshipEndForm,
    RestoreInvitationForm,
)
from relationships.models import Partnership, Relationship
from relationships.services import imports, lifecycle, partnerships

# ---------------------------------------------------------------- end and restore relationships


class RelationshipEndView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """End the partner's relationship with a customer: blockers first, then a reason and the good-faith statement."""

    request: AuthenticatedHttpRequest
    customer: Customer
    permission_required = Action.END_RELATIONSHIP
    form_class = RelationshipEndForm
    template_name = "relationships/relationship_end.html"

    def _customer(self) -> Customer | None:
        user = self.request.user
        return (
            policy.restrict(Customer.objects.all(), user, Action.END_RELATIONSHIP).filter(pk=self.kwargs["pk"]).first()
        )

    def _already_ended(self):
        """The "already ended" page for a second submit after the first one committed; 404 for anything else."""
        user = self.request.user
        # Only staff who see the whole partner may learn that the partner had this customer.
        ended = (
            selectors.ended_relationships(user=user).filter(customer_id=self.kwargs["pk"]).first()
            if policy.has_action(user, Action.SEE_WHOLE_PARTNER)
            else None
        )
        if ended is None:
            raise Http404
        return render(self.request, "relationships/relationship_end_done.html", {"relationship": ended})

    def get(self, request, *args, **kwargs):
        customer = self._customer()
        if customer is None:
            return self._already_ended()
        self.customer = customer
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        customer = self._customer()
        if customer is None:
            return self._already_ended()
        self.customer = customer
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        active = Relationship.objects.filter(customer=self.customer, status=Relationship.Status.ACTIVE)
        relationship = (
            policy.restrict(active, user, Action.END_RELATIONSHIP).select_related("partner", "indirect_partner").first()
        )
        context.update(
            customer=self.customer,
            relationship=relationship,
            blockers=list(lifecycle.relationship_blockers(partner=user.partner, customer=self.customer)),
        )
        return context

    def perform(self, form):
        lifecycle.relationship_end(
            actor=self.request.user,
            customer=self.customer,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(
            self.request,
            _("The relationship with %(customer)s has ended. It is listed under Ended relationships.")
            % {"customer": self.customer.company_name},
        )
        return HttpResponseRedirect(reverse("customers:customer_list"))


class RelationshipEndedListView(KeysetListView):
    """The partner's ended relationships, newest first, each with "Send restore invitation"."""

    permission_required = Action.RESTORE_RELATIONSHIP
    template_name = "relationships/relationship_ended_list.html"
    ordering = Ordering("ended_at", descending=True)
    rows_name = "relationships"

    def get_list_queryset(self):
        return selectors.ended_relationships(user=self.request.user)


def restore_default_message(*, relationship: Relationship) -> str:
    """The editable message pre-filled on the restore form."""
    return str(
        _(
            "%(partner)s would like to restore its reseller relationship with %(customer)s. Open the link in this "
            "email and sign in as a global administrator of %(customer)s to accept it."
        )
        % {"partner": relationship.partner.name, "customer": relationship.customer.company_name}
    )


class RelationshipRestoreView(PortalPermissionMixin, ServiceFormMixin, FormView):
    """Send a restore invitation for one of the partner's ended relationships."""

    request: AuthenticatedHttpRequest
    permission_required = Action.RESTORE_RELATIONSHIP
    form_class = RestoreInvitationForm
    template_name = "relationships/relationship_restore.html"

    def _relationship(self) -> Relationship:
        user = self.request.user
        # Partner-wide by design: an ended customer is out of reach per object, so `partner` scopes the lookup.
        return get_object_or_404(selectors.ended_relationships(user=user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.relationship = self._relationship()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.relationship = self._relationship()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {
            "email": self.relationship.customer.contact_email,
            "message": restore_default_message(relationship=self.relationship),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["relationship"] = self.relationship
        return context

    def perform(self, form):
        invitation, link = lifecycle.restore_invitation_send(
            actor=self.request.user,
            relationship=self.relationship,
            email=form.cleaned_data["email"],
            message=form.cleaned_data["message"],
        )
        return render(
            self.request,
            "relationships/relationship_restore_sent.html",
            {"relationship": self.relationship, "invitation": invitation, "link": link},
        )


# ---------------------------------------------------------------- provider ↔ reseller partnerships


class CommercialCloudOnlyMixin(View):
    """Hide a page (404) in the US Government cloud, which has no indirect provider/reseller features."""

    def dispatch(self, request, *args, **kwargs):
        if not policy.has_action(request.user, Action.USE_PARTNERSHIPS):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class IndirectProviderOnlyMixin(View):
    """403 for staff of partners that are not indirect providers (the role allows it, the partner type does not)."""

    def dispatch(self, request, *args, **kwargs):
        if not policy.has_action(request.user, Action.REQUEST_PARTNERSHIP):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PartnershipListView(PortalPermissionMixin, CommercialCloudOnlyMixin, KeysetListMixin, TemplateView):
    """A provider's indirect resellers (requested, active, removed) or a reseller's indirect providers."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    template_name = "relationships/partnership_list.html"
    ordering = Ordering("created_at", descending=True)
    rows_name = "partnerships"

    def get_list_queryset(self):
        return partnerships.partnership_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(partner=self.request.user.partner, now=timezone.now())
        return context


class PartnershipCreateView(PortalPermissionMixin, CommercialCloudOnlyMixin, IndirectProviderOnlyMixin, FormView):
    """An indirect provider requests a partnership: the reseller gets an emailed link; the page shows it to copy."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    form_class = PartnershipRequestForm
    template_name = "generic/object_form.html"

    def get_initial(self):
        partner = self.request.user.partner
        assert partner is not None  # partner staff only: the policy gives users without a partner no actions
        return {"message": partnerships.partnership_default_message(partner=partner)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Request a partnership"),
            intro=_(
                "We email the indirect reseller a link. Their global admin, admin agent or sales agent signs in "
                "and authorizes you as their indirect provider. The link expires in %(days)d days."
            )
            % {"days": settings.PORTAL_INVITATION_DAYS},
            submit_label=_("Send request"),
            cancel_url=reverse("relationships:partnership_list"),
        )
        return context

    def form_valid(self, form):
        try:
            partnership, token = partnerships.partnership_request(
                actor=self.request.user, email=form.cleaned_data["email"], message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            form.add_error("email" if hasattr(exc, "error_dict") and "email" in exc.error_dict else None, exc)
            return self.form_invalid(form)
        return render(
            self.request,
            "relationships/partnership_created.html",
            {"partnership": partnership, "link": partnerships.partnership_link(token)},
        )


class PartnershipAuthorizeView(PortalPermissionMixin, CommercialCloudOnlyMixin, FormView):
    """The reseller's staff open the provider's link signed in, tick the box and authorize the provider (once)."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    form_class = PartnershipAuthorizeForm
    template_name = "relationships/partnership_authorize.html"

    def _refusal(self):
        """The page to show instead of the form (unknown, used, expired or withdrawn link; wrong partner type)."""
        self.partnership = partnerships.partnership_by_token(self.kwargs["token"])
        if self.partnership is None:
            return self._problem(_("This partnership link is not valid. Check that you copied all of it."), 404)
        problem = partnerships.partnership_link_problem(self.partnership, user=self.request.user)
        if problem:
            authorizes = policy.has_action(self.request.user, Action.AUTHORIZE_PARTNERSHIP)
            return self._problem(problem, 200 if authorizes else 403)
        return None

    def _problem(self, message, status: int):
        return render(
            self.request,
            "relationships/partnership_authorize.html",
            {"problem": message, "partnership": getattr(self, "partnership", None)},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refusal() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnership"] = self.partnership
        return context

    def form_valid(self, form):
        try:
            partnership = partnerships.partnership_authorize(actor=self.request.user, token=self.kwargs["token"])
        except ValidationError as exc:
            return self._problem(exc.messages[0], 200)
        messages.success(
            self.request,
            _("%(provider)s is now your indirect provider.") % {"provider": partnership.provider.name},
        )
        return redirect("relationships:partnership_list")


class PartnershipRemoveView(
    PortalPermissionMixin, CommercialCloudOnlyMixin, ServiceActionMixin, SingleObjectMixin, View
):
    """The provider removes a partnership or withdraws its request (POST only); customer relationships stay."""

    request: AuthenticatedHttpRequest
    permission_required = Action.MANAGE_PARTNERSHIPS
    http_method_names = ["post"]

    def get_queryset(self):
        return Partnership.objects.filter(provider_id=self.request.user.partner_id).select_related("reseller")

    def run(self, partnership: Partnership) -> None:
        partnerships.partnership_remove(actor=self.request.user, partnership=partnership)

    def get_success_message(self, partnership: Partnership) -> str:
        return _("The partnership with %(reseller)s has been removed. Its customers keep their relationships.") % {
            "reseller": partnership.reseller.name if partnership.reseller else partnership.email
        }

    def get_redirect_url(self, partnership: Partnership) -> str:
        return reverse("relationships:partnership_list")


# ---------------------------------------------------------------- import existing customers


class CustomerImportView(PortalPermissionMixin, TemplateView):
    """Upload a CSV, review the per-row preview, then apply the valid rows in one transaction."""

    request: AuthenticatedHttpRequest
    permission_required = Action.IMPORT_CUSTOMERS
    template_name = "relationships/customer_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CustomerImportUploadForm())
        context.update(
            columns=imports.COLUMNS,
            max_rows=imports.MAX_ROWS,
            domain_suffix=settings.PORTAL_DOMAIN_SUFFIX,
        )
        return context

    def post(self, request, *args, **kwargs):
        if "payload" in request.POST:
            return self._apply(request)
        form = CustomerImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            rows = imports.import_preview(actor=request.user, upload=form.cleaned_data["file"])
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.render_to_response(self.get_context_data(form=form))
        return self._preview(rows)

    def _preview(self, rows, *, stale: bool = False):
        counts = {
            status: sum(1 for row in rows if row.status == status) for status in ("valid", "invalid", "duplicate")
        }
        return self.render_to_response(
            self.get_context_data(
                rows=rows,
                counts=counts,
                stale=stale,
                payload=imports.preview_sign(actor=self.request.user, rows=rows),
            )
        )

    def _apply(self, request):
        try:
            rows = imports.preview_load(actor=request.user, payload=request.POST.get("payload", ""))
        except imports.ImportFileError as exc:
            messages.error(request, str(exc))
            return self.render_to_response(self.get_context_data())
        if not any(row.status == "valid" for row in rows):
            messages.error(request, _("There are no valid rows to import."))
            return self._preview(rows)
        try:
            created = imports.customer_import_apply(actor=request.user, rows=rows)
        except imports.ImportStale as exc:
            return self._preview(exc.rows, stale=True)
        messages.success(request, _("Imported %(count)d customers.") % {"count": len(created)})
        return redirect(reverse("customers:customer_list") + "?sort=-created")


class CustomerImportTemplateView(PortalPermissionMixin, View):
    """The CSV template to fill in: the documented columns and one example row."""

    request: AuthenticatedHttpRequest
    permission_required = Action.IMPORT_CUSTOMERS
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="customer-import-template.csv"'
        return response
