"""Reads of invitations: the partner's invitations a user may see, with the delivery state of their emails."""

from __future__ import annotations

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from partnerportal.models import OutboundEmail, User
from permissions import policy
from permissions.roles import Action
from relationships.models import Invitation

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


def invitation_list(*, user, status: str = "") -> QuerySet:
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
