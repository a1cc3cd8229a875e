#!/usr/bin/env bash
# wrk benchmark of oatd's two storage set-ups, in one run on this machine:
#   sqlite-1    one oatd on its embedded SQLite file
#   postgres-1  one oatd on PostgreSQL 15 (a throwaway cluster, Unix socket, fsync on)
#   postgres-2  two oatd on that PostgreSQL behind nginx (round-robin upstream, keep-alive)
# each measured on the registry token service (GET /token, a read and a batched "last used") and
# on token creation (POST /v2/orgs/ORG/access-tokens, a serializable write with the plan quota
# checked). Prints requests/s, p50/p99 latency and the server CPU per answer: oatd's, and
# PostgreSQL's and nginx's where they take part (user + system time from /proc).
#
#   bench/scale_bench.sh [DURATION_SECONDS]     (default 10 per measurement)
#   OATD=/path/to/other/oatd bench/scale_bench.sh    another build, to compare two in one session
#
# wrk runs on the same cores as the servers (and PostgreSQL, and nginx), so on a small machine
# every rate is what is left after the others' share; the CPU per answer does not depend on it.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
wrk_args=(-t2 -c16 -d"${duration}s" --latency)
for tool in wrk nginx curl jq psql; do
  command -v "$tool" >/dev/null || { echo "scale_bench: $tool is missing (scripts/setup installs it)" >&2; exit 1; }
done
oatd=$(realpath "${OATD:-build/native/native/oatd}")
[ -x "$oatd" ] || { cmake --build build/native --target oatd >/dev/null; oatd=$(realpath build/native/native/oatd); }

dir=$(mktemp -d)
pgdir=$(mktemp -d)
pids=()
stop() {  # TERM, then KILL after 5 s
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
stop_all() { for pid in "${pids[@]}"; do stop "$pid"; done; pids=(); }
cleanup() { stop_all; wait 2>/dev/null || true; scripts/postgres stop "$pgdir" || true; rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- databases: the same organizations on both ------------------------------------------------
cluster=$(scripts/postgres start "$pgdir")
psql "$cluster" -X -q -c 'CREATE DATABASE oat_bench'
pg_uri=${cluster/\/postgres\?//oat_bench?}
sqlite_db=$dir/oat.db
key=$dir/key.pem
password=bench-password-$RANDOM$RANDOM
# Business organizations hold 100 tokens each; creation rotates over them so that no quota is
# reached within a measurement.
orgs=500
seed() {
  local db=$1
  echo "$password" | "$oatd" admin --db "$db" user add owner >/dev/null
  for i in $(seq 1 "$orgs"); do
    "$oatd" admin --db "$db" org add "org$i" --plan business >/dev/null
    "$oatd" admin --db "$db" member add "org$i" owner --role owner >/dev/null
    "$oatd" admin --db "$db" repo add "org$i/app" >/dev/null
  done
}
echo "== seeding $orgs organizations into SQLite, and copying them to PostgreSQL (admin migrate-db)"
seed "$sqlite_db"
"$oatd" admin migrate-db --from "$sqlite_db" --to "$pg_uri" 2>/dev/null

# --- servers ---------------------------------------------------------------------------------
# Starts `oatd serve` on DB; sets $port. (Not in $(...): the server must be this shell's child.)
serve() {
  local db=$1 n=${#pids[@]}
  "$oatd" serve --db "$db" --key "$key" --listen 127.0.0.1:0 --access-log off \
    >/dev/null 2>"$dir/oatd$n.err" &
  pids+=($!)
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*"address":"127\.0\.0\.1:\([0-9]*\)".*"msg":"listening".*/\1/p' "$dir/oatd$n.err")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "scale_bench: oatd did not start:" >&2; cat "$dir/oatd$n.err" >&2; exit 1; }
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Starts nginx balancing over the given ports; sets $port.
balance() {
  local servers=
  port=$(free_port)
  for p in "$@"; do servers+="server 127.0.0.1:$p; "; done
  mkdir -p "$dir/nginx"
  cat > "$dir/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  upstream oatd { $servers keepalive 32; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://oatd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
CONF
  nginx -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf" &
  pids+=($!)
  for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
}

# CPU time (user + system, clock ticks) of the given processes and their children.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
# The cluster's processes: the postmaster (its data folder's pid file) and its children.
postgres_pids() {
  local main
  main=$(head -1 "$pgdir/data/postmaster.pid")
  echo "$main" $(pgrep -P "$main")
}
nginx_pids() { local p; p=$(cat "$dir/nginx/nginx.pid" 2>/dev/null) || return 0; echo "$p" $(pgrep -P "$p"); }

hz=$(getconf CLK_TCK)
results=()
# measure NAME URL OATD_PIDS...: both benchmarks against URL.
measure() {
  local name=$1 url=$2
  shift 2
  local oatd_pids=("$@")
  local bearer token auth body
  bearer=$(curl -sf "$url/v2/auth/token" -H 'Content-Type: application/json' \
             -d "{\"identifier\":\"owner\",\"secret\":\"$password\"}" | jq -r .access_token)
  body='{"label":"bench","resources":[{"type":"TYPE_REPO","path":"ORG/app","scopes":["scope-image-pull"]}],"expires_at":null}'
  token=$(curl -sf "$url/v2/orgs/org1/access-tokens" -H "Authorization: Bearer $bearer" \
            -H 'Content-Type: application/json' -d "${body//ORG/org1}" | jq -r .token)
  auth="Authorization: Basic $(printf 'org1:%s' "$token" | base64 -w0)"
  local path='/token?service=oat-registry&scope=repository:org1/app:pull'
  curl -sf -o /dev/null "$url$path" -H "$auth" || { echo "scale_bench: $name: GET /token failed" >&2; exit 1; }
  cat > "$dir/create.lua" <<LUA
local n = math.random(0, $orgs - 1)
request = function()
  n = n + 1
  local org = "org" .. ((n % $orgs) + 1)
  return wrk.format("POST", "/v2/orgs/" .. org .. "/access-tokens",
    {["Authorization"] = "Bearer $bearer", ["Content-Type"] = "application/json"},
    string.gsub('$body', "ORG", org))
end
LUA
  local what
  for what in token create; do
    local o p n before_o before_p before_n out=$dir/$name-$what.wrk
    before_o=$(cpu_ticks "${oatd_pids[@]}")
    before_p=$(cpu_ticks $(postgres_pids))
    before_n=$(cpu_ticks $(nginx_pids))
    if [ "$what" = token ]; then
      wrk "${wrk_args[@]}" -H "$auth" "$url$path" > "$out"
    else
      wrk "${wrk_args[@]}" -s "$dir/create.lua" "$url" > "$out"
    fi
    o=$(( $(cpu_ticks "${oatd_pids[@]}") - before_o ))
    p=$(( $(cpu_ticks $(postgres_pids)) - before_p ))
    n=$(( $(cpu_ticks $(nginx_pids)) - before_n ))
    local requests rate p50 p99 errors
    requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out")
    rate=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    errors=$(grep -E 'Non-2xx|Socket errors' "$out" | tr -s ' ' | tr '\n' ' ' || true)
    results+=("$(awk -v name="$name" -v what="$what" -v rate="$rate" -v p50="$p50" -v p99="$p99" \
      -v o="$o" -v p="$p" -v n="$n" -v hz="$hz" -v r="$requests" -v e="$errors" 'BEGIN {
      printf "%-11s %-7s %9.0f/s  p50 %8s  p99 %8s  CPU/answer: oatd %6.1f us  postgres %6.1f us  nginx %5.1f us %s",
        name, what, rate, p50, p99, o * 1e6 / hz / r, p * 1e6 / hz / r, n * 1e6 / hz / r, e }')")
    echo "${results[-1]}"
  done
}

echo "== machine: $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)); wrk ${wrk_args[*]}, keep-alive"
echo "== token: GET /token (Basic org1:<token>, scope repository:org1/app:pull); create: POST /v2/orgs/orgN/access-tokens over $orgs Business organizations"

serve "$sqlite_db"
measure sqlite-1 "http://127.0.0.1:$port" "${pids[@]}"
stop_all

serve "$pg_uri"
measure postgres-1 "http://127.0.0.1:$port" "${pids[@]}"
stop_all

serve "$pg_uri"
a=$port
serve "$pg_uri"
oatd_pids=("${pids[@]}")
balance "$a" "$port"
measure postgres-2 "http://127.0.0.1:$port" "${oatd_pids[@]}"
stop_all

echo
echo "== summary"
printf '%s\n' "${results[@]}"
echo "serialization failures retried by PostgreSQL (its log): $(grep -c 'could not serialize' "$pgdir/postgres.log" || true)"
if [ -n "${SCALE_BENCH_PG_LOG:-}" ]; then cp "$pgdir/postgres.log" "$SCALE_BENCH_PG_LOG"; fi
