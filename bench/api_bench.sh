#!/usr/bin/env bash
# wrk benchmark of the management API: listing an organization's tokens and creating tokens.
# Starts its own oatd on a temporary database (loopback only) and stops it when done.
#
#   bench/api_bench.sh [DURATION_SECONDS]     (default 10; builds oatd first with scripts/run's build)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -q wrk >/dev/null; }
oatd=${OATD:-build/native/native/oatd}
[ -x "$oatd" ] || cmake --build build/native --target oatd >/dev/null

dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
db=$dir/oat.db
password=bench-password-$RANDOM$RANDOM
echo "$password" | "$oatd" admin --db "$db" user add owner >/dev/null
# Business organizations hold 100 tokens each; creation rotates over them.
orgs=300
for i in $(seq 1 "$orgs"); do
  "$oatd" admin --db "$db" org add "org$i" --plan business >/dev/null
  "$oatd" admin --db "$db" member add "org$i" owner --role owner >/dev/null
  "$oatd" admin --db "$db" repo add "org$i/app" >/dev/null
done
"$oatd" serve --db "$db" --listen 127.0.0.1:0 >/dev/null 2>"$dir/err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$dir/err" && break; sleep 0.1; done
port=$(sed -n 's/.*"address":"[0-9.]*:\([0-9]*\)".*"msg":"listening".*/\1/p' "$dir/err")
url=http://127.0.0.1:$port
bearer=$(curl -s "$url/v2/auth/token" -d "{\"identifier\":\"owner\",\"secret\":\"$password\"}" |
         sed 's/.*"access_token":"\([^"]*\)".*/\1/')
body='{"label":"bench","resources":[{"type":"TYPE_REPO","path":"ORG/app","scopes":["scope-image-pull"]}]}'
# Ten tokens in org1 for the list benchmark.
for i in $(seq 10); do
  curl -s -o /dev/null "$url/v2/orgs/org1/access-tokens" -H "Authorization: Bearer $bearer" \
    -d "${body//ORG/org1}"
done

cat > "$dir/create.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local org = "org" .. ((n % $orgs) + 1)
  local body = string.gsub('$body', "ORG", org)
  return wrk.format("POST", "/v2/orgs/" .. org .. "/access-tokens",
    {["Authorization"] = "Bearer $bearer", ["Content-Type"] = "application/json"}, body)
end
LUA

echo "== GET /v2/orgs/org1/access-tokens (10 tokens), wrk -t2 -c16 -d${duration}s"
wrk -t2 -c16 -d"${duration}s" --latency -H "Authorization: Bearer $bearer" \
  "$url/v2/orgs/org1/access-tokens"
echo
echo "== POST /v2/orgs/orgN/access-tokens, wrk -t2 -c16 -d${duration}s"
wrk -t2 -c16 -d"${duration}s" --latency -s "$dir/create.lua" "$url"
echo
echo "== answers by status, from oatd's /metrics"
curl -s "$url/metrics" | grep '^oatd_http_requests_total{route="/v2/orgs/{org}/access-tokens"'
curl -s "$url/metrics" | grep '^oatd_tokens'

