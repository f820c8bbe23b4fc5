"""The activity log: append-only in the database, partner-private, filtered, paged, exported, and written by
every service that changes data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityEntry
from activity.services import Actions, activity_record
from customers.services import customer_agreement_attest, customer_update
from customers.services.subscriptions import subscription_create, subscription_status_change
from customers.services.tags import customer_tags_set
from partnerportal.infrastructure.pagination import encode_cursor
from tests.factories import customer_data, make_customer, make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

LIST = reverse("activity:activity_list")
EXPORT = reverse("activity:activity_export")


def entry(world, *, partner=None, customer=None, days_ago: int = 0, action=Actions.CUSTOMER_UPDATE, actor=None):
    """An entry at a chosen time (inserting is the one thing the table allows)."""
    partner = partner or world.partner_a
    actor = actor or world.users["admin_agent"]
    return ActivityEntry.objects.create(
        created_at=timezone.now() - timedelta(days=days_ago),
        partner=partner,
        actor=actor,
        actor_email=actor.email,
        customer=customer,
        customer_name=customer.company_name if customer else "",
        action=action,
        details={"after": {"note": "x"}},
    )


def export_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- append-only ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE activity_activityentry SET action = 'forged'",
        "DELETE FROM activity_activityentry",
        "DELETE FROM activity_activityentry WHERE id = (SELECT min(id) FROM activity_activityentry)",
        "UPDATE activity_activityentry SET details = '{}'::jsonb WHERE action = 'customer.create'",
    ],
)
# The portal's database role holds only SELECT and INSERT on the log, so PostgreSQL refuses these before the
# append-only trigger (activity/migrations/0003) is reached; the trigger still stops the owner's UPDATE and DELETE
# (tests/security/test_db_roles.py, with TRUNCATE and the other ways around a trigger).
def test_the_log_cannot_be_changed_even_from_raw_sql(world, sql):
    count = ActivityEntry.objects.count()
    assert count > 0
    with pytest.raises((ProgrammingError, InternalError)) as raised, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    assert "permission denied for table activity_activityentry" in str(raised.value)
    assert ActivityEntry.objects.count() == count
    assert not ActivityEntry.objects.filter(action="forged").exists()


def test_the_orm_cannot_change_or_delete_an_entry(world):
    first = ActivityEntry.objects.first()
    with pytest.raises((ProgrammingError, InternalError)), transaction.atomic():
        ActivityEntry.objects.filter(pk=first.pk).update(action="forged")
    with pytest.raises((ProgrammingError, InternalError)), transaction.atomic():
        first.delete()
    assert ActivityEntry.objects.filter(pk=first.pk, action=first.action).exists()


# --- isolation --------------------------------------------------------------------------------------------------


def test_partner_b_never_sees_partner_a_entries(world, client_for):
    entry(world, customer=world.customer_in, action=Actions.TAGS_UPDATE)
    b_agent = make_user(world.partner_b, "admin_agent")
    for user in (world.user_b, b_agent):
        client = client_for(user)
        html = client.get(LIST).content.decode()
        assert world.customer_out.company_name in html
        assert world.customer_in.company_name not in html
        assert f"<td>{Actions.TAGS_UPDATE.label}</td>" not in html
        # Even asked for A's customer by ID, or A's user, B gets nothing.
        html = client.get(LIST, {"customer": str(world.customer_in.pk)}).content.decode()
        assert world.customer_in.company_name not in html
        rows = export_rows(client.get(EXPORT))
        assert rows[0][0] == "Time (UTC)"
        assert all(str(world.customer_in.pk) not in row for row in rows)
        assert any(str(world.customer_out.pk) in row for row in rows)
        rows = export_rows(client.get(EXPORT, {"customer": str(world.customer_in.pk)}))
        assert len(rows) == 1


def test_the_customer_page_shows_only_this_partner_s_recent_entries(world, client_for):
    # A customer both partners serve: each partner sees only its own entries about it.
    from relationships.services import relationship_begin

    shared = world.customer_in
    relationship_begin(partner=world.partner_b, customer=shared)
    entry(world, partner=world.partner_b, customer=shared, actor=world.user_b, action=Actions.INVITATION_CREATE)
    for n in range(12):
        entry(world, customer=shared, days_ago=0, action=f"Step {n:02d}")
    html = client_for(world.users["global_admin"]).get(shared.get_absolute_url()).content.decode()
    section = html[html.index('id="recent-activity"') :]
    assert Actions.INVITATION_CREATE not in section
    assert section.count("<td>Step ") == 10
    assert "Step 11" in section and "Step 01" not in section
    # Roles without the activity log do not get the section.
    html = client_for(world.users["sales_agent"]).get(shared.get_absolute_url()).content.decode()
    assert 'id="recent-activity"' not in html


def test_the_customer_page_loads_recent_activity_in_one_query(world, client_for):
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users["global_admin"])
    url = world.customer_in.get_absolute_url()
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        entry(world, customer=world.customer_in)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum("activity_activityentry" in q["sql"] for q in many.captured_queries) == 1


# --- filters, pages, export -------------------------------------------------------------------------------------


def test_default_range_is_the_last_30_days(world, client_for):
    old = make_customer(world.partner_a, actor=world.users["global_admin"], data={"company_name": "Oldtimer Ltd"})
    entry(world, customer=old, days_ago=45, action=Actions.TAGS_UPDATE)
    client = client_for(world.users["global_admin"])
    html = client.get(LIST).content.decode()
    assert f"<td>{Actions.TAGS_UPDATE.label}</td>" not in html
    today = timezone.localdate()
    assert f'value="{(today - timedelta(days=30)).isoformat()}"' in html
    html = client.get(LIST, {"date_from": (today - timedelta(days=60)).isoformat()}).content.decode()
    assert f"<td>{Actions.TAGS_UPDATE.label}</td>" in html
    html = client.get(
        LIST,
        {
            "date_from": (today - timedelta(days=50)).isoformat(),
            "date_to": (today - timedelta(days=40)).isoformat(),
        },
    ).content.decode()
    assert f"<td>{Actions.TAGS_UPDATE.label}</td>" in html
    assert f"<td>{Actions.CUSTOMER_CREATE.label}</td>" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "The end date must be on or after the start date."),
        ({"date_from": "2026-13-45"}, "Enter a valid date."),
        ({"date_to": "yesterday"}, "Enter a valid date."),
        ({"actor": "999999"}, "Select a valid choice."),
        ({"actor": "x"}, "Select a valid choice."),
        ({"action": "Drop table"}, "Select a valid choice."),
        ({"after": "garbage"}, None),
        ({"after": encode_cursor("not-a-time", 1)}, None),
        ({"before": encode_cursor(5, "not-an-id")}, None),
        ({"customer": "x" * 300}, "Ensure this value has at most 255 characters"),
        ({"date_from": "0001-01-01"}, "Enter a date from 1900-01-01 to 9999-12-31."),
        ({"date_to": "0001-01-01"}, "Enter a date from 1900-01-01 to 9999-12-31."),
        ({"date_from": "1899-12-31", "date_to": "9999-12-31"}, "Enter a date from 1900-01-01 to 9999-12-31."),
        ({"date_from": "10000-01-01"}, "Enter a valid date."),
        ({"date_to": "99999999-12-31"}, "Enter a valid date."),
    ],
)
def test_bad_filters_get_a_message_and_never_a_500(world, client_for, params, message):
    client = client_for(world.users["admin_agent"])
    response = client.get(LIST, params)
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()
    assert client.get(EXPORT, params).status_code == 200


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        # Only a start after today: the range falls back to the default (the last 30 days).
        ({"date_from": "9999-12-31"}, True),
        ({"date_to": "9999-12-31"}, True),
        ({"date_from": "9999-12-31", "date_to": "9999-12-31"}, False),
        ({"date_from": "1900-01-01", "date_to": "9999-12-31"}, True),
        ({"date_from": "1900-01-01"}, True),
        ({"date_from": "1900-01-01", "date_to": "1900-01-01"}, False),
    ],
)
def test_the_calendar_s_edges_are_valid_filters(world, client_for, params, shown):
    entry(world, action=Actions.TAGS_UPDATE)
    client = client_for(world.users["admin_agent"])
    response = client.get(LIST, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" not in html
    assert (f"<td>{Actions.TAGS_UPDATE.label}</td>" in html) == shown
    rows = export_rows(client.get(EXPORT, params))
    assert (len(rows) > 1) == shown


def test_filters_by_customer_user_and_action(world, client_for):
    other = make_customer(world.partner_a, actor=world.users["sales_agent"], data={"company_name": "Northwind Bikes"})
    client = client_for(world.users["global_admin"])

    def actions_shown(params) -> set[tuple[str, str]]:
        rows = export_rows(client.get(EXPORT, params))[1:]
        return {(row[3], row[4]) for row in rows}

    everything = actions_shown({})
    assert (world.customer_in.company_name, Actions.CUSTOMER_CREATE) in everything
    assert ("Northwind Bikes", Actions.CUSTOMER_CREATE) in everything
    assert actions_shown({"customer": "northwind"}) == {("Northwind Bikes", Actions.CUSTOMER_CREATE)}
    assert actions_shown({"customer": str(other.pk)}) == {("Northwind Bikes", Actions.CUSTOMER_CREATE)}
    assert actions_shown({"actor": world.users["sales_agent"].pk}) == {("Northwind Bikes", Actions.CUSTOMER_CREATE)}
    assert actions_shown({"action": Actions.TAGS_UPDATE}) == set()
    html = client.get(LIST, {"customer": "northwind"}).content.decode()
    assert "Northwind Bikes" in html and world.customer_in.company_name not in html


def test_a_customer_link_shows_only_while_the_customer_is_visible(world, client_for):
    hidden = make_customer(world.partner_b, actor=world.user_b, data={"company_name": "Hidden Corp"})
    # An entry of partner A naming a customer A cannot open (e.g. after the relationship ended).
    entry(world, customer=hidden, action=Actions.RELATIONSHIP_END)
    html = client_for(world.users["global_admin"]).get(LIST).content.decode()
    assert f'href="{world.customer_in.get_absolute_url()}"' in html
    assert "Hidden Corp" in html
    assert f'href="{hidden.get_absolute_url()}"' not in html


def test_keyset_pages_of_50(world, client_for):
    for n in range(60):
        entry(world, action=f"Bulk {n:02d}")
    client = client_for(world.users["global_admin"])
    first = client.get(LIST)
    rows = first.context["entries"]
    assert len(rows) == 50
    assert first.context["page"].next_cursor
    second = client.get(LIST, {"after": first.context["page"].next_cursor})
    rest = second.context["entries"]
    assert {e.pk for e in rows}.isdisjoint({e.pk for e in rest})
    assert len(rows) + len(rest) == ActivityEntry.objects.filter(partner=world.partner_a).count()
    assert second.context["page"].next_cursor is None


def test_list_query_count_is_the_same_at_1_and_50_rows(world, client_for):
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users["global_admin"])
    counted = make_customer(world.partner_a, actor=world.users["admin_agent"])  # its customer.create entry
    params = {"customer": str(counted.pk)}
    client.get(LIST, params)  # warm caches (permission ids, sessions) outside the measurement
    with CaptureQueriesContext(connection) as one:
        response = client.get(LIST, params)
    assert len(response.context["entries"]) == 1
    for _ in range(49):
        entry(world, customer=counted)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(LIST, params)
    assert len(response.context["entries"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


def test_export_neutralises_spreadsheet_formulas(world, client_for):
    for name in ('=HYPERLINK("http://evil")', "+1+1", "-2", "@SUM(A1)", "\tTab"):
        ActivityEntry.objects.create(
            partner=world.partner_a, actor_email="=evil@example.com", customer_name=name, action=Actions.CUSTOMER_IMPORT
        )
    rows = export_rows(client_for(world.users["admin_agent"]).get(EXPORT, {"action": Actions.CUSTOMER_IMPORT}))
    assert len(rows) == 6
    for row in rows[1:]:
        assert row[1] == "'=evil@example.com"
        assert row[3][0] == "'"
    response = client_for(world.users["admin_agent"]).get(EXPORT)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]


def test_entries_made_in_a_request_record_the_client_address(world, client_for):
    client = client_for(world.users["global_admin"])
    client.post(reverse("staff:user_reset_password", args=[world.users["sales_agent"].pk]), REMOTE_ADDR="203.0.113.7")
    latest = ActivityEntry.objects.latest("id")
    assert latest.action == Actions.STAFF_PASSWORD_RESET
    assert latest.client_address == "203.0.113.7"


# --- every existing data-changing service writes its entry ------------------------------------------------------


def latest(action):
    return ActivityEntry.objects.filter(action=action).latest("id")


def test_customer_create_is_logged(world):
    actor = world.users["sales_agent"]
    customer = make_customer(world.partner_a, actor=actor, prefix="loggedcreate")
    e = latest(Actions.CUSTOMER_CREATE)
    assert (e.actor, e.partner, e.customer_id, e.customer_name) == (
        actor,
        world.partner_a,
        customer.pk,
        customer.company_name,
    )
    assert "before" not in e.details
    assert e.details["after"]["primary_domain"] == "loggedcreate.onmicrosoft.com"


def test_customer_update_is_logged(world):
    actor = world.users["helpdesk_agent"]
    customer_update(actor=actor, customer=world.customer_in, data={"city": "Seattle"})
    e = latest(Actions.CUSTOMER_UPDATE)
    assert (e.actor, e.customer_id) == (actor, world.customer_in.pk)
    assert e.details["before"] == {"city": customer_data()["city"]}
    assert e.details["after"] == {"city": "Seattle"}


def test_customer_agreement_attest_is_logged(world):
    actor = world.users["admin_agent"]
    day = timezone.localdate()
    customer_agreement_attest(
        actor=actor, customer=world.customer_in, name="Ana Kim", email="ana@example.net", date=day
    )
    e = latest(Actions.CUSTOMER_AGREEMENT_ATTEST)
    assert (e.actor, e.customer_id) == (actor, world.customer_in.pk)
    assert e.details["before"]["agreement_status"] == "not_provided"
    assert e.details["after"]["agreement_status"] == "attested_by_partner"
    assert e.details["after"]["agreement_date"] == day.isoformat()


def test_customer_tags_set_is_logged(world):
    actor = world.users["admin_agent"]
    customer_tags_set(actor=actor, customer=world.customer_in, tag_ids=[], new_names=["Gold"])
    e = latest(Actions.TAGS_UPDATE)
    assert (e.actor, e.customer_id) == (actor, world.customer_in.pk)
    assert "Gold" in str(e.details["after"])


def test_subscription_create_and_status_change_are_logged(world):
    actor = world.users["sales_agent"]
    sub = subscription_create(actor=actor, customer=world.customer_in, offer_name="Azure plan", quantity=1)
    e = latest(Actions.SUBSCRIPTION_CREATE)
    assert (e.actor, e.customer_id, e.details["after"]["offer_name"]) == (actor, world.customer_in.pk, "Azure plan")
    subscription_status_change(actor=actor, subscription=sub, action="suspend")
    e = latest(Actions.SUBSCRIPTION_STATUS)
    assert (e.actor, e.customer_id) == (actor, world.customer_in.pk)
    assert (e.details["before"]["status"], e.details["after"]["status"]) == ("active", "suspended")


def test_purchase_permission_set_is_logged(world):
    from customers.services.purchase_permissions import purchase_permission_set

    actor = world.users["admin_agent"]
    subscription_create(
        actor=actor, customer=world.customer_in, offer_name="Azure plan", quantity=1, is_azure_plan=True
    )
    purchase_permission_set(actor=actor, customer=world.customer_in, product="azure_reservations", allowed=True)
    e = latest(Actions.PURCHASE_PERMISSION_CREATE)
    assert (e.actor, e.customer_id, e.details["after"]["product"]) == (
        actor,
        world.customer_in.pk,
        "azure_reservations",
    )
    purchase_permission_set(actor=actor, customer=world.customer_in, product="azure_reservations", allowed=False)
    e = latest(Actions.PURCHASE_PERMISSION_DELETE)
    assert (e.actor, e.customer_id, e.details["before"]["product"]) == (
        actor,
        world.customer_in.pk,
        "azure_reservations",
    )


def test_staff_services_are_logged(world):
    from partnerportal.staff import services

    actor = world.users["global_admin"]
    user = services.staff_user_add(actor=actor, email="New.Person@Contoso.example", agent_role="sales_agent")
    e = latest(Actions.STAFF_CREATE)
    assert (e.actor, e.partner, e.customer_id) == (actor, world.partner_a, None)
    assert e.details["after"]["email"] == "new.person@contoso.example"
    services.staff_user_update(actor=actor, user=user, admin_role="", agent_role="helpdesk_agent", scope="partner")
    e = latest(Actions.STAFF_UPDATE)
    assert (e.details["before"]["agent_role"], e.details["after"]["agent_role"]) == ("sales_agent", "helpdesk_agent")
    services.staff_user_deactivate(actor=actor, user=user)
    e = latest(Actions.STAFF_DEACTIVATE)
    assert (e.details["before"]["is_active"], e.details["after"]["is_active"]) == (True, False)
    services.staff_user_reactivate(actor=actor, user=user)
    e = latest(Actions.STAFF_REACTIVATE)
    assert (e.details["before"]["is_active"], e.details["after"]["is_active"]) == (False, True)
    services.staff_password_reset_send(actor=actor, user=user)
    e = latest(Actions.STAFF_PASSWORD_RESET)
    assert (e.actor, e.details["after"]["email"]) == (actor, user.email)


def test_a_log_entry_rolls_back_with_its_change(world):
    before = ActivityEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        activity_record(action=Actions.CUSTOMER_UPDATE, actor=world.users["global_admin"], customer=world.customer_in)
        raise RuntimeError("the change failed")
    assert ActivityEntry.objects.count() == before
