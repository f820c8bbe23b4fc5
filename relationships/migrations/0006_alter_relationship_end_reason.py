"""Narrow `end_reason` to the codes 0005 wrote (kept apart so the schema change follows the data change's
transaction)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("relationships", "0005_relationship_end_reason_code")]

    operations = [
        migrations.AlterField(
            model_name="relationship",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("no_longer_transacting", "We no longer transact with this customer"),
                    ("customer_request", "The customer asked to end the relationship"),
                    ("moved_partner", "The customer moved to another partner"),
                    ("created_by_mistake", "The relationship was created by mistake"),
                    ("other", "Other reason"),
                ],
                max_length=32,
                verbose_name="reason",
            ),
        ),
    ]
