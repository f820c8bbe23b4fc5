"""The business profile's staff pages and services: rules, the logo on the form, the five-location limit, delete."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEntry
from leads.models import Lead
from leads.services import lead_submit
from profiles import services
from profiles.models import BusinessProfile, ProfileLocation
from tests.factories import make_user
from tests.profiles.helpers import ADDRESSES, image_bytes, make_profile, profile_data

pytestmark = pytest.mark.usefixtures("shared_world")


def _edit_post(client, profile, **overrides):
    data = {"description": profile.description, "skills": "", **overrides}
    return client.post(reverse("profiles:profile_update", args=[profile.pk]), data)


def test_the_logo_is_processed_on_the_form_and_served_with_etag_and_cache_headers(world, client_for):
    admin = world.users["global_admin"]
    profile = make_profile(admin)
    client = client_for(admin)
    upload = SimpleUploadedFile("logo.gif", image_bytes((900, 300), fmt="GIF"), content_type="image/gif")
    response = _edit_post(client, profile, logo=upload)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.logo_width, profile.logo_height) == (300, 100)
    url = reverse("profiles:profile_logo", args=[profile.pk])
    logo = client_for(world.users["helpdesk_agent"]).get(url)
    assert logo["Content-Type"] == "image/png" and logo["ETag"] == f'"{profile.logo_hash}"'
    assert "no-store" in logo["Cache-Control"] and logo["X-Content-Type-Options"] == "nosniff"
    assert bytes(profile.logo_png) == logo.content
    again = client.get(url, HTTP_IF_NONE_MATCH=f'"{profile.logo_hash}"')
    assert again.status_code == 304 and not again.content
    # The public URL names the hash and is served only while published.
    public = reverse("profiles:directory_logo", args=[profile.pk, profile.logo_hash])
    assert client.get(public).status_code == 404
    services.business_profile_publish(actor=admin, profile=profile)
    served = client_for(None).get(public)
    assert served.status_code == 200 and "immutable" in served["Cache-Control"]
    assert served["ETag"] == f'"{profile.logo_hash}"' and served.content == logo.content


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("logo.png", b"<html><script>alert(1)</script></html>", "image/png", "Upload a GIF, JPG or PNG image."),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml", "Upload a GIF, JPG or PNG image."),
        ("tiny.png", image_bytes((8, 8)), "image/png", "The image is too small"),
    ],
)
def test_a_refused_logo_is_explained_next_to_the_field_and_nothing_changes(
    world, client_for, name, data, content_type, message
):
    admin = world.users["global_admin"]
    profile = make_profile(admin)
    entries = ActivityEntry.objects.filter(action__startswith="business_profile.").count()
    response = _edit_post(client_for(admin), profile, logo=SimpleUploadedFile(name, data, content_type=content_type))
    assert response.status_code == 200
    assert message in response.context["form"].errors["logo"][0]
    assert not BusinessProfile.objects.get(pk=profile.pk).logo_hash
    assert ActivityEntry.objects.filter(action__startswith="business_profile.").count() == entries


def test_a_small_logo_is_kept_with_a_note(world, client_for):
    admin = world.users["global_admin"]
    profile = make_profile(admin)
    upload = SimpleUploadedFile("small.jpg", image_bytes((120, 120), fmt="JPEG"), content_type="image/jpeg")
    assert _edit_post(client_for(admin), profile, logo=upload).status_code == 302
    page = client_for(admin).get(profile.get_absolute_url()).content.decode()
    assert 'id="logo-note"' in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("linkedin_url", "https://www.linkedin.com/in/someone"),
        ("linkedin_url", "https://linkedin.com.evil.example/company/contoso"),
        ("linkedin_url", "http://www.linkedin.com/company/contoso"),
        ("website", "javascript:alert(1)"),
        ("website", "ftp://contoso.example"),
        ("description", "x" * 2501),
        ("skills", ["y" * 51]),
        ("skills", [f"skill {n}" for n in range(21)]),
        ("industries", ["space_travel"]),
        ("target_sizes", ["galactic"]),
    ],
)
def test_the_service_refuses_what_the_rules_forbid(world, field, value):
    admin = world.users["global_admin"]
    with pytest.raises(ValidationError) as caught:
        services.business_profile_create(actor=admin, country="US", data=profile_data(**{field: value}))
    assert field in caught.value.error_dict
    assert not BusinessProfile.objects.exists()


def test_the_lead_contact_is_a_staff_user_of_the_partner(world):
    admin = world.users["global_admin"]
    with pytest.raises(ValidationError) as caught:
        services.business_profile_create(actor=admin, country="US", data=profile_data(lead_contact=world.user_b))
    assert "lead_contact" in caught.value.error_dict
    profile = services.business_profile_create(
        actor=admin, country="US", data=profile_data(lead_contact=world.users["sales_agent"])
    )
    assert profile.lead_contact == world.users["sales_agent"]


def test_one_profile_per_country(world):
    admin = world.users["global_admin"]
    make_profile(admin, country="US")
    with pytest.raises(ValidationError) as caught:
        services.business_profile_create(actor=admin, country="US", data=profile_data())
    assert "country" in caught.value.error_dict
    assert make_profile(admin, country="CA", locations=0).country == "CA"


def test_a_location_address_follows_the_country_rules_of_customers(world):
    profile = make_profile(world.users["global_admin"], locations=0)
    with pytest.raises(ValidationError) as caught:
        services.profile_location_add(
            actor=world.users["global_admin"],
            profile=profile,
            data={"address_line1": "1 Main St", "city": "Seattle", "state": "ZZ", "postal_code": "ABCDE"},
        )
    assert {"state", "postal_code"} <= set(caught.value.error_dict)
    location = services.profile_location_add(
        actor=world.users["global_admin"],
        profile=profile,
        data={"address_line1": " 1 Main St ", "city": "Seattle", "state": "Washington", "postal_code": "98101"},
    )
    assert (location.address_line1, location.state) == ("1 Main St", "WA")


def test_the_description_is_shown_as_escaped_paragraphs(world, client_for):
    admin = world.users["global_admin"]
    profile = make_profile(admin, description="<b>First</b> line\n\nSecond <script>x</script>", published=True)
    location = profile.locations.first()
    for user, url in ((admin, profile.get_absolute_url()), (None, location.get_absolute_url())):
        page = client_for(user).get(url).content.decode()
        assert "<p>&lt;b&gt;First&lt;/b&gt; line</p>" in page
        assert "<p>Second &lt;script&gt;x&lt;/script&gt;</p>" in page


def test_at_five_locations_the_add_button_gives_way_to_the_explanation(world, client_for):
    admin = world.users["global_admin"]
    profile = make_profile(admin, locations=4)
    client = client_for(admin)
    assert 'id="location-add"' in client.get(profile.get_absolute_url()).content.decode()
    response = client.post(reverse("profiles:location_add", args=[profile.pk]), {**ADDRESSES[4], "save_another": ""})
    assert response["Location"] == reverse("profiles:location_add", args=[profile.pk])
    page = client.get(profile.get_absolute_url()).content.decode()
    assert 'id="location-add"' not in page and 'id="locations-full"' in page
    with pytest.raises(ValidationError):
        services.profile_location_add(actor=admin, profile=profile, data=ADDRESSES[5])
    assert profile.locations.count() == 5


def test_deleting_a_profile_keeps_its_leads(world, client_for):
    admin = world.users["global_admin"]
    profile = make_profile(admin, published=True)
    lead = lead_submit(
        partner=world.partner_a,
        profile_country="US",
        lead_contact=admin,
        company_name="Adatum",
        contact_name="Dana",
        email="dana@adatum.example",
        phone="",
        country="US",
        company_size="small",
        message="",
    )
    location = profile.locations.first()
    client = client_for(admin)
    response = client.post(reverse("profiles:profile_delete", args=[profile.pk]))
    assert response["Location"] == reverse("profiles:profile_list")
    assert not BusinessProfile.objects.filter(pk=profile.pk).exists()
    assert not ProfileLocation.objects.filter(pk=location.pk).exists()
    assert Lead.objects.get(pk=lead.pk).profile_country == "US"
    assert client_for(None).get(location.get_absolute_url()).status_code == 404
    entry = ActivityEntry.objects.filter(action="business_profile.delete").latest("pk")
    assert entry.details["before"]["locations"] == 1


def test_publish_needs_a_location_and_unpublish_takes_the_pages_away_at_once(world, client_for):
    admin = world.users["global_admin"]
    empty = make_profile(admin, locations=0)
    with pytest.raises(ValidationError):
        services.business_profile_publish(actor=admin, profile=empty)
    profile = make_profile(admin, country="CA", locations=0)
    toronto = {"address_line1": "100 Queen St W", "city": "Toronto", "state": "ON", "postal_code": "M5H 2N2"}
    services.profile_location_add(actor=admin, profile=profile, data=toronto)
    location = profile.locations.first()
    anonymous = client_for(None)
    assert anonymous.get(location.get_absolute_url()).status_code == 404
    client_for(admin).post(reverse("profiles:profile_publish", args=[profile.pk]))
    assert client_for(None).get(location.get_absolute_url()).status_code == 200
    client_for(admin).post(reverse("profiles:profile_unpublish", args=[profile.pk]))
    assert client_for(None).get(location.get_absolute_url()).status_code == 404


def test_every_change_is_in_the_activity_log_with_before_and_after(world):
    admin = world.users["global_admin"]
    profile = make_profile(admin, locations=0)
    services.business_profile_update(actor=admin, profile=profile, data={"industries": ["retail"]})
    entry = ActivityEntry.objects.filter(action="business_profile.update").latest("pk")
    assert entry.actor == admin and entry.partner == world.partner_a
    assert entry.details["before"] == {"industries": ["healthcare", "education"]}
    assert entry.details["after"] == {"industries": ["retail"]}


def test_the_company_name_comes_from_the_partner_record_and_is_not_editable(world, client_for):
    profile = make_profile(world.users["global_admin"])
    form = client_for(world.users["global_admin"]).get(reverse("profiles:profile_update", args=[profile.pk]))
    assert "company_name" not in form.context["form"].fields
    assert world.partner_a.name in form.content.decode()


def test_the_nav_link_shows_to_every_staff_role(world, roles_seeing):
    url = reverse("customers:customer_list")
    assert roles_seeing(url, reverse("profiles:profile_list")) == {
        "global_admin",
        "admin_agent",
        "sales_agent",
        "helpdesk_agent",
    }


def test_no_role_user_is_refused(world, client_for):
    nobody = make_user(world.partner_a, "no_role")
    assert client_for(nobody).get(reverse("profiles:profile_list")).status_code == 403
