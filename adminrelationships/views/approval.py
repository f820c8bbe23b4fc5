"""The customer's public approval page behind the emailed link: approve all or decline, or end an active one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from adminrelationships import selectors, services
from adminrelationships.forms import (
    ApprovalForm,
    CustomerEndForm,
)
from adminrelationships.models import AdminRelationship, Status
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.infrastructure.tokens import token_hash


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class AdminRelationshipApproveView(View):
    """The public page the customer's global administrator reaches from the emailed link: approve all, or decline.

    Deliberately not a PortalPermissionMixin view: the person is not partner staff. The link is mailed only to the
    customer's contact address and never shown to staff, so holding it is the mailbox proof. GET only reads (a mail
    scanner opening the link leaves it valid); the answer is one POST, which works once. Every request counts
    against the same per-address and per-link limits as the invitation page.
    """

    template_name = "adminrelationships/adminrelationship_approve.html"
    relationship: AdminRelationship  # set by dispatch (a page of its own answers an unknown link)

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        address = request_client_address(request) or "unknown"
        for key, (limit, seconds) in [
            (f"admin-approve:addr:{address}", settings.PORTAL_INVITE_RATE_LIMIT_ADDRESS),
            (f"admin-approve:link:{token_hash(token)[:32]}", settings.PORTAL_INVITE_RATE_LIMIT_TOKEN),
        ]:
            result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
            if not result.allowed:
                response = render(
                    request,
                    "relationships/invitation_rate_limited.html",
                    {"retry_minutes": max(1, round(result.retry_after / 60)), "reason": "page"},
                    status=429,
                )
                response["Retry-After"] = str(result.retry_after)
                return response
        found = selectors.admin_relationship_for_token(token)
        if found is None:
            return self.page(None, status=404)
        self.relationship = found
        return super().dispatch(request, *args, **kwargs)

    def page(
        self,
        relationship: AdminRelationship | None,
        *,
        form: ApprovalForm | None = None,
        end_form: CustomerEndForm | None = None,
        status: int = 200,
        error="",
    ) -> HttpResponse:
        current = relationship.status if relationship is not None else ""
        return render(
            self.request,
            self.template_name,
            {
                "admin_relationship": relationship,
                "status": current,
                "open": current == Status.APPROVAL_PENDING,
                "form": form or ApprovalForm(),
                "end_form": end_form or CustomerEndForm(),
                "error": error,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        # While active the link still opens the page: the customer may end the relationship from it.
        status = 200 if self.relationship.status in (Status.APPROVAL_PENDING, Status.ACTIVE) else 410
        return self.page(self.relationship, status=status)

    def post(self, request, *args, **kwargs):
        token = kwargs["token"]
        if self.relationship.status == Status.ACTIVE and request.POST.get("decision") == "end":
            return self.end(token)
        if self.relationship.status != Status.APPROVAL_PENDING:
            return self.page(self.relationship, status=410)
        if request.POST.get("decision") == "decline":
            try:
                self.relationship = services.admin_relationship_decline(token=token)
            except ValidationError as exc:
                self.relationship.refresh_from_db()
                return self.page(self.relationship, status=409, error=" ".join(exc.messages))
            return self.page(self.relationship)
        form = ApprovalForm(request.POST)
        if not form.is_valid():
            return self.page(self.relationship, form=form)
        try:
            self.relationship = services.admin_relationship_approve(
                token=token, approver_name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            self.relationship.refresh_from_db()
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.page(self.relationship, form=form)
            return self.page(self.relationship, status=409, error=" ".join(exc.messages))
        return self.page(self.relationship)

    def end(self, token: str) -> HttpResponse:
        form = CustomerEndForm(self.request.POST)
        if not form.is_valid():
            return self.page(self.relationship, end_form=form)
        try:
            self.relationship = services.admin_relationship_end_by_customer(
                token=token, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            self.relationship.refresh_from_db()
            return self.page(self.relationship, status=409, error=" ".join(exc.messages))
        return self.page(self.relationship)
