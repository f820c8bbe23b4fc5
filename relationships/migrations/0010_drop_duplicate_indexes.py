"""Drop the relationship's single-column customer and partner indexes, without locking writes: they are the first
column of relationship_customer_partner and relationship_partner_status, which serve the same lookups.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('customers', '0004_drop_duplicate_indexes'),
        ('partnerportal', '0009_user_time_zone'),
        ('relationships', '0009_invitation_expiry_announced_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='relationship',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='relationships', to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='relationship',
                    name='partner',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='relationships', to='partnerportal.partner'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS relationships_relationship_customer_id_d858adab",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS relationships_relationship_customer_id_d858adab ON relationships_relationship (customer_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS relationships_relationship_partner_id_6bdcb8d2",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS relationships_relationship_partner_id_6bdcb8d2 ON relationships_relationship (partner_id)",
                ),
            ],
        ),
    ]
