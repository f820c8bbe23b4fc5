"""RateLimitCounter moves from `relationships` to the core (the rate limiter is infrastructure now).

The model enters this app's state on the existing table, which is then renamed to this app's default name;
relationships.0007 drops it from that app's state. No row is copied.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partnerportal', '0003_drop_partner_role_group'),
        ('relationships', '0004_ratelimitcounter'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RateLimitCounter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=128)),
                        ('window_start', models.DateTimeField()),
                        ('count', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'relationships_ratelimitcounter',
                        'indexes': [models.Index(fields=['window_start'], name='ratelimit_window')],
                        'constraints': [
                            models.UniqueConstraint(fields=('key', 'window_start'), name='ratelimit_key_window')
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='ratelimitcounter', table=None),
    ]
