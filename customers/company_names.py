"""Company legal-name rules for customer records (reference §8.3, the February 2024 version).

Hard errors follow Partner Center's "not permitted" list; a generic web domain suffix (".com") only warns,
because Partner Center merely recommends against it.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_LENGTH = 2
MAX_LENGTH = 255
# Partner Center rejects one character repeated three or more times ("999"); "AA" stays a valid name.
MIN_REPEATS = 3

# Legal suffixes Partner Center allows alongside a name, verbatim from its "Allowed abbreviations" table
# (reference §8.3). A name that is *only* one of them is rejected.
LEGAL_SUFFIXES = (
    "c p a", "c.p.a.", "c. p. a.", "l.l.p.", "l. l. p.", " l l p", "llp", "llp.", " l l c", "l. l. c.",
    "l.l.c.", "llc", "llc.", "pty", "pty ltd", "pte ltd", "private limited", "pvt", "pvt ltd", "corp",
    "corp.", "corporation", "inc", "incorporated", "ltd", "ltd.", "limited", "gmbh", "plc", "wll", "lda",
    "sarl", "kft", "zrt", "ooo", "sdn bhd",
)  # fmt: skip

# Generic TLDs that draw the domain warning. Country-code TLDs (".uk", ".kr", ".de", ...) are on
# Partner Center's allowed list and stay silent. ".io" and ".co" are technically country codes but are
# sold and used as generic tech suffixes, so a name ending in them is almost always a web address.
GENERIC_TLDS = (
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "club", "io", "co", "xyz", "online",
    "site", "shop", "store", "app", "dev", "tech", "cloud", "pro", "mobi", "website", "email",
)  # fmt: skip

MESSAGES = {
    "required": _("Enter the company's legal name."),
    "only_whitespace": _("The company name can't contain only spaces or tabs."),
    "control_characters": _("The company name can't contain line breaks, tabs or other control characters."),
    "too_short": _("The company name must have more than one character."),
    "too_long": _("The company name must be less than 256 characters."),
    "legal_suffix_only": _(
        "The company name can't be only a legal suffix such as “LLC” or “Inc”. Enter the full legal name."
    ),
    "spaced_characters": _("The company name can't be only single characters and spaces, such as “1 2 3”."),
    "repeated_character": _("The company name can't be one character repeated, such as “999”."),
    "only_special_characters": _("The company name must contain at least one letter or digit."),
    "domain_extension": _(
        "Please make sure your company name is correct. "
        "Domain extensions such as “.com” are not recommended in a company name."
    ),
}


def _suffix_key(text: str) -> str:
    """Reduce a string to letters and digits, lower-cased, so "L. L. C.", "l.l.c." and "LLC" compare equal."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


_SUFFIX_KEYS = frozenset(_suffix_key(suffix) for suffix in LEGAL_SUFFIXES)

# A TLD counts only as the end of a word glued to the text before it ("contoso.com", "contoso.com)"),
# not when more labels follow ("contoso.com.au" ends in the allowed ".au").
_GENERIC_TLD_PATTERN = re.compile(
    r"(?<=\w)\.(?:" + "|".join(GENERIC_TLDS) + r")(?![\w-]|\.\w)",
    re.IGNORECASE,
)

# Combining marks and invisible format characters (zero-width space, joiners) do not make a name longer
# to a reader: "a" plus a zero-width space is still one character.
_NON_COUNTING_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def _visible_length(text: str) -> int:
    """Count the characters a reader would see."""
    return sum(1 for ch in text if unicodedata.category(ch) not in _NON_COUNTING_CATEGORIES)


def _error(code: str) -> ValidationError:
    """Build the ValidationError for one rule."""
    return ValidationError(MESSAGES[code], code=code)


def validate_company_name(value: str | None) -> str:
    """Return the stripped company legal name or raise ValidationError naming the first rule it breaks."""
    raw = value or ""
    # NFC so that a name typed on a system that decomposes Hangul or accents ("가" as two jamo) is judged
    # and stored the same way as its composed form.
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise _error("only_whitespace" if raw else "required")
    # Control characters (and lone surrogates) cannot be stored or displayed sensibly; NUL even breaks
    # PostgreSQL, so this must fail validation rather than the save.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise _error("control_characters")
    if _visible_length(name) < MIN_LENGTH:
        raise _error("too_short")
    if len(name) > MAX_LENGTH:
        raise _error("too_long")
    if _suffix_key(name) in _SUFFIX_KEYS:
        raise _error("legal_suffix_only")
    words = name.split()
    if len(words) > 1 and all(_visible_length(word) <= 1 for word in words):
        raise _error("spaced_characters")
    compact = "".join(words).casefold()
    if len(compact) >= MIN_REPEATS and len(set(compact)) == 1:
        raise _error("repeated_character")
    if not any(ch.isalnum() for ch in name):
        raise _error("only_special_characters")
    return name


def company_name_warnings(value: str | None) -> list[str]:
    """Return soft warnings for a company name that passes validation but is probably mistyped."""
    name = unicodedata.normalize("NFKC", value or "")
    if _GENERIC_TLD_PATTERN.search(name):
        # Evaluated now, in the request's active language, so callers get plain strings.
        return [str(MESSAGES["domain_extension"])]
    return []
