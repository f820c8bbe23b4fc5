"""How an entry's before/after details read on a page: field labels and value labels in the reader's language.

The log stores raw keys and values (`agreement_status: not_provided`). Which model a key belongs to is known only
to the app that writes the entry, and `activity` imports no other app, so apps register their label sources here
(from their `AppConfig.ready()`), naming models by label ("customers.Customer") so nothing is imported:

    activity_labels_register(Actions.CUSTOMER_UPDATE, model="customers.Customer")
    activity_labels_register(Actions.RELATIONSHIP_END, model="relationships.Relationship",
                             fields={"reason": "end_reason"}, labels={"invitations_revoked": _("Invitations revoked")})

A key takes the label of the first source that knows it (the model field's verbose name, or an explicit label);
a value of a field with choices shows the choice's label, booleans show Yes/No, a nested record (a list of
purchase permissions) shows as "Label: value" pairs. A key no source knows reads as
the key itself made readable ("invitations_revoked" → "Invitations revoked"); its value shows as stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activity.actions import Actions


@dataclass(frozen=True)
class LabelSource:
    """One model (by label) and/or explicit labels that name some of an entry's keys."""

    model: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)  # detail key → model field name, where they differ
    labels: Mapping[str, Promise | str] = field(default_factory=dict)  # detail key → label (no model field)
    values: Mapping[str, Mapping[Any, Promise | str]] = field(default_factory=dict)  # detail key → value labels

    def model_field(self, key: str) -> models.Field | None:
        if self.model is None:
            return None
        try:
            found = apps.get_model(self.model)._meta.get_field(self.fields.get(key, key))
        except (FieldDoesNotExist, LookupError):
            return None
        return found if isinstance(found, models.Field) else None


_BY_ACTION: dict[str, list[LabelSource]] = {}

# Keys the activity app itself writes on any entry.
_COMMON = [
    LabelSource(
        labels={"cause": gettext_lazy("Cause")},
        values={"cause": dict(Actions.choices)},
    )
]


def activity_labels_register(
    *actions: str,
    model: str | None = None,
    fields: Mapping[str, str] | None = None,
    labels: Mapping[str, Promise | str] | None = None,
    values: Mapping[str, Mapping[Any, Promise | str]] | None = None,
) -> None:
    """Name the keys of these actions' entries: by a model's fields and/or explicit labels (searched in order)."""
    source = LabelSource(model=model, fields=fields or {}, labels=labels or {}, values=values or {})
    for action in actions:
        sources = _BY_ACTION.setdefault(str(action), [])
        if source not in sources:  # ready() may run more than once (tests that reload apps)
            sources.append(source)


def _sources(action: str) -> Iterable[LabelSource]:
    yield from _BY_ACTION.get(action, ())
    yield from _COMMON


def readable_key(key: str) -> str:
    """A key no source names, made readable: "invitations_revoked" → "Invitations revoked"."""
    return capfirst(key.replace("_", " ").strip())


def field_label(action: str, key: str) -> str:
    for source in _sources(action):
        if key in source.labels:
            return capfirst(str(source.labels[key]))
        model_field = source.model_field(key)
        if model_field is not None:
            return capfirst(str(model_field.verbose_name))
    return readable_key(key)


def _value_labels(action: str, key: str) -> Mapping[Any, Any] | None:
    for source in _sources(action):
        if key in source.values:
            return source.values[key]
        if key in source.labels:
            return None
        model_field = source.model_field(key)
        if model_field is not None:
            if model_field.choices:
                return dict(model_field.flatchoices)
            # A list of choices (a PostgreSQL array such as a profile's products): its items' labels.
            base_field = getattr(model_field, "base_field", None)
            return dict(base_field.flatchoices) if base_field is not None and base_field.choices else None
    return None


def value_label(action: str, key: str, value: Any) -> str:
    """A stored value as the reader should see it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):  # a nested record, e.g. one purchase permission of a relationship's snapshot
        return "; ".join(f"{field_label(action, k)}: {value_label(action, k, v)}" for k, v in value.items())
    choices = _value_labels(action, key)
    if isinstance(value, list):
        separator = " | " if any(isinstance(v, dict) for v in value) else ", "
        return separator.join(
            value_label(action, key, v) if isinstance(v, dict) else _plain(_choice(choices, v)) for v in value
        )
    return _plain(_choice(choices, value))


def _choice(choices: Mapping[Any, Any] | None, value: Any) -> Any:
    if choices and isinstance(value, str | int) and value in choices:
        return choices[value]
    return value


def _plain(value: Any) -> str:
    if isinstance(value, str | Promise):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def detail_rows(action: str, details: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    """The details as (field label, before, after) rows; keys other than before/after show as "after"."""
    details = details or {}
    before = details.get("before") or {}
    after = details.get("after") or {}
    rows = [
        (
            field_label(action, key),
            value_label(action, key, before[key]) if key in before else "",
            value_label(action, key, after[key]) if key in after else "",
        )
        for key in dict.fromkeys([*before, *after])
    ]
    rows += [
        (field_label(action, key), "", value_label(action, key, value))
        for key, value in details.items()
        if key not in ("before", "after")
    ]
    return rows
