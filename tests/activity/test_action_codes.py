"""Activity actions are stored as codes and read as labels in the reader's language; before/after rows show field
and value labels; old rows (English sentences) are rewritten to codes by the migration."""

from __future__ import annotations

import importlib
import re
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse
from django.utils import translation

from activity.actions import Actions
from activity.labels import detail_rows
from activity.models import ActivityEntry
from activity.services import activity_record
from customers.models import Customer
from customers.services import customer_agreement_attest
from permissions.models import PurchasePermission
from tests.activity.test_activity_log import EXPORT, LIST, export_rows
from tests.factories import make_customer

action_codes = importlib.import_module("activity.migrations.0005_action_codes")


@pytest.fixture(autouse=True)
def english_unless_asked():
    """Requests activate the session's language in this thread; start each test in English and restore after."""
    with translation.override("en"):
        yield


def ko(text) -> str:
    """A label (lazy or a msgid) in Korean."""
    with translation.override("ko"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def korean_client(client_for, user):
    client = client_for(user)
    client.post(reverse("set_language"), {"language": "ko"})
    return client


def cells(html: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", html)


def test_every_action_has_a_dotted_code_and_a_korean_label():
    for action in Actions:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", action.value), action
        assert ko(action.label) != action.label, f"{action.label!r} has no Korean translation"
    assert Actions.PURCHASE_PERMISSION_CREATE.label == "Create customer purchase permission"
    assert Actions.PURCHASE_PERMISSION_DELETE.label == "Delete customer purchase permission"


def test_a_korean_page_shows_korean_action_labels(world, client_for):
    customer = make_customer(world.partner_a, actor=world.users["global_admin"])
    entry = ActivityEntry.objects.filter(customer=customer).get()
    assert entry.action == "customer.create"

    html = korean_client(client_for, world.users["global_admin"]).get(LIST, {"customer": str(customer.pk)})
    shown = cells(html.content.decode())
    assert ko(Actions.CUSTOMER_CREATE.label) in shown
    assert "Create customer" not in shown and "customer.create" not in shown

    english = client_for(world.users["global_admin"]).get(LIST, {"customer": str(customer.pk)}).content.decode()
    assert "Create customer" in cells(english)


def test_the_customer_pages_recent_activity_is_in_korean(world, client_for):
    client = korean_client(client_for, world.users["global_admin"])
    html = client.get(world.customer_in.get_absolute_url()).content.decode()
    section = html.split('id="recent-activity"', 1)[1]
    assert ko(Actions.CUSTOMER_CREATE.label) in cells(section)
    assert "Create customer" not in section


def test_before_after_rows_show_field_and_value_labels(world, client_for):
    customer_agreement_attest(
        actor=world.users["global_admin"],
        customer=world.customer_in,
        name="Ann Lee",
        email="ann@x.example",
        date=date(2026, 3, 1),
    )
    entry = ActivityEntry.objects.filter(action=Actions.CUSTOMER_AGREEMENT_ATTEST).latest("id")
    assert entry.details["before"]["agreement_status"] == "not_provided"  # stored raw

    with translation.override("en"):
        rows = {field: (before, after) for field, before, after in entry.detail_rows()}
    assert rows["Customer agreement"] == ("Not provided", "Confirmed by partner")
    assert rows["Accepted by"][1] == "Ann Lee"

    field = ko(Customer._meta.get_field("agreement_status").verbose_name)
    before, after = ko(Customer.Agreement.NOT_PROVIDED.label), ko(Customer.Agreement.ATTESTED_BY_PARTNER.label)
    html = korean_client(client_for, world.users["global_admin"]).get(LIST).content.decode()
    row = f'<tr><td>{field}</td><td class="text-break">{before}</td><td class="text-break">{after}</td></tr>'
    assert row in html
    assert "agreement_status" not in html and "not_provided" not in html


def test_value_labels_for_booleans_lists_causes_and_the_keys_nobody_named(world):
    activity_record(
        action=Actions.RELATIONSHIP_END,
        actor=world.users["global_admin"],
        customer=world.customer_in,
        before={"status": "active", "dap": True, "tags": ["a", "b"]},
        after={"status": "ended", "dap": False, "reason": "moved_partner", "invitations_revoked": 2},
        cause=Actions.CUSTOMER_UPDATE,
        brand_new_key="x",
    )
    entry = ActivityEntry.objects.latest("id")
    # (jsonb keeps keys in its own order, so compare as a mapping)
    assert {row[0]: row[1:] for row in entry.detail_rows()} == {
        "Status": ("Active", "Ended"),
        "Delegated admin privileges": ("Yes", "No"),
        "Tags": ("a, b", ""),
        "Reason": ("", "The customer moved to another partner"),
        "Invitations revoked": ("", "2"),
        "Cause": ("", "Update customer"),
        "Brand new key": ("", "x"),
    }
    with translation.override("ko"):
        rows = {row[0]: row[1:] for row in entry.detail_rows()}
    assert rows[ko("Status")] == (ko("Active"), ko("Ended"))
    assert rows[ko("delegated admin privileges")] == ("예", "아니요")
    assert rows[ko("reason")] == ("", ko("The customer moved to another partner"))
    assert rows[ko("Cause")] == ("", ko("Update customer"))


def test_the_same_key_reads_by_the_model_of_its_action():
    # "status" of a subscription entry and of an invitation entry: each takes its own model's choices.
    assert detail_rows(Actions.SUBSCRIPTION_STATUS, {"after": {"status": "suspended"}}) == [("Status", "", "Suspended")]
    assert detail_rows(Actions.INVITATION_REVOKE, {"after": {"status": "revoked"}})[0][2] != "revoked"
    # An unknown value of a known field shows as stored; an action nobody registered still renders.
    assert detail_rows(Actions.SUBSCRIPTION_STATUS, {"after": {"status": "weird"}}) == [("Status", "", "weird")]
    assert detail_rows("gone.action", {"after": {"x_y": None}}) == [("X y", "", "—")]


def test_the_action_filter_offers_labels_and_takes_codes(world, client_for):
    client = korean_client(client_for, world.users["global_admin"])
    html = client.get(LIST).content.decode()
    assert f'<option value="customer.create">{ko(Actions.CUSTOMER_CREATE.label)}</option>' in html
    assert '<option value="Create customer">' not in html

    filtered = client.get(LIST, {"action": Actions.CUSTOMER_CREATE})
    entries = filtered.context["entries"]
    assert entries and {e.action for e in entries} == {"customer.create"}
    assert client.get(LIST, {"action": Actions.TAGS_UPDATE}).context["entries"] == []
    # A bookmarked URL with an old sentence is an invalid choice: the message, and the unfiltered log.
    old = client.get(LIST, {"action": "Create customer"})
    assert old.status_code == 200 and old.context["form"].errors.get("action")


def test_the_export_carries_the_code_and_the_label_in_the_users_language(world, client_for):
    rows = export_rows(korean_client(client_for, world.users["global_admin"]).get(EXPORT))
    header, *body = rows
    assert header[4:6] == ["Action", "Action label"]
    created = [row for row in body if row[4] == "customer.create"]
    assert created and {row[5] for row in created} == {ko(Actions.CUSTOMER_CREATE.label)}
    assert '"agreement_status": "not_provided"' in created[0][6]  # the details stay the stored record

    english = export_rows(client_for(world.users["global_admin"]).get(EXPORT, {"action": Actions.CUSTOMER_CREATE}))
    assert {row[5] for row in english[1:]} == {"Create customer"}


# --- migration of old rows --------------------------------------------------------------------------------------


def old_entry(world, sentence: str, **details) -> ActivityEntry:
    """An entry as the log wrote it before actions became codes (inserting is allowed)."""
    return ActivityEntry.objects.create(
        partner=world.partner_a,
        actor=world.users["admin_agent"],
        actor_email=world.users["admin_agent"].email,
        customer=world.customer_in,
        customer_name=world.customer_in.company_name,
        action=sentence,
        details=details,
    )


# The migration runs as the owner of the tables (manage.py migrate); so do the tests of its code.
def test_the_migration_rewrites_old_sentences_to_codes_and_keeps_the_log_append_only(as_owner, world, client_for):
    deleted = old_entry(
        world, "Delete customer purchase permission", before={"product": "azure_reservations"}, cause="End relationship"
    )
    tagged = old_entry(world, "Update customer tags", after={"tags": ["vip"]})
    unknown = old_entry(world, "Something else")
    untouched = ActivityEntry.objects.exclude(pk__in=[deleted.pk, tagged.pk, unknown.pk])
    before_rewrite = {e.pk: (e.action, e.details, e.created_at) for e in untouched}

    changed = action_codes.rewrite_actions(connection, action_codes.SENTENCE_TO_CODE)

    assert changed == 2
    deleted.refresh_from_db()
    tagged.refresh_from_db()
    unknown.refresh_from_db()
    assert (deleted.action, deleted.details["cause"]) == ("purchase_permission.delete", "relationship.end")
    assert deleted.details["before"] == {"product": "azure_reservations"}
    assert tagged.action == Actions.TAGS_UPDATE
    assert unknown.action == "Something else"
    assert {e.pk: (e.action, e.details, e.created_at) for e in untouched} == before_rewrite

    # Shown in Korean, and found by the action filter.
    client = korean_client(client_for, world.users["global_admin"])
    response = client.get(LIST, {"action": Actions.PURCHASE_PERMISSION_DELETE})
    assert [e.pk for e in response.context["entries"]] == [deleted.pk]
    html = response.content.decode()
    assert ko(Actions.PURCHASE_PERMISSION_DELETE.label) in cells(html)
    assert ko(Actions.RELATIONSHIP_END.label) in html  # the cause, as a label
    assert [e.pk for e in client.get(LIST, {"action": Actions.TAGS_UPDATE}).context["entries"]] == [tagged.pk]

    # The trigger is back: the rewrite was the one exception.
    with pytest.raises((ProgrammingError, InternalError)), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE activity_activityentry SET action = 'forged' WHERE id = %s", [tagged.pk])


def test_the_migration_reverses_to_the_sentences(as_owner, world):
    entry = old_entry(world, "Set password", cause="Restore relationship")
    forward = action_codes.SENTENCE_TO_CODE
    action_codes.rewrite_actions(connection, forward)
    action_codes.rewrite_actions(connection, {code: sentence for sentence, code in forward.items()})
    entry.refresh_from_db()
    assert (entry.action, entry.details["cause"]) == ("Set password", "Restore relationship")


def test_the_frozen_mapping_covers_every_action_of_its_time():
    # The migration rewrote the English sentences of the actions that existed then; actions added later were
    # stored as codes from the start. Every sentence maps to a distinct, still existing code with that label.
    codes = list(action_codes.SENTENCE_TO_CODE.values())
    assert len(codes) == len(set(codes))
    assert set(codes) <= set(Actions.values)
    assert {Actions(code).label for code in codes} == set(action_codes.SENTENCE_TO_CODE)


def test_a_relationships_purchase_permissions_read_as_labelled_records():
    details = {
        "before": {
            "purchase_permissions": [
                {"product": "azure_reservations", "expires_on": None, "note": "Q1"},
                {"product": "azure_savings_plans", "expires_on": "2026-05-01", "note": ""},
            ]
        }
    }
    [(field, before, after)] = detail_rows(Actions.RELATIONSHIP_END, details)
    product = PurchasePermission._meta.get_field("product")
    labels = dict(product.flatchoices)
    assert field == "Purchase permissions" and after == ""
    records = before.split(" | ")
    assert records[0].startswith(f"Product: {labels['azure_reservations']}; ")
    assert "Expires on: —" in records[0] and "Note: Q1" in records[0]
    assert records[1].startswith(f"Product: {labels['azure_savings_plans']}; ")
    assert "azure_reservations" not in before
