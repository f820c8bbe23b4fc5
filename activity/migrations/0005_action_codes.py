"""Store activity actions as codes: rewrite the English sentences older rows hold to the codes.

The log is append-only (0003): this is the one sanctioned rewrite. Inside the migration's transaction the
UPDATE/DELETE trigger is disabled, the `action` column (and the `cause` key some entries carry in their details)
is mapped sentence → code by one UPDATE each, and the trigger is enabled again; nothing else in a row changes, and
a failure rolls the whole thing back with the trigger in place. Rows whose action is no known sentence are left
as they are. The mapping is frozen here (not imported from `activity.actions`) so the migration means the same
thing whatever the code says later.
"""

from django.db import migrations, models

SENTENCE_TO_CODE = {
    "Create customer": "customer.create",
    "Update customer": "customer.update",
    "Attest customer agreement": "customer.agreement_attest",
    "Import customer": "customer.import",
    "Update customer tags": "customer.tags_update",
    "Create subscription": "subscription.create",
    "Change subscription status": "subscription.status_change",
    "Send invitation": "invitation.create",
    "Resend invitation": "invitation.resend",
    "Revoke invitation": "invitation.revoke",
    "Accept invitation": "invitation.accept",
    "End relationship": "relationship.end",
    "Restore relationship": "relationship.restore",
    "Request partnership": "partnership.request",
    "Authorize partnership": "partnership.authorize",
    "Remove partnership": "partnership.remove",
    "Create customer purchase permission": "purchase_permission.create",
    "Delete customer purchase permission": "purchase_permission.delete",
    "Add staff user": "staff.create",
    "Update staff user": "staff.update",
    "Deactivate staff user": "staff.deactivate",
    "Reactivate staff user": "staff.reactivate",
    "Send password reset": "staff.password_reset",
    "Set password": "staff.password_set",
}

TRIGGER = "activity_entry_no_update_delete"
TABLE = "activity_activityentry"


def rewrite_actions(connection, mapping: dict[str, str]) -> int:
    """Map `action` and `details->'cause'` through `mapping` (old → new); returns the rows whose action changed."""
    pairs = list(mapping.items())
    values = ", ".join(["(%s, %s)"] * len(pairs))
    params = [value for pair in pairs for value in pair]
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of rows inserted earlier in this transaction must fire before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(
            f"UPDATE {TABLE} AS e SET action = m.new FROM (VALUES {values}) AS m(old, new) WHERE e.action = m.old",
            params,
        )
        changed = cursor.rowcount
        cursor.execute(
            f"UPDATE {TABLE} AS e SET details = jsonb_set(e.details, '{{cause}}', to_jsonb(m.new::text)) "
            f"FROM (VALUES {values}) AS m(old, new) WHERE e.details ->> 'cause' = m.old",
            params,
        )
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return changed


def forwards(apps, schema_editor):
    rewrite_actions(schema_editor.connection, SENTENCE_TO_CODE)


def backwards(apps, schema_editor):
    rewrite_actions(schema_editor.connection, {code: sentence for sentence, code in SENTENCE_TO_CODE.items()})


class Migration(migrations.Migration):
    dependencies = [("activity", "0004_allow_truncate")]

    operations = [
        migrations.AlterField(
            model_name="activityentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("customer.create", "Create customer"),
                    ("customer.update", "Update customer"),
                    ("customer.agreement_attest", "Attest customer agreement"),
                    ("customer.import", "Import customer"),
                    ("customer.tags_update", "Update customer tags"),
                    ("subscription.create", "Create subscription"),
                    ("subscription.status_change", "Change subscription status"),
                    ("invitation.create", "Send invitation"),
                    ("invitation.resend", "Resend invitation"),
                    ("invitation.revoke", "Revoke invitation"),
                    ("invitation.accept", "Accept invitation"),
                    ("relationship.end", "End relationship"),
                    ("relationship.restore", "Restore relationship"),
                    ("partnership.request", "Request partnership"),
                    ("partnership.authorize", "Authorize partnership"),
                    ("partnership.remove", "Remove partnership"),
                    ("purchase_permission.create", "Create customer purchase permission"),
                    ("purchase_permission.delete", "Delete customer purchase permission"),
                    ("staff.create", "Add staff user"),
                    ("staff.update", "Update staff user"),
                    ("staff.deactivate", "Deactivate staff user"),
                    ("staff.reactivate", "Reactivate staff user"),
                    ("staff.password_reset", "Send password reset"),
                    ("staff.password_set", "Set password"),
                ],
                db_index=True,
                max_length=64,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
