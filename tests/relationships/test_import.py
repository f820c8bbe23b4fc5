"""Importing existing customers from CSV: template, per-row preview, apply in one transaction, bad files."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activity.models import ActivityEntry
from activity.services import Actions
from customers.models import Customer
from relationships.models import Relationship
from relationships.services import imports
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.usefixtures("shared_world")  # the world is built once for this module

URL = "relationships:customer_import"
HEADER = imports.COLUMN_NAMES


def row(**overrides) -> dict:
    data = dict(imports.TEMPLATE_EXAMPLE)
    data.update(overrides)
    return data


def csv_file(rows, *, header=HEADER, name="customers.csv", encoding="utf-8") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(col, "") for col in header] if isinstance(r, dict) else r)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def preview(client, upload):
    return client.post(reverse(URL), {"file": upload})


def payload_of(response) -> str:
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


def test_template_download_has_the_documented_columns(world, client_for):
    response = client_for(world.users["admin_agent"]).get(reverse("relationships:customer_import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == HEADER
    assert len(lines) == 2


def test_the_template_row_itself_previews_as_valid(world, client_for):
    client = client_for(world.users["global_admin"])
    template = client.get(reverse("relationships:customer_import_template")).content
    response = preview(client, SimpleUploadedFile("t.csv", template, content_type="text/csv"))
    assert [r.status for r in response.context["rows"]] == ["valid"]


def test_preview_marks_valid_invalid_and_duplicate_rows_and_writes_nothing(world, client_for):
    client = client_for(world.users["global_admin"])
    existing = world.customer_out.domain_prefix  # another partner's customer: still a duplicate in the portal
    upload = csv_file(
        [
            row(company_name="Adatum Corporation", domain_prefix="adatum1"),
            row(company_name="Inc", domain_prefix="adatum2"),  # a bare legal suffix
            row(company_name="Litware", domain_prefix="litware", country="ZZ"),
            row(company_name="Relecloud", domain_prefix=existing),
            row(company_name="Adatum Again", domain_prefix="ADATUM1"),
            row(company_name="Bad prefix", domain_prefix="bad-prefix!"),
        ]
    )
    customers = Customer.objects.count()

    response = preview(client, upload)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.line, r.status) for r in rows] == [
        (2, "valid"),
        (3, "invalid"),
        (4, "invalid"),
        (5, "duplicate"),
        (6, "duplicate"),
        (7, "invalid"),
    ]
    assert any("company_name" in e for e in rows[1].errors)
    assert any("country" in e for e in rows[2].errors)
    assert "already in the portal" in rows[3].errors[0]
    assert "line 2" in rows[4].errors[0]
    assert any("domain_prefix" in e for e in rows[5].errors)
    html = response.content.decode()
    assert "1 valid, 3 invalid, 2 duplicate" in html
    assert Customer.objects.count() == customers


def test_apply_imports_the_valid_rows_with_source_import(world, client_for):
    user = world.users["admin_agent"]
    client = client_for(user)
    response = preview(
        client,
        csv_file(
            [
                row(company_name="Adatum Corporation", domain_prefix="adatum1", contact_email="a@adatum.example"),
                row(company_name="Woodgrove Bank", domain_prefix="woodgrove", contact_email="b@woodgrove.example"),
                row(company_name="Inc", domain_prefix="adatum2"),
            ]
        ),
    )

    applied = client.post(reverse(URL), {"payload": payload_of(response)})

    assert applied.status_code == 302
    imported = Customer.objects.filter(primary_domain__in=["adatum1.onmicrosoft.com", "woodgrove.onmicrosoft.com"])
    assert imported.count() == 2
    assert not Customer.objects.filter(primary_domain="adatum2.onmicrosoft.com").exists()
    for customer in imported:
        relationship = Relationship.objects.get(customer=customer)
        assert relationship.partner == world.partner_a and relationship.source == "import"
    assert ActivityEntry.objects.filter(action=Actions.CUSTOMER_IMPORT, actor=user).count() == 2
    listing = client.get(applied["Location"]).content.decode()
    assert "Adatum Corporation" in listing and "Woodgrove Bank" in listing
    helpdesk = client_for(world.users["helpdesk_agent"]).get(reverse("customers:customer_list")).content.decode()
    assert "Woodgrove Bank" in helpdesk


def test_applying_twice_imports_once(world, client_for):
    client = client_for(world.users["global_admin"])
    payload = payload_of(preview(client, csv_file([row(domain_prefix="adatum1")])))
    assert client.post(reverse(URL), {"payload": payload}).status_code == 302
    again = client.post(reverse(URL), {"payload": payload})
    assert again.status_code == 200
    assert Customer.objects.filter(primary_domain="adatum1.onmicrosoft.com").count() == 1


def test_a_row_taken_since_the_preview_stops_the_whole_import(world, client_for):
    client = client_for(world.users["global_admin"])
    response = preview(client, csv_file([row(domain_prefix="adatum1"), row(domain_prefix="woodgrove")]))
    make_customer(world.partner_b, actor=world.user_b, prefix="woodgrove")
    count = Customer.objects.count()

    stale = client.post(reverse(URL), {"payload": payload_of(response)})

    assert stale.status_code == 200
    assert 'id="stale"' in stale.content.decode()
    assert [r.status for r in stale.context["rows"]] == ["valid", "duplicate"]
    assert Customer.objects.count() == count, "nothing half-saved"


def test_a_tampered_or_foreign_preview_is_refused(world, client_for):
    client = client_for(world.users["global_admin"])
    payload = payload_of(preview(client, csv_file([row(domain_prefix="adatum1")])))
    tampered = client.post(reverse(URL), {"payload": payload[:-3] + "abc"})
    assert "could not be read" in tampered.content.decode()
    other = client_for(world.users["admin_agent"]).post(reverse(URL), {"payload": payload})
    assert "could not be read" in other.content.decode()
    assert not Customer.objects.filter(primary_domain="adatum1.onmicrosoft.com").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.csv", "company_name\nÄ\n".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("x.csv", b""), "empty"),
        (SimpleUploadedFile("x.csv", b"   \n\n"), "empty"),
        (SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00"), "not"),
        (csv_file([], header=HEADER), "no customer rows"),
        (csv_file([["a", "b"]], header=["name", "domain"]), "missing columns"),
        (csv_file([[*row().values(), "x"]], header=[*HEADER, "colour"]), "unknown columns: colour"),
        (csv_file([], header=[*HEADER, "city"]), "repeated columns: city"),
        (SimpleUploadedFile("x.csv", b"a" * (imports.MAX_BYTES + 1)), "larger than 2 MB"),
    ],
    ids=["latin1", "empty", "blank", "binary", "header-only", "wrong-columns", "unknown", "repeated", "too-big"],
)
def test_a_bad_file_gets_a_clear_message_and_no_500(world, client_for, upload, message):
    response = preview(client_for(world.users["global_admin"]), upload)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert "rows" not in response.context


def test_too_many_rows_is_refused(world, client_for):
    rows = [row(domain_prefix=f"bulk{n}") for n in range(imports.MAX_ROWS + 1)]
    response = preview(client_for(world.users["global_admin"]), csv_file(rows))
    assert f"more than {imports.MAX_ROWS} customer rows" in " ".join(response.context["form"].errors["file"])


def test_a_row_with_the_wrong_number_of_fields_is_invalid(world, client_for):
    upload = csv_file([list(row(domain_prefix="adatum1").values())[:5]])
    rows = preview(client_for(world.users["global_admin"]), upload).context["rows"]
    assert rows[0].status == "invalid" and "fields" in rows[0].errors[0]


def test_no_file_chosen_is_refused(world, client_for):
    response = client_for(world.users["global_admin"]).post(reverse(URL), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_optional_columns_may_be_left_out_and_bom_is_accepted(world, client_for):
    header = [c for c in HEADER if c not in ("address_line2", "contact_phone", "registration_id")]
    upload = csv_file([row(domain_prefix="adatum1")], header=header, encoding="utf-8-sig")
    rows = preview(client_for(world.users["global_admin"]), upload).context["rows"]
    assert [r.status for r in rows] == ["valid"]


def test_contact_on_the_partners_own_domain_is_invalid(world, client_for):
    upload = csv_file([row(domain_prefix="adatum1", contact_email="me@contoso.example")])
    rows = preview(client_for(world.users["global_admin"]), upload).context["rows"]
    assert rows[0].status == "invalid"


def test_assigned_scope_importer_still_creates_partner_customers(world, client_for):
    importer = make_user(world.partner_a, "admin_agent", scope="assigned")
    client = client_for(importer)
    payload = payload_of(preview(client, csv_file([row(domain_prefix="adatum1")])))
    assert client.post(reverse(URL), {"payload": payload}).status_code == 302
    customer = Customer.objects.get(primary_domain="adatum1.onmicrosoft.com")
    assert Relationship.objects.get(customer=customer).partner == world.partner_a


def test_import_button_shows_on_the_customer_list_for_roles_that_may_import(roles_seeing):
    assert roles_seeing(reverse("customers:customer_list"), reverse(URL)) == {"global_admin", "admin_agent"}
