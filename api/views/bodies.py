"""Request bodies of the staff and admin-relationship endpoints: JSON objects whose values a page's form then judges.

The shape is checked here (a 400 names the field); the rules are the forms' and the services' (a 422 with their
messages). Values are handed to the forms as the pages post them: strings, lists for multiple choices, a ticked
checkbox for `true`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from api.problems import BadRequest, PayloadTooLarge

MAX_LIST_ITEMS = 1000


def form_data(
    request: Request,
    *,
    allowed: frozenset[str],
    lists: frozenset[str] = frozenset(),
    booleans: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The body as form data: strings and whole numbers as strings, `lists` as lists of strings, `booleans` as a
    ticked checkbox ("on") or absent; null is an absent field. 400 for any other shape or an unknown field."""
    try:
        data = request.data
    except RequestDataTooBig:
        raise PayloadTooLarge() from None
    if not isinstance(data, dict):
        raise BadRequest(_("The body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, value in data.items():
        if field not in allowed:
            errors[field] = [str(_("Unknown or read-only field."))]
        elif value is None:
            continue
        elif field in booleans:
            if not isinstance(value, bool):
                errors[field] = [str(_("Must be true or false."))]
            elif value:
                values[field] = "on"
        elif field in lists:
            if (
                not isinstance(value, list)
                or len(value) > MAX_LIST_ITEMS
                or not all(isinstance(item, str) for item in value)
            ):
                errors[field] = [str(_("Must be a list of strings."))]
            else:
                values[field] = value
        elif isinstance(value, bool) or not isinstance(value, (str, int)):
            errors[field] = [str(_("Must be a string."))]
        elif isinstance(value, int) and abs(value) > 2**31 - 1:
            errors[field] = [str(_("The number is too large."))]
        else:
            values[field] = str(value)
    if errors:
        raise BadRequest(errors=errors)
    return values
