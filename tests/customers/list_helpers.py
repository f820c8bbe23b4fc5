"""Helpers for the customer list, export, lookup, tag and subscription tests."""

from __future__ import annotations

import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from customers.services.tags import customer_tags_set
from partnerportal.models import Partner
from relationships.models import Partnership
from tests.factories import make_customer, make_partner, make_user


def table_of(html: bytes | str, table_id: str = "customer-table") -> str:
    """The HTML of one table of the page."""
    text = html.decode() if isinstance(html, bytes) else html
    return text.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


def names_in(html: bytes | str, table_id: str = "customer-table") -> list[str]:
    """The company names of the rows of the customer table, in page order."""
    body = table_of(html, table_id)
    return [unescape(m) for m in re.findall(r'<td><a href="/customers/[0-9a-f-]+/">([^<]*)</a></td>', body)]


def query_count(func) -> int:
    """How many queries func() runs."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def tag(customer: Customer, actor, *names: str) -> None:
    """Give the customer these tags of the actor's partner (through the real service)."""
    customer_tags_set(actor=actor, customer=customer, tag_ids=[], new_names=list(names))


def provider_world():
    """An indirect provider with two resellers (active partnerships) and a global admin of each."""
    provider = make_partner(name="Fabrikam Distribution", type=Partner.Type.INDIRECT_PROVIDER)
    northwind = make_partner(name="Northwind Traders", type=Partner.Type.INDIRECT_RESELLER)
    tailspin = make_partner(name="Tailspin Toys", type=Partner.Type.INDIRECT_RESELLER)
    for reseller in (northwind, tailspin):
        Partnership.objects.create(provider=provider, reseller=reseller, status=Partnership.Status.ACTIVE)
    admin = make_user(provider, "global_admin")
    return provider, northwind, tailspin, admin


def customer_named(partner, actor, name: str, *, reseller=None, **data) -> Customer:
    """A customer of the partner with this company name (and any other field values given)."""
    return make_customer(partner, actor=actor, reseller=reseller, data={"company_name": name, **data})
