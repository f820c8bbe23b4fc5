"""End reasons become codes: a `Relationship.EndReason` code in `end_reason`, free text in `end_reason_details`.

Until now the end form's chosen English label (with ": <details>" appended when given) or, for "other", the details
alone were stored as text. Known labels map back to their codes (with what followed ": " as details); anything else
becomes "other" with the old text as its details, so no reason a partner wrote is lost. 0006 then narrows the
column to the codes. The labels are frozen here, as they were stored.
"""

from django.db import migrations, models

LABEL_TO_CODE = {
    "We no longer transact with this customer": "no_longer_transacting",
    "The customer asked to end the relationship": "customer_request",
    "The customer moved to another partner": "moved_partner",
    "The relationship was created by mistake": "created_by_mistake",
}
CODES = [*LABEL_TO_CODE.values(), "other"]
TABLE = "relationships_relationship"


def end_reasons_to_codes(connection) -> None:
    """Rewrite free-text end reasons as (code, details); rows already holding a code are left alone."""
    with connection.cursor() as cursor:
        for label, code in LABEL_TO_CODE.items():
            cursor.execute(
                f"UPDATE {TABLE} SET end_reason = %s, end_reason_details = '' WHERE end_reason IN (%s, %s)",
                [code, label, label + "."],
            )
            cursor.execute(
                f"UPDATE {TABLE} SET end_reason = %s, end_reason_details = btrim(substr(end_reason, %s)) "
                "WHERE starts_with(end_reason, %s)",
                [code, len(label) + 3, label + ": "],
            )
        cursor.execute(
            f"UPDATE {TABLE} SET end_reason_details = end_reason, end_reason = 'other' "
            "WHERE end_reason <> '' AND NOT (end_reason = ANY(%s))",
            [CODES],
        )


def end_reasons_to_text(connection) -> None:
    """The reverse: the text the form used to store (label, "label: details", or the details for "other")."""
    with connection.cursor() as cursor:
        for label, code in LABEL_TO_CODE.items():
            cursor.execute(
                f"UPDATE {TABLE} SET end_reason = CASE WHEN end_reason_details = '' THEN %s "
                "ELSE %s || ': ' || end_reason_details END WHERE end_reason = %s",
                [label, label, code],
            )
        cursor.execute(f"UPDATE {TABLE} SET end_reason = end_reason_details WHERE end_reason = 'other'")


def forwards(apps, schema_editor):
    end_reasons_to_codes(schema_editor.connection)


def backwards(apps, schema_editor):
    end_reasons_to_text(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("relationships", "0004_ratelimitcounter")]

    operations = [
        migrations.AddField(
            model_name="relationship",
            name="end_reason_details",
            field=models.TextField(blank=True, verbose_name="reason details"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
