"""Relationship pages: end a relationship, the list of ended ones and the restore invitation."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from customers.models import Customer
from partnerportal.infrastructure.pagination import Ordering
from partnerportal.models import User
from partnerportal.views.generic import (
    AuthenticatedHttpRequest,
    KeysetListView,
    PortalPermissionMixin,
    ServiceFormMixin,
)
from permissions import policy
from permissions.roles import Action
from relationships import selectors
from relationships.forms.lifecycle import (
    RelationshipEndForm,
    RestoreInvitationForm,
)
from relationships.models import Relationship
from relationships.services import lifecycle


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


def restore_default_message(*, relationship: Relationship, sender: User | None = None) -> str:
    """The editable message pre-filled on the restore form: what happened, how to accept (the customer has no
    account to sign in with) and whom to contact."""
    names = {"partner": relationship.partner.name, "customer": relationship.customer.company_name}
    text = (
        _(
            "The reseller relationship between %(partner)s and %(customer)s has ended. %(partner)s would like to "
            "restore it, with the delegated access, tags and purchase permissions it had before.\n\n"
            "To accept, open the invitation link in this email: no account or password is needed. A global "
            "administrator of %(customer)s confirms this email address with a code the page sends to it, then "
            "accepts.\n\n"
        )
        % names
    )
    if sender is not None and sender.email:
        contact = _("If you have questions or did not expect this, contact %(name)s at %(email)s.") % {
            "name": sender.get_full_name() or relationship.partner.name,
            "email": sender.email,
        }
    else:
        contact = _("If you have questions or did not expect this, contact %(partner)s.") % names
    return str(text) + str(contact)


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
            "message": restore_default_message(relationship=self.relationship, sender=self.request.user),
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
