#!/usr/bin/env bash
# `make scan`: wapiti and sqlmap against a portal instance of its own, on loopback, with signed-in sessions.
#
# The instance listens on 127.0.0.1:$SCAN_PORT (8199) and uses its own database ($SCAN_DB, partnerportal_scan) on
# the embedded PostgreSQL server, created fresh, migrated and seeded with the demo data, so the database of
# `make run` is never touched. It runs the development settings (DEBUG on) under gunicorn: a server error shows its
# traceback, which makes error-based SQL injection and 500s easier for the scanners to see, not harder.
# Passes: wapiti as a helpdesk agent (the least privileged role that sees customers), wapiti as a global admin,
# then sqlmap on the list filters and two forms. Every tool is bounded in time; reports go to var/scan/, a summary
# is printed (and written to var/scan/summary.txt), and the instance is stopped however the scan ends.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
SCAN_PORT=${SCAN_PORT:-8199}
SCAN_DB=${SCAN_DB:-partnerportal_scan}
CRAWL_SECONDS=${SCAN_CRAWL_SECONDS:-120}     # wapiti's crawl, per pass
ATTACK_SECONDS=${SCAN_ATTACK_SECONDS:-25}    # wapiti, per attack module
SQLMAP_SECONDS=${SCAN_SQLMAP_SECONDS:-60}    # sqlmap, per target (twice that for a list with five parameters)
BASE="http://127.0.0.1:${SCAN_PORT}"
OUT=var/scan
PASSWORD='Portal-Demo-2026!'
ADMIN=global.admin@contoso.example
HELPDESK=helpdesk.agent@contoso.example

for tool in wapiti sqlmap; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed: apt-get install -y wapiti sqlmap" >&2; exit 2; }
done

rm -rf "$OUT"
mkdir -p "$OUT"
SERVER_LOG="$OUT/server.log"
SERVER_PID=""
stop_instance() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    SERVER_PID=""
}
trap stop_instance EXIT
trap 'echo "scan interrupted" >&2; exit 130' INT TERM

started=$(date +%s)
echo "== scan database $SCAN_DB (fresh), migrated and seeded"
# Two URLs, as in production: the portal role serves, the owner migrates.
urls=$("$PY" scripts/scan_session.py database "$SCAN_DB") || exit 1
DATABASE_URL=$(sed -n 1p <<<"$urls")
DATABASE_OWNER_URL=$(sed -n 2p <<<"$urls")
export DATABASE_URL DATABASE_OWNER_URL
export DJANGO_SETTINGS_MODULE=partnerportal.settings.local
export PORTAL_BASE_URL="$BASE"
"$PY" manage.py migrate --noinput -v 0 || exit 1
"$PY" manage.py seed_demo >"$OUT/seed.log" || exit 1

echo "== instance on $BASE"
# The instance serves as the portal role alone; the owner's credentials were for migrate and seed_demo.
unset DATABASE_OWNER_URL
# gunicorn with a fixed pool of threads, as in production: the database connections stay bounded (the development
# server opens one per request thread and keeps it for CONN_MAX_AGE, so a scanner's bursts exhaust the server's
# connection slots and every request answers 500 "too many clients").
.venv/bin/gunicorn partnerportal.wsgi -b "127.0.0.1:${SCAN_PORT}" --workers 2 --threads 4 --timeout 60 \
    --access-logfile - --error-logfile - >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 60); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    sleep 1
done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "the instance did not start" >&2; tail "$SERVER_LOG" >&2; exit 1; }

requests_so_far() { grep -cE '"(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|TRACE|PROPFIND|[A-Z]+) ' "$SERVER_LOG"; }

# run NAME COMMAND...: runs one tool, bounded by `timeout`, and notes its requests and seconds.
run() {
    local name=$1; shift
    local before t0
    before=$(requests_so_far); t0=$(date +%s)
    echo "== $name"
    "$@" >"$OUT/$name.log" 2>&1
    local status=$?
    echo "   exit $status after $(( $(date +%s) - t0 )) s (log: $OUT/$name.log)"
    printf '%s\t%s\t%s\t%s\n' "$name" $(( $(requests_so_far) - before )) $(( $(date +%s) - t0 )) "$status" \
        >>"$OUT/stats.tsv"
}

wapiti_pass() {  # wapiti_pass NAME EMAIL MODULES CRAWL_SECONDS ATTACK_SECONDS
    local name=$1 email=$2 modules=$3 crawl=$4 attack=$5
    "$PY" scripts/scan_session.py signin "$BASE" "$email" "$PASSWORD" "$OUT/$name" || return 1
    # Hard bound: the crawl, every module's attack time, and a margin for the report.
    local modules_count
    modules_count=$(tr ',' '\n' <<<"$modules" | wc -l)
    run "$name" timeout --kill-after=10 $(( crawl + modules_count * (attack + 5) + 60 )) \
        /usr/bin/python3 scripts/wapiti_compat.py -u "$BASE/" --scope folder -c "$OUT/$name/cookies.json" \
        -x "$BASE/accounts/logout/" -x "$BASE/admin/*" -x "$BASE/static/*" \
        -m "$modules" -d 4 --max-links-per-page 60 --max-files-per-dir 40 \
        --max-scan-time "$crawl" --max-attack-time "$attack" -t 15 \
        --flush-session --store-session "$OUT/$name/session" --store-config "$OUT/$name/config" \
        -f json -o "$OUT/$name.json" -v 1 --no-bugreport
}

# The helpdesk agent first: the global admin's pass may deactivate other staff through the forms it submits.
wapiti_pass wapiti-helpdesk "$HELPDESK" "xss,permanentxss,sql,redirect,csrf,file" 60 15
# sqlmap: a global-admin session of its own, before the global admin's wapiti pass changes the partner's settings.
"$PY" scripts/scan_session.py signin "$BASE" "$ADMIN" "$PASSWORD" "$OUT/sqlmap-session" || exit 1
# shellcheck disable=SC1091
source "$OUT/sqlmap-session/session.env"
CUSTOMER_ID=$(grep -oE '/customers/[0-9a-f-]{36}/' <(curl -fsS -H "Cookie: $COOKIE_HEADER" "$BASE/customers/") | head -1)
sqlmap_target() {  # sqlmap_target NAME SECONDS ARGS...: one sqlmap run, bounded, its output under var/scan/sqlmap/
    local name=$1 seconds=$2; shift 2
    run "sqlmap-$name" timeout --kill-after=10 "$seconds" \
        sqlmap --batch --disable-coloring --cookie "$COOKIE_HEADER" --dbms=PostgreSQL --level 2 --risk 1 \
        --technique BEUST --time-sec 2 --threads 2 --skip-static --skip "csrfmiddlewaretoken" \
        --output-dir "$OUT/sqlmap" "$@"
}
sqlmap_target customer-list $(( SQLMAP_SECONDS * 2 )) -u "$BASE/customers/?q=contoso&kind=direct&tag=1&sort=name&after=x" -p "q,kind,tag,sort,after"
sqlmap_target customer-lookup "$SQLMAP_SECONDS" -u "$BASE/customers/lookup/?q=contoso" -p q
sqlmap_target activity-list $(( SQLMAP_SECONDS * 2 )) \
    -u "$BASE/activity/?date_from=2026-01-01&date_to=2026-12-31&customer=contoso&action=customer.create&actor=1" \
    -p "date_from,date_to,customer,action,actor"
sqlmap_target invitation-create "$SQLMAP_SECONDS" -u "$BASE/relationships/invitations/new/" \
    --data "csrfmiddlewaretoken=$CSRFTOKEN&email=scan@scan.example.net&message=hello&dap=on" -p "email,message"
if [ -n "$CUSTOMER_ID" ]; then
    sqlmap_target customer-tags "$SQLMAP_SECONDS" -u "$BASE$CUSTOMER_ID""tags/" \
        --data "csrfmiddlewaretoken=$CSRFTOKEN&new_names=scan" -p new_names
fi

# The global admin's wapiti pass last: it submits every form it finds, the security settings' "require MFA for all
# staff" among them, after which no new session of the partner's staff gets past the password alone.
wapiti_pass wapiti-global-admin "$ADMIN" \
    "xss,permanentxss,sql,blindsql,exec,file,crlf,redirect,csrf,http_headers,cookieflags,csp,methods" \
    "$CRAWL_SECONDS" "$ATTACK_SECONDS"

stop_instance
total=$(( $(date +%s) - started ))
"$PY" scripts/scan_summary.py "$OUT" "$total" | tee "$OUT/summary.txt"
