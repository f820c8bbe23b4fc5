"""Reads of relationships: the invitations a user may see (with the delivery state of their emails), what a link
points to, the indirect providers a reseller may name, and the partner's ended relationships."""

from __future__ import annotations

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.services.validation import email_at_partner_domain
from partnerportal.infrastructure.tokens import token_hash
from partnerportal.models import OutboundEmail, Partner, User
from permissions import policy
from permissions.roles import Action
from relationships.models import AcceptanceCode, Invitation, Partnership, Relationship

# The list's state filter: "expired" covers pending invitations past their expiry too.
STATUS_FILTERS = ("pending", "accepted", "expired", "revoked")


def invitation_narrow(queryset: QuerySet, user: User, action: Action) -> QuerySet:
    """The policy's extra rule for invitations: a user limited to assigned customers sees the ones they sent and
    those for customers assigned to them."""
    if policy.has_action(user, Action.SEE_WHOLE_PARTNER):
        return queryset
    return queryset.filter(Q(created_by_id=user.pk) | Q(customer_id__in=policy.reachable_customer_ids(user)))


def invitation_queryset(*, user: User) -> QuerySet:
    """The invitations of the user's partner the user may see; empty for users whose roles cannot invite."""
    return policy.restrict(Invitation.objects.all(), user, Action.INVITE_CUSTOMER)


def _latest_email(field: str) -> Subquery:
    topic = Concat(Value("invitation:"), Cast(OuterRef("pk"), output_field=CharField()), output_field=CharField())
    return Subquery(
        OutboundEmail.objects.filter(topic=topic).order_by("-created_at", "-id").values(field)[:1],
    )


def invitation_list(*, user: User, status: str = "") -> QuerySet:
    """The invitations list (unordered: the caller paginates it), each row annotated with its latest email's state."""
    qs = invitation_queryset(user=user).select_related("created_by", "customer", "provider", "partner")
    now = timezone.now()
    if status == "pending":
        qs = qs.filter(status=Invitation.Status.PENDING, expires_at__gt=now)
    elif status == "expired":
        qs = qs.filter(Q(status=Invitation.Status.EXPIRED) | Q(status=Invitation.Status.PENDING, expires_at__lte=now))
    elif status in STATUS_FILTERS:
        qs = qs.filter(status=status)
    return qs.annotate(
        email_status=_latest_email("status"),
        email_error=_latest_email("last_error"),
        email_attempts=_latest_email("attempts"),
    )


def active_providers(partner: Partner) -> QuerySet[Partner]:
    """The indirect providers an indirect reseller is actively partnered with."""
    return Partner.objects.filter(
        reseller_links__reseller=partner, reseller_links__status=Partnership.Status.ACTIVE
    ).order_by("name")


def active_resellers(partner: Partner) -> QuerySet[Partner]:
    """The indirect resellers an indirect provider is actively partnered with."""
    return Partner.objects.filter(
        provider_links__provider=partner, provider_links__status=Partnership.Status.ACTIVE
    ).order_by("name")


def dap_forced(user: User) -> bool:
    """US Government cloud: the delegated-admin request cannot be left out (reference §15)."""
    return policy.has_action(user, Action.DELEGATED_ADMIN_FORCED)


def relationship_description(invitation: Invitation) -> str:
    """How the relationship the invitation offers reads to the customer."""
    if invitation.provider is not None:
        return str(
            _("Indirect reseller: %(reseller)s, through the indirect provider %(provider)s")
            % {"reseller": invitation.partner.name, "provider": invitation.provider.name}
        )
    return str(_("Direct reseller: %(partner)s") % {"partner": invitation.partner.name})


def status_label(invitation: Invitation) -> str:
    """The state a person should read (a pending invitation past its expiry reads "Expired")."""
    return str(Invitation.Status(invitation.effective_status).label)


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link points to (whatever its state), or None. Reads only: opening a link changes nothing."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("partner", "provider", "customer", "restores")
        .filter(token_hash=token_hash(token))
        .first()
    )


def closed_reason(invitation: Invitation | None) -> str | None:
    """Why a link cannot be accepted (not_found, expired, revoked, accepted), or None while it can."""
    if invitation is None:
        return "not_found"
    status = invitation.effective_status
    return None if status == Invitation.Status.PENDING else status


def partner_domain_address(email: str, *partners: Partner | None) -> bool:
    """Whether an address is at the own domain (or a subdomain) of one of these partners, whose staff could read the
    mail sent there: an invitation may not go to it, nor be accepted as it."""
    return any(email_at_partner_domain(email, partner) for partner in partners if partner is not None)


def acceptance_code_pending(invitation: Invitation) -> AcceptanceCode | None:
    """The invitation's newest code while it can still be entered (unused, not replaced, not expired, tries left)."""
    return (
        AcceptanceCode.objects.filter(
            invitation=invitation,
            verified_at__isnull=True,
            replaced_at__isnull=True,
            expires_at__gt=timezone.now(),
            tries__lt=AcceptanceCode.MAX_TRIES,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def mailbox_proof(invitation: Invitation, code_id: object) -> AcceptanceCode | None:
    """The confirmed code a session names, if it is this invitation's and was confirmed less than
    `AcceptanceCode.VERIFIED_FOR` ago; None otherwise (whatever the session holds)."""
    if not isinstance(code_id, int) or isinstance(code_id, bool):
        return None
    return AcceptanceCode.objects.filter(
        pk=code_id, invitation=invitation, verified_at__gt=timezone.now() - AcceptanceCode.VERIFIED_FOR
    ).first()


def ended_relationships(*, user: User) -> QuerySet:
    """The user's partner's ended relationships, one per customer (the latest), hiding customers it is active with
    again; empty for users who may not restore.

    Partner-wide on purpose (see the registry): these customers are no longer reachable per customer.
    """
    same = Relationship.objects.filter(partner_id=OuterRef("partner_id"), customer_id=OuterRef("customer_id"))
    ended = Relationship.objects.filter(status=Relationship.Status.ENDED)
    return (
        policy.restrict(ended, user, Action.RESTORE_RELATIONSHIP)
        .exclude(Exists(same.filter(status=Relationship.Status.ACTIVE)))
        .exclude(Exists(same.filter(status=Relationship.Status.ENDED, ended_at__gt=OuterRef("ended_at"))))
        .select_related("customer", "ended_by", "indirect_partner", "partner")
        .annotate(
            restore_pending=Exists(
                Invitation.objects.filter(
                    restores_id=OuterRef("pk"), status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
                )
            )
        )
    )
