"""RateLimitCounter now belongs to `partnerportal` (see partnerportal.0004): drop it from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('relationships', '0006_alter_relationship_end_reason'),
        ('partnerportal', '0004_ratelimitcounter'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RateLimitCounter')],
            database_operations=[],
        ),
    ]
