"""Rewrite guardian's rows from one per (role group, per-customer permission, customer) to one reach per customer.

Before: each (partner, role) had an auth group holding each of the role's per-customer permissions on each of the
partner's customers (21 rows per customer and partner), and assigned-scope users held the same directly. After:
one staff group per partner (every whole-partner staff user a member) holding customers.view_customer on each of
the partner's customers, and one customers.view_customer per (assigned user, assigned customer).

Runs outside one long transaction: every statement is one batch of guardian rows (by id range) and commits on its
own; every step is idempotent, so a run that stops part way can simply be run again.
"""

from django.db import migrations

BATCH = 200_000


def _batches(cursor, table: str):
    cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
    low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        yield start, min(start + BATCH - 1, high)


def forwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("partnerportal", "User")
    PartnerRoleGroup = apps.get_model("partnerportal", "PartnerRoleGroup")
    PartnerGroup = apps.get_model("permissions", "PartnerGroup")
    GroupPerm = apps.get_model("customers", "CustomerGroupObjectPermission")
    UserPerm = apps.get_model("customers", "CustomerUserObjectPermission")
    role_groups = PartnerRoleGroup._meta.db_table
    partner_groups = PartnerGroup._meta.db_table
    memberships = User.groups.through._meta.db_table
    group_perms, user_perms = GroupPerm._meta.db_table, UserPerm._meta.db_table
    groups = Group._meta.db_table

    with schema_editor.connection.cursor() as cursor:
        # 1. One staff group per partner: the partner's role group with the smallest key is kept and renamed.
        cursor.execute(
            f"INSERT INTO {partner_groups} (partner_id, group_id) SELECT partner_id, MIN(group_id) FROM {role_groups} "
            f"GROUP BY partner_id ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            f"UPDATE {groups} g SET name = 'partner-' || pg.partner_id FROM {partner_groups} pg WHERE g.id = pg.group_id"
        )
        # 2. Whole-partner staff: a member of any of the partner's role groups becomes a member of its staff group.
        cursor.execute(
            f"INSERT INTO {memberships} (user_id, group_id) SELECT DISTINCT m.user_id, pg.group_id FROM {memberships} m "
            f"JOIN {role_groups} rg ON rg.group_id = m.group_id JOIN {partner_groups} pg ON pg.partner_id = rg.partner_id "
            f"ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            f"DELETE FROM {memberships} WHERE group_id IN (SELECT group_id FROM {role_groups}) "
            f"AND group_id NOT IN (SELECT group_id FROM {partner_groups})"
        )
        reach = Permission.objects.filter(content_type__app_label="customers", codename="view_customer").first()
        if reach is not None:
            # 3. Group rows: every customer any role group reached gets the staff group's reach; the rest go.
            for low, high in _batches(cursor, group_perms):
                cursor.execute(
                    f"INSERT INTO {group_perms} (group_id, permission_id, content_object_id) "
                    f"SELECT DISTINCT pg.group_id, %s, o.content_object_id FROM {group_perms} o "
                    f"JOIN {role_groups} rg ON rg.group_id = o.group_id "
                    f"JOIN {partner_groups} pg ON pg.partner_id = rg.partner_id "
                    f"WHERE o.id BETWEEN %s AND %s AND NOT (o.group_id = pg.group_id AND o.permission_id = %s) "
                    f"ON CONFLICT DO NOTHING",
                    [reach.pk, low, high, reach.pk],
                )
                cursor.execute(
                    f"DELETE FROM {group_perms} WHERE id BETWEEN %s AND %s "
                    f"AND group_id IN (SELECT group_id FROM {role_groups}) "
                    f"AND NOT (permission_id = %s AND group_id IN (SELECT group_id FROM {partner_groups}))",
                    [low, high, reach.pk],
                )
            # 4. Assigned-scope users: one reach per (user, customer) they held any permission on.
            for low, high in _batches(cursor, user_perms):
                cursor.execute(
                    f"INSERT INTO {user_perms} (user_id, permission_id, content_object_id) "
                    f"SELECT DISTINCT user_id, %s, content_object_id FROM {user_perms} "
                    f"WHERE id BETWEEN %s AND %s AND permission_id <> %s ON CONFLICT DO NOTHING",
                    [reach.pk, low, high, reach.pk],
                )
                cursor.execute(
                    f"DELETE FROM {user_perms} WHERE id BETWEEN %s AND %s AND permission_id <> %s",
                    [low, high, reach.pk],
                )
        # 5. The other role groups (now without members or rows) and the role-group records go.
        cursor.execute(f"SELECT group_id FROM {role_groups} WHERE group_id NOT IN (SELECT group_id FROM {partner_groups})")
        obsolete = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DELETE FROM {role_groups}")
        if obsolete:
            cursor.execute(f"DELETE FROM {group_perms} WHERE group_id = ANY(%s)", [obsolete])
            cursor.execute(f"DELETE FROM {Group.permissions.through._meta.db_table} WHERE group_id = ANY(%s)", [obsolete])
            cursor.execute(f"DELETE FROM {groups} WHERE id = ANY(%s)", [obsolete])
        cursor.execute(f"ANALYZE {group_perms}")
        cursor.execute(f"ANALYZE {user_perms}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("customers", "0003_search_text_statistics"),
        ("partnerportal", "0002_setpasswordtoken"),
        ("permissions", "0003_partner_group"),
    ]

    operations = [migrations.RunPython(forwards, elidable=False)]
