"""Labels of the codes a business profile stores (country, expertise, sizes), in the reader's language."""

from __future__ import annotations

from django import template

from customers import countries
from leads.models import CompanySize
from profiles import catalogue

register = template.Library()


def _label(choices: type, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


@register.filter
def country_name(code: str) -> str:
    return countries.country_name(code or "")


@register.filter
def industry_label(code: str) -> str:
    return _label(catalogue.Industry, code)


@register.filter
def product_label(code: str) -> str:
    return _label(catalogue.Product, code)


@register.filter
def service_type_label(code: str) -> str:
    return _label(catalogue.ServiceType, code)


@register.filter
def size_label(code: str) -> str:
    return _label(CompanySize, code)
