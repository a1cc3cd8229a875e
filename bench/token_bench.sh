#!/usr/bin/env bash
# wrk benchmark of the registry token service (GET /token, what every docker/skopeo pull and push
# calls first) against nginx answering the same bytes from its config: the ceiling an HTTP
# server reaches on this machine when it does no work at all.
#
#   bench/token_bench.sh [DURATION_SECONDS]     (default 10)
#   BACKEND=postgres bench/token_bench.sh        oatd on a throwaway PostgreSQL 15 cluster (Unix
#                                                socket, fsync on) instead of its SQLite file
#   TOKENS=1000000 bench/token_bench.sh          that many tokens stored: the bench token and the
#                                                rest seeded straight into the database
#   OATD=/path/to/other/oatd bench/token_bench.sh   another build (e.g. the previous commit's),
#                                                  to compare two builds in one session
#   OATD_ARGS='--threads 1' bench/token_bench.sh  more options for oatd serve
#
# Starts its own oatd (a temporary database: one Team organization "acme" with repository
# acme/app and one active access token with scope-image-pull on it) and its own nginx, both on
# loopback ports chosen at run time, runs the same wrk command against each, prints both rates,
# their ratio and the token service's latency percentiles, then:
#   - the limit: nginx's CPU per answer plus one ES256 signature (`openssl speed ecdsap256`, in
#     the same run), and oatd's CPU per answer as a multiple of it;
#   - oatd's latency at a fixed rate of half its wrk rate (oatd_rate_load, bench/rate_load.cpp:
#     requests evenly spaced over 16 connections, latency counted from when each was due),
#     whose p99 is what a fleet of clients sees below the peak, and nginx's at the same rate
#     (the load generator's own floor on these shared cores);
# and stops both.
#
# Fairness: same request (path, query, Basic header), same answer body byte for byte (nginx
# returns a token oatd issued), keep-alive on both (nginx keepalive_requests raised so it never
# closes a wrk connection), one worker thread/process per core on both (oatd's default;
# nginx worker_processes auto). Access logs are off on both (oatd --access-log off, nginx
# access_log off).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
wrk_args=(-t2 -c16 -d"${duration}s" --latency)
backend=${BACKEND:-sqlite}
tokens=${TOKENS:-1}
case $backend in sqlite | postgres) ;; *) echo "token_bench: BACKEND is sqlite or postgres, not $backend" >&2; exit 2 ;; esac
[[ $tokens =~ ^[1-9][0-9]*$ ]] || { echo "token_bench: TOKENS is a count of 1 or more, not $tokens" >&2; exit 2; }
for tool in wrk nginx curl jq openssl sqlite3 psql; do
  command -v "$tool" >/dev/null || { echo "token_bench: $tool is missing (scripts/setup installs it)" >&2; exit 1; }
done
oatd=${OATD:-build/native/native/oatd}
[ -x "$oatd" ] || cmake --build build/native --target oatd >/dev/null
rate_load=build/native/native/oatd_rate_load
[ -x "$rate_load" ] || cmake --build build/native --target oatd_rate_load >/dev/null

dir=$(mktemp -d)
pgdir=
oatd_pid= nginx_pid=
stop() {  # stop one process by pid: TERM, then KILL after 5 s
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$nginx_pid"; stop "$oatd_pid"; wait 2>/dev/null || true
  [ -z "$pgdir" ] || scripts/postgres stop "$pgdir" || true
  rm -rf "$dir" ${pgdir:+"$pgdir"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- oatd -------------------------------------------------------------------------------------
if [ "$backend" = postgres ]; then
  pgdir=$(mktemp -d)
  cluster=$(scripts/postgres start "$pgdir")
  psql "$cluster" -X -q -c 'CREATE DATABASE oat_bench'
  db=${cluster/\/postgres\?//oat_bench?}
  sql() { psql "$db" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
else
  db=$dir/oat.db
  sql() { sqlite3 -bail -cmd '.timeout 10000' "$db" "$1"; }
fi
password=bench-password-$RANDOM$RANDOM
echo "$password" | "$oatd" admin --db "$db" user add owner >/dev/null
"$oatd" admin --db "$db" org add acme --plan team >/dev/null
"$oatd" admin --db "$db" member add acme owner --role owner >/dev/null
"$oatd" admin --db "$db" repo add acme/app >/dev/null
"$oatd" serve --db "$db" --key "$dir/key.pem" --listen 127.0.0.1:0 --registry-service oat-registry \
  --registry-issuer oatd --access-log off ${OATD_ARGS:-} >/dev/null 2>"$dir/oatd.err" &
oatd_pid=$!
for _ in $(seq 100); do grep -q listening "$dir/oatd.err" && break; sleep 0.1; done
port=$(sed -n 's/.*"address":"[0-9.]*:\([0-9]*\)".*"msg":"listening".*/\1/p' "$dir/oatd.err")
[ -n "$port" ] || { echo "token_bench: oatd did not start:" >&2; cat "$dir/oatd.err" >&2; exit 1; }
url=http://127.0.0.1:$port
bearer=$(curl -sf "$url/v2/auth/token" -H 'Content-Type: application/json' \
           -d "{\"identifier\":\"owner\",\"secret\":\"$password\"}" | jq -r .access_token)
token=$(curl -sf "$url/v2/orgs/acme/access-tokens" -H "Authorization: Bearer $bearer" \
          -H 'Content-Type: application/json' \
          -d '{"label":"bench","resources":[{"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-pull"]}],"expires_at":null}' |
        jq -r .token)
auth="Authorization: Basic $(printf 'acme:%s' "$token" | base64 -w0)"
path='/token?service=oat-registry&scope=repository:acme/app:pull'
answer=$(curl -sf "$url$path" -H "$auth")
granted=$(jq -c '.token | split(".")[1] | gsub("-";"+") | gsub("_";"/") | . + ("=" * ((4 - length % 4) % 4)) | @base64d | fromjson | .access' <<<"$answer")
[ "$granted" = '[{"actions":["pull"],"name":"acme/app","type":"repository"}]' ] ||
  { echo "token_bench: unexpected grant $granted" >&2; exit 1; }

# --- more stored tokens: seeded straight into the database ---------------------------------------
# Tokens of acme with hashes no secret has (64 digits), beside the bench token: the sign-in's
# look-ups (the secret-hash index, the organization's join) then run over that many rows.
if [ "$tokens" -gt 1 ]; then
  extra=$((tokens - 1))
  echo "== seeding $extra more tokens into acme ($backend)"
  if [ "$backend" = postgres ]; then
    # Without the row triggers that keep the per-state token counts (one counts row updated a
    # million times in one transaction takes minutes): /metrics' counts miss the seeded tokens,
    # which nothing here reads.
    sql "SET session_replication_role = replica;
         INSERT INTO tokens (id, org_id, label, created_by, is_active, created_at, secret_hash, created_seq)
         SELECT 'seed-' || i, (SELECT id FROM organizations WHERE name = 'acme'), 'seed', 'owner', TRUE,
                EXTRACT(EPOCH FROM now())::bigint, lpad(i::text, 64, '0'), i
         FROM generate_series(1, $extra) AS i; ANALYZE tokens"
  else
    sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $extra)
         INSERT INTO tokens (id, org_id, label, created_by, is_active, created_at, secret_hash, created_seq)
         SELECT 'seed-' || i, (SELECT id FROM organizations WHERE name = 'acme'), 'seed', 'owner', 1,
                unixepoch(), printf('%064d', i), i FROM n; ANALYZE"
  fi
  [ "$(curl -sf "$url$path" -H "$auth" | jq -c '.token | split(".")[1] | gsub("-";"+") | gsub("_";"/") | . + ("=" * ((4 - length % 4) % 4)) | @base64d | fromjson | .access')" = "$granted" ] ||
    { echo "token_bench: the grant changed after seeding" >&2; exit 1; }
fi
stored=$(sql "SELECT COUNT(*) FROM tokens" | tr -dc 0-9)

# --- nginx: the same answer, from memory -------------------------------------------------------
nport=$(free_port)
mkdir -p "$dir/nginx"
cat > "$dir/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    location = /token {
      default_type application/json;
      return 200 '$answer';
    }
  }
}
CONF
nginx -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$nport$path" && break; sleep 0.1; done
[ "$(curl -sf "http://127.0.0.1:$nport$path" -H "$auth")" = "$answer" ] ||
  { echo "token_bench: nginx did not start:" >&2; cat "$dir/nginx/error.log" >&2; exit 1; }

# --- wrk ---------------------------------------------------------------------------------------
cores=$(nproc)
echo "== machine: $cores cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), loopback; wrk shares the cores with the server"
echo "== oatd on $backend, $stored tokens stored"
echo "== answer body: ${#answer} bytes; wrk ${wrk_args[*]} -H 'Authorization: Basic ...' (keep-alive)"
echo
# CPU time (user + system, clock ticks) of a process and its children threads/processes.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid"); }
# oatd's CPU is counted with its database server's, when that is a process of its own: the
# postmaster (its data folder's pid file) and its children, oatd's connections among them.
server_pids() {
  echo "$oatd_pid"
  [ -z "$pgdir" ] && return 0
  local main
  main=$(head -1 "$pgdir/data/postmaster.pid")
  echo "$main" $(pgrep -P "$main")
}

echo "== oatd GET $path  (threads: one per core)"
before=$(cpu_ticks $(server_pids))
wrk "${wrk_args[@]}" -H "$auth" "$url$path" | tee "$dir/oatd.wrk"
oatd_ticks=$(( $(cpu_ticks $(server_pids)) - before ))
echo
echo "== nginx $(nginx -v 2>&1 | sed 's/.*\///'), return 200 of the same body  (worker_processes auto)"
before=$(cpu_ticks $(nginx_pids))
wrk "${wrk_args[@]}" -H "$auth" "http://127.0.0.1:$nport$path" | tee "$dir/nginx.wrk"
nginx_ticks=$(( $(cpu_ticks $(nginx_pids)) - before ))
echo

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
p99() { awk '$1 == "99%" { print $2 }' "$1"; }
errors() { grep -E 'Non-2xx|Socket errors' "$1" || true; }
oatd_rate=$(rate "$dir/oatd.wrk")
nginx_rate=$(rate "$dir/nginx.wrk")
echo "== summary"
printf 'oatd  GET /token : %10.0f requests/s   p50 %s  p99 %s\n' "$oatd_rate" \
  "$(awk '$1 == "50%" { print $2 }' "$dir/oatd.wrk")" "$(p99 "$dir/oatd.wrk")"
printf 'nginx return 200 : %10.0f requests/s   p50 %s  p99 %s\n' "$nginx_rate" \
  "$(awk '$1 == "50%" { print $2 }' "$dir/nginx.wrk")" "$(p99 "$dir/nginx.wrk")"
awk -v a="$oatd_rate" -v b="$nginx_rate" 'BEGIN { printf "ratio oatd/nginx : %10.3f  (nginx is %.1fx faster)\n", a / b, b / a }'
# Server CPU per answer, independent of how the cores were shared with wrk.
hz=$(getconf CLK_TCK)
requests() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$1"; }
awk -v t="$oatd_ticks" -v hz="$hz" -v n="$(requests "$dir/oatd.wrk")" -v u="$nginx_ticks" \
    -v m="$(requests "$dir/nginx.wrk")" -v db="$backend" 'BEGIN {
  printf "server CPU/answer: oatd %.1f us, nginx %.1f us (user+system, from /proc%s)\n", t * 1e6 / hz / n, u * 1e6 / hz / m,
         db == "postgres" ? "; oatd together with PostgreSQL" : "" }'
# The limit: an HTTP exchange (nginx's CPU per answer) plus one ES256 signature, measured now.
sign_us=$(openssl speed -seconds 3 ecdsap256 2>/dev/null |
          awk '/nistp256/ && $NF ~ /^[0-9.]+$/ { printf "%.1f", 1e6 / $(NF-1) }')
awk -v t="$oatd_ticks" -v hz="$hz" -v n="$(requests "$dir/oatd.wrk")" -v u="$nginx_ticks" \
    -v m="$(requests "$dir/nginx.wrk")" -v s="$sign_us" 'BEGIN {
  o = t * 1e6 / hz / n; x = u * 1e6 / hz / m
  printf "limit            : nginx %.1f us + one ES256 signature %.1f us (openssl speed) = %.1f us; oatd is %.2fx the limit\n", x, s, x + s, o / (x + s) }'

# Below the peak: a fixed rate of half oatd's wrk rate, against oatd and then nginx (the floor
# of the load generator itself, which shares the cores): requests evenly spaced, each on an idle
# one of 16 keep-alive connections, its latency counted from when it was due (so a queue the
# server lets build is charged to it); the first second is a warm-up, not counted.
# The CPU each server spends an answer there too: below its peak a server waits for requests,
# and each one wakes it (nginx's CPU per answer at its own peak, in the limit above, has none
# of that: wrk keeps it busy).
half=$(awk -v r="$oatd_rate" 'BEGIN { printf "%d", r / 2 }')
declare -A fixed_us
for f in oatd nginx; do
  [ "$f" = oatd ] && target=$url$path || target=http://127.0.0.1:$nport$path
  [ "$f" = oatd ] && pids=$(server_pids) || pids=$(nginx_pids)
  printf '%-5s at a fixed rate: ' "$f"
  before=$(cpu_ticks $pids)
  "$rate_load" --rate "$half" --seconds "$duration" --connections 16 --header "$auth" "$target" | tee "$dir/$f.fixed" ||
    echo "WARNING: $f answered something other than 200"
  fixed_us[$f]=$(awk -v t="$(( $(cpu_ticks $pids) - before ))" -v hz="$hz" \
    '/requests in all/ { n = $(NF-3) } END { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "?" }' "$dir/$f.fixed")
done
printf 'server CPU/answer at that rate: oatd %s us, nginx %s us\n' "${fixed_us[oatd]}" "${fixed_us[nginx]}"

# One client, one request at a time: the latency of an answer without any queue.
wrk -t1 -c1 -d3s --latency -H "$auth" "$url$path" > "$dir/oatd.one"
printf 'oatd, one client : p50 %s  p99 %s\n' "$(awk '$1 == "50%" { print $2 }' "$dir/oatd.one")" "$(p99 "$dir/oatd.one")"

for f in oatd nginx; do
  e=$(errors "$dir/$f.wrk")
  [ -z "$e" ] || echo "WARNING: $f: $e"
done
echo "oatd /token answers by status (from /metrics):"
curl -s "$url/metrics" | grep '^oatd_http_requests_total{route="/token"' || true
