"""Drop the indexes that duplicate another index's leading columns (or serve no query), without locking writes.

Each single-column index below is the first column of a wider index that stays (customer_created_keyset,
customer_groupperm_obj, guardian's unique (group/user, permission, content_object), unique_customer_tag,
customertag_tag_customer, subscription_customer_partner), so every lookup, join and cascade delete keeps an index;
the guardian tables store one permission only, so an index on it selects nothing. primary_domain's
varchar_pattern_ops index served only `LIKE 'prefix%'`, which the portal never runs (search uses the trigram
index, the domain check the unique index). docs/performance.md ("At 1,000,000 customers") has the sizes.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    # DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('customers', '0003_search_text_statistics'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='customer',
                    name='created_at',
                    field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='created'),
                ),
                migrations.AlterField(
                    model_name='customergroupobjectpermission',
                    name='content_object',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='customergroupobjectpermission',
                    name='group',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='auth.group'),
                ),
                migrations.AlterField(
                    model_name='customergroupobjectpermission',
                    name='permission',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
                ),
                migrations.AlterField(
                    model_name='customertag',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='customer_tags', to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='customertag',
                    name='tag',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='customer_tags', to='customers.tag'),
                ),
                migrations.AlterField(
                    model_name='customeruserobjectpermission',
                    name='content_object',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='customeruserobjectpermission',
                    name='permission',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
                ),
                migrations.AlterField(
                    model_name='customeruserobjectpermission',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='subscription',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='customers.customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customer_created_at_b0f7c38c",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customer_created_at_b0f7c38c ON customers_customer (created_at)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customer_primary_domain_111c3b43_like",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customer_primary_domain_111c3b43_like ON customers_customer (primary_domain varchar_pattern_ops)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customergroupobj_content_object_id_a12f0908",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customergroupobj_content_object_id_a12f0908 ON customers_customergroupobjectpermission (content_object_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customergroupobjectpermission_group_id_831e8a3b",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customergroupobjectpermission_group_id_831e8a3b ON customers_customergroupobjectpermission (group_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customergroupobjectpermission_permission_id_4650e204",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customergroupobjectpermission_permission_id_4650e204 ON customers_customergroupobjectpermission (permission_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customertag_customer_id_bd0af7af",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customertag_customer_id_bd0af7af ON customers_customertag (customer_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customertag_tag_id_9e916327",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customertag_tag_id_9e916327 ON customers_customertag (tag_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customeruserobje_content_object_id_4a2f5550",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customeruserobje_content_object_id_4a2f5550 ON customers_customeruserobjectpermission (content_object_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customeruserobjectpermission_permission_id_770267e1",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customeruserobjectpermission_permission_id_770267e1 ON customers_customeruserobjectpermission (permission_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_customeruserobjectpermission_user_id_bd0a0aa3",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_customeruserobjectpermission_user_id_bd0a0aa3 ON customers_customeruserobjectpermission (user_id)",
                ),
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS customers_subscription_customer_id_f27cd752",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_subscription_customer_id_f27cd752 ON customers_subscription (customer_id)",
                ),
            ],
        ),
    ]
