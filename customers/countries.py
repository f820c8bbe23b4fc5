"""Per-country address rules for customer records (reference §8.2): postal codes, states, defaults.

The rules live in ``customers/data/countries.json`` so they can be reviewed and extended without touching
code. A country is in the file only when the portal supports it; unknown codes are an error, not a
fallback, because guessing an address format would let bad data in silently.

Country names are django-countries' (ISO 3166-1, translated into the active language); the file keeps only the
rules. django-countries has no subdivisions, so the file carries each state/province's name in English
(``states``, also the spelling imports may use) and in Korean (``states_ko``). Every name is looked up when it is
shown, in the language of the request: nothing here is frozen at import time.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import overload

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries as iso_countries

DATA_FILE = Path(__file__).resolve().parent / "data" / "countries.json"

# Longer input is never a postal code anywhere; rejecting it early keeps the regexes on short strings and
# matches the model's column size.
POSTAL_CODE_MAX_LENGTH = 20

# Countries whose canonical postal code has a space a fixed number of characters from the end. Adding it
# when the user left it out stores "SW1A1AA" and "SW1A 1AA" the same way, so search and dedupe agree.
_SPACE_BEFORE_LAST = {"CA": 3, "GB": 3, "NL": 2, "SE": 2}

# Countries without a postal-code regex may still receive one (an Irish Eircode, say); accept any short
# code made of the characters postal codes use anywhere, so nothing odd reaches the database.
_GENERIC_POSTAL_CODE = re.compile(r"[A-Z0-9](?:[A-Z0-9 -]*[A-Z0-9])?")

MESSAGES = {
    "invalid_country": _("Select a valid country/region."),
    "postal_code_required": _("Enter a postal code."),
    "postal_code_invalid_example": _("Enter a valid postal code for %(country)s (for example %(example)s)."),
    "postal_code_invalid": _("Enter a valid postal code for %(country)s."),
    "state_required": _("Select a state/province."),
    "state_invalid": _("Select a valid state/province for %(country)s."),
}


@dataclass(frozen=True)
class CountryRules:
    """The address rules and defaults of one supported country/region."""

    code: str
    postal_code_regex: str | None
    postal_code_example: str | None
    # English names (the canonical spelling, accepted on input); `state_names()` gives the reader's language.
    states: Mapping[str, str] = field(hash=False)
    states_ko: Mapping[str, str] = field(hash=False)
    state_required: bool
    culture: str
    language: str
    registration_id_required: bool
    # The IANA zone a partner in this market works in (its most populous one), the default of its users' clocks.
    time_zone: str

    @property
    def name(self) -> str:
        """The country/region's name in the active language (django-countries' translation)."""
        return country_name(self.code)

    def state_names(self) -> Mapping[str, str]:
        """The states/provinces, code → name in the active language (English where no translation exists)."""
        if _language() == "ko":
            return MappingProxyType({code: self.states_ko.get(code, name) for code, name in self.states.items()})
        return self.states

    @property
    def postal_code_required(self) -> bool:
        """Whether a postal code must be given (countries without a postal system have no regex)."""
        return self.postal_code_regex is not None

    @functools.cached_property
    def postal_code_pattern(self) -> re.Pattern[str] | None:
        """The compiled postal-code regex; ASCII so that only 0-9 count as digits."""
        return re.compile(self.postal_code_regex, re.ASCII) if self.postal_code_regex else None


@functools.cache
def _load_rules() -> Mapping[str, CountryRules]:
    """Read the data file once per process and return the rules keyed by ISO 3166-1 alpha-2 code."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return MappingProxyType(
        {
            code: CountryRules(
                code=code,
                postal_code_regex=entry["postal_code_regex"],
                postal_code_example=entry["postal_code_example"],
                states=MappingProxyType(dict(entry["states"])),
                states_ko=MappingProxyType(dict(entry["states_ko"])),
                state_required=entry["state_required"],
                culture=entry["culture"],
                language=entry["language"],
                registration_id_required=entry["registration_id_required"],
                time_zone=entry["time_zone"],
            )
            for code, entry in raw.items()
        }
    )


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def country_name(code: str) -> str:
    """The name of any ISO 3166-1 alpha-2 code in the active language (anything else is returned as it is)."""
    if not (isinstance(code, str) and len(code) == 2 and code.isascii() and code.isupper()):
        return code
    return str(iso_countries.name(code)) or code


def _sort_key(name: str) -> str:
    """Sort "Türkiye" next to "Tunisia" rather than after "Zambia": compare without accents or case.

    Hangul decomposes into its jamo, whose code points are in the Korean dictionary order (ㄱ ㄴ ㄷ …), so the
    same key sorts Korean names 가나다 order.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@functools.lru_cache(maxsize=8)
def _choices_in(language: str) -> tuple[tuple[str, str], ...]:
    """Every supported country as (code, name), sorted by name, in `language` (the active one when called)."""
    return tuple(sorted(((code, country_name(code)) for code in _load_rules()), key=lambda c: _sort_key(c[1])))


def country_choices() -> list[tuple[str, str]]:
    """Every supported country as (code, name) in the active language, sorted by name in that language."""
    return list(_choices_in(get_language() or "en"))


def state_choices(country: str) -> list[tuple[str, str]]:
    """A country's states/provinces as (code, name) in the active language, sorted by that name."""
    names = get_rules(country).state_names()
    return sorted(names.items(), key=lambda choice: _sort_key(choice[1]))


def regions_by_country() -> dict[str, list[tuple[str, str]]]:
    """Each country that has states/provinces → its (code, name) list in the active language, for pages and scripts
    that narrow a state list to the chosen country (the add-customer form's grouped select carries the same)."""
    return {code: state_choices(code) for code in country_codes() if get_rules(code).state_required}


class _CountryChoices(Sequence[tuple[str, str]]):
    """`country_choices()` as a constant to iterate: each use reads the active language, so a form built for a
    Korean request lists Korean names in Korean order."""

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(country_choices())

    def __len__(self) -> int:
        return len(_load_rules())

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, str]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, str] | Sequence[tuple[str, str]]:
        return country_choices()[index]


COUNTRY_CHOICES: Sequence[tuple[str, str]] = _CountryChoices()


class _CountryNames(Mapping[str, str]):
    """Code → name in the active language, for any ISO 3166-1 code (the activity log's value labels of `country`)."""

    def __getitem__(self, code: str) -> str:
        if code not in self:
            raise KeyError(code)
        return country_name(code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and country_name(code) != code

    def __iter__(self) -> Iterator[str]:
        return iter(code for code, _name in iso_countries)

    def __len__(self) -> int:
        return len(iso_countries)


COUNTRY_NAMES: Mapping[str, str] = _CountryNames()


def country_codes() -> list[str]:
    """Return every supported country code, in code order."""
    return sorted(_load_rules())


def get_rules(code: str) -> CountryRules:
    """Return the rules of a supported country; raise KeyError for any code that is not in the data file."""
    return _load_rules()[code.strip().upper()]


def _rules_or_error(country: str) -> CountryRules:
    """Return a country's rules, turning an unsupported code into a form error instead of a server error."""
    try:
        return get_rules(country)
    except (KeyError, AttributeError):
        raise ValidationError(MESSAGES["invalid_country"], code="invalid_country") from None


def _ascii_digits(value: str) -> str:
    """Turn any decimal digit (full-width, Arabic-Indic, ...) into its ASCII form, as users type either."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def normalize_postal_code(country: str, value: str) -> str:
    """Return the canonical spelling of a postal code: ASCII, upper-case, single spaces, standard spacing."""
    # NFKC folds full-width letters and hyphens that Japanese/Chinese/Korean keyboards produce.
    text = _ascii_digits(unicodedata.normalize("NFKC", value or ""))
    text = " ".join(text.split()).upper()
    position = _SPACE_BEFORE_LAST.get(country.strip().upper())
    if position and " " not in text and len(text) > position:
        text = f"{text[:-position]} {text[-position:]}"
    return text


def validate_postal_code(country: str, value: str | None) -> str:
    """Return the normalised postal code for the country or raise ValidationError when it does not fit."""
    rules = _rules_or_error(country)
    text = normalize_postal_code(rules.code, value or "")
    if not text:
        if rules.postal_code_required:
            raise ValidationError(MESSAGES["postal_code_required"], code="required")
        return ""
    pattern = rules.postal_code_pattern or _GENERIC_POSTAL_CODE
    if len(text) > POSTAL_CODE_MAX_LENGTH or not pattern.fullmatch(text):
        if rules.postal_code_example:
            raise ValidationError(
                MESSAGES["postal_code_invalid_example"],
                code="invalid",
                params={"country": rules.name, "example": rules.postal_code_example},
            )
        raise ValidationError(MESSAGES["postal_code_invalid"], code="invalid", params={"country": rules.name})
    return text


def validate_state(country: str, value: str | None) -> str:
    """Return the state/province code for the country ("" when it has none) or raise ValidationError."""
    rules = _rules_or_error(country)
    if not rules.state_required:
        # The form hides the field for these countries; a stale value from a country switch must not stick.
        return ""
    text = " ".join((value or "").split())
    if not text:
        raise ValidationError(MESSAGES["state_required"], code="required")
    code = text.upper()
    if code in rules.states:
        return code
    # Accept the full name too ("Washington" or "워싱턴" for WA), as imported or pre-filled data often carries names.
    by_name = {name.casefold(): state_code for state_code, name in rules.states.items()}
    by_name.update({name.casefold(): state_code for state_code, name in rules.states_ko.items()})
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    raise ValidationError(MESSAGES["state_invalid"], code="invalid", params={"country": rules.name})


def registration_id_required(country: str) -> bool:
    """Return whether a company registration ID (and phone) is required for customers in the country."""
    return get_rules(country).registration_id_required


def default_culture(country: str) -> str:
    """Return the culture (for example "ko-KR") a new customer in the country starts with."""
    return get_rules(country).culture


def default_language(country: str) -> str:
    """Return the two-letter language a new customer in the country starts with."""
    return get_rules(country).language


def default_time_zone(country: str) -> str:
    """Return the IANA time zone of a market ("Asia/Seoul" for KR); UTC for a country the portal has no rules for."""
    try:
        return get_rules(country).time_zone
    except (KeyError, AttributeError):
        return "UTC"
