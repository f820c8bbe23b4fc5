"""Template tags of the keyset lists: `{% sort_header %}`, a column header that sorts the list."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("generic/_sort_header.html", takes_context=True)
def sort_header(context: template.Context, key: str, label: str, descending_first: bool = False, css: str = "") -> dict:
    """A `<th>` whose link sorts the list by `key` (`?sort=key` ascending, `?sort=-key` descending).

    The sorted column's link turns the direction round and carries `aria-sort`; another column's link sorts by it,
    descending first for dates (`descending_first`). The link keeps the list state (`sort_query`) but not the page's
    position: a new order starts at its first page.
    """
    current: str = context.get("sort") or ""
    direction: str | None
    if current == key:
        direction, target = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, target = "descending", key
    else:
        direction, target = None, f"-{key}" if descending_first else key
    query: str = context.get("sort_query") or ""
    params: dict[str, Any] = {"sort": target}
    href = "?" + (f"{query}&" if query else "") + urlencode(params)
    return {
        "label": label,
        "href": href,
        "direction": direction,
        "target_descending": target.startswith("-"),
        "css": css,
    }
