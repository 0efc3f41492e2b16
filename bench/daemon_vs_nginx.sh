#!/usr/bin/env bash
# telecertd against nginx on loopback, in the same run, with wrk as the load:
#   1. GET /api/v1/status over keep-alive connections (requests per second)
#   2. new TLS connections per second (every request on a new connection: `Connection: close`)
#   3. the daemon's idle memory (VmRSS before and after the load)
# Each measurement runs BENCH_ROUNDS times (default 3, telecertd and nginx alternating); the
# table shows the medians. The load average is printed with it: figures from a busy machine
# are noise.
# nginx serves the same status JSON as a static file over TLS with the same key and certificate,
# with as many workers as telecertd has io threads. Prints telecertd/nginx for each.
#
# Usage: bench/daemon_vs_nginx.sh [BUILD_DIR]   (default build-release; Release build of telecertd)
# Needs: wrk, nginx, openssl, curl (scripts/lib.sh TELECERT_BENCH_PACKAGES).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD=${1:-$ROOT/build-release}
DAEMON=$BUILD/bin/telecertd
CLI=$BUILD/bin/telecert
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
[[ -x $DAEMON && -x $CLI ]] || {
  echo "build telecertd first: cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-release telecertd telecert" >&2
  exit 1
}
for tool in wrk nginx openssl curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y $tool)" >&2; exit 1; }
done

WORK=$(mktemp -d)
# nginx's workers run as nobody when started by root: they must be able to read the static file.
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  return 1
}

# One identity for both servers: made by telecert, exported with its key for nginx.
DATA=$WORK/data
T=("$CLI" --data-dir "$DATA")
"${T[@]}" init >/dev/null
"${T[@]}" identity self-signed bench --cn 127.0.0.1 --san ip:127.0.0.1 --key p256 >/dev/null
echo "bench-passphrase" >"$WORK/pass"
"${T[@]}" identity export bench --format pem --with-key --passphrase-file "$WORK/pass" --out "$WORK/bench.pem" >/dev/null
openssl pkey -in "$WORK/bench.pem" -passin "file:$WORK/pass" -out "$WORK/key.pem"
openssl x509 -in "$WORK/bench.pem" -out "$WORK/cert.pem"
"${T[@]}" context create web --role server --identity bench >/dev/null
"${T[@]}" service bind web-admin web >/dev/null
TOKEN=$("${T[@]}" token create bench --role monitor | grep -o 'tct_[A-Za-z0-9_-]*')

DAEMON_PORT=$(free_port)
"$DAEMON" --data-dir "$DATA" --listen "127.0.0.1:$DAEMON_PORT" --threads "$THREADS" \
  >"$WORK/daemon.out" 2>"$WORK/daemon.log" &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_port "$DAEMON_PORT"
sleep 1
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
IDLE_RSS=$(rss "$DAEMON_PID")

mkdir -p "$WORK/www/api/v1"
curl -sk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$DAEMON_PORT/api/v1/status" \
  >"$WORK/www/api/v1/status"
chmod -R a+rX "$WORK/www"
STATUS_BYTES=$(stat -c %s "$WORK/www/api/v1/status")
[[ $STATUS_BYTES -gt 100 ]] || { echo "the daemon did not answer /api/v1/status" >&2; exit 1; }

NGINX_PORT=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
daemon off;
worker_processes $THREADS;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fcgi;
  uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    root $WORK/www;
    default_type application/json;
  }
}
CONF
nginx -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_port "$NGINX_PORT"

# CPU time (clock ticks, user + system) of a process and its children that are still running
# (nginx's workers), to report CPU per request: less sensitive than req/s to a busy machine.
cpu_ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
# wrk prints "Requests/sec: N"; the same load on both servers. Appends the server's CPU
# microseconds per request to $WORK/cpu-<name>.
rps() {
  local name=$1 pid=$2 before after out
  shift 2
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" | tee -a "$WORK/wrk.log")
  after=$(cpu_ticks "$pid")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {printf "%.1f\n", t / hz * 1e6 / $1}' <<<"$out" >>"$WORK/cpu-$name"
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
AUTH=(-H "Authorization: Bearer $TOKEN")
URL_PATH=/api/v1/status

echo "status body: $STATUS_BYTES bytes; $THREADS threads/workers each; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $ROUNDS rounds"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
KEEP_T_ALL=() KEEP_N_ALL=() NEW_T_ALL=() NEW_N_ALL=()
for round in $(seq "$ROUNDS"); do
  KEEP_T_ALL+=("$(rps keep-t "$DAEMON_PID" "${AUTH[@]}" "https://127.0.0.1:$DAEMON_PORT$URL_PATH")")
  KEEP_N_ALL+=("$(rps keep-n "$NGINX_PID" "${AUTH[@]}" "https://127.0.0.1:$NGINX_PORT$URL_PATH")")
  NEW_T_ALL+=("$(rps new-t "$DAEMON_PID" "${AUTH[@]}" -H "Connection: close" "https://127.0.0.1:$DAEMON_PORT$URL_PATH")")
  NEW_N_ALL+=("$(rps new-n "$NGINX_PID" "${AUTH[@]}" -H "Connection: close" "https://127.0.0.1:$NGINX_PORT$URL_PATH")")
  echo "round $round: keep-alive ${KEEP_T_ALL[-1]} / ${KEEP_N_ALL[-1]}, new connections ${NEW_T_ALL[-1]} / ${NEW_N_ALL[-1]} (telecertd / nginx)"
done
KEEP_T=$(printf '%s\n' "${KEEP_T_ALL[@]}" | median)
KEEP_N=$(printf '%s\n' "${KEEP_N_ALL[@]}" | median)
NEW_T=$(printf '%s\n' "${NEW_T_ALL[@]}" | median)
NEW_N=$(printf '%s\n' "${NEW_N_ALL[@]}" | median)
LOADED_RSS=$(rss "$DAEMON_PID")
sleep 2
AFTER_RSS=$(rss "$DAEMON_PID")

printf '%-44s %12s %12s %8s\n' "benchmark" "telecertd" "nginx" "ratio"
printf '%-44s %12s %12s %8s\n' "GET /api/v1/status keep-alive (req/s)" "$KEEP_T" "$KEEP_N" "$(ratio "$KEEP_T" "$KEEP_N")"
printf '%-44s %12s %12s %8s\n' "new TLS connection + GET (conn/s)" "$NEW_T" "$NEW_N" "$(ratio "$NEW_T" "$NEW_N")"
cpu() { median <"$WORK/cpu-$1"; }
printf '%-44s %12s %12s %8s\n' "keep-alive: server CPU per request (us)" "$(cpu keep-t)" "$(cpu keep-n)" \
  "$(ratio "$(cpu keep-n)" "$(cpu keep-t)")"
printf '%-44s %12s %12s %8s\n' "new connection: server CPU per request (us)" "$(cpu new-t)" \
  "$(cpu new-n)" "$(ratio "$(cpu new-n)" "$(cpu new-t)")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "telecertd RSS: idle ${IDLE_RSS} KiB, after load ${LOADED_RSS} KiB, 2 s later ${AFTER_RSS} KiB"
if grep -q "Non-2xx\|Socket errors" "$WORK/wrk.log"; then
  echo "wrk reported errors (the figures above do not count):"
  grep "Non-2xx\|Socket errors" "$WORK/wrk.log"
  exit 1
fi
