"""RateLimitCounter now belongs to `partnerportal` (see partnerportal.0003): drop it from this app's state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('relationships', '0004_ratelimitcounter'),
        ('partnerportal', '0003_ratelimitcounter'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RateLimitCounter')],
            database_operations=[],
        ),
    ]
