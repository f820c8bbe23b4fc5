"""Which piece of a search the trigram index should look up, chosen from PostgreSQL's own statistics.

`customer_search_trgm` (a GIN index over `Customer.search_text`) answers `search_text LIKE '%needle%'` by reading
the posting list of every trigram of the needle, and each list is as long as the number of customers whose text
holds that trigram: the cost grows with the table even when one customer matches. Any piece of the needle finds
the same rows once the whole needle is checked on them (`customers.selectors.customer_search`), so the search
looks up the piece that is cheapest to read *and* to check:

    cost(piece) = Σ over the piece's trigrams of (share of customers holding it + ε) + K · share matching the piece

in units of "one posting entry per customer"; K is what checking one candidate row costs against reading one
posting entry (at 1,000,000 customers ~12 µs against ~30 ns on this machine: 200, see ROW_COST). A rare brand
beside common words is looked up with its neighbour or alone; several common words together are looked up whole
(their rows are few although each word's are many); a domain is looked up by its own digits, not by the suffix
every customer shares nor a prefix many share.

The shares are per database (the benchmark switches between several in one process).

They come from the sample ANALYZE keeps for the planner (`pg_stats.histogram_bounds` of `search_text`,
1,001 texts with the column's statistics target of 1,000, customers migration 0003): no index or table of its
own. They are read once per process and again after `PORTAL_SEARCH_STATISTICS_MAX_AGE` seconds (one query, on
the first search after that; a process's caches work the same way for permission keys). Without statistics (a
new or test database) `fallback_anchor` keeps the fixed rules.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import connection

# Checking one candidate row against reading one posting entry (see the module docstring): at 1,000,000 customers
# ~12 µs per row (the table no longer fits in shared_buffers) against ~30 ns per entry.
ROW_COST = 200.0
# Each trigram costs a descent into the index besides its list: between two pieces that read as little, fewer
# trigrams win.
TRIGRAM_COST = 0.002
# A piece is looked up instead of the whole needle only when it costs less than this share of the needle: a
# close call keeps the plain `LIKE` the planner estimates best.
ANCHOR_GAIN = 0.75
# Pieces are taken from the first characters of a long needle only (the enumeration is quadratic in its length).
MAX_SCANNED = 64
# Runs of at most this many words are priced (the whole needle always is).
MAX_WORDS = 3
# Parts of one word are priced up to this length (longer ones hold these, and cost no less to read).
MAX_PART = 12

_CUSTOMER_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_WORD = re.compile(r"[^\W_]+")


def index_trigrams(text: str) -> set[str]:
    """The trigrams pg_trgm indexes for a text: each word padded with two blanks before and one after."""
    return {
        padded[i : i + 3] for word in _WORD.findall(text) for padded in (f"  {word} ",) for i in range(len(word) + 1)
    }


def pattern_trigrams(piece: str) -> set[str]:
    """The trigrams pg_trgm looks up for `LIKE '%piece%'`: words inside the piece are padded where the piece
    shows their boundary (not at its two ends, which the wildcards continue)."""
    words = list(_WORD.finditer(piece))
    trigrams: set[str] = set()
    for index, match in enumerate(words):
        left = "  " if index > 0 or match.start() > 0 else ""
        right = " " if index < len(words) - 1 or match.end() < len(piece) else ""
        padded = left + match.group() + right
        trigrams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return trigrams


@dataclass(eq=False)  # hashed by identity: `_best_piece` caches per statistics object
class Statistics:
    """The size of the sample, and for each trigram the set of sampled texts (by position) that hold it."""

    size: int
    texts_with: dict[str, frozenset[int]] = field(default_factory=dict)
    loaded_at: float = 0.0

    @classmethod
    def from_sample(cls, texts: list[str]) -> Statistics:
        positions: dict[str, list[int]] = {}
        for index, text in enumerate(texts):
            for trigram in index_trigrams(text):
                positions.setdefault(trigram, []).append(index)
        texts_with = {trigram: frozenset(found) for trigram, found in positions.items()}
        return cls(size=len(texts), texts_with=texts_with, loaded_at=time.monotonic())

    def cost(self, piece: str) -> float:
        trigrams = pattern_trigrams(piece)
        if not trigrams:
            return float("inf")  # nothing the index can look up: it would read all of itself
        total, product = 0.0, 1.0
        found = [self.texts_with.get(trigram, _NONE) for trigram in trigrams]
        for texts in found:
            share = len(texts) / self.size
            total += share + TRIGRAM_COST
            product *= max(share, 0.5 / self.size)
        hits = len(frozenset.intersection(*found))
        # Below two sampled texts the sample cannot tell a piece's share: the trigrams' shares multiplied (as if
        # independent) stand in, at most one text's share, so a longer rare piece estimates rarer than its part.
        share = hits / self.size if hits >= 2 else min(product, 1 / self.size)
        return total + ROW_COST * share


_NONE: frozenset[int] = frozenset()
_lock = threading.Lock()
# Per database (one in a deployment; the benchmark switches between several in one process).
_current: dict[str, Statistics] = {}


def _database() -> str:
    return f"{connection.settings_dict['HOST']}/{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"


def _load() -> Statistics:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT histogram_bounds::text::text[], most_common_vals::text::text[] FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = 'customers_customer' AND attname = 'search_text'"
        )
        row = cursor.fetchone()
    texts = [text for column in (row or ()) for text in (column or ())]
    return Statistics.from_sample(texts)


def statistics() -> Statistics:
    """This process's statistics of the connected database, read on first use and again once older than
    `PORTAL_SEARCH_STATISTICS_MAX_AGE`."""
    max_age = settings.PORTAL_SEARCH_STATISTICS_MAX_AGE
    key = _database()
    current = _current.get(key)
    if current is None or (max_age is not None and time.monotonic() - current.loaded_at > max_age):
        current = install(_load())
    return current


def refresh() -> Statistics:
    """Read the statistics again (after ANALYZE, in tests) and return them."""
    return install(_load())


def install(stats: Statistics) -> Statistics:
    """Use these statistics for the connected database from now on (tests: `Statistics(0)`, none, without a
    query)."""
    with _lock:
        _current[_database()] = stats
    _best_piece.cache_clear()
    return stats


def fallback_anchor(needle: str) -> str:
    """The fixed rules, for a database without statistics.

    - every customer's search text holds the domain suffix, whose trigrams' lists are as long as the table: a
      domain is looked up by the longest piece around the suffix;
    - a customer ID is looked up by its first group, 8 hex digits that virtually no other customer's text holds.
    """
    suffix = settings.PORTAL_DOMAIN_SUFFIX.lower()
    if not suffix or suffix not in needle:
        return needle
    longest = max(needle.split(suffix), key=len).strip()
    return longest if len(longest) >= 3 else needle


def index_anchor(needle: str) -> str:
    """The piece of the (normalised) needle the trigram index should look up: the needle itself or a part of it."""
    if _CUSTOMER_ID.fullmatch(needle):
        # 34 trigrams, each in thousands of other IDs (13 ms at 1,000,000 customers); the first group: 1 ms.
        return needle[:8]
    stats = statistics()
    if stats.size == 0:
        return fallback_anchor(needle)
    return _best_piece(needle, stats)


@lru_cache(maxsize=2048)
def _best_piece(needle: str, stats: Statistics) -> str:
    whole = stats.cost(needle)
    best, best_cost = needle, whole
    for piece in candidate_pieces(needle):
        cost = stats.cost(piece)
        if cost < best_cost or (cost == best_cost and len(piece) > len(best)):
            best, best_cost = piece, cost
    return best if best_cost < ANCHOR_GAIN * whole else needle


def candidate_pieces(needle: str) -> set[str]:
    """The pieces worth pricing: each run of up to MAX_WORDS whole words, each part (3 to MAX_PART characters) of
    one word."""
    words = list(_WORD.finditer(needle[:MAX_SCANNED]))
    pieces = set()
    for first, start in enumerate(words):
        for end in words[first : first + MAX_WORDS]:
            pieces.add(needle[start.start() : end.end()])
        word = start.group()
        for i in range(len(word) - 2):
            for j in range(i + 3, min(i + MAX_PART, len(word)) + 1):
                pieces.add(word[i:j])
    pieces.discard(needle)
    return pieces
