"""The rules of a customer profile (PRODUCT.md §3): shape, normalisation and the messages, in one place.

`customer_clean` checks a whole profile and returns it normalised, one concern at a time (address, contact,
phone and registration ID, culture, the customer agreement); the add form, the edit form, the invitation
acceptance profile and the CSV import all go through it. Writes are in `customers.services.customers`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers import countries
from customers.company_names import validate_company_name
from customers.models import Customer
from partnerportal.models import Partner

DOMAIN_TAKEN = _("This domain name is already in use. Choose another one.")

# Partner Center documents no maximum; 27 keeps "<prefix>.onmicrosoft.com" a comfortable, typable address and
# is the limit Microsoft 365 applies to the initial domain name it creates.
DOMAIN_PREFIX_MAX_LENGTH = 27
# ASCII only, so "ａｂｃ" (full-width) or "é" can never reach a DNS label.
_DOMAIN_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9]+", re.ASCII)
# A phone number as people type it: digits with spaces, dots, dashes, brackets and a leading plus.
_PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ().-]*", re.ASCII)
PHONE_MIN_DIGITS, PHONE_MAX_LENGTH = 5, 32
# Registration / tax IDs: letters and digits with the separators national formats use ("12.345.678/0001-90").
_REGISTRATION_ID_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ./-]*[A-Za-z0-9])?", re.ASCII)
REGISTRATION_ID_MAX_LENGTH = 64
CONTACT_NAME_MAX_LENGTH = 40
ADDRESS_LINE_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
AGREEMENT_NAME_MAX_LENGTH = 81

# The profile fields a partner edits; the primary domain is deliberately not among them (it never changes).
PROFILE_FIELDS = (
    "company_name",
    "country",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "registration_id",
    "culture",
)
AGREEMENT_FIELDS = ("agreement_status", "agreement_name", "agreement_email", "agreement_date")

MESSAGES = {
    "domain_required": _("Enter a domain name."),
    "domain_chars": _("Use only letters (a–z) and digits (0–9) in the domain name: no spaces, dots or hyphens."),
    "domain_too_long": _("The domain name can have at most %(max)d characters."),
    "domain_available": _("%(domain)s is available."),
    "address_line1_required": _("Enter the street address."),
    "address_line1_too_long": _("Address line 1 can have at most %(max)d characters."),
    "address_line2_too_long": _("Address line 2 can have at most %(max)d characters."),
    "city_required": _("Enter the city."),
    "city_too_long": _("The city can have at most %(max)d characters."),
    "first_name_required": _("Enter the contact's first name."),
    "first_name_too_long": _("The first name can have at most %(max)d characters."),
    "last_name_required": _("Enter the contact's last name."),
    "last_name_too_long": _("The last name can have at most %(max)d characters."),
    "control_characters": _("Remove the line breaks, tabs or other control characters."),
    "email_required": _("Enter the contact's email address."),
    "email_invalid": _("Enter a valid email address, such as name@contoso.com."),
    "email_partner_domain": _(
        "The customer's contact email can't use your own organisation's domain (%(domain)s). "
        "Enter an address at the customer's organisation."
    ),
    "phone_required": _("A phone number is required for customers in %(country)s."),
    "phone_invalid": _("Enter a valid phone number: digits, spaces, brackets, dashes and a leading “+”."),
    "registration_id_required": _("A company registration ID is required for customers in %(country)s."),
    "registration_id_invalid": _(
        "Enter the company registration (tax) ID using letters, digits, spaces, dots, dashes or slashes "
        "(at most %(max)d characters)."
    ),
    "culture_invalid": _("Select a valid language/culture."),
    "agreement_status_invalid": _("Select how the customer agreement was accepted."),
    "agreement_name_required": _("Enter the name of the person who accepted the customer agreement."),
    "agreement_name_too_long": _("The name can have at most %(max)d characters."),
    "agreement_email_required": _("Enter the email address of the person who accepted the customer agreement."),
    "agreement_date_required": _("Enter the date the customer agreement was accepted."),
    "agreement_date_future": _("The acceptance date can't be in the future."),
    "agreement_reseller": _(
        "Indirect resellers can't confirm the customer agreement for their customers; your indirect provider does."
    ),
    "agreement_already_accepted": _("The customer has already accepted the customer agreement themselves."),
}


def primary_domain_for(prefix: str) -> str:
    """The full primary domain for a prefix: lower-case prefix + the deployment's fixed suffix."""
    return prefix.strip().lower() + settings.PORTAL_DOMAIN_SUFFIX


def domain_available(prefix: str) -> bool:
    """True when no customer uses the domain (the database constraint still decides under concurrency)."""
    return not Customer.objects.filter(primary_domain=primary_domain_for(prefix)).exists()


def domain_prefix_validate(prefix: str | None) -> str:
    """Return the lower-case prefix when its shape is valid and the domain is free; raise ValidationError if not."""
    text = (prefix or "").strip()
    if not text:
        raise ValidationError(MESSAGES["domain_required"], code="required")
    if not _DOMAIN_PREFIX_PATTERN.fullmatch(text):
        raise ValidationError(MESSAGES["domain_chars"], code="invalid")
    if len(text) > DOMAIN_PREFIX_MAX_LENGTH:
        raise ValidationError(MESSAGES["domain_too_long"], code="max_length", params={"max": DOMAIN_PREFIX_MAX_LENGTH})
    if not domain_available(text):
        raise ValidationError(DOMAIN_TAKEN, code="unique")
    return text.lower()


def domain_check(prefix: str | None) -> tuple[bool, str]:
    """The live check behind the add form: whether the prefix can be used, and the message to show."""
    try:
        text = domain_prefix_validate(prefix)
    except ValidationError as exc:
        return False, exc.messages[0]
    return True, str(MESSAGES["domain_available"] % {"domain": primary_domain_for(text)})


def rule_error(key: str, **params: Any) -> ValidationError:
    """The ValidationError for one message of MESSAGES."""
    return ValidationError(MESSAGES[key], code=key, params=params or None)


def _text(value: Any, *, required: str | None, too_long: str, max_length: int) -> str:
    """One line of free text: stripped, no control characters, within its length (and present when required)."""
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    if not text:
        if required:
            raise rule_error(required)
        return ""
    # Control characters (NUL above all, which PostgreSQL refuses) have no place in an address or a name.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise rule_error("control_characters")
    if len(text) > max_length:
        raise rule_error(too_long, max=max_length)
    return text


def _email(value: Any, *, required: str) -> str:
    """An email address with its domain lower-cased (the part after "@" is case-insensitive)."""
    text = str(value or "").strip()
    if not text:
        raise rule_error(required)
    if len(text) > EMAIL_MAX_LENGTH or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise rule_error("email_invalid")
    try:
        validate_email(text)
    except ValidationError:
        raise rule_error("email_invalid") from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def email_at_partner_domain(email: str, partner: Partner | None) -> bool:
    """Whether the email is at the partner's own domain or one of its subdomains."""
    own = (partner.email_domain if partner else "").strip().lower().strip(".")
    domain = email.rpartition("@")[2].lower().rstrip(".")
    return bool(own) and (domain == own or domain.endswith("." + own))


def _reg_countries_apply(partner: Partner | None) -> bool:
    """Registration ID and phone rules apply when a direct-bill partner or an indirect provider adds the customer."""
    return partner is not None and partner.type in (Partner.Type.DIRECT_BILL, Partner.Type.INDIRECT_PROVIDER)


def agreement_clean(data: dict[str, Any], partner: Partner | None) -> dict[str, Any]:
    """The customer-agreement fields: blank when not provided, a complete attestation otherwise."""
    status = data.get("agreement_status") or Customer.Agreement.NOT_PROVIDED
    if status not in Customer.Agreement.values:
        raise ValidationError({"agreement_status": [rule_error("agreement_status_invalid")]})
    if status == Customer.Agreement.NOT_PROVIDED:
        return {"agreement_status": status, "agreement_name": "", "agreement_email": "", "agreement_date": None}
    if status == Customer.Agreement.ATTESTED_BY_PARTNER and partner is not None and partner.is_indirect_reseller:
        raise ValidationError({"agreement_status": [rule_error("agreement_reseller")]})
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {"agreement_status": status}
    try:
        cleaned["agreement_name"] = _text(
            data.get("agreement_name"),
            required="agreement_name_required",
            too_long="agreement_name_too_long",
            max_length=AGREEMENT_NAME_MAX_LENGTH,
        )
    except ValidationError as exc:
        errors["agreement_name"] = exc.error_list
    try:
        cleaned["agreement_email"] = _email(data.get("agreement_email"), required="agreement_email_required")
    except ValidationError as exc:
        errors["agreement_email"] = exc.error_list
    when = data.get("agreement_date")
    if isinstance(when, datetime):
        when = when.date()
    if not isinstance(when, date):
        errors["agreement_date"] = [rule_error("agreement_date_required")]
    elif when > timezone.localdate():
        errors["agreement_date"] = [rule_error("agreement_date_future")]
    else:
        cleaned["agreement_date"] = when
    if errors:
        raise ValidationError(errors)
    return cleaned


class _Cleaning:
    """One profile being cleaned: the normalised values so far and every field's errors, collected together."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.errors: dict[str, list[ValidationError]] = {}
        self.cleaned: dict[str, Any] = {
            k: v for k, v in data.items() if k not in PROFILE_FIELDS and k not in AGREEMENT_FIELDS
        }

    def check(self, field: str, rule: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Store `rule(*args, **kwargs)` as the field's clean value, or its ValidationError as the field's errors."""
        try:
            self.cleaned[field] = rule(*args, **kwargs)
        except ValidationError as exc:
            self.errors[field] = exc.error_list


def _address_clean(c: _Cleaning) -> countries.CountryRules | None:
    """Company name, country (its rules decide state and postal code), street and city; returns the rules."""
    c.check("company_name", validate_company_name, c.data.get("company_name"))
    return _postal_address_clean(c)


def _postal_address_clean(c: _Cleaning) -> countries.CountryRules | None:
    """Country (its rules decide state and postal code), street and city; returns the country's rules."""
    data = c.data
    country = str(data.get("country") or "").strip().upper()
    rules = countries.get_rules(country) if country in countries.country_codes() else None
    if rules is None:
        c.errors["country"] = [ValidationError(countries.MESSAGES["invalid_country"], code="invalid_country")]
    else:
        c.cleaned["country"] = rules.code
        c.check("state", countries.validate_state, rules.code, str(data.get("state") or ""))
        c.check("postal_code", countries.validate_postal_code, rules.code, str(data.get("postal_code") or ""))
    for field, required, max_length in (
        ("address_line1", "address_line1_required", ADDRESS_LINE_MAX_LENGTH),
        ("address_line2", None, ADDRESS_LINE_MAX_LENGTH),
        ("city", "city_required", CITY_MAX_LENGTH),
    ):
        c.check(field, _text, data.get(field), required=required, too_long=f"{field}_too_long", max_length=max_length)
    return rules


def _contact_clean(c: _Cleaning, partner: Partner | None) -> None:
    """The primary contact's names and email (never at the partner's own domain)."""
    for field, key in (("contact_first_name", "first_name"), ("contact_last_name", "last_name")):
        c.check(
            field,
            _text,
            c.data.get(field),
            required=f"{key}_required",
            too_long=f"{key}_too_long",
            max_length=CONTACT_NAME_MAX_LENGTH,
        )
    c.check("contact_email", _email, c.data.get("contact_email"), required="email_required")
    if (
        partner is not None
        and "contact_email" in c.cleaned
        and email_at_partner_domain(c.cleaned["contact_email"], partner)
    ):
        c.errors["contact_email"] = [rule_error("email_partner_domain", domain=partner.email_domain.lower())]
        del c.cleaned["contact_email"]


def _phone_and_registration_clean(c: _Cleaning, rules: countries.CountryRules | None, partner: Partner | None) -> None:
    """Phone and registration ID: their shape, and required in the countries whose rules say so (PRODUCT.md §3)."""
    required_here = rules is not None and rules.registration_id_required and _reg_countries_apply(partner)
    phone = " ".join(str(c.data.get("contact_phone") or "").split())
    digits = sum(ch.isdigit() for ch in phone)
    if not phone:
        if required_here and rules is not None:
            c.errors["contact_phone"] = [rule_error("phone_required", country=rules.name)]
        c.cleaned["contact_phone"] = ""
    elif len(phone) > PHONE_MAX_LENGTH or digits < PHONE_MIN_DIGITS or not _PHONE_PATTERN.fullmatch(phone):
        c.errors["contact_phone"] = [rule_error("phone_invalid")]
    else:
        c.cleaned["contact_phone"] = phone
    registration_id = " ".join(str(c.data.get("registration_id") or "").split())
    if not registration_id:
        if required_here and rules is not None:
            c.errors["registration_id"] = [rule_error("registration_id_required", country=rules.name)]
        c.cleaned["registration_id"] = ""
    elif len(registration_id) > REGISTRATION_ID_MAX_LENGTH or not _REGISTRATION_ID_PATTERN.fullmatch(registration_id):
        c.errors["registration_id"] = [rule_error("registration_id_invalid", max=REGISTRATION_ID_MAX_LENGTH)]
    else:
        c.cleaned["registration_id"] = registration_id


def _culture_clean(c: _Cleaning, rules: countries.CountryRules | None) -> None:
    """The language/culture: a supported one, or blank for the country's default (and the language with it)."""
    culture = str(c.data.get("culture") or "").strip()
    if culture and culture not in supported_cultures():
        c.errors["culture"] = [rule_error("culture_invalid")]
    elif rules is not None:
        # Blank means "the country's default", so a country change on the edit page moves the culture along.
        c.cleaned["culture"] = culture or rules.culture
        c.cleaned["language"] = culture.split("-", 1)[0] if culture else rules.language


def customer_clean(
    *, data: dict[str, Any], domain_prefix: str | None, partner: Partner | None, customer: Customer | None = None
) -> dict[str, Any]:
    """Check a customer profile against every rule of PRODUCT.md §3 and return it normalised.

    Raises one ValidationError holding every field's errors. `domain_prefix` is checked (shape and global
    uniqueness) only for a new customer; pass None for an existing `customer`, whose domain never changes.
    Keys of `data` that are not profile or agreement fields pass through untouched.
    """
    c = _Cleaning(data)
    if customer is None:
        c.check("domain_prefix", domain_prefix_validate, domain_prefix)
        c.cleaned.pop("domain_prefix", None)
    rules = _address_clean(c)
    _contact_clean(c, partner)
    _phone_and_registration_clean(c, rules, partner)
    _culture_clean(c, rules)
    if customer is None or any(field in data for field in AGREEMENT_FIELDS):
        try:
            c.cleaned.update(agreement_clean(data, partner))
        except ValidationError as exc:
            c.errors.update(exc.error_dict)
    if c.errors:
        raise ValidationError(c.errors)
    return c.cleaned


POSTAL_ADDRESS_FIELDS = ("country", "address_line1", "address_line2", "city", "state", "postal_code")


def postal_address_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Check a postal address alone with the customers' per-country rules and return it normalised.

    For addresses that are not a customer's (a business profile's locations); raises one ValidationError with
    every field's errors.
    """
    c = _Cleaning({field: data.get(field) for field in POSTAL_ADDRESS_FIELDS})
    _postal_address_clean(c)
    if c.errors:
        raise ValidationError(c.errors)
    return {field: c.cleaned[field] for field in POSTAL_ADDRESS_FIELDS}


def customer_validate(*, data: dict[str, Any], domain_prefix: str | None, partner: Partner | None) -> None:
    """Raise ValidationError (a dict of field errors) when a new customer's profile breaks any rule.

    The one place the rules live: the add form, the invitation-acceptance profile and the CSV import all
    call this (through `customer_create` or directly, for a preview).
    """
    customer_clean(data=data, domain_prefix=domain_prefix, partner=partner)


@functools.cache
def supported_cultures() -> tuple[str, ...]:
    """Every culture (for example "ko-KR") some supported country uses, sorted."""
    return tuple(sorted({countries.get_rules(code).culture for code in countries.country_codes()}))
