"""The floor: for each portal page, one hand-written SQL query returning the same rows for the same user,
rendered through a minimal template. Mounted only by the benchmark's urlconf (tests/perf/bench_urls.py).

The queries apply the same access rule as the portal (the user's guardian object permissions: the role
groups' rows for scope "partner", the user's own rows for scope "assigned"), so the gap between a portal
page and its floor is what Django, the ORM, the forms and the templates add.
"""

from __future__ import annotations

import csv
import uuid
from functools import cache

from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.template import engines

from customers.search_statistics import index_anchor
from partnerportal.infrastructure.pagination import decode_cursor
from permissions.roles import Scope

PAGE = 50

LIST_HTML = """<!doctype html><html><head><title>Customers</title></head><body><table>
<tr><th>Name</th><th>Customer ID</th><th>Primary domain</th><th>Relationship</th><th>Tags</th></tr>
{% for id, name, domain, label, tags in rows %}<tr><td><a href="/customers/{{ id }}/">{{ name }}</a></td>
<td>{{ id }}</td><td>{{ domain }}</td><td>{{ label }}</td><td>{{ tags|slice:":2"|join:" " }}
{% if tags|length > 2 %} +{{ tags|length|add:"-2" }}{% endif %}</td></tr>
{% endfor %}</table>{% if next %}<a href="?after={{ next }}">Next</a>{% endif %}</body></html>"""

DETAIL_HTML = """<!doctype html><html><head><title>{{ c.company_name }}</title></head><body>
<h1>{{ c.company_name }}</h1><dl>{% for key, value in c.items %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
<h2>Relationships</h2><ul>{% for r in c.relationships %}
<li>{{ r.kind }} {{ r.status }} {{ r.other }} {{ r.started }}</li>{% endfor %}</ul>
<h2>Subscriptions</h2><ul>{% for s in c.subscriptions %}
<li>{{ s.offer }} × {{ s.quantity }} {{ s.status }}</li>{% endfor %}</ul>
<h2>Customer permissions</h2><ul>{% for p in c.purchase_permissions %}
<li>{{ p.product }} {{ p.expires_on }} {{ p.note }}</li>{% empty %}<li>Not allowed</li>{% endfor %}</ul>
<h2>Tags</h2>{{ c.tags|join:", " }}
{% if "change_customer" in c.can %}<a href="edit/">Edit</a>{% endif %}</body></html>"""

LABEL = """CASE WHEN r.kind = 'direct' THEN 'Direct reseller'
    WHEN r.kind = 'indirect' AND %(is_provider)s THEN 'Indirect provider for ' || ip.name
    WHEN r.kind = 'indirect' THEN 'Indirect reseller via ' || ip.name ELSE '' END"""

TAGS = """ARRAY(SELECT t.name FROM customers_customertag ct JOIN customers_tag t ON t.id = ct.tag_id
    WHERE ct.customer_id = c.id AND t.partner_id = %(partner)s ORDER BY t.name)"""

# The rows of the list (and of the export): the user's permission rows joined to customers. Every value is a
# bound parameter; only these constant fragments are formatted in.
LIST_SQL = f"""SELECT c.id, c.company_name, c.primary_domain, {LABEL} AS label, {TAGS} AS tags
FROM customers_customer c
LEFT JOIN relationships_relationship r
    ON r.customer_id = c.id AND r.partner_id = %(partner)s AND r.status = 'active'
LEFT JOIN partnerportal_partner ip ON ip.id = r.indirect_partner_id
WHERE EXISTS ({{permitted}}) {{where}}
ORDER BY {{order}} {{limit}}"""  # noqa: S608 -- constant fragments only

PERMITTED = {
    Scope.PARTNER: """SELECT 1 FROM customers_customergroupobjectpermission gp
        JOIN partnerportal_user_groups ug ON ug.group_id = gp.group_id
        WHERE gp.content_object_id = c.id AND gp.permission_id = %(perm)s AND ug.user_id = %(user)s""",
    Scope.ASSIGNED: """SELECT 1 FROM customers_customeruserobjectpermission up
        WHERE up.content_object_id = c.id AND up.permission_id = %(perm)s AND up.user_id = %(user)s""",
}

CAN = {
    Scope.PARTNER: """ARRAY(SELECT p.codename FROM customers_customergroupobjectpermission gp
        JOIN partnerportal_user_groups ug ON ug.group_id = gp.group_id JOIN auth_permission p ON p.id = gp.permission_id
        WHERE gp.content_object_id = c.id AND ug.user_id = %(user)s)""",
    Scope.ASSIGNED: """ARRAY(SELECT p.codename FROM customers_customeruserobjectpermission up
        JOIN auth_permission p ON p.id = up.permission_id
        WHERE up.content_object_id = c.id AND up.user_id = %(user)s)""",
}

DETAIL_SQL = f"""SELECT c.id, c.company_name, c.primary_domain, c.country, c.address_line1, c.address_line2, c.city,
    c.state, c.postal_code, c.contact_first_name, c.contact_last_name, c.contact_email, c.contact_phone, c.language,
    c.culture, c.registration_id, c.agreement_status, c.created_at,
    (SELECT json_agg(json_build_object('kind', r.kind, 'status', r.status, 'dap', r.dap, 'started', r.started_at,
        'ended', r.ended_at, 'other', ip.name) ORDER BY r.started_at DESC)
     FROM relationships_relationship r LEFT JOIN partnerportal_partner ip ON ip.id = r.indirect_partner_id
     WHERE r.customer_id = c.id AND r.partner_id = %(partner)s) AS relationships,
    (SELECT json_agg(json_build_object('offer', s.offer_name, 'quantity', s.quantity, 'status', s.status)
        ORDER BY s.created_at DESC)
     FROM customers_subscription s WHERE s.customer_id = c.id AND s.partner_id = %(partner)s) AS subscriptions,
    (SELECT json_agg(json_build_object('product', pp.product, 'expires_on', pp.expires_on, 'note', pp.note)
        ORDER BY pp.product)
     FROM permissions_purchasepermission pp WHERE pp.customer_id = c.id AND pp.partner_id = %(partner)s)
        AS purchase_permissions,
    {TAGS} AS tags, {{can}} AS can
FROM customers_customer c WHERE c.id = %(pk)s AND EXISTS ({{permitted}})"""  # noqa: S608 -- constants only


@cache
def _template(source: str):
    return engines["django"].from_string(source)


def _params(request, **extra) -> dict:
    from permissions.policy import _reach_permission_id

    user = request.user
    return {
        "user": user.pk,
        "partner": user.partner_id,
        "perm": _reach_permission_id(),
        "is_provider": user.partner.is_indirect_provider,
        **extra,
    }


def _rows(request, *, where: str = "", order: str = "c.company_name, c.id", limit: str = "", **extra) -> list:
    sql = LIST_SQL.format(permitted=PERMITTED[request.user.scope], where=where, order=order, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(request, **extra))
        return cursor.fetchall()


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _needle(request) -> str:
    return " ".join(request.GET.get("q", "").split()).lower()


def floor_list(request):
    """The list page's 50 rows (search and seek cursor as the portal applies them) in one query."""
    where, extra = "", {}
    needle = _needle(request)
    if needle:
        # As the portal does: the trigram index looks up the needle's distinctive part, the full needle is a filter.
        anchor = index_anchor(needle)
        where += " AND c.search_text LIKE %(anchor)s"
        if anchor != needle:
            where += " AND (c.search_text || '') LIKE %(like)s"
        extra.update(like=_like(needle), anchor=_like(anchor))
    cursor = decode_cursor(request.GET.get("after", "")) if request.GET.get("after") else None
    if cursor:
        where += " AND (c.company_name, c.id) > (%(after_name)s, %(after_id)s::uuid)"
        extra.update(after_name=cursor[0], after_id=cursor[1])
    rows = _rows(request, where=where, limit=f"LIMIT {PAGE}", **extra)
    return HttpResponse(_template(LIST_HTML).render({"rows": rows, "next": len(rows) == PAGE}))


def floor_lookup(request):
    """The helpdesk lookup's hits in one query: exact ID, domain or contact email first, then name matches."""
    needle = _needle(request)
    try:
        exact_id = str(uuid.UUID(needle))
    except ValueError:
        exact_id = None
    anchor = index_anchor(needle)
    full = " AND (c.search_text || '') LIKE %(like)s" if anchor != needle else ""
    rows = _rows(
        request,
        where=" AND c.search_text LIKE %(anchor)s" + full,
        order="(c.id::text = %(exact_id)s OR c.primary_domain IN (%(needle)s, %(domain)s)"
        " OR lower(c.contact_email) = %(needle)s) DESC, c.company_name, c.id",
        limit=f"LIMIT {PAGE}",
        like=_like(needle),
        anchor=_like(anchor),
        needle=needle,
        domain=needle + ".onmicrosoft.com",
        exact_id=exact_id,
    )
    return HttpResponse(_template(LIST_HTML).render({"rows": rows, "next": False}))


def floor_detail(request, pk):
    """The customer page's data (customer, relationships, subscriptions, purchase permissions, tags, actions) in one
    query."""
    sql = DETAIL_SQL.format(can=CAN[request.user.scope], permitted=PERMITTED[request.user.scope])
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(request, pk=pk))
        row = cursor.fetchone()
        if row is None:
            raise Http404
        customer = dict(zip([col.name for col in cursor.description], row, strict=True))
    return HttpResponse(_template(DETAIL_HTML).render({"c": customer}))


class _Echo:
    def write(self, value):
        return value


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def floor_export(request):
    """The whole list as CSV from one server-side cursor (constant memory), formula-safe cells."""
    sql = LIST_SQL.format(permitted=PERMITTED[request.user.scope], where="", order="c.company_name, c.id", limit="")
    params = _params(request)
    writer = csv.writer(_Echo())

    def stream():
        yield writer.writerow(["Customer ID", "Company name", "Primary domain name", "Relationship", "Tags"])
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(2000):
                for pk, name, domain, label, tags in batch:
                    yield writer.writerow([pk, _safe(name), _safe(domain), label, _safe("; ".join(tags))])

    return StreamingHttpResponse(stream(), content_type="text/csv")


def constant(request):
    """The framework's floor: a constant answer, no database."""
    return HttpResponse(b"ok", content_type="text/plain")
