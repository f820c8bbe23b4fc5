"""relationships migration 0005: free-text end reasons (as the end form stored them) become a code and details."""

from __future__ import annotations

import importlib

from django.db import connection
from django.utils import timezone, translation

from relationships.models import Relationship
from tests.factories import make_customer, make_partner

migration = importlib.import_module("relationships.migrations.0005_relationship_end_reason_code")

OLD_TEXTS = {
    # stored text → (code, details) after the migration
    "We no longer transact with this customer": ("no_longer_transacting", ""),
    "The customer moved to another partner: Went to Fabrikam": ("moved_partner", "Went to Fabrikam"),
    "The customer moved to another partner.": ("moved_partner", ""),  # the bulk seeder's spelling
    "The customer asked to end the relationship: by phone, 3 March": ("customer_request", "by phone, 3 March"),
    "The relationship was created by mistake": ("created_by_mistake", ""),
    "Merged into a holding": ("other", "Merged into a holding"),  # "other" stored the details alone
    "We no longer transact with them, sadly": ("other", "We no longer transact with them, sadly"),
}


def _old_column():
    """The column as it was before 0006 narrowed it (long free text fits); the test transaction undoes it. (The
    tests run as the owner of the tables, `as_owner`, as the migration does.)"""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE relationships_relationship ALTER COLUMN end_reason TYPE text")


def _new_column():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE relationships_relationship ALTER COLUMN end_reason TYPE varchar(32)")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _ended(partner, text: str) -> Relationship:
    customer = make_customer(partner)
    relationship = Relationship.objects.get(partner=partner, customer=customer)
    Relationship.objects.filter(pk=relationship.pk).update(
        status=Relationship.Status.ENDED, ended_at=timezone.now(), end_reason=text, end_reason_details=""
    )
    return relationship


def test_old_reasons_map_to_codes_and_unknown_text_is_kept_as_other(as_owner, world):
    _old_column()
    partner = make_partner(name="Migrating Partner")
    rows = {text: _ended(partner, text) for text in OLD_TEXTS}
    active = Relationship.objects.filter(partner=world.partner_a, status=Relationship.Status.ACTIVE).first()

    migration.end_reasons_to_codes(connection)
    _new_column()  # every value now fits the narrowed column

    for text, relationship in rows.items():
        relationship.refresh_from_db()
        assert (relationship.end_reason, relationship.end_reason_details) == OLD_TEXTS[text], text
        relationship.full_clean()  # a valid choice
    active.refresh_from_db()
    assert (active.end_reason, active.end_reason_details) == ("", "")

    moved = rows["The customer moved to another partner: Went to Fabrikam"]
    with translation.override("en"):
        assert moved.end_reason_text == "The customer moved to another partner: Went to Fabrikam"
        assert rows["Merged into a holding"].end_reason_text == "Merged into a holding"
    with translation.override("ko"):
        assert moved.end_reason_text == f"{Relationship.EndReason.MOVED_PARTNER.label}: Went to Fabrikam"
        assert not moved.end_reason_text.startswith("The customer")


def test_the_migration_reverses_to_the_text_the_form_stored(as_owner, world):
    _old_column()
    partner = make_partner(name="Reversing Partner")
    texts = [text for text in OLD_TEXTS if not text.endswith(".")]  # the seeder's period is not kept
    rows = {text: _ended(partner, text) for text in texts}
    migration.end_reasons_to_codes(connection)
    migration.end_reasons_to_text(connection)
    for text, relationship in rows.items():
        relationship.refresh_from_db()
        assert relationship.end_reason == text
