"""Template tags of the keyset lists: `{% sort_header %}`, a column header that sorts the list, and
`{% filter_select %}` and `{% filter_input %}`, a select and the search box of a filter bar."""

from __future__ import annotations

from typing import Any, cast

from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def filter_select(field: BoundField) -> SafeString:
    """One select of a list's filter bar: the markup of `generic/_filter_field.html` for a select, built here.

    The template's option loop (a variable lookup, a filter and a comparison per option) was most of a filter
    bar's rendering; the HTML is the same, every value escaped as the template escapes it. Any other field is
    rendered by the template itself.
    """
    if field.field.choices is None or field.widget_type != "select":  # type: ignore[attr-defined]
        return cast(SafeString, get_template(FIELD_TEMPLATE).render({"field": field}))  # the engine returns it safe
    current = field.value()
    current = "" if current is None else f"{current}"
    field_id = conditional_escape(field.id_for_label)
    errors = field.errors
    options = "".join(
        format_html(
            OPTION_SELECTED if f"{value}" == current else OPTION,
            localize(value),
            label,
        )
        for value, label in field.field.choices  # type: ignore[attr-defined]
    )
    return format_html(
        SELECT,
        field_id,
        field.label,
        conditional_escape(field.html_name),
        field_id,
        " is-invalid" if errors else "",
        mark_safe(options),  # noqa: S308 -- built by format_html, which escapes every value
        format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((error,) for error in errors)),
    )


FIELD_TEMPLATE = "generic/_filter_field.html"
OPTION = '<option value="{}">{}</option>'
OPTION_SELECTED = '<option value="{}" selected>{}</option>'
SELECT = (
    '\n\n<label class="form-label" for="{}">{}</label>\n\n'
    '<select name="{}" id="{}" class="form-select{}">\n  \n  {}\n  \n</select>\n\n\n{}\n'
)


@register.simple_tag
def filter_input(field: BoundField) -> SafeString:
    """The search box of a list's filter bar: the markup `generic/_filter_field.html` gives a text input, built here.

    The same steps as the template's `{% crispy_field %}` and Django's widget rendering (the widget's class names,
    `required`/`aria-invalid`, the id), without rendering the input's two widget templates. Any other widget is
    rendered by the template itself.
    """
    widget = field.field.widget
    if type(widget) is not forms.TextInput:
        return cast(SafeString, get_template(FIELD_TEMPLATE).render({"field": field}))  # the engine returns it safe
    errors = field.errors
    # {% crispy_field field "class" "form-control[ is-invalid]" %}: the widget's own class name, then these.
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get("textinput", "textinput")
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    for name in ("form-control is-invalid" if errors else "form-control").split():
        if name not in css.split():
            css += f" {name}"
    widget.attrs["class"] = css
    # BoundField.as_widget(), then the input.html and attrs.html widget templates.
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = context["value"]
    html = f'<input type="{conditional_escape(context["type"])}" name="{conditional_escape(context["name"])}"'
    if value is not None:
        html += f' value="{escape(f"{value}")}"'
    for name, attr in context["attrs"].items():
        if attr is True:
            html += f" {conditional_escape(name)}"
        elif attr is not False:
            html += f' {conditional_escape(name)}="{escape(f"{attr}")}"'
    return format_html(
        INPUT,
        field.id_for_label,
        field.label,
        mark_safe(html + ">"),  # noqa: S308 -- every value escaped above
        format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((error,) for error in errors)),
    )


INPUT = '\n\n<label class="form-label" for="{}">{}</label>\n\n{}\n\n\n{}\n'
