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


def _template_fields(
    partner: Partner, name: str, roles: list[str] | tuple[str, ...], exclude_pk: int | None
) -> tuple[str, list[str]]:
    """The cleaned name and roles of a template; ValidationError by field (name and roles together)."""
    errors: dict[str, list] = {}
    name = " ".join((name or "").split())
    try:
        chosen = roles_clean(roles)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        chosen = []
    if not chosen and "roles" not in errors:
        errors["roles"] = [ROLES_REQUIRED]
    try:
        RoleTemplate(partner=partner, name=name, roles=chosen or ["x"]).full_clean(
            exclude=["roles", "partner"], validate_constraints=False
        )
    except ValidationError as exc:
        errors.update({k: v for k, v in exc.message_dict.items() if k == "name"})
    taken = RoleTemplate.objects.filter(partner=partner, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if "name" not in errors and taken.exists():
        errors["name"] = [TEMPLATE_NAME_TAKEN]
    if errors:
        raise ValidationError(errors)
    return name, chosen


def _default_set(partner: Partner, template: RoleTemplate, is_default: bool) -> None:
    """Make `template` the partner's one default (or not): the previous default stops being it."""
    if is_default:
        RoleTemplate.objects.filter(partner=partner, is_default=True).exclude(pk=template.pk).update(is_default=False)
    template.is_default = is_default


def _template_details(template: RoleTemplate) -> dict:
    return {
        "role_template": template.pk,
        "name": template.name,
        "role_names": [r.name for r in template.role_list],
        "is_default": template.is_default,
    }


def _manager_partner(actor: User) -> Partner:
    if not policy.has_action(actor, Action.MANAGE_ADMIN_RELATIONSHIP):
        raise PermissionDenied
    assert actor.partner_id is not None  # partner staff only (checked by the policy above)
    # Locked: two saves cannot both pass the uniqueness check, nor both become the default.
    return Partner.objects.select_for_update().get(pk=actor.partner_id)


@transaction.atomic
def role_template_create(
    *, actor: User, name: str, roles: list[str] | tuple[str, ...], is_default: bool = False
) -> RoleTemplate:
    """Save a named set of roles the partner's staff can request from (optionally the partner's default)."""
    partner = _manager_partner(actor)
    name, chosen = _template_fields(partner, name, roles, exclude_pk=None)
    template = RoleTemplate(partner=partner, name=name, roles=chosen)
    _default_set(partner, template, is_default)
    template.save()
    activity_record(
        action=Actions.ROLE_TEMPLATE_CREATE, actor=actor, partner=partner, after=_template_details(template)
    )
    return template


@transaction.atomic
def role_template_update(
    *, actor: User, template: RoleTemplate, name: str, roles: list[str] | tuple[str, ...], is_default: bool
) -> RoleTemplate:
    """Rename a template, change its roles or whether it is the default; relationships requested from it keep
    the roles they were requested with (they copied them)."""
    partner = _manager_partner(actor)
    locked = RoleTemplate.objects.select_for_update().filter(pk=template.pk, partner=partner).first()
    if locked is None:
        raise PermissionDenied
    before = _template_details(locked)
    name, chosen = _template_fields(partner, name, roles, exclude_pk=locked.pk)
    locked.name, locked.roles = name, chosen
    _default_set(partner, locked, is_default)
    locked.save(update_fields=["name", "roles", "is_default"])
    after = _template_details(locked)
    if after != before:
        activity_record(action=Actions.ROLE_TEMPLATE_UPDATE, actor=actor, partner=partner, before=before, after=after)
    return locked


@transaction.atomic
def role_template_delete(*, actor: User, template: RoleTemplate) -> None:
    """Delete a template. Relationships requested from it are untouched: they hold their own copy of the roles."""
    partner = _manager_partner(actor)
    locked = RoleTemplate.objects.select_for_update().filter(pk=template.pk, partner=partner).first()
    if locked is None:
        raise PermissionDenied
    before = _template_details(locked)
    locked.delete()
    activity_record(action=Actions.ROLE_TEMPLATE_DELETE, actor=actor, partner=partner, before=before)


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
