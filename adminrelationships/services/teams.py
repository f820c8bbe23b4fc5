"""Admin relationships, the partner's side of who holds what: role templates to request from, security groups of
staff, and which group holds which approved roles of an active relationship."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from activity.services import Actions, activity_record
from adminrelationships import catalogue
from adminrelationships.models import (
    AccessAssignment,
    AdminRelationship,
    RoleTemplate,
    SecurityGroup,
    Status,
)
from adminrelationships.services.requests import ROLES_REQUIRED, roles_clean, status_words
from partnerportal.models import Partner, User
from permissions import policy
from permissions.roles import Action

TEMPLATE_NAME_TAKEN = _("Your organisation already has a role template with this name.")
GROUP_NAME_TAKEN = _("Your organisation already has a security group with this name.")
MEMBER_NOT_STAFF = _("Choose members among your organisation's active staff.")
ASSIGN_NEEDS_ACTIVE = _("Roles can be assigned only in an active admin relationship; this one is %(status)s.")
ROLE_NOT_APPROVED = _("Choose among the roles the customer approved.")


@transaction.atomic
def role_template_create(*, actor: User, name: str, roles: list[str] | tuple[str, ...]) -> RoleTemplate:
    """Save a named set of roles the partner's staff can request from."""
    if not policy.has_action(actor, Action.MANAGE_ADMIN_RELATIONSHIP):
        raise PermissionDenied
    assert actor.partner_id is not None  # partner staff only (checked by the policy above)
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    name = " ".join((name or "").split())
    chosen = roles_clean(roles)
    if not chosen:
        raise ValidationError({"roles": [ROLES_REQUIRED]})
    template = RoleTemplate(partner=partner, name=name, roles=chosen)
    template.full_clean(exclude=["roles"], validate_constraints=False)
    if RoleTemplate.objects.filter(partner=partner, name__iexact=name).exists():
        raise ValidationError({"name": [TEMPLATE_NAME_TAKEN]})
    template.save()
    activity_record(
        action=Actions.ROLE_TEMPLATE_CREATE,
        actor=actor,
        partner=partner,
        after={"role_template": template.pk, "name": name, "role_names": [r.name for r in template.role_list]},
    )
    return template


def _group_members(partner: Partner, members: list[User] | tuple[User, ...]) -> list[User]:
    """The members, who must be active staff of the partner."""
    if any(member.partner_id != partner.pk or not member.is_active for member in members):
        raise ValidationError({"members": [MEMBER_NOT_STAFF]})
    return list(members)


@transaction.atomic
def security_group_save(
    *,
    actor: User,
    name: str,
    members: list[User] | tuple[User, ...],
    group: SecurityGroup | None = None,
) -> SecurityGroup:
    """Create a security group of the partner's staff, or rename it and set its members."""
    if not policy.has_action(actor, Action.MANAGE_SECURITY_GROUPS):
        raise PermissionDenied
    assert actor.partner_id is not None  # partner staff only (checked by the policy above)
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    if group is not None and group.partner_id != partner.pk:
        raise PermissionDenied
    name = " ".join((name or "").split())
    chosen = _group_members(partner, members)
    before = None
    if group is None:
        group = SecurityGroup(partner=partner, name=name)
    else:
        group = SecurityGroup.objects.select_for_update().get(pk=group.pk)
        before = {"name": group.name, "members": sorted(group.members.values_list("email", flat=True))}
        group.name = name
    group.full_clean(validate_constraints=False)
    if SecurityGroup.objects.filter(partner=partner, name__iexact=name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": [GROUP_NAME_TAKEN]})
    group.save()
    group.members.set(chosen)
    activity_record(
        action=Actions.SECURITY_GROUP_CREATE if before is None else Actions.SECURITY_GROUP_UPDATE,
        actor=actor,
        partner=partner,
        before=before,
        after={"security_group": group.pk, "name": name, "members": sorted(m.email for m in chosen)},
    )
    return group


@transaction.atomic
def access_assignment_set(
    *, actor: User, relationship: AdminRelationship, group: SecurityGroup, roles: list[str] | tuple[str, ...]
) -> AccessAssignment | None:
    """Give a security group some of an active relationship's approved roles (none: remove its assignment).

    The relationship row is locked, so an assignment cannot slip in beside a concurrent termination.
    """
    if not policy.can(actor, Action.MANAGE_ADMIN_RELATIONSHIP, relationship.customer):
        raise PermissionDenied
    relationship = AdminRelationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.partner_id != actor.partner_id or group.partner_id != actor.partner_id:
        raise PermissionDenied
    if relationship.status != Status.ACTIVE:
        raise ValidationError(ASSIGN_NEEDS_ACTIVE % {"status": status_words(relationship)})
    chosen = roles_clean(roles)
    if set(chosen) - set(relationship.roles):
        raise ValidationError({"roles": [ROLE_NOT_APPROVED]})
    current = AccessAssignment.objects.filter(relationship=relationship, group=group).first()
    before = {"roles": [r.name for r in current.role_list]} if current else {"roles": []}
    if not chosen:
        if current is not None:
            current.delete()
        assignment = None
    elif current is None:
        assignment = AccessAssignment.objects.create(relationship=relationship, group=group, roles=chosen)
    else:
        current.roles = chosen
        current.save(update_fields=["roles"])
        assignment = current
    activity_record(
        action=Actions.ADMIN_RELATIONSHIP_ASSIGN,
        actor=actor,
        partner=relationship.partner,
        customer=relationship.customer,
        before=before,
        after={
            "admin_relationship": relationship.pk,
            "name": relationship.name,
            "security_group": group.name,
            "roles": [r.name for r in catalogue.roles_of(chosen)],
        },
    )
    return assignment
