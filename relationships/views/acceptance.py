"""The public acceptance page behind an invitation link: confirm the invited address with an emailed code, then
accept (and, for a customer new to the portal, complete its profile)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from customers import services as customer_services
from customers.forms import CustomerForm
from partnerportal.infrastructure.middleware import request_client_address
from partnerportal.infrastructure.ratelimit import rate_limit_hit
from partnerportal.infrastructure.tokens import token_hash
from relationships import selectors as relationship_selectors
from relationships.forms.invitations import AcceptanceCodeForm, AcceptanceForm
from relationships.models import AcceptanceCode
from relationships.services import acceptance, acceptance_codes

CLOSED_STATUS = {"not_found": 404, "expired": 410, "revoked": 410, "accepted": 410}
# The session's record of confirmed addresses: {"<invitation id>": {"code": <code id>, "at": "<ISO time>"}}.
SESSION_KEY = "invitation_mailbox"
STEP_SEND_CODE, STEP_VERIFY_CODE = "send_code", "verify_code"
CONFIRM_FIRST = _("Confirm the invited address with a code before you accept.")


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class InvitationAcceptView(View):
    """The public page a customer's global administrator reaches from the emailed link.

    Deliberately not a PortalPermissionMixin view: the person is not partner staff and is not signed in. The link
    shows the offer; accepting also needs a code mailed to the invited address, confirmed in this browser session
    (POST `step=send_code`, then `step=verify_code`), since partner staff see the link when they send it. GET only
    reads, so a mail scanner opening the link leaves it valid. Every request counts against per-address and
    per-link rate limits.
    """

    template_name = "relationships/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        token = kwargs["token"]
        limited = self.rate_limited(request, token)
        if limited is not None:
            return limited
        self.invitation = relationship_selectors.invitation_by_token(token)
        reason = relationship_selectors.closed_reason(self.invitation)
        if reason:
            return self.closed(reason)
        return super().dispatch(request, *args, **kwargs)

    def rate_limited(self, request, token: str) -> HttpResponse | None:
        address = request_client_address(request) or "unknown"
        checks = [
            (f"invite:addr:{address}", settings.PORTAL_INVITE_RATE_LIMIT_ADDRESS),
            # The key holds a hash prefix, never the token itself.
            (f"invite:link:{token_hash(token)[:32]}", settings.PORTAL_INVITE_RATE_LIMIT_TOKEN),
        ]
        for key, (limit, seconds) in checks:
            result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
            if not result.allowed:
                return self.too_many(result.retry_after, reason="page")
        return None

    def too_many(self, retry_after: int, *, reason: str) -> HttpResponse:
        """429 with Retry-After; `reason`: "page" (the page was opened too often) or "code" (codes asked too often)."""
        response = render(
            self.request,
            "relationships/invitation_rate_limited.html",
            {"retry_minutes": max(1, round(retry_after / 60)), "reason": reason},
            status=429,
        )
        response["Retry-After"] = str(retry_after)
        return response

    def closed(self, reason: str) -> HttpResponse:
        return render(
            self.request,
            "relationships/invitation_closed.html",
            {"reason": reason, "invitation": self.invitation},
            status=CLOSED_STATUS[reason],
        )

    # --- the confirmed address, kept in the session ----------------------------------------------------------

    def proven_code(self) -> AcceptanceCode | None:
        """The code this session confirmed for the invitation, while the confirmation lasts."""
        assert self.invitation is not None  # dispatch showed the closed page otherwise
        proofs = self.request.session.get(SESSION_KEY)
        entry = proofs.get(str(self.invitation.pk)) if isinstance(proofs, dict) else None
        code_id = entry.get("code") if isinstance(entry, dict) else None
        return relationship_selectors.mailbox_proof(self.invitation, code_id)

    def remember_proof(self, code: AcceptanceCode) -> None:
        assert self.invitation is not None and code.verified_at is not None
        session = self.request.session
        # A new session key once the address is proven, as after a sign-in: a key planted earlier is worthless.
        session.cycle_key()
        proofs = session.get(SESSION_KEY)
        proofs = dict(proofs) if isinstance(proofs, dict) else {}
        proofs[str(self.invitation.pk)] = {"code": code.pk, "at": code.verified_at.isoformat()}
        session[SESSION_KEY] = proofs

    def forget_proof(self) -> None:
        assert self.invitation is not None
        proofs = self.request.session.get(SESSION_KEY)
        if isinstance(proofs, dict) and str(self.invitation.pk) in proofs:
            self.request.session[SESSION_KEY] = {k: v for k, v in proofs.items() if k != str(self.invitation.pk)}

    # --- pages -------------------------------------------------------------------------------------------------

    def profile_form(self, *, bound: bool):
        """The company profile, for a customer new to the portal (same fields and rules as Add customer)."""
        invitation = self.invitation
        assert invitation is not None  # dispatch showed the closed page otherwise
        if invitation.customer_id is not None:
            return None
        form = CustomerForm(self.request.POST if bound else None, prefix="profile", partner=invitation.partner)
        # Worded for the customer, not for partner staff; the live domain check asks this link's own endpoint.
        form.fields["contact_email"].help_text = _("Your organisation's primary contact for the partner.")
        form.fields["domain_prefix"].widget.attrs["data-domain-check-url"] = reverse(
            "relationships:invitation_domain_check", kwargs={"token": self.kwargs["token"]}
        )
        return form

    @staticmethod
    def profile_data(profile_form) -> dict | None:
        """The profile as `customer_create` takes it: the model's fields plus the domain prefix."""
        if profile_form is None:
            return None
        return {**profile_form.customer_data(), "domain_prefix": profile_form.cleaned_data.get("domain_prefix", "")}

    def context(self, **extra: Any) -> dict[str, Any]:
        invitation = self.invitation
        assert invitation is not None  # dispatch showed the closed page otherwise
        return {
            "invitation": invitation,
            "relationship": relationship_selectors.relationship_description(invitation),
            "masked_email": acceptance_codes.masked_address(invitation.email),
            "code_minutes": int(AcceptanceCode.VALID_FOR.total_seconds() // 60),
            **extra,
        }

    def render_code_step(self, code_form=None, *, sent: bool = False, notice: str = "") -> HttpResponse:
        """The step before accepting: send a code to the invited address, and enter it."""
        assert self.invitation is not None
        pending = relationship_selectors.acceptance_code_pending(self.invitation)
        return render(
            self.request,
            self.template_name,
            self.context(
                step="code",
                code_form=code_form or AcceptanceCodeForm(),
                code_pending=pending is not None or code_form is not None,
                sent=sent,
                notice=notice,
            ),
        )

    def render_page(self, form, profile_form) -> HttpResponse:
        """The acceptance form, for a session that confirmed the invited address."""
        return render(
            self.request, self.template_name, self.context(step="accept", form=form, profile_form=profile_form)
        )

    def get(self, request, *args, **kwargs):
        if self.proven_code() is None:
            return self.render_code_step()
        return self.render_page(AcceptanceForm(), self.profile_form(bound=False))

    def post(self, request, *args, **kwargs):
        step = request.POST.get("step")
        if step == STEP_SEND_CODE:
            return self.send_code()
        if step == STEP_VERIFY_CODE:
            return self.verify_code()
        return self.accept(kwargs["token"])

    def send_code(self) -> HttpResponse:
        assert self.invitation is not None
        try:
            acceptance_codes.acceptance_code_send(
                invitation=self.invitation, client_address=request_client_address(self.request)
            )
        except acceptance_codes.CodeSendLimited as exc:
            return self.too_many(exc.retry_after, reason="code")
        except acceptance_codes.CodesSpent as exc:
            return self.render_code_step(notice=exc.message)
        return self.render_code_step(AcceptanceCodeForm(), sent=True)

    def verify_code(self) -> HttpResponse:
        assert self.invitation is not None
        code_form = AcceptanceCodeForm(self.request.POST)
        if not code_form.is_valid():
            return self.render_code_step(code_form)
        try:
            code = acceptance_codes.acceptance_code_verify(
                invitation=self.invitation, code=code_form.cleaned_data["code"]
            )
        except acceptance_codes.CodeRefused as exc:
            code_form.add_error("code", exc.message)
            return self.render_code_step(code_form)
        self.remember_proof(code)
        return self.render_page(AcceptanceForm(), self.profile_form(bound=False))

    def accept(self, token: str) -> HttpResponse:
        # The invitation stays locked from the "still open" check through validation to acceptance, so a concurrent
        # winner cannot commit in between: a later submission sees the used-link page, never a form whose profile
        # now clashes with the winner's customer.
        with transaction.atomic():
            try:
                self.invitation = acceptance.invitation_hold(token)
            except acceptance.InvitationClosed as exc:
                self.invitation = exc.invitation
                return self.closed(exc.reason)
            code = self.proven_code()
            if code is None:
                # Without a confirmed address nothing is validated or written: the code step comes back.
                return self.render_code_step(notice=str(CONFIRM_FIRST))
            form = AcceptanceForm(self.request.POST)
            profile_form = self.profile_form(bound=True)
            valid = form.is_valid()
            valid = (profile_form is None or profile_form.is_valid()) and valid
            if not valid:
                return self.render_page(form, profile_form)
            try:
                invitation = acceptance.invitation_accept(
                    token=token,
                    profile=self.profile_data(profile_form),
                    verified_code_id=code.pk,
                    **form.cleaned_data,
                )
            except acceptance.InvitationClosed as exc:
                self.invitation = exc.invitation
                return self.closed(exc.reason)
            except acceptance.MailboxNotVerified:
                return self.render_code_step(notice=str(CONFIRM_FIRST))
            except ValidationError as exc:
                self.add_errors(exc, form, profile_form)
                return self.render_page(form, profile_form)
        self.forget_proof()
        return render(
            self.request,
            "relationships/invitation_accepted.html",
            {"invitation": invitation, "notices": acceptance.invitation_accepted_notices(invitation)},
        )

    @staticmethod
    def add_errors(exc: ValidationError, form, profile_form) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            elif profile_form is not None and field in profile_form.fields:
                profile_form.add_error(field, errors)
            else:
                form.add_error(None, errors)


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class InvitationDomainCheckView(View):
    """The acceptance page's live primary-domain check (`?prefix=`, JSON), public like the page itself.

    It answers only for an open invitation whose customer is new to the portal (anything else is a 404, so it is
    no domain oracle for a stale or guessed link), under its own per-address and per-link rate limits, so that
    typing never uses up the page's.
    """

    def get(self, request, *args, **kwargs):
        token = kwargs["token"]
        address = request_client_address(request) or "unknown"
        checks = [
            (f"invite-domain:addr:{address}", settings.PORTAL_INVITE_RATE_LIMIT_ADDRESS),
            (f"invite-domain:link:{token_hash(token)[:32]}", settings.PORTAL_INVITE_RATE_LIMIT_TOKEN),
        ]
        for key, (limit, seconds) in checks:
            result = rate_limit_hit(key=key, limit=limit, seconds=seconds)
            if not result.allowed:
                response = JsonResponse({"available": None, "message": ""}, status=429)
                response["Retry-After"] = str(result.retry_after)
                return response
        invitation = relationship_selectors.invitation_by_token(token)
        if relationship_selectors.closed_reason(invitation) or invitation is None or invitation.customer_id:
            raise Http404
        available, message = customer_services.domain_check(request.GET.get("prefix", ""))
        response = JsonResponse({"available": available, "message": message})
        response["Cache-Control"] = "no-store"
        return response


@method_decorator(login_not_required, name="dispatch")
class CustomerAgreementView(TemplateView):
    """The customer agreement a customer accepts with a relationship: what it is and where its full text is (public,
    linked from the acceptance page)."""

    template_name = "relationships/customer_agreement.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "agreement_url": settings.PORTAL_CUSTOMER_AGREEMENT_URL}
