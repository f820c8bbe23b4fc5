"""Country address rules and company legal-name rules (reference §8.2-8.3, PRODUCT.md §3)."""

import dataclasses
import json
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from customers import company_names, countries
from customers.company_names import (
    LEGAL_SUFFIXES,
    company_name_warnings,
    validate_company_name,
)
from customers.countries import (
    COUNTRY_CHOICES,
    default_culture,
    default_language,
    get_rules,
    registration_id_required,
    validate_postal_code,
    validate_state,
)

REGISTRATION_ID_COUNTRIES = {
    "AM", "AZ", "BY", "BR", "HU", "IN", "IQ", "KZ", "KG", "MD", "MM", "PL",
    "RU", "SA", "ZA", "SS", "TJ", "TH", "TR", "UA", "AE", "UZ", "VE", "VN",
}  # fmt: skip
REQUIRED_COUNTRIES = {"US", "CA", "GB", "DE", "FR", "JP", "KR", "IN", "BR", "AU"} | REGISTRATION_ID_COUNTRIES
COMMON_COUNTRIES = {
    "NL", "ES", "IT", "SE", "NO", "DK", "FI", "IE", "CH",
    "AT", "BE", "PT", "NZ", "SG", "MX", "CN", "TW", "HK",
}  # fmt: skip
FIFTY_STATES = 50
ALL_CODES = [code for code, _name in COUNTRY_CHOICES]

DOMAIN_WARNING = (
    "Please make sure your company name is correct. "
    "Domain extensions such as “.com” are not recommended in a company name."
)
REQUIRED = "Enter the company's legal name."
ONLY_WHITESPACE = "The company name can't contain only spaces or tabs."
CONTROL = "The company name can't contain line breaks, tabs or other control characters."
TOO_SHORT = "The company name must have more than one character."
TOO_LONG = "The company name must be less than 256 characters."
NO_LETTER_OR_DIGIT = "The company name must contain at least one letter or digit."
REPEATED = "The company name can't be one character repeated, such as “999”."
SPACED = "The company name can't be only single characters and spaces, such as “1 2 3”."
SUFFIX = "The company name can't be only a legal suffix such as “LLC” or “Inc”. Enter the full legal name."

# Look-alike characters, spelled as escapes so the intent is visible (and linters don't flag them).
CYRILLIC_OOO = "\u041e\u041e\u041e"  # "OOO" in Cyrillic, the Russian LLC abbreviation
FULLWIDTH_LLC = "\uff2c\uff2c\uff23"  # "LLC" typed with an East Asian IME
FULLWIDTH_98052 = "\uff19\uff18\uff10\uff15\uff12"
FULLWIDTH_DOT_COM = "\uff0e\uff43\uff4f\uff4d"  # ".com"


@pytest.fixture(autouse=True, scope="module")
def english_messages():
    """Render the lazy messages in English whatever the active language, so they can be compared."""
    with translation.override("en"):
        yield


def outcome(validator, *args):
    """Call a validator and return (result, None) or (None, error); any other exception propagates."""
    try:
        return validator(*args), None
    except ValidationError as error:
        return None, error


def messages_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    """Return the rendered messages of a raised ValidationError."""
    return excinfo.value.messages


# --- Country data -------------------------------------------------------------------------------------


def test_data_file_covers_required_and_common_countries():
    missing = (REQUIRED_COUNTRIES | COMMON_COUNTRIES) - set(ALL_CODES)
    assert not missing


def test_data_file_entries_have_the_documented_shape():
    raw = json.loads(countries.DATA_FILE.read_text(encoding="utf-8"))
    keys = {
        "postal_code_regex", "postal_code_example", "states", "states_ko", "state_required", "culture",
        "language", "registration_id_required", "time_zone",
    }  # fmt: skip
    for code, entry in raw.items():
        assert re.fullmatch(r"[A-Z]{2}", code), code
        assert set(entry) == keys, code


def test_registration_id_is_required_in_exactly_the_24_listed_countries():
    assert {code for code in ALL_CODES if registration_id_required(code)} == REGISTRATION_ID_COUNTRIES


@pytest.mark.parametrize("code", sorted(REGISTRATION_ID_COUNTRIES))
def test_registration_id_required_for_listed_country(code):
    assert registration_id_required(code) is True


@pytest.mark.parametrize("code", ["US", "GB", "KR", "JP", "DE"])
def test_registration_id_not_required_elsewhere(code):
    assert registration_id_required(code) is False


@pytest.mark.parametrize("code", ALL_CODES)
def test_postal_code_example_passes_its_own_rule(code):
    rules = get_rules(code)
    if rules.postal_code_regex is None:
        assert rules.postal_code_example is None
    else:
        assert validate_postal_code(code, rules.postal_code_example) == rules.postal_code_example


@pytest.mark.parametrize("code", ALL_CODES)
def test_states_exist_exactly_when_required(code):
    rules = get_rules(code)
    assert bool(rules.states) == rules.state_required


@pytest.mark.parametrize("code", ALL_CODES)
def test_culture_and_language_agree(code):
    rules = get_rules(code)
    # Culture is language[-Script]-REGION with the country itself as region; language is its 2-letter prefix.
    assert re.fullmatch(r"[a-z]{2}(-[A-Z][a-z]{3})?-[A-Z]{2}", rules.culture), rules.culture
    assert rules.culture.endswith(f"-{code}")
    assert rules.language == rules.culture[:2]


@pytest.mark.parametrize(
    ("code", "count"), [("US", 51), ("CA", 13), ("AU", 8), ("IN", 36), ("BR", 27), ("MX", 32), ("CN", 31)]
)
def test_state_lists_are_complete(code, count):
    rules = get_rules(code)
    assert rules.state_required
    assert len(rules.states) == count


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_state_has_a_korean_name(code):
    rules = get_rules(code)
    assert set(rules.states_ko) == set(rules.states)
    assert all(re.search(r"[\uac00-\ud7a3]", name) for name in rules.states_ko.values()), code
    assert len(set(rules.states_ko.values())) == len(rules.states_ko), code


def test_us_states_include_all_50_and_dc():
    states = get_rules("US").states
    assert states["DC"] == "District of Columbia"
    assert states["WA"] == "Washington"
    assert len(set(states) - {"DC"}) == FIFTY_STATES


def test_country_choices_are_sorted_by_name_ignoring_accents():
    def key(name):
        folded = unicodedata.normalize("NFKD", name)
        return "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()

    names = [name for _code, name in COUNTRY_CHOICES]
    assert names == sorted(names, key=key)
    assert ("US", "United States") in COUNTRY_CHOICES
    assert ("KR", "South Korea") in COUNTRY_CHOICES
    assert len({code for code, _name in COUNTRY_CHOICES}) == len(COUNTRY_CHOICES)


@pytest.mark.parametrize("code", ["ZZ", "XK", "AQ", ""])
def test_get_rules_raises_key_error_for_unsupported_codes(code):
    with pytest.raises(KeyError):
        get_rules(code)


def test_get_rules_accepts_lower_case_and_is_immutable():
    rules = get_rules("kr")
    assert rules.code == "KR"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.name = "Elsewhere"
    with pytest.raises(TypeError):
        get_rules("US").states["XX"] = "Nowhere"


@pytest.mark.parametrize(
    ("code", "culture", "language"),
    [("US", "en-US", "en"), ("KR", "ko-KR", "ko"), ("JP", "ja-JP", "ja"), ("DE", "de-DE", "de"),
     ("BR", "pt-BR", "pt"), ("FR", "fr-FR", "fr")],
)  # fmt: skip
def test_default_culture_and_language(code, culture, language):
    assert default_culture(code) == culture
    assert default_language(code) == language


# --- Postal codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("US", "98052", "98052"),
        ("US", " 98052-6399 ", "98052-6399"),
        ("US", FULLWIDTH_98052, "98052"),  # full-width digits from an IME
        ("CA", "k1a0b1", "K1A 0B1"),
        ("CA", "K1A  0B1", "K1A 0B1"),
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "M1 1AE", "M1 1AE"),
        ("GB", "gir0aa", "GIR 0AA"),
        ("NL", "1012ab", "1012 AB"),
        ("SE", "11455", "114 55"),
        ("DE", "10115", "10115"),
        ("FR", "75001", "75001"),
        ("JP", "100-0001", "100-0001"),
        ("JP", "1000001", "1000001"),
        ("KR", "06164", "06164"),
        ("IN", "110001", "110001"),
        ("BR", "01310-100", "01310-100"),
        ("AU", "2000", "2000"),
        ("PL", "00-950", "00-950"),
        ("AZ", "az1000", "AZ1000"),
        ("SA", "١١٥٦٤", "11564"),  # Arabic-Indic digits
        ("TR", "34394", "34394"),
        ("HK", "", ""),  # no postal codes in Hong Kong
        ("AE", "  ", ""),
        ("IE", "d02 x285", "D02 X285"),  # Eircode is optional but accepted
    ],
)
def test_valid_postal_codes_are_normalised(code, value, expected):
    assert validate_postal_code(code, value) == expected


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("US", "9805", "Enter a valid postal code for United States (for example 98052)."),
        ("US", "98052-", "Enter a valid postal code for United States (for example 98052)."),
        ("US", "ABCDE", "Enter a valid postal code for United States (for example 98052)."),
        ("CA", "D1A 0B1", "Enter a valid postal code for Canada (for example K1A 0B1)."),
        ("GB", "SW1A 1A", "Enter a valid postal code for United Kingdom (for example SW1A 1AA)."),
        ("KR", "123-456", "Enter a valid postal code for South Korea (for example 06164)."),
        ("DE", "1011", "Enter a valid postal code for Germany (for example 10115)."),
        ("TR", "99000", "Enter a valid postal code for Türkiye (for example 34394)."),
        ("US", "9" * 200, "Enter a valid postal code for United States (for example 98052)."),
        ("HK", "not a code!", "Enter a valid postal code for Hong Kong."),
        ("IE", "X" * 21, "Enter a valid postal code for Ireland."),
    ],
)
def test_invalid_postal_codes_are_rejected_with_an_example(code, value, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_postal_code(code, value)
    assert messages_of(excinfo) == [message]
    assert excinfo.value.code == "invalid"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_postal_code_is_required_where_the_country_uses_them(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_postal_code("US", value)
    assert messages_of(excinfo) == ["Enter a postal code."]
    assert excinfo.value.code == "required"


def test_postal_code_for_unsupported_country_is_a_validation_error():
    with pytest.raises(ValidationError) as excinfo:
        validate_postal_code("ZZ", "12345")
    assert messages_of(excinfo) == ["Select a valid country/region."]


@given(code=st.sampled_from(ALL_CODES), value=st.text(max_size=30))
def test_validate_postal_code_returns_str_or_raises_validation_error(code, value):
    result, error = outcome(validate_postal_code, code, value)
    if error is not None:
        assert error.messages  # renders without error
    else:
        assert isinstance(result, str)
        assert len(result) <= countries.POSTAL_CODE_MAX_LENGTH
        # Validating the stored value again must give the same value (normalisation is idempotent).
        assert validate_postal_code(code, result) == result


# --- States --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "expected"),
    [
        ("US", "WA", "WA"),
        ("US", " wa ", "WA"),
        ("US", "Washington", "WA"),
        ("US", "district of columbia", "DC"),
        ("CA", "QC", "QC"),
        ("AU", "nsw", "NSW"),
        ("IN", "Tamil Nadu", "TN"),
        ("BR", "SP", "SP"),
        ("MX", "CMX", "CMX"),
        ("DE", "Bayern", ""),  # Germany needs no state; a stale value is dropped
        ("KR", "", ""),
        ("GB", None, ""),
    ],
)
def test_valid_states(code, value, expected):
    assert validate_state(code, value) == expected


@pytest.mark.parametrize("value", ["", "  ", None])
def test_state_is_required_where_the_country_has_states(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_state("CA", value)
    assert messages_of(excinfo) == ["Select a state/province."]
    assert excinfo.value.code == "required"


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("US", "XX", "Select a valid state/province for United States."),
        ("US", "Ontario", "Select a valid state/province for United States."),
        ("CA", "WA", "Select a valid state/province for Canada."),
        ("AU", "N.S.W.", "Select a valid state/province for Australia."),
    ],
)
def test_unknown_states_are_rejected(code, value, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_state(code, value)
    assert messages_of(excinfo) == [message]
    assert excinfo.value.code == "invalid"


def test_state_for_unsupported_country_is_a_validation_error():
    with pytest.raises(ValidationError) as excinfo:
        validate_state("ZZ", "WA")
    assert messages_of(excinfo) == ["Select a valid country/region."]


# --- Company names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Contoso Ltd", "Contoso Ltd"),
        ("  Contoso, LLC\t", "Contoso, LLC"),
        ("Fabrikam GmbH", "Fabrikam GmbH"),
        ("7-Eleven, Inc.", "7-Eleven, Inc."),
        ("3M", "3M"),
        ("AB", "AB"),
        ("99", "99"),
        ("X Corp.", "X Corp."),
        ("A & W Restaurants", "A & W Restaurants"),
        ("주식회사 콘토소", "주식회사 콘토소"),
        ("콘토", "콘토"),
        ("微软", "微软"),
        (f"{CYRILLIC_OOO} Romashka", f"{CYRILLIC_OOO} Romashka"),
        ("Ünïcödé AG", "Ünïcödé AG"),
        ("Contoso.com", "Contoso.com"),  # only a warning, see below
        ("Contoso " + "x" * 247, "Contoso " + "x" * 247),  # 255 characters
    ],
)
def test_valid_company_names_are_returned_stripped(value, expected):
    assert validate_company_name(value) == expected


def test_decomposed_hangul_is_stored_composed():
    decomposed = unicodedata.normalize("NFD", "주식회사 콘토소")
    assert decomposed != "주식회사 콘토소"
    assert validate_company_name(decomposed) == "주식회사 콘토소"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", REQUIRED),
        (None, REQUIRED),
        ("   ", ONLY_WHITESPACE),
        ("\t \t", ONLY_WHITESPACE),
        ("Contoso\nLtd", CONTROL),
        ("Contoso\x00Ltd", CONTROL),
        ("a", TOO_SHORT),
        (" a ", TOO_SHORT),
        ("가", TOO_SHORT),
        (unicodedata.normalize("NFD", "가"), TOO_SHORT),
        ("a\u200b", TOO_SHORT),
        ("&", TOO_SHORT),
        ("Contoso " + "x" * 248, TOO_LONG),
        ("&$^#", NO_LETTER_OR_DIGIT),
        ("!?", NO_LETTER_OR_DIGIT),
        ("😀😀", NO_LETTER_OR_DIGIT),
        ("aaa", REPEATED),
        ("AaA", REPEATED),
        ("999", REPEATED),
        ("---", REPEATED),
        ("가가가", REPEATED),
        (CYRILLIC_OOO, REPEATED),  # Cyrillic, so not the Latin "ooo" suffix, but still one letter
        ("1 2 3", SPACED),
        ("a b c", SPACED),
        ("a\tb", CONTROL),
        ("가 나", SPACED),
        ("LLC", SUFFIX),
        (" inc ", SUFFIX),
        ("Inc.", SUFFIX),
        ("l.l.c.", SUFFIX),
        ("L. L. C.", SUFFIX),
        ("GmbH", SUFFIX),
        ("Pty Ltd", SUFFIX),
        ("PTY. LTD.", SUFFIX),
        (FULLWIDTH_LLC, SUFFIX),
    ],
)  # fmt: skip
def test_invalid_company_names_are_rejected(value, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_company_name(value)
    assert messages_of(excinfo) == [message]


@pytest.mark.parametrize("suffix", LEGAL_SUFFIXES)
def test_every_bare_legal_suffix_is_rejected(suffix):
    for variant in (suffix, suffix.upper(), suffix.title(), f"  {suffix}  "):
        with pytest.raises(ValidationError) as excinfo:
            validate_company_name(variant)
        assert excinfo.value.code == "legal_suffix_only", variant


@pytest.mark.parametrize("suffix", LEGAL_SUFFIXES)
def test_legal_suffix_after_a_name_is_allowed(suffix):
    name = f"Contoso {suffix.strip()}"
    assert validate_company_name(name) == name


@given(st.text())
def test_validate_company_name_returns_str_or_raises_validation_error(value):
    result, error = outcome(validate_company_name, value)
    if error is not None:
        assert len(error.messages) == 1
    else:
        assert isinstance(result, str)
        assert result == result.strip()
        assert company_names.MIN_LENGTH <= len(result) <= company_names.MAX_LENGTH
        assert validate_company_name(result) == result
    assert isinstance(company_name_warnings(value), list)


# --- Company name warnings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Contoso.com",
        "contoso.NET",
        "Contoso.org Ltd",
        "Contoso.io",
        "Contoso.co",
        "www.contoso.biz",
        "Contoso Club (contoso.club)",
        "Contoso.info.",
        "Contoso.edu",
        "콘토소.com",
        f"Contoso{FULLWIDTH_DOT_COM}",
    ],
)
def test_generic_domain_extension_warns(value):
    assert company_name_warnings(value) == [DOMAIN_WARNING]
    validate_company_name(value)  # a warning, never an error


@pytest.mark.parametrize(
    "value",
    [
        "Contoso Ltd",
        "Contoso.uk",
        "Contoso.kr",
        "contoso.de",
        "Contoso.co.uk",
        "Contoso.com.au",
        "Contoso Co.",
        "J. Smith & Co.",
        "Contoso .com",
        "Contoso.comet",
        "Contoso.company-group",
        "Contoso.한국",
        "",
    ],
)
def test_no_warning_for_country_code_extensions_and_ordinary_names(value):
    assert company_name_warnings(value) == []


def test_warning_is_returned_once_for_several_extensions():
    assert company_name_warnings("contoso.com / contoso.net") == [DOMAIN_WARNING]
