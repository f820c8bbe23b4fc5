"""Drop the activity entry's single-column customer and partner indexes (the first column of activity_customer_time
and activity_partner_time) and the action's varchar_pattern_ops index (the log filters on an exact action, which
the plain action index serves), without locking the log.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('activity', '0013_business_profile_and_lead_actions'),
        ('customers', '0003_search_text_statistics'),
        ('partnerportal', '0009_user_time_zone'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activityentry',
                    name='customer',
                    field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='activityentry',
                    name='partner',
                    field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partnerportal.partner'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS activity_activityentry_customer_id_5cb2b544",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS activity_activityentry_customer_id_5cb2b544 ON activity_activityentry (customer_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS activity_activityentry_partner_id_ea1f4515",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS activity_activityentry_partner_id_ea1f4515 ON activity_activityentry (partner_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS activity_activityentry_action_ce9e413d_like",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS activity_activityentry_action_ce9e413d_like ON activity_activityentry (action varchar_pattern_ops)",
                ),
            ],
        ),
    ]
