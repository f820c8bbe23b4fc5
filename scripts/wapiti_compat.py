"""Run Debian bookworm's wapiti 3.0.4 with two fixes, under the system Python (`/usr/bin/python3 scripts/...`).

1. Its crawler turns every `-x` exclusion into a regular expression ending in the inline flags `(?ms)`, which
   Python 3.11 rejects ("global flags not at the start"), so any exclusion crashes the scan before the first
   request. The scan must exclude the logout URL (or the session ends mid-scan); this puts the flags first.
2. Its CSRF module knows token fields by name and Django's `csrfmiddlewaretoken` is not among them, so it reports
   "Lack of anti CSRF token" on every form without testing anything. With the name added it does its real test:
   the form sent again with the token replaced must not get the same answer.
"""

import re
import sys

from wapitiCore.attack import mod_csrf
from wapitiCore.main.wapiti import wapiti_main
from wapitiCore.net import crawler


def wildcard_translate(pattern: str) -> re.Pattern[str]:
    """The package's translation (`*` matches anything, the rest literally), with the flags first."""
    return re.compile("(?ms)" + ".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z")


crawler.wildcard_translate = wildcard_translate  # explore() looks the function up in its module at call time
mod_csrf.mod_csrf.TOKEN_FORM_STRINGS.append("csrfmiddlewaretoken")

if __name__ == "__main__":
    sys.exit(wapiti_main())
