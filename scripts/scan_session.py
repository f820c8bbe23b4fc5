"""Helpers of `make scan` (scripts/scan.sh): the scan's own database, and a signed-in session to scan with.

    python scripts/scan_session.py database NAME       -> prints a DATABASE_URL for a fresh, empty database NAME
                                                          on the embedded server (dropped first if it exists)
    python scripts/scan_session.py signin BASE EMAIL PASSWORD OUT_DIR
                                                       -> signs in through the login form like a browser, writes
                                                          OUT_DIR/cookies.json (wapiti's cookie format) and
                                                          OUT_DIR/session.env (SESSIONID, CSRFTOKEN, COOKIE_HEADER)

Only the standard library and psycopg2 (already a dependency): no Django import, so the database command does
not need a database.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database(name: str) -> str:
    """A fresh database `name` on the embedded server (started if needed), owned by the owner role; prints two
    lines, its URL for the portal role and for the owner (DATABASE_URL and DATABASE_OWNER_URL of the instance)."""
    import psycopg2

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"not a plain database name: {name!r}")
    portal_url, owner_url = subprocess.run(
        [sys.executable, "-m", "partnerportal.infrastructure.db", "start"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    owner = urllib.parse.urlsplit(owner_url)
    connection = psycopg2.connect(urllib.parse.urlunsplit(owner._replace(path="/postgres")))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    portal = urllib.parse.urlsplit(portal_url)
    return "\n".join(urllib.parse.urlunsplit(url._replace(path=f"/{name}")) for url in (portal, owner))


# Where a password-only session of a user who owes a second factor is sent (code page, set-up pages).
MFA_PATHS = ("/accounts/login/verify/", "/accounts/mfa/")


def signin(base: str, email: str, password: str, out_dir: str) -> None:
    """Sign in through the login form (GET for the CSRF cookie and token, then POST) and save the cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{base}/accounts/login/"
    page = opener.open(login_url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("the login page has no CSRF token")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password}
    ).encode()
    # The URL is the scan's own loopback instance, built by scan.sh (http only).
    request = urllib.request.Request(login_url, data=body, headers={"Referer": login_url})  # noqa: S310
    landing = opener.open(request, timeout=30)
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies or landing.geturl().startswith(login_url):
        raise SystemExit(f"signing in as {email} failed (landed on {landing.geturl()})")
    if urllib.parse.urlsplit(landing.geturl()).path.startswith(MFA_PATHS):
        # A session that owes a code or an enrolment reaches nothing else: scanning with it would test redirects.
        raise SystemExit(f"signing in as {email} needs a second factor (landed on {landing.geturl()})")
    host = urllib.parse.urlsplit(base).hostname
    wapiti = {
        host: {
            "/": {
                name: {"value": value, "expires": None, "secure": False, "port": None, "version": 0}
                for name, value in cookies.items()
            }
        }
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cookies.json").write_text(json.dumps(wapiti, indent=2))
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    (out / "session.env").write_text(
        f"SESSIONID='{cookies['sessionid']}'\nCSRFTOKEN='{cookies.get('csrftoken', '')}'\nCOOKIE_HEADER='{header}'\n"
    )
    print(f"signed in as {email}: landed on {urllib.parse.urlsplit(landing.geturl()).path}")


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["help"]
    if command == "database" and len(args) == 1:
        print(database(args[0]))
    elif command == "signin" and len(args) == 4:
        signin(*args)
    else:
        raise SystemExit(__doc__)
