"""docs/api.md's walkthrough, run as written against a live server: the operator's token command, the `curl`
commands that list, search and create customers (real HTTP, `sh` running the doc's blocks with only the variables
the doc defines set), then a webhook endpoint registered on the page and the doc's Python snippet verifying what a
real receiver got. A doc example that stops working fails here, so the page cannot drift from the API."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from customers.models import Customer
from tests.conftest import build_world
from tests.factories import make_customer, make_user
from tests.webhook_receiver import Receiver, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

DOC = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def section(heading: str) -> str:
    """The text under `heading` (a whole `#…` line) up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}$", DOC, re.M)
    assert match, f"docs/api.md has no heading {heading!r}"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(DOC, match.end())
    return DOC[match.end() : end.start() if end else len(DOC)]


def blocks(heading: str, language: str) -> list[str]:
    return [code for lang, code in FENCE.findall(section(heading)) if lang == language]


def defined_variables() -> set[str]:
    """The shell variables the doc tells the reader to set (`export NAME=…`)."""
    return set(re.findall(r"^export ([A-Z_]+)=", DOC, re.M))


def run_sh(block: str, variables: dict[str, str]) -> list[dict]:
    """Run one of the doc's `sh` blocks as written, with only the doc's own variables set; the JSON documents it
    printed (one per `curl`)."""
    used = set(re.findall(r"\$\{?([A-Z_]+)", block))
    assert used <= defined_variables(), f"the block uses variables the doc never defines: {used - defined_variables()}"
    assert used <= set(variables), used - set(variables)
    done = subprocess.run(  # noqa: S603 -- the doc's own example, the point of the test
        ["/bin/sh", "-ec", block],
        env={"PATH": os.environ["PATH"], **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    decoder, text, documents = json.JSONDecoder(), done.stdout.strip(), []
    while text:
        document, end = decoder.raw_decode(text)
        documents.append(document)
        text = text[end:].lstrip()
    assert len(documents) == block.count("curl "), done.stdout
    return documents


def operator_token() -> str:
    """The token the doc's operator command prints (run through `call_command`: a child process would not use the
    test database)."""
    [line] = [line for code in blocks("1. Get a token", "sh") for line in code.splitlines() if "api_token" in line]
    args = shlex.split(line)
    out, err = StringIO(), StringIO()
    call_command(*args[args.index("manage.py") + 1 :], stdout=out, stderr=err)
    return out.getvalue().strip()


def test_the_walkthrough_runs_as_written(live_server, client, monkeypatch):
    world = build_world()  # partner A is Contoso (contoso.example), as in the doc
    make_user(world.partner_a, "sales_agent", email="sales.agent@contoso.example")
    contoso = make_customer(world.partner_a, actor=world.users["global_admin"], data={"company_name": "Contoso Ltd"})
    token = operator_token()
    assert token.startswith("ppt_")
    variables = {"PORTAL": live_server.url, "TOKEN": token}

    # List and search: every customer the sales agent reaches, then the documented search.
    listed, searched = run_sh(*blocks("List and search", "sh"), variables)
    assert {row["id"] for row in listed["results"]} == {str(world.customer_in.pk), str(contoso.pk)}
    assert [row["company_name"] for row in searched["results"]] == ["Contoso Ltd"]
    [shown] = [json.loads(code) for code in blocks("List and search", "json")]
    assert set(shown["results"][0]) == set(searched["results"][0]), "the documented row has the API's fields"
    assert set(shown) == set(searched)

    # A global admin registers an endpoint on the page (the secret is shown once), then the doc creates a customer.
    receiver = Receiver().start()
    try:
        client.force_login(world.users["global_admin"])
        page = client.post(
            reverse("webhooks:endpoint_list"), {"url": receiver.url, "event_types": ["customer.created"]}
        )
        [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", page.content.decode())
        [created] = run_sh(*blocks("Create", "sh"), variables)
        run_worker()
        [request] = receiver.received()
    finally:
        receiver.stop()
    customer = Customer.objects.get(primary_domain__startswith="adatum.")
    assert created["id"] == str(customer.pk) and created["company_name"] == "Adatum Corporation"

    # The doc's verification snippet, as printed, with the secret where the doc says to keep it.
    assert [code for code in blocks("Verify a signature", "sh") if "export WEBHOOK_SECRET=" in code]
    [snippet] = blocks("Verify a signature", "python")
    assert len([line for line in snippet.splitlines() if line.strip()]) <= 10, "the doc promises ten lines"
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    namespace: dict = {}
    exec(compile(snippet, "docs/api.md", "exec"), namespace)  # noqa: S102 -- the doc's own example, the point
    verified_event = namespace["verified_event"]

    event = verified_event(request.body, request.headers)
    assert event is not None and event["type"] == "customer.created"
    assert event["data"] == created, "data is the customer as the API returned it"
    assert verified_event(request.body.replace(b"Adatum", b"Adatux"), request.headers) is None
    assert verified_event(request.body + b" ", request.headers) is None
    forged = {**request.headers, "webhook-id": "msg_forged"}
    assert verified_event(request.body, forged) is None
