"""Writes of partners and staff users."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from customers.models import Customer
from partnerportal.accounts.services import user_sessions_end
from partnerportal.infrastructure.emails import email_enqueue, email_render
from partnerportal.infrastructure.tokens import token_hash, token_new
from partnerportal.models import Partner, SetPasswordToken, User
from partnerportal.staff.signals import staff_user_deactivated
from permissions.models import CustomerAssignment
from permissions.roles import AdminRole, AgentRole, Scope
from permissions.services import partner_group, user_access_sync


@transaction.atomic
def partner_create(*, name: str, partner_id: str, type: str, market: str, email_domain: str = "") -> Partner:
    """Create a partner organisation and its staff group."""
    partner = Partner(name=name, partner_id=partner_id, type=type, market=market.upper(), email_domain=email_domain)
    partner.full_clean()
    partner.save()
    partner_group(partner)
    return partner


@transaction.atomic
def staff_user_create(
    *,
    partner: Partner,
    email: str,
    admin_role: str = "",
    agent_role: str = "",
    scope: str = Scope.PARTNER,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create a staff user of a partner and give them the access their roles and scope imply."""
    user = User.objects.create_user(
        email=email,
        password=password,
        partner=partner,
        admin_role=admin_role,
        agent_role=agent_role,
        scope=scope,
        first_name=first_name,
        last_name=last_name,
    )
    user_access_sync(user=user)
    return user


# --- Staff management (global admins) ------------------------------------------------------------------------

SET_PASSWORD_TOKEN_LIFETIME = timedelta(hours=72)
LAST_GLOBAL_ADMIN = _(
    "This is the last active global admin of your organisation. Make another user a global admin first."
)
EMAIL_TAKEN = _("A user with this email address already exists.")
TOKEN_INVALID = _("This link is invalid, has expired or has already been used. Ask your global admin for a new one.")


# A change of roles or scope ends the user's sessions (they sign in again into the new access). Assigning or
# unassigning customers does not: the policy reads assignments on every request, and it is a routine change.
ACCESS_KEYS = ("admin_role", "agent_role", "scope")


def _staff_snapshot(user: User) -> dict:
    """The fields of a staff user the activity log records before and after a change."""
    return {
        "email": user.email,
        "name": f"{user.first_name} {user.last_name}".strip(),
        "admin_role": user.admin_role,
        "agent_role": user.agent_role,
        "scope": user.scope,
        "is_active": user.is_active,
        "assigned_customers": sorted(str(pk) for pk in user.assignments.values_list("customer_id", flat=True)),
    }


def set_password_link(token: str) -> str:
    """The absolute URL of the set-password page for a raw token."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("staff:set_password", args=[token])


@transaction.atomic
def set_password_token_issue(*, user: User, purpose: str, actor: User | None = None) -> str:
    """Revoke the user's open set-password links, store a new one (hashed) and return its raw token."""
    now = timezone.now()
    SetPasswordToken.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token, hashed = token_new()
    record = SetPasswordToken(
        user=user,
        token_hash=hashed,
        purpose=purpose,
        created_at=now,
        expires_at=now + SET_PASSWORD_TOKEN_LIFETIME,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record.full_clean()
    record.save()
    return token


def _email_set_password_link(*, user: User, token: str, purpose: str) -> None:
    subject, body = email_render(
        subject_template="partnerportal/email/set_password_subject.txt",
        body_template="partnerportal/email/set_password.txt",
        context={
            "welcome": purpose == SetPasswordToken.Purpose.WELCOME,
            "partner": user.partner.name if user.partner is not None else "",
            "link": set_password_link(token),
            "hours": int(SET_PASSWORD_TOKEN_LIFETIME.total_seconds() // 3600),
            "email": user.email,
        },
    )
    email_enqueue(
        to=user.email, subject=subject, body=body, partner=user.partner, topic=f"staff:{user.pk}", secret=token
    )


def _lock_active_global_admins(partner: Partner | None) -> list[User]:
    """Lock the partner's active global-admin rows so two concurrent demotions cannot remove the last one."""
    return list(
        User.objects.select_for_update()
        .filter(partner=partner, admin_role=AdminRole.GLOBAL_ADMIN, is_active=True)
        .order_by("pk")
    )


def staff_user_lock(*, user: User) -> User:
    """Lock a staff user's row for a read-check-write (the API's If-Match), in the order every staff change locks:
    the partner's active global admins first, then the user (call it inside `transaction.atomic`)."""
    _lock_active_global_admins(user.partner)
    return User.objects.select_for_update().get(pk=user.pk)


def _assignable_customers(partner: Partner | None, customers: Iterable) -> list:
    """The given customers, checked to be ones the partner holds an active relationship with."""
    wanted = {getattr(c, "pk", c) for c in customers}
    if not wanted:
        return []
    found = list(Customer.objects.filter(pk__in=wanted, relationships__partner=partner, relationships__status="active"))
    if len({c.pk for c in found}) != len(wanted):
        raise ValidationError({"customers": [_("Choose only customers your organisation has a relationship with.")]})
    return found


def _assignments_set(user: User, customers: list) -> None:
    keep = {c.pk for c in customers}
    CustomerAssignment.objects.filter(user=user).exclude(customer_id__in=keep).delete()
    existing = set(CustomerAssignment.objects.filter(user=user).values_list("customer_id", flat=True))
    CustomerAssignment.objects.bulk_create(
        [CustomerAssignment(user=user, customer=c) for c in customers if c.pk not in existing], ignore_conflicts=True
    )


def _check_roles(admin_role: str, agent_role: str, scope: str) -> None:
    errors = {}
    if admin_role not in AdminRole.values:
        errors["admin_role"] = [_("Choose a valid admin role.")]
    if agent_role not in AgentRole.values:
        errors["agent_role"] = [_("Choose a valid agent role.")]
    if scope not in Scope.values:
        errors["scope"] = [_("Choose a valid scope.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def staff_user_add(
    *,
    actor: User,
    email: str,
    first_name: str = "",
    last_name: str = "",
    admin_role: str = "",
    agent_role: str = "",
    scope: str = Scope.PARTNER,
    customers: Iterable = (),
) -> User:
    """Add a staff user to the actor's partner and email them a one-time link to choose their password."""
    partner = actor.partner
    assert partner is not None  # partner staff only: the policy gives users without a partner no actions
    _check_roles(admin_role, agent_role, scope)
    assigned = _assignable_customers(partner, customers)
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [EMAIL_TAKEN]})
    try:
        with transaction.atomic():
            user = staff_user_create(
                partner=partner,
                email=email,
                admin_role=admin_role,
                agent_role=agent_role,
                scope=scope,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
            )
    except IntegrityError as exc:
        # Two admins adding the same address at once: the unique index decides.
        raise ValidationError({"email": [EMAIL_TAKEN]}) from exc
    if assigned:
        _assignments_set(user, assigned)
        user_access_sync(user=user)
    token = set_password_token_issue(user=user, purpose=SetPasswordToken.Purpose.WELCOME, actor=actor)
    activity_record(action=Actions.STAFF_CREATE, actor=actor, partner=partner, after=_staff_snapshot(user))
    _email_set_password_link(user=user, token=token, purpose=SetPasswordToken.Purpose.WELCOME)
    return user


@transaction.atomic
def staff_user_update(
    *,
    actor: User,
    user: User,
    admin_role: str,
    agent_role: str,
    scope: str,
    customers: Iterable | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change a staff user's roles, scope and assigned customers; the last active global admin keeps the role."""
    _check_roles(admin_role, agent_role, scope)
    admins = _lock_active_global_admins(user.partner)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _staff_snapshot(user)
    demoted = user.is_active and user.is_global_admin and admin_role != AdminRole.GLOBAL_ADMIN
    if demoted and not [a for a in admins if a.pk != user.pk]:
        raise ValidationError({"admin_role": [LAST_GLOBAL_ADMIN]})
    user.admin_role, user.agent_role, user.scope = admin_role, agent_role, scope
    if first_name is not None:
        user.first_name = first_name.strip()
    if last_name is not None:
        user.last_name = last_name.strip()
    if customers is not None:
        _assignments_set(user, _assignable_customers(user.partner, customers))
    after = _staff_snapshot(user)
    if after == before:
        return user
    user.full_clean(exclude=["password"])
    user.save(update_fields=["admin_role", "agent_role", "scope", "first_name", "last_name"])
    user_access_sync(user=user)
    if any(before[key] != after[key] for key in ACCESS_KEYS):
        user_sessions_end(user=user)
    activity_record(action=Actions.STAFF_UPDATE, actor=actor, partner=user.partner, before=before, after=after)
    return user


@transaction.atomic
def staff_user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate a staff user: they cannot sign in, their sessions stop working and their access is removed."""
    admins = _lock_active_global_admins(user.partner)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_global_admin and not [a for a in admins if a.pk != user.pk]:
        raise ValidationError(LAST_GLOBAL_ADMIN)
    before = _staff_snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Every session of the user is deleted, so none comes back to life if they are reactivated later; open
    # set-password links die too.
    user_sessions_end(user=user)
    SetPasswordToken.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    user_access_sync(user=user)
    staff_user_deactivated.send(sender=User, user=user)
    activity_record(
        action=Actions.STAFF_DEACTIVATE, actor=actor, partner=user.partner, before=before, after=_staff_snapshot(user)
    )
    return user


@transaction.atomic
def staff_user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated staff user sign in again with the roles and scope they had."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    before = _staff_snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    user_access_sync(user=user)
    activity_record(
        action=Actions.STAFF_REACTIVATE, actor=actor, partner=user.partner, before=before, after=_staff_snapshot(user)
    )
    return user


@transaction.atomic
def staff_password_reset_send(*, actor: User, user: User) -> User:
    """Email a staff user a fresh one-time set-password link (older links stop working)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("This user is deactivated. Reactivate them before sending a password link."))
    purpose = SetPasswordToken.Purpose.RESET if user.has_usable_password() else SetPasswordToken.Purpose.WELCOME
    token = set_password_token_issue(user=user, purpose=purpose, actor=actor)
    activity_record(action=Actions.STAFF_PASSWORD_RESET, actor=actor, partner=user.partner, after={"email": user.email})
    _email_set_password_link(user=user, token=token, purpose=purpose)
    return user


def set_password_token_check(token: str) -> SetPasswordToken | None:
    """The usable token record for a raw token, or None (read only: opening a link changes nothing)."""
    if not token or len(token) > 200:
        return None
    record = (
        SetPasswordToken.objects.select_related("user", "user__partner").filter(token_hash=token_hash(token)).first()
    )
    if record is None or not record.is_usable() or not record.user.is_active:
        return None
    return record


@transaction.atomic
def set_password_token_use(*, token: str, password: str) -> User:
    """Consume a set-password link (once, even under concurrent submits) and set the user's password."""
    now = timezone.now()
    # One UPDATE on the token's own columns, no join: PostgreSQL re-checks this WHERE on the locked row once a
    # concurrent winner commits, so exactly one submission consumes the link. A filter on the user's columns would
    # turn it into `id IN (SELECT … JOIN …)`, whose subquery is not re-evaluated after the lock wait.
    consumed = SetPasswordToken.objects.filter(
        token_hash=token_hash(token), used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if consumed != 1:
        raise ValidationError(TOKEN_INVALID)
    record = SetPasswordToken.objects.get(token_hash=token_hash(token))
    user = User.objects.select_for_update().get(pk=record.user_id)
    if not user.is_active:
        # Raising rolls the consumption back; a deactivated user's links are revoked anyway.
        raise ValidationError(TOKEN_INVALID)
    user.set_password(password)
    user.save(update_fields=["password"])
    user_sessions_end(user=user)
    SetPasswordToken.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    activity_record(action=Actions.STAFF_PASSWORD_SET, actor=user, partner=user.partner, after={"email": user.email})
    return user
