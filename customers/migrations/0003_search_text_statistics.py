"""A larger statistics sample for the customer search column.

PostgreSQL estimates `search_text LIKE '%word%'` by testing the pattern against the column's histogram. With
the default 101 histogram entries the estimate for one word swung between 10 rows (no entry matched: the
0.01% floor) and 9,097 rows for the same 6,359 matches in 100,000 customers, and the 10-row guess made the
planner read and sort every match (44 ms) instead of walking the name index and stopping after 50 (7 ms).
With 1,001 entries the estimate is within 5% of the actual count; ANALYZE of 100,000 customers takes ~0.9 s
instead of ~0.3 s and planning a search ~0.2 ms more (docs/performance.md).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE customers_customer ALTER COLUMN search_text SET STATISTICS 1000",
            reverse_sql="ALTER TABLE customers_customer ALTER COLUMN search_text SET STATISTICS -1",
        )
    ]
