#!/usr/bin/env bash
# HTTP load benchmark of the example token server.
#
#   scripts/load.sh [--peer] [SECONDS] [CONNECTIONS]   (defaults: 10 s, 32 connections)
#
# Builds the `axum_server` example (crate `client-credentials-examples`) in
# release mode, starts it on 127.0.0.1 (demo mode: ephemeral ES256 key, one
# client with a fresh secret), drives `POST /token`
# with real `client_secret_basic` requests through `wrk` (Debian package `wrk`)
# for a bounded time, prints tokens/s, p50, p99 and the count of non-2xx
# responses, then stops the server by its own PID.
#
# With `--peer`, node-oidc-provider 9 (installed from npm into target/) is run
# next, as its users deploy it (NODE_ENV=production), issuing the same ES256 JWT
# tokens under the same load, and the ratio of the two throughputs is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

peer=false
if [[ "${1:-}" == "--peer" ]]; then
    peer=true
    shift
fi
seconds="${1:-10}"
connections="${2:-32}"
threads=2
port="${PORT:-18080}"
target="${CARGO_TARGET_DIR:-target}"

for tool in wrk curl; do
    command -v "$tool" >/dev/null || {
        echo "$tool not found: apt-get install $tool" >&2
        exit 1
    }
done

work="$(mktemp -d)"
server_pid=""
stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -INT "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

# Waits (bounded) until the server's log says it listens.
wait_listening() {
    for _ in $(seq 1 150); do
        grep -q "listening on" "$1" && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "the server did not start:" >&2
    cat "$1" >&2
    exit 1
}

# wrk prints latencies as e.g. "1.23ms" or "850.00us"; report them in ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000
        else if (v ~ /ms$/) n += 0
        else if (v ~ /s$/) n *= 1000
        printf "%.2f", n
    }'
}

# load NAME CLIENT_ID SECRET: one checked request, then wrk; sets $rps.
load() {
    local name="$1" client="$2" secret="$3" url="http://127.0.0.1:$port/token"
    local status
    status="$(curl -s -o /dev/null -w '%{http_code}' -u "$client:$secret" \
        -d grant_type=client_credentials -d scope=demo:read "$url")"
    if [[ "$status" != 200 ]]; then
        echo "$name: a single token request returned HTTP $status" >&2
        exit 1
    fi
    cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=demo%3Aread"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(printf '%s' "$client:$secret" | base64 -w0)"
EOF
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$url" \
        >"$work/wrk.out"
    rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/wrk.out")"
    local p50 p99 non2xx errors
    p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$work/wrk.out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$work/wrk.out")")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$work/wrk.out")"
    errors="$(awk '/Socket errors:/ {print}' "$work/wrk.out")"
    echo "$name ES256, wrk -t$threads -c$connections -d${seconds}s, client_secret_basic"
    echo "  tokens/s ${rps:-0}  p50 ${p50} ms  p99 ${p99} ms  non-2xx ${non2xx:-0}"
    if [[ -n "$errors" ]]; then
        echo "  $errors"
    fi
}

cargo build --release --quiet -p client-credentials-examples --example axum_server
PORT="$port" "$target/release/examples/axum_server" >"$work/server.log" 2>&1 &
server_pid=$!
wait_listening "$work/server.log"
load axum_server demo-client "$(sed -n 's/^demo client secret: *//p' "$work/server.log")"
ours="$rps"
stop_server

if $peer; then
    command -v npm >/dev/null || {
        echo "npm not found: the peer needs Node.js and npm" >&2
        exit 1
    }
    peer_dir="$target/load-peer"
    mkdir -p "$peer_dir"
    if [[ ! -d "$peer_dir/node_modules/oidc-provider" ]]; then
        (cd "$peer_dir" && npm init -y >/dev/null && npm install --silent oidc-provider@9)
    fi
    cp scripts/oidc_provider_peer.mjs "$peer_dir/"
    peer_secret="$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
    NODE_ENV=production PORT="$port" SECRET="$peer_secret" node "$peer_dir/oidc_provider_peer.mjs" \
        >"$work/peer.log" 2>&1 &
    server_pid=$!
    wait_listening "$work/peer.log"
    load node-oidc-provider demo-client "$peer_secret"
    stop_server
    awk -v a="$ours" -v b="$rps" 'BEGIN { printf "axum_server / node-oidc-provider = %.1fx\n", a / b }'
fi
