"""Keep UPDATE and DELETE forbidden, but let TRUNCATE through.

TRUNCATE is how an operator (or Django's test flush) empties whole databases; it is not reachable from the
portal and is restricted to the table owner. Row-level tampering — UPDATE and DELETE — stays impossible.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("activity", "0003_append_only")]

    operations = [
        migrations.RunSQL(
            "DROP TRIGGER IF EXISTS activity_entry_no_truncate ON activity_activityentry;",
            """CREATE TRIGGER activity_entry_no_truncate BEFORE TRUNCATE ON activity_activityentry
               FOR EACH STATEMENT EXECUTE FUNCTION activity_entry_append_only();""",
        )
    ]
