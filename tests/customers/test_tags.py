"""Customer tags: partner-private, ≤150 per customer, ≤50 characters, created on the fly, merged ignoring case."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import CustomerTag, Tag
from customers.services.tags import customer_tags_set
from tests.customers.list_helpers import customer_named, provider_world, table_of, tag
from tests.factories import make_user


@pytest.fixture
def admin(world):
    return world.users["global_admin"]


def _url(customer) -> str:
    return reverse("customers:customer_tags", args=[customer.pk])


def _names(customer, partner) -> list[str]:
    return sorted(
        CustomerTag.objects.filter(customer=customer, tag__partner=partner).values_list("tag__name", flat=True),
        key=str.casefold,
    )


def _state():
    """Everything a rejected submit must leave as it was."""
    return (
        sorted(Tag.objects.values_list("partner_id", "name")),
        sorted(CustomerTag.objects.values_list("customer_id", "tag_id")),
        ActivityEntry.objects.filter(action=Actions.TAGS_UPDATE).count(),
    )


def test_the_form_lists_the_partners_tags_with_the_customers_checked(world, admin, client_for):
    other = customer_named(world.partner_a, admin, "Other Co")
    tag(other, admin, "Gold", "Silver")
    tag(world.customer_in, admin, "Gold")
    tag(world.customer_out, world.user_b, "Partner B Secret")
    html = client_for(admin).get(_url(world.customer_in)).content.decode()
    gold = Tag.objects.get(partner=world.partner_a, name="Gold")
    silver = Tag.objects.get(partner=world.partner_a, name="Silver")
    assert f'value="{gold.pk}"' in html and f'value="{silver.pk}"' in html
    gold_input = html.split(f'value="{gold.pk}"', 1)[1].split(">", 1)[0]
    silver_input = html.split(f'value="{silver.pk}"', 1)[1].split(">", 1)[0]
    assert "checked" in gold_input and "checked" not in silver_input
    assert "Partner B Secret" not in html


def test_saving_sets_chosen_tags_and_creates_new_ones_trimmed_and_merged_ignoring_case(world, admin, client_for):
    other = customer_named(world.partner_a, admin, "Other Co")
    tag(other, admin, "VIP", "Gold")
    tag(world.customer_in, admin, "Gold")
    gold = Tag.objects.get(partner=world.partner_a, name="Gold")
    client = client_for(admin)
    response = client.post(
        _url(world.customer_in),
        {"tags": [gold.pk], "new_names": "  Renewal   2026 , renewal 2026,vip, ,  EMEA  "},
    )
    assert response.status_code == 302
    assert response["Location"] == world.customer_in.get_absolute_url() + "#tags"
    assert _names(world.customer_in, world.partner_a) == ["EMEA", "Gold", "Renewal 2026", "VIP"]
    # "vip" reused the existing "VIP"; "renewal 2026" merged into the first spelling
    assert Tag.objects.filter(partner=world.partner_a).count() == 4

    entry = ActivityEntry.objects.filter(action=Actions.TAGS_UPDATE, customer=world.customer_in).latest("id")
    assert entry.details["before"] == {"tags": ["Gold"]}
    assert entry.details["after"] == {"tags": ["EMEA", "Gold", "Renewal 2026", "VIP"]}
    assert entry.actor == admin

    page = client.get(world.customer_in.get_absolute_url()).content.decode()
    assert "Tags saved." in page
    for name in ("EMEA", "Gold", "Renewal 2026", "VIP"):
        assert f">{name}<" in page.split('id="tags"', 1)[1].split("</section>", 1)[0]


def test_unchecking_removes_a_tag_but_keeps_it_in_the_catalogue(world, admin, client_for):
    tag(world.customer_in, admin, "Temporary")
    response = client_for(admin).post(_url(world.customer_in), {"new_names": ""})
    assert response.status_code == 302
    assert _names(world.customer_in, world.partner_a) == []
    assert Tag.objects.filter(partner=world.partner_a, name="Temporary").exists()


def test_saving_without_a_change_logs_nothing(world, admin, client_for):
    tag(world.customer_in, admin, "Same")
    client = client_for(admin)  # signing in is an activity entry of its own
    before = ActivityEntry.objects.count()
    same = Tag.objects.get(name="Same")
    client.post(_url(world.customer_in), {"tags": [same.pk], "new_names": "same"})
    assert ActivityEntry.objects.count() == before


def test_a_tag_longer_than_50_characters_is_rejected_and_nothing_changes(world, admin, client_for):
    state = _state()
    response = client_for(admin).post(_url(world.customer_in), {"new_names": "Fine, " + "x" * 51})
    assert response.status_code == 200
    assert "is longer than 50 characters." in response.content.decode()
    assert _state() == state


def test_exactly_50_characters_is_fine(world, admin, client_for):
    client_for(admin).post(_url(world.customer_in), {"new_names": "y" * 50})
    assert _names(world.customer_in, world.partner_a) == ["y" * 50]


def test_more_than_150_tags_is_rejected_and_nothing_changes(world, admin, client_for):
    tag(world.customer_in, admin, *[f"Tag {i:03d}" for i in range(149)])
    state = _state()
    mine = list(Tag.objects.filter(partner=world.partner_a).values_list("pk", flat=True))
    response = client_for(admin).post(_url(world.customer_in), {"tags": mine, "new_names": "One more, And another"})
    assert response.status_code == 200
    assert "A customer can have at most 150 tags; this would give it 151." in response.content.decode()
    assert _state() == state
    # 150 exactly is allowed
    client_for(admin).post(_url(world.customer_in), {"tags": mine, "new_names": "One more"})
    assert len(_names(world.customer_in, world.partner_a)) == 150


def test_another_partners_tag_can_never_be_attached(world, admin, client_for):
    tag(world.customer_out, world.user_b, "Theirs")
    theirs = Tag.objects.get(name="Theirs")
    state = _state()
    response = client_for(admin).post(_url(world.customer_in), {"tags": [theirs.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert _state() == state
    # and the service refuses it too, whatever a caller passes
    with pytest.raises(ValidationError) as exc:
        customer_tags_set(actor=admin, customer=world.customer_in, tag_ids=[theirs.pk], new_names=[])
    assert "tags" in exc.value.error_dict
    assert _state() == state


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999", "-1", "1.5"])
def test_bad_tag_ids_are_rejected_without_failing(world, admin, client_for, bad):
    response = client_for(admin).post(_url(world.customer_in), {"tags": [bad]})
    assert response.status_code == 200
    assert _names(world.customer_in, world.partner_a) == []


def test_a_shared_customers_tags_stay_private_to_each_partner(db, client_for):
    provider, northwind, _tailspin, provider_admin = provider_world()
    shared = customer_named(provider, provider_admin, "Shared Co", reseller=northwind)
    reseller_admin = make_user(northwind, "global_admin")
    tag(shared, provider_admin, "Provider Only")

    client = client_for(reseller_admin)
    form = client.get(_url(shared)).content.decode()
    assert "Provider Only" not in form
    client.post(_url(shared), {"new_names": "Reseller Only"})
    assert _names(shared, northwind) == ["Reseller Only"]
    assert _names(shared, provider) == ["Provider Only"]  # untouched by the reseller's save
    page = client.get(shared.get_absolute_url()).content.decode()
    assert "Provider Only" not in page
    listing = table_of(client.get(reverse("customers:customer_list")).content)
    assert "Reseller Only" in listing and "Provider Only" not in listing


def test_the_assign_button_shows_only_to_roles_that_manage_tags(world, roles_seeing):
    url = world.customer_in.get_absolute_url()
    assert roles_seeing(url, 'id="manage-tags"') == {"global_admin", "admin_agent"}


def test_tags_cannot_change_after_the_relationship_ended(world, admin):
    from relationships.services.lifecycle import relationship_end

    relationship_end(actor=admin, customer=world.customer_in, reason="other", details="Moving on")
    with pytest.raises(ValidationError):
        customer_tags_set(actor=admin, customer=world.customer_in, tag_ids=[], new_names=["Late"])
    assert not Tag.objects.filter(name="Late").exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_creating_the_same_tag_make_one_tag(world, admin):
    second = customer_named(world.partner_a, admin, "Second Co")
    barrier = threading.Barrier(2)
    errors = []

    def save(customer, spelling):
        try:
            barrier.wait()
            customer_tags_set(actor=admin, customer=customer, tag_ids=[], new_names=[spelling])
        except Exception as exc:  # noqa: BLE001 -- reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(world.customer_in, "Race Tag")),
        threading.Thread(target=save, args=(second, "RACE TAG")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Tag.objects.filter(partner=world.partner_a, name__iexact="race tag").count() == 1
    race = Tag.objects.get(partner=world.partner_a, name__iexact="race tag")
    assert set(CustomerTag.objects.filter(tag=race).values_list("customer_id", flat=True)) == {
        world.customer_in.pk,
        second.pk,
    }
