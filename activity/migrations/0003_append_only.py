"""Make the activity log append-only in the database itself: UPDATE, DELETE and TRUNCATE raise."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION activity_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the activity log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER activity_entry_no_update_delete
    BEFORE UPDATE OR DELETE ON activity_activityentry
    FOR EACH ROW EXECUTE FUNCTION activity_entry_append_only();

CREATE TRIGGER activity_entry_no_truncate
    BEFORE TRUNCATE ON activity_activityentry
    FOR EACH STATEMENT EXECUTE FUNCTION activity_entry_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS activity_entry_no_truncate ON activity_activityentry;
DROP TRIGGER IF EXISTS activity_entry_no_update_delete ON activity_activityentry;
DROP FUNCTION IF EXISTS activity_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_initial")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
