#!/usr/bin/env bash
# HTTP API benchmark (docs/benchmarks.md, "HTTP API"). A measurement, not a
# test. Run after the build (the benchmarks are built by default):
#
#   bash bench/api_benchmark.sh
#
# In one run, on 127.0.0.1, side by side, each measurement RUNS times:
#
# 1. GET /api/v1/children/{child} (a case summary of ~2 KB) with a bearer
#    token: every request authenticated, authorised and audited (its audit
#    record committed before the response), at CONNECTIONS connections with
#    `wrk -t1 --latency`, for each server setting in CONFIGS
#    ("workers:io_threads"), beside nginx (1 worker, access_log off) serving
#    the same bytes as a static file.
# 2. POST /api/v1/children/{child}/events (note.added): durable events per
#    second, checked against the log afterwards, beside SQLite's own rate of
#    one INSERT per transaction (WAL, synchronous=FULL, one connection, a row
#    of the same size, in the same directory: build/sqlite_insert_rate).
#
# Settings (environment): RUNS (3), DURATION seconds per wrk run (10),
# CONNECTIONS (64), CONFIGS ("64:1 16:1 32:1 16:2 64:2"; the first is the
# default of `continuum serve`), POST_CONFIG ("64:1"), BUILD (the build
# directory, build), BENCH_DIR (where the database goes, build), PIN (1:
# servers on CPU 0, wrk on CPU 1, when there are 2 CPUs or more; 0: no
# pinning), KEEP (set: keep the temporary directory), PERF_DIR (set: record
# perf profiles of the server there, see run_wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
duration=${DURATION:-10}
conns=${CONNECTIONS:-64}
configs=${CONFIGS:-"64:1 16:1 32:1 16:2 64:2"}
post_config=${POST_CONFIG:-"64:1"}
build=${BUILD:-build}
bin=$build/continuum
baseline_bin=$build/sqlite_insert_rate

for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "api_benchmark: $tool is not installed (apt-get install -y wrk nginx-light curl python3)" >&2; exit 1; }
done
for b in "$bin" "$baseline_bin"; do
  [[ -x $b ]] || { echo "api_benchmark: $b is missing; build first (cmake --build build)" >&2; exit 1; }
done

if [[ -n ${PERF_DIR:-} ]] && ! command -v perf >/dev/null; then
  echo "api_benchmark: PERF_DIR is set but perf is not installed (apt-get install -y linux-perf)" >&2
  exit 1
fi

pin_server=() pin_client=()
if [[ ${PIN:-1} == 1 ]] && (( $(nproc) >= 2 )) && command -v taskset >/dev/null; then
  pin_server=(taskset -c 0)
  pin_client=(taskset -c 1)
fi

tmp=$(mktemp -d "${BENCH_DIR:-$build}/api-bench.XXXXXX")
tmp=$(cd "$tmp" && pwd)
server_pid= nginx_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n $nginx_pid ]]; then kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; fi
  [[ -n ${KEEP:-} ]] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db="sqlite:$tmp/bench.db"
# /metrics wants an administrator's session or this token (the POST check reads it).
metrics_token=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
results=$tmp/results.tsv   # kind, config, run, req/s, p50 ms, p99 ms, errors, server CPU µs per request
: >"$results"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {  # WORKERS IO_THREADS
  rm -f "$tmp/port"
  "${pin_server[@]}" "$bin" serve --db "$db" --listen 127.0.0.1:0 --port-file "$tmp/port" --log-requests false \
    --workers "$1" --io-threads "$2" --metrics-token "$metrics_token" 2>>"$tmp/serve.log" &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s $tmp/port ]] && break
    sleep 0.1
  done
  port=$(cat "$tmp/port")
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null
  api=http://127.0.0.1:$port/api/v1
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=
}

json_field() {  # FIELD < JSON
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

cpu_ticks() {  # PID: user + system CPU time so far, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# Runs wrk against a server whose process (for nginx, the worker) is PID;
# prints wrk's output and appends to the results
# "KIND CONFIG RUN req/s p50_ms p99_ms errors server_cpu_us_per_request".
# With PERF_DIR set, the first run of the GETs with the first CONFIGS setting
# and the first run of the POSTs are also recorded with perf
# (PERF_DIR/get.data, PERF_DIR/post.data).
run_wrk() {  # KIND CONFIG RUN SCRIPT URL PID
  local out t0 t1 perf_pid=
  if [[ -n ${PERF_DIR:-} && $3 == 1 && ($1 == post || ($1 == get && $2 == "${configs%% *}")) ]]; then
    mkdir -p "$PERF_DIR"
    perf record -F 499 --call-graph dwarf,16384 -p "$6" -o "$PERF_DIR/$1.data" -- sleep "$((duration - 2))" \
      >/dev/null 2>&1 &
    perf_pid=$!
  fi
  t0=$(cpu_ticks "$6")
  out=$(BENCH_TOKEN=$token "${pin_client[@]}" wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$4" "$5")
  t1=$(cpu_ticks "$6")
  if [[ -n $perf_pid ]]; then wait "$perf_pid" || echo "    (perf record failed)"; fi
  printf '%s\n' "$out" >"$tmp/wrk.txt"
  sed 's/^/    /' "$tmp/wrk.txt"
  printf '%s\n' "$out" | python3 -c '
import os, re, sys
text = sys.stdin.read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
p = {q: ms(v, u) for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
if sock:
    errors += sum(int(x) for x in sock.groups())
cpu_us = (int(sys.argv[5]) - int(sys.argv[4])) * 1e6 / os.sysconf("SC_CLK_TCK") / max(requests, 1)
p50, p99 = p["50"], p["99"]
print("\t".join([sys.argv[1], sys.argv[2], sys.argv[3], f"{rate:.1f}", f"{p50:.2f}", f"{p99:.2f}", str(errors),
                 f"{cpu_us:.0f}"]))
' "$1" "$2" "$3" "$t0" "$t1" >>"$results"
}

warm_up() {  # SCRIPT URL
  BENCH_TOKEN=$token "${pin_client[@]}" wrk -t1 -c"$conns" -d2s -s "$1" "$2" >/dev/null
}

db_count() {  # SQL
  python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
    "$tmp/bench.db" "$1"
}

notes_2xx() {  # the server's count of 2xx answers to POST …/events since it started
  curl -sf -H "Authorization: Bearer $metrics_token" "http://127.0.0.1:$port/metrics" |
    awk '/^continuum_http_requests_total\{method="POST",route="\/api\/v1\/children\/\{child\}\/events",status="2xx"\}/ {n = $2} END {print n + 0}'
}

echo "== setup: $(nproc) CPUs, $(uname -r), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(nginx -v 2>&1 | cut -d' ' -f3)"
[[ ${#pin_server[@]} -gt 0 ]] && echo "   servers pinned to CPU 0, wrk to CPU 1"
echo "   load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" init --db "$db" >/dev/null
"$bin" agency add --db "$db" fd --name "Family Front Door" --kind local_authority >/dev/null
"$bin" team add --db "$db" mash --agency fd --name "MASH" --duty worcestershire/front_door >/dev/null
password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
printf '%s\n' "$password" | "$bin" user add --db "$db" duty --name "Duty Worker" --role front_door \
  --agency fd --team mash --password-file - >/dev/null

first=${configs%% *}
start_server "${first%%:*}" "${first##*:}"
token=$(curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"duty\",\"password\":\"$password\"}" "$api/session" | json_field token)
auth="Authorization: Bearer $token"
child=$(curl -sf -X POST -H "$auth" -H 'Content-Type: application/json' \
  -d '{"framework":"worcestershire","fields":{"display_name":"Alex Example","date_of_birth":"2015-04-02"}}' \
  "$api/children" | json_field child_id)
post() {  # EVENT_TYPE FIELDS
  curl -sf -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"type\":\"$1\",\"fields\":$2}" "$api/children/$child/events"
}
# A request for support leaves a decision open for the front door, whose
# team (duty worcestershire/front_door) then holds the case: the duty worker
# may read and write it.
post request.received '{"source":"school","reason":"Persistent absence and a change in presentation noticed by the class teacher","immediate_risk":false,"consent":"given"}'
post person.added '{"person_id":"p-mother","name":"Sam Example","relationship":"mother","lives_with_child":true,"parental_responsibility":true,"date_of_birth":"1988-06-12"}'
post person.added '{"person_id":"p-father","name":"Jo Example","relationship":"father","lives_with_child":false,"parental_responsibility":true,"note":"Sees the children at weekends"}'
post person.added '{"person_id":"p-sibling","name":"Robin Example","relationship":"sibling","lives_with_child":true,"date_of_birth":"2019-09-30"}'
post consent.given '{"given_by":"Sam Example","relationship":"parent","agencies":["all"],"purpose":"Early help assessment and a team around the family","form":"written","given_on":"'"$(date -u +%F)"'"}'
post note.added '{"text":"Spoke with the class teacher: attendance 82% this term."}'

mkdir -p "$tmp/nginx/www/api/v1/children"
curl -sf -H "$auth" "$api/children/$child" >"$tmp/nginx/www/api/v1/children/$child"
summary_bytes=$(stat -c %s "$tmp/nginx/www/api/v1/children/$child")
stop_server

nginx_port=$(free_port)
# As root, nginx's worker would otherwise run as nobody, who cannot read the temporary directory.
nginx_user=
[[ $(id -u) == 0 ]] && nginx_user="user root;"
cat >"$tmp/nginx/nginx.conf" <<EOF
$nginx_user
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx/client_body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/nginx/www;
  }
}
EOF
"${pin_server[@]}" nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/api/v1/children/$child" && break
  sleep 0.1
done
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
cmp -s <(curl -sf "http://127.0.0.1:$nginx_port/api/v1/children/$child") "$tmp/nginx/www/api/v1/children/$child" ||
  { echo "api_benchmark: nginx does not serve the summary" >&2; exit 1; }
echo "   child $child, case summary $summary_bytes bytes"

get_script=bench/wrk/get_summary.lua
echo
echo "== 1. GET case summary, $conns connections, ${duration}s per run"
for run in $(seq "$runs"); do
  echo "-- run $run: nginx"
  warm_up "$get_script" "http://127.0.0.1:$nginx_port/api/v1/children/$child"
  run_wrk nginx - "$run" "$get_script" "http://127.0.0.1:$nginx_port/api/v1/children/$child" "$nginx_worker"
  for cfg in $configs; do
    echo "-- run $run: API --workers ${cfg%%:*} --io-threads ${cfg##*:}"
    start_server "${cfg%%:*}" "${cfg##*:}"
    warm_up "$get_script" "$api/children/$child"
    run_wrk get "$cfg" "$run" "$get_script" "$api/children/$child" "$server_pid"
    stop_server
  done
done
kill "$nginx_pid"
wait "$nginx_pid" || true
nginx_pid=

# A warm-up of the POSTs, then the baseline writes rows as large as the
# note.added events' rows in the log.
post_script=bench/wrk/post_note.lua
start_server "${post_config%%:*}" "${post_config##*:}"
warm_up "$post_script" "$api/children/$child/events"
stop_server
row_bytes=$(db_count "SELECT CAST(avg(length(id) + length(child_id) + length(type) + length(occurred_at)
  + length(recorded_at) + length(author) + length(agency) + length(payload) + length(prev_hash) + length(hash))
  AS INTEGER) FROM events WHERE type = 'note.added'")
echo
echo "== 2. POST note.added, $conns connections, ${duration}s per run; SQLite baseline rows of $row_bytes bytes"
checks_ok=1
for run in $(seq "$runs"); do
  echo "-- run $run: SQLite, one INSERT per transaction"
  base=$("$baseline_bin" --dir "$tmp" --seconds "$duration" --row-bytes "$row_bytes")
  echo "    $base"
  printf 'baseline\t-\t%s\t%s\t-\t-\t0\t-\n' "$run" "$(printf '%s' "$base" | json_field per_second)" >>"$results"

  echo "-- run $run: API --workers ${post_config%%:*} --io-threads ${post_config##*:}"
  start_server "${post_config%%:*}" "${post_config##*:}"
  events_sql="SELECT count(*) FROM events WHERE child_id = '$child' AND type = 'note.added'"
  audits_sql="SELECT count(*) FROM events WHERE child_id = '$child' AND type = 'audit.write'"
  e0=$(db_count "$events_sql") a0=$(db_count "$audits_sql") m0=$(notes_2xx)
  run_wrk post "$post_config" "$run" "$post_script" "$api/children/$child/events" "$server_pid"
  sleep 1  # requests in flight when wrk stopped still finish (and are committed)
  e1=$(db_count "$events_sql") a1=$(db_count "$audits_sql") m1=$(notes_2xx)
  stop_server
  read -r created wrk_seconds < <(awk '/^created / {print $2, $6}' "$tmp/wrk.txt")
  events=$((e1 - e0)) audits=$((a1 - a0)) served=$((m1 - m0))
  verdict=ok
  if (( events != served || audits != served || created > served || served > created + conns )); then
    verdict=MISMATCH
    checks_ok=0
  fi
  echo "    check: wrk saw $created x 201; server answered $served x 2xx; log gained $events note.added and $audits audit.write: $verdict"
  rate=$(python3 -c 'import sys; print(f"{int(sys.argv[1]) / float(sys.argv[2]):.1f}")' "$created" "$wrk_seconds")
  printf 'durable\t%s\t%s\t%s\t-\t-\t0\t-\n' "$post_config" "$run" "$rate" >>"$results"
done

echo
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$configs" "$post_config" "$checks_ok" "$summary_bytes" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
configs, post_config, checks_ok, size = sys.argv[2].split(), sys.argv[3], sys.argv[4] == "1", sys.argv[5]
def pick(kind, cfg=None):
    return {int(r[2]): r for r in rows if r[0] == kind and (cfg is None or r[1] == cfg)}
def label(cfg):
    w, io = cfg.split(":")
    return f"API --workers {w} --io-threads {io}"
nginx = pick("nginx")
runs = sorted(nginx)
median_nginx = statistics.median(float(nginx[r][3]) for r in runs)
print(f"GET /api/v1/children/{{child}} ({size} bytes), {len(runs)} runs: req/s (p50 / p99 ms; "
      "server CPU us per request; API/nginx in the same run)")
print("| server | " + " | ".join(f"run {r}" for r in runs) + " | median req/s | median vs nginx |")
print("| --- |" + " --- |" * (len(runs) + 2))
def cell(x, r, with_ratio=True):
    ratio = f", {float(x[3]) / float(nginx[r][3]):.2f}x" if with_ratio else ""
    err = f", {x[6]} errors" if x[6] != "0" else ""
    return f"{float(x[3]):,.0f} ({float(x[4]):.2f} / {float(x[5]):.2f} ms; {x[7]} us{ratio}{err})"
print("| nginx, 1 worker, static file | " + " | ".join(cell(nginx[r], r, False) for r in runs) +
      f" | {median_nginx:,.0f} | 1.00x |")
medians = {}
for i, cfg in enumerate(configs):
    by_run = pick("get", cfg)
    medians[cfg] = statistics.median(float(by_run[r][3]) for r in runs)
    name = label(cfg) + (" (default)" if i == 0 else "")
    print(f"| {name} | " + " | ".join(cell(by_run[r], r) for r in runs) +
          f" | {medians[cfg]:,.0f} | {medians[cfg] / median_nginx:.2f}x |")
best = max(medians, key=medians.get)
print(f"best: {label(best)}, {medians[best] / median_nginx:.2f}x nginx; default {label(configs[0])}, "
      f"{medians[configs[0]] / median_nginx:.2f}x (target >= 0.5x, p99 <= 5 ms)")
print()
base, dur, post = pick("baseline"), pick("durable", post_config), pick("post", post_config)
print(f"POST /api/v1/children/{{child}}/events (note.added), {label(post_config)}: durable events/s "
      "vs SQLite, 1 INSERT per transaction (WAL, synchronous=FULL)")
print("| run | SQLite baseline /s | API note.added /s (p50 / p99 ms; server CPU us per event) | ratio |")
print("| --- | --- | --- | --- |")
for r in sorted(base):
    b, d, x = float(base[r][3]), float(dur[r][3]), post[r]
    print(f"| {r} | {b:,.0f} | {d:,.0f} ({float(x[4]):.2f} / {float(x[5]):.2f} ms; {x[7]} us) | {d / b:.2f}x |")
print("every 201 is in the log, each event with its audit record (target ratio >= 1x):",
      "yes" if checks_ok else "NO, see above")
PY
(( checks_ok )) || exit 1
