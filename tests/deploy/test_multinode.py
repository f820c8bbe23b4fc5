"""Two web nodes and two worker nodes on one PostgreSQL server (Debian's), as docs/deploy.md deploys them.

One cluster for the module (tests/deploy/cluster.py): PostgreSQL on a loopback port with the owner and portal
roles, `migrate` as the owner, two gunicorn nodes (`partnerportal.settings.production`), and on each of two worker
nodes a `db_worker` and a `scheduler`, every process with a node's environment only. The checks go over real HTTP
and a real SMTP server; the database is read directly only to check what the portal wrote.

`make test-deploy` runs them (not `make test`).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter

import pytest

from tests.deploy.cluster import BASE_DIR, MANAGE, PYTHON, Browser, Cluster, Staff, sign_in, staff_sign_up

pytestmark = pytest.mark.deploy

INVITATIONS = 200
INVITEE_DOMAIN = "@invitees.test"
INVITATION_PATH = "/relationships/invitations/new/"
HOME = "/customers/"


@pytest.fixture(scope="module")
def staff(cluster: Cluster) -> dict[str, Staff]:
    """Partners' global admins made as an operator makes them (create_partner, welcome email, set password)."""
    return {
        "northwind": staff_sign_up(cluster, name="Northwind", partner_id="NW-1", email="admin@northwind.test"),
        "contoso": staff_sign_up(cluster, name="Contoso", partner_id="CO-1", email="admin@contoso.test"),
    }


def test_a_session_made_on_node_a_works_on_node_b(cluster: Cluster, staff: dict[str, Staff]):
    node_a, node_b = cluster.web
    browser = Browser()
    signed_in = sign_in(browser, node_a, staff["northwind"])
    assert signed_in.status == 302, signed_in.text[:2000]

    page = browser.get(node_b, HOME)
    assert page.status == 200, (page.status, page.location)
    assert "admin@northwind.test" in page.text
    assert browser.get(node_a, HOME).status == 200

    token = browser.csrf_token(node_b, HOME)
    signed_out = browser.request(node_b, "POST", "/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status in (200, 302)
    refused = browser.get(node_a, HOME)
    assert refused.status == 302
    assert refused.location.startswith("/accounts/login/")


def test_the_password_reset_limit_counts_requests_on_both_nodes(cluster: Cluster, staff: dict[str, Staff]):
    """PORTAL_PASSWORD_RESET_RATE_LIMIT_EMAIL (3 an hour) over requests alternated between the nodes: three emails,
    then none, from either node. Each request comes from another client, so only the per-address limit applies."""
    address = staff["contoso"].email
    outbox = 'SELECT count(*) FROM partnerportal_outboundemail WHERE "to" = %s AND subject ILIKE %s'
    before = cluster.query(outbox, [address, "%password%"])[0][0]
    for attempt in range(5):
        node = cluster.web[attempt % 2]
        answer = Browser().submit(
            node, "/accounts/password/reset/", {"email": address}, client_address=f"203.0.113.{attempt + 10}"
        )
        assert answer.status == 302, (attempt, answer.status)  # one answer whether counted or refused
    sent = cluster.query(outbox, [address, "%password%"])[0][0] - before
    assert sent == 3, "the 4th (node B) and the 5th (node A) are refused: both nodes count in one table"
    counts = cluster.query(
        "SELECT key, count FROM partnerportal_ratelimitcounter WHERE key LIKE 'password-reset:email:%'"
    )
    assert [count for _key, count in counts] == [5]


def test_failed_sign_ins_alternated_over_the_nodes_lock_the_account(cluster: Cluster, staff: dict[str, Staff]):
    """django-axes' database handler: five failures (A, B, A, B, A), each from another client address, lock the
    account on both nodes, even with the right password."""
    target = Staff(staff["contoso"].email, "not the password")
    for attempt in range(5):
        answer = sign_in(Browser(), cluster.web[attempt % 2], target, client_address=f"192.0.2.{attempt + 10}")
        assert answer.status in (200, 429), attempt
        assert answer.status == (429 if attempt == 4 else 200), (attempt, answer.status)
    for node in cluster.web:
        locked = sign_in(Browser(), node, staff["contoso"], client_address="192.0.2.99")
        assert locked.status == 429, (node.name, locked.status)
    # One row per (account, client) in the shared table: five clients, one failure each, seen by both nodes.
    assert cluster.query("SELECT count(DISTINCT ip_address), sum(failures_since_start) FROM axes_accessattempt")[0] == (
        5,
        5,
    )


def _invitee(index: int) -> str:
    return f"invitee-{index:03d}{INVITEE_DOMAIN}"


def _is_invitee(address: str) -> bool:
    return address.endswith(INVITEE_DOMAIN)


def test_invitations_through_both_nodes_are_delivered_once_each_while_a_worker_is_killed(
    cluster: Cluster, staff: dict[str, Staff]
):
    """200 invitation forms posted alternately to node A and node B; both workers deliver. Worker 1 is killed
    (SIGKILL) twice at chosen steps of an SMTP session and restarted the way its unit restarts it:

    1. while the server holds its RCPT — the message not yet handed over: the row's lock dies with the worker's
       connection, `email_requeue` at restart queues it again, and it arrives once;
    2. while the server holds its QUIT — after the server's 250 to the message: the row was marked sent before
       QUIT, so nothing is sent again.

    The one window left is between the 250 and the commit of "sent" (see partnerportal/infrastructure/emails.py);
    no server-side step falls in it, so no kill here lands in it.
    """
    browser = Browser()
    assert sign_in(browser, cluster.web[0], staff["northwind"]).status == 302
    token = browser.csrf_token(cluster.web[1], INVITATION_PATH)
    worker1 = cluster.workers[0]
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(indexes: range) -> None:
        try:
            for index in indexes:
                node = cluster.web[index % 2]
                answer = browser.request(
                    node,
                    "POST",
                    INVITATION_PATH,
                    {"csrfmiddlewaretoken": token, "email": _invitee(index), "message": f"Hello {index}"},
                )
                statuses.append(answer.status)
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)

    began = time.monotonic()
    # Kill 1: the sixth invitation worker 1 starts to send is held at RCPT.
    at_rcpt = cluster.smtp.gate("RCPT", worker1.smtp_port, _is_invitee, skip=5)
    poster = threading.Thread(target=post, args=(range(0, INVITATIONS // 2),))
    poster.start()
    cluster.wait_until(at_rcpt.held.is_set, "worker 1 holds an invitation at RCPT", timeout=120)
    locked = cluster.query(
        "SELECT count(*) FROM partnerportal_outboundemail WHERE \"to\" = %s AND status <> 'sent'", [at_rcpt.recipient]
    )[0][0]
    assert locked == 1, "held mid-send: not sent yet"
    worker1.worker.kill()
    at_rcpt.released.set()
    # Worker 2 goes on alone for a moment; then the unit's restart.
    time.sleep(1)
    restarted_at = cluster.query("SELECT now()")[0][0]
    cluster.restart_worker(worker1)
    poster.join()

    # Kill 2: after the restart, the sixth invitation worker 1 delivers is held at QUIT (after the server's 250).
    at_quit = cluster.smtp.gate("QUIT", worker1.smtp_port, _is_invitee, skip=5)
    cluster.wait_until(
        lambda: cluster.query(
            "SELECT count(*) FROM partnerportal_workerheartbeat WHERE kind = 'tasks' AND started_at > %s",
            [restarted_at],
        )[0][0],
        "the restarted worker 1 beats",
    )
    poster = threading.Thread(target=post, args=(range(INVITATIONS // 2, INVITATIONS),))
    poster.start()
    cluster.wait_until(at_quit.held.is_set, "worker 1 holds a delivered invitation at QUIT", timeout=120)
    marked = cluster.query('SELECT status FROM partnerportal_outboundemail WHERE "to" = %s', [at_quit.recipient])
    assert marked == [("sent",)], "marked sent (and committed) before QUIT"
    worker1.worker.kill()
    at_quit.released.set()
    time.sleep(1)
    cluster.restart_worker(worker1)
    poster.join()
    assert not errors, errors
    assert Counter(statuses) == Counter({200: INVITATIONS}), Counter(statuses)

    outbox = (
        "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FROM partnerportal_outboundemail WHERE \"to\" LIKE %s"
    )
    cluster.wait_until(
        lambda: cluster.query(outbox, ["%" + INVITEE_DOMAIN])[0] == (INVITATIONS, INVITATIONS),
        "every invitation's outbox row is sent",
    )
    elapsed = time.monotonic() - began
    # Nothing still waiting that could send a second copy later.
    waiting = cluster.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY' AND task_path = %s",
        ["partnerportal.infrastructure.emails.email_send"],
    )[0][0]
    assert waiting == 0

    received = cluster.smtp.received(_is_invitee)
    recipients = Counter(address for r in received for address in r.recipients)
    assert set(recipients) == {_invitee(i) for i in range(INVITATIONS)}, "none lost"
    assert [a for a, n in recipients.items() if n > 1] == [], "none twice"
    assert len(received) == INVITATIONS
    assert len({r.message_id for r in received}) == INVITATIONS
    assert recipients[at_rcpt.recipient] == 1 and recipients[at_quit.recipient] == 1
    by_port = Counter(r.port for r in received)
    assert all(by_port[node.smtp_port] > 0 for node in cluster.workers), ("both workers delivered", by_port)
    print(
        f"\n{INVITATIONS} invitations in {elapsed:.1f} s; per worker node {dict(by_port)};"
        f" killed at RCPT ({at_rcpt.recipient}) and at QUIT ({at_quit.recipient}); duplicates 0"
    )


def _runs(output: str, names: list[str]) -> Counter:
    """Jobs a scheduler's output says it ran (`name: outcome`, other than `claimed-elsewhere`)."""
    runs: Counter = Counter()
    for line in output.splitlines():
        name, _sep, outcome = line.partition(": ")
        if name in names and outcome and outcome != "claimed-elsewhere":
            runs[name] += 1
    return runs


def test_each_scheduled_job_runs_once_per_period_with_two_schedulers(cluster: Cluster):
    """The two worker nodes' schedulers (looking every second) and four `scheduler --once` started together on both
    nodes race for the same periods: each job's period is claimed by one unique row, and only its claimant runs it —
    counted from what all six runners say they ran.

    The jobs' periods are 15 minutes to a day, so a new period is made by removing the current periods' claims
    (what the turn of a period looks like to the runners); all six runners are live while it happens. Two
    rounds, none across the turn of a real 15-minute period (there the lead digest rightly runs again)."""
    jobs = "SELECT job, runner, finished_at IS NOT NULL FROM partnerportal_scheduledrun ORDER BY job, period_start"
    names = ["admin-relationship-expiry", "invitation-expiry", "lead-digest"]
    schedulers = [node.scheduler for node in cluster.workers]

    def all_ran() -> bool:
        rows = cluster.query(jobs)
        return {row[0] for row in rows} == set(names) and all(row[2] for row in rows)

    for _round in range(2):
        to_the_turn = 900 - time.time() % 900
        if to_the_turn < 40:
            time.sleep(to_the_turn + 1)
        cluster.wait_until(all_ran, "the schedulers have run every job's current period")
        time.sleep(1.5)  # their lines about it are written right after the last job finishes
        offsets = [len(process.output()) for process in schedulers]
        cluster.query("DELETE FROM partnerportal_scheduledrun")
        once = [
            subprocess.Popen(  # noqa: S603 -- the project's own command
                [PYTHON, MANAGE, "scheduler", "--once", "-v", "1"],
                cwd=BASE_DIR,
                env=cluster.workers[index % 2].env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for index in range(4)
        ]
        outputs = [process.communicate(timeout=180)[0] for process in once]
        assert all(process.returncode == 0 for process in once), outputs
        cluster.wait_until(all_ran, "every job of the new period has run")
        time.sleep(2.5)  # two more looks of each long-running scheduler: they must find the period claimed
        outputs += [process.output()[offset:] for process, offset in zip(schedulers, offsets, strict=True)]
        runs = sum((_runs(output, names) for output in outputs), Counter())
        assert runs == Counter(dict.fromkeys(names, 1)), (runs, outputs)
        assert cluster.query("SELECT count(*) FROM partnerportal_scheduledrun")[0][0] == len(names)
