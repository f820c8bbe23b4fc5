#!/usr/bin/env bash
# Sizing figures for docs/deploy.md ("Sizing"), measured against the database the environment names.
#
# Run from the project directory with the deployment's environment loaded and a seeded database
# (`manage.py seed_demo --customers N`), e.g.:
#
#   set -a; . /etc/partnerportal/env; set +a
#   scripts/sizing.sh                 # gunicorn with 1 and with 2 sync workers, wrk 20 s each
#   WORKERS="1 2 4" SECONDS_PER_RUN=30 scripts/sizing.sh
#
# What it prints: the machine's load, the database size per customer (pg_database_size / customers), the list
# page's requests/s and latency under wrk for each gunicorn worker count (signed in as Contoso's sales agent, the
# seeded user who sees the most customers), the resident memory of each gunicorn worker after its run, and the
# full CSV export's rows/s over HTTP. gunicorn listens on 127.0.0.1:$PORT and is stopped at the end. The
# deployment-wide MFA requirement is switched off for this gunicorn only (the measured session has no second
# factor); nothing is written to the database but the measured user's session row.
#
# The machine may be busy with other work: besides requests/s (which a busy machine lowers), it prints the CPU time
# the gunicorn workers spent per request, and — with POSTMASTER_PID set to the database server's postmaster on this
# machine (the first line of its data directory's postmaster.pid) — the database server's CPU time per request:
# CPU per request changes little with load, so it says how many requests/s one core gives.
set -euo pipefail

PORT=${PORT:-8650}
WORKERS=${WORKERS:-"1 2"}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
CONNECTIONS=${CONNECTIONS:-8}
USER_EMAIL=${USER_EMAIL:-sales.agent@contoso.example}
PY=${PY:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}
BASE="http://127.0.0.1:$PORT"
# gunicorn is reached without the TLS proxy: say the request came over HTTPS, as the proxy would.
PROTO=(-H "X-Forwarded-Proto: https")

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 1; }
: "${DATABASE_URL:?load the deployment environment first (DATABASE_URL is not set)}"
export PORTAL_REQUIRE_MFA=off
# The measured gunicorn writes warnings only (JSON mode would add a log line per request).
export LOG_FORMAT=text LOG_LEVEL=WARNING
POSTMASTER_PID=${POSTMASTER_PID:-}
TICK=$(getconf CLK_TCK)

# CPU ticks (user + system) of the given processes, as "pid ticks" lines.
ticks() { for p in "$@"; do [ -r "/proc/$p/stat" ] && awk -v p="$p" '{print p, $14 + $15}' "/proc/$p/stat"; done; true; }
# Ticks spent between two `ticks` snapshots (processes that appeared in between count from zero).
spent() { awk 'NR == FNR {before[$1] = $2; next} {total += $2 - before[$1]} END {print total + 0}' "$1" "$2"; }

echo "# sizing $(date -u +%FT%TZ) on $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

$PY manage.py shell -v 0 -c '
from django.db import connection
from customers.models import Customer
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_database_size(current_database())")
    size = cursor.fetchone()[0]
customers = Customer.objects.count()
print(f"database: {size:,} bytes, {customers:,} customers, {size / max(customers, 1):,.0f} bytes per customer")
'

cookie=$($PY manage.py shell -v 0 -c "
from django.conf import settings
from django.test import Client
from partnerportal.models import User
client = Client()
client.force_login(User.objects.get(email='$USER_EMAIL'))
print(f'{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}')
")

pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap stop EXIT

for workers in $WORKERS; do
    $GUNICORN partnerportal.wsgi --bind "127.0.0.1:$PORT" --workers "$workers" --worker-class sync \
        --log-level warning &
    pid=$!
    for _ in $(seq 60); do curl -fs "${PROTO[@]}" -o /dev/null "$BASE/healthz" && break; sleep 0.5; done
    status=$(curl -s "${PROTO[@]}" -H "Cookie: $cookie" -o /dev/null -w '%{http_code}' "$BASE/customers/")
    [ "$status" = 200 ] || { echo "the list page answered $status, not 200" >&2; exit 1; }
    # Unrecorded warm-up: each worker loads its templates and opens its connection.
    wrk -t2 -c"$CONNECTIONS" -d3s "${PROTO[@]}" -H "Cookie: $cookie" "$BASE/customers/" >/dev/null
    echo
    echo "## gunicorn --workers $workers (sync), wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s /customers/," \
        "load before: $(cut -d' ' -f1 /proc/loadavg)"
    snap=$(mktemp -d)
    ticks $(pgrep -P "$pid") >"$snap/web0"
    [ -n "$POSTMASTER_PID" ] && ticks $(pgrep -P "$POSTMASTER_PID") >"$snap/db0"
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${PROTO[@]}" -H "Cookie: $cookie" "$BASE/customers/" \
        >"$snap/wrk"
    ticks $(pgrep -P "$pid") >"$snap/web1"
    grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx|requests in' "$snap/wrk"
    requests=$(awk '/requests in/ {print $1}' "$snap/wrk")
    echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
    awk -v t="$(spent "$snap/web0" "$snap/web1")" -v hz="$TICK" -v n="$requests" \
        'BEGIN {ms = 1000 * t / hz / n; printf "gunicorn CPU per request: %.1f ms (%.0f requests/s per core)\n", ms, 1000 / ms}'
    if [ -n "$POSTMASTER_PID" ]; then
        ticks $(pgrep -P "$POSTMASTER_PID") >"$snap/db1"
        awk -v t="$(spent "$snap/db0" "$snap/db1")" -v hz="$TICK" -v n="$requests" \
            'BEGIN {printf "database CPU per request: %.1f ms\n", 1000 * t / hz / n}'
    fi
    rm -rf "$snap"
    for child in $(pgrep -P "$pid"); do
        echo "worker $child RSS: $(awk '/^VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$child/status")"
    done
    echo "master $pid RSS: $(awk '/^VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$pid/status")"
    if [ "$workers" = "$(echo "$WORKERS" | awk '{print $1}')" ]; then
        out=$(mktemp)
        seconds=$(curl -s "${PROTO[@]}" -H "Cookie: $cookie" -o "$out" -w '%{time_total}' "$BASE/customers/export.csv")
        rows=$(($(wc -l <"$out") - 1))
        rm -f "$out"
        echo "export: $rows rows in ${seconds} s over HTTP = $(awk -v r="$rows" -v s="$seconds" 'BEGIN {printf "%.0f", r / s}') rows/s"
    fi
    stop
done
