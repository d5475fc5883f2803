#!/usr/bin/env bash
# Cluster benchmark (not a test; `./sipshield test` never runs it): REGISTER with digest through
# 1, 2 and 3 sipshield nodes sharing one PostgreSQL (database.url) and one Redis (redis.url), all
# on this machine, in the same invocation, beside one node on its embedded SQLite file.
#
# Each setup gets the same offered load, --rate REGISTERs per second in total for --seconds, split
# evenly over its nodes (one sipp per node, each with its own slice of the phones, from
# bench/signaling/gen.py and bench/signaling/register.xml: REGISTER, 401, REGISTER with
# credentials, 200, durable before the 200). Per setup and run it prints: registrations answered
# 200 per second, failures, and the CPU time per registration of the nodes (all their JVMs) and
# of the shared engines (PostgreSQL's and Redis's processes): the cost a cluster adds per REGISTER
# over SQLite. Figures are the median of --runs runs (default 3) with their spread (min..max).
# On a 2-core machine three JVMs, PostgreSQL, Redis and sipp share the same cores: more nodes
# bring no more capacity here; the figures show what the sharing costs, not what a cluster of
# machines would hold.
#
# Usage: bench/cluster.sh [--seconds 20] [--runs 3] [--rate 300] [--users 6000] [--keep] [--no-build]
# (--no-build: use sip-proxy/target/sipshield.jar as it is). Each run line shows the load average:
# figures taken while other work loads the machine say little.
# Traffic stays on 127.0.78.0/24: phones 127.0.78.1, nodes 127.0.78.11..13:5060, PostgreSQL and
# Redis on 127.0.0.1 (ports chosen free). Everything it starts is its own process group, stopped
# on exit. Needs sip-tester, postgresql, redis-server, python3 (installed when root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

seconds=20 runs=3 rate=300 users=6000 keep="" build=1
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-build) build=""; shift ;;
    --help|-h) usage; exit 0 ;;
    *) echo "cluster.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
[ $((rate * seconds)) -le "$users" ] || { echo "cluster.sh: --rate x --seconds must not exceed --users" >&2; exit 2; }

need=()
command -v sipp >/dev/null || need+=(sip-tester)
command -v redis-server >/dev/null || need+=(redis-server)
command -v python3 >/dev/null || need+=(python3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else echo "cluster.sh: needs ${need[*]}: apt-get install -y ${need[*]}" >&2; exit 2; fi
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PHONE=127.0.78.1 NODES=(127.0.78.11 127.0.78.12 127.0.78.13)
HZ=$(getconf CLK_TCK)
work="$(mktemp -d /tmp/clusterbench.XXXXXX)"
groups=()
stop_group() {
  local g="$1" i
  kill -TERM -- "-$g" 2>/dev/null || return 0
  for i in $(seq 20); do kill -0 -- "-$g" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL -- "-$g" 2>/dev/null || true
}
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  local g
  for g in ${groups[@]+"${groups[@]}"}; do stop_group "$g"; done
  [ -d "$work/pg" ] && as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  if [ -z "$keep" ]; then rm -rf "$work"; else echo "work directory kept: $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_group() { setsid "${@:2}" </dev/null >"$1" 2>&1 & started=$!; groups+=("$started"); }
forget_group() {
  local kept=() x
  for x in ${groups[@]+"${groups[@]}"}; do [ "$x" = "$1" ] || kept+=("$x"); done
  groups=(${kept[@]+"${kept[@]}"})
}
wait_udp() { local i; for ((i = 0; i < $2 * 5; i++)); do ss -Hlun "src $1" | grep -q . && return 0; sleep 0.2; done; return 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ticks_of_pids() { local p sum=0 t; for p in "$@"; do t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0); sum=$((sum + t)); done; echo "$sum"; }
group_pids() { local g; for g in "$@"; do pgrep -g "$g" 2>/dev/null || true; done; }

# --- fixtures: phones, the shared engines, the jar --------------------------------------------
python3 bench/signaling/gen.py "$work" "$users" 1 0
cp bench/signaling/register.xml "$work/"
if [ -n "$build" ]; then
  echo "building sipshield (mvn package, tests skipped)" >&2
  mvn -B -q -DskipTests package >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
fi
jar=sip-proxy/target/sipshield.jar
mapfile -t jvm_options < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' jvm.options 2>/dev/null)

pg_port=$(free_port) redis_port=$(free_port)
mkdir -p "$work/pg" && [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$work" "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres -E UTF8 --no-instructions >"$work/initdb.log"
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -w -l "$work/pg.log" -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work" start >/dev/null
pg_postmaster=$(head -1 "$work/pg/postmaster.pid")
start_group "$work/redis.log" redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no
redis_group=$started
for i in $(seq 50); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.2; done
head -c 32 /dev/urandom | base64 > "$work/digest-nonce.key"
chmod 600 "$work/digest-nonce.key"

node_config() {   # node_config ADDRESS DATADIR SHARED(0|1)
  cat <<EOF
server: {hostName: $1, nodeName: node-$1, dataDirectory: $2}
listeners:
  - {transport: UDP, address: $1, port: 5060}
media: {address: $1, portMin: 20000, portMax: 59999}
security: {requestsPerSecondPerSource: 100000, requestBurstPerSource: 1000000}
phoneSecurityProfiles:
  - {name: bench phones, transportType: TCP+UDP, enableDigestAuthentication: true, nonceValidityTime: 600}
EOF
  if [ "$3" -eq 1 ]; then
    echo "database: {url: \"jdbc:postgresql://127.0.0.1:$pg_port/postgres\", user: postgres}"
    echo "redis: {url: \"redis://127.0.0.1:$redis_port\"}"
  fi
  cat "$work/sipshield-users.yaml"
}

# --- one run of one setup -----------------------------------------------------------------------
# run_setup NODES SHARED: prints "ok_per_s failed node_ms engine_ms" (CPU ms per registration)
run_setup() {
  local n="$1" shared="$2" i node_groups=() dir="$work/run-$RANDOM"
  mkdir -p "$dir"
  as_pg psql -h "$work" -p "$pg_port" -U postgres -qc "DROP TABLE IF EXISTS registration_binding, call_record, flyway_schema_history CASCADE" postgres >/dev/null
  redis-cli -p "$redis_port" flushall >/dev/null
  for ((i = 0; i < n; i++)); do
    local data="$dir/node$i"; mkdir -p "$data"; cp -p "$work/digest-nonce.key" "$data/"
    node_config "${NODES[$i]}" "$data" "$shared" > "$data/sipshield.yaml"
    start_group "$data/sipshield.log" java ${jvm_options[@]+"${jvm_options[@]}"} -jar "$jar" run --config "$data/sipshield.yaml"
    node_groups+=("$started")
  done
  for ((i = 0; i < n; i++)); do
    wait_udp "${NODES[$i]}:5060" 120 || { echo "node $i did not start:" >&2; tail -20 "$dir/node$i/sipshield.log" >&2; exit 1; }
  done
  # each node's sipp gets its own slice of the phones
  local per_node=$((rate / n)) calls=$(((rate / n) * seconds)) sipps=()
  for ((i = 0; i < n; i++)); do
    { echo SEQUENTIAL; sed 1d "$work/users.csv" | sed -n "$((i * calls + 1)),$(((i + 1) * calls))p"; } > "$dir/users$i.csv"
  done
  local engine_pids=() e0 c0 t0 e1 c1 t1
  [ "$shared" -eq 1 ] && engine_pids=($(pgrep -P "$pg_postmaster") "$pg_postmaster" $(group_pids "$redis_group"))
  c0=$(ticks_of_pids $(group_pids "${node_groups[@]}")); e0=$(ticks_of_pids ${engine_pids[@]+"${engine_pids[@]}"}); t0=$(date +%s.%N)
  for ((i = 0; i < n; i++)); do
    (cd "$dir" && exec timeout -k 5 $((seconds * 3 + 60)) sipp "${NODES[$i]}:5060" -sf "$work/register.xml" \
        -inf "users$i.csv" -t u1 -i "$PHONE" -p $((5070 + i)) -r "$per_node" -m "$calls" -nostdin \
        -buff_size 8388608 -timeout $((seconds * 2 + 20)) -trace_stat -stf "stat$i.csv" -fd 1 >"sipp$i.out" 2>&1) &
    sipps+=($!)
  done
  for i in "${sipps[@]}"; do wait "$i" || true; done
  [ "$shared" -eq 1 ] && engine_pids=($(pgrep -P "$pg_postmaster") "$pg_postmaster" $(group_pids "$redis_group"))
  t1=$(date +%s.%N); c1=$(ticks_of_pids $(group_pids "${node_groups[@]}")); e1=$(ticks_of_pids ${engine_pids[@]+"${engine_pids[@]}"})
  local ok=0 failed=0 last
  for ((i = 0; i < n; i++)); do
    last=$(tail -1 "$dir/stat$i.csv" 2>/dev/null || true)
    ok=$((ok + $(echo "$last" | awk -F';' '{ print $16 + 0 }')))
    failed=$((failed + $(echo "$last" | awk -F';' '{ print $18 + 0 }')))
  done
  for i in "${node_groups[@]}"; do stop_group "$i"; forget_group "$i"; done
  # engine ticks can only be compared within one process list: a backend that ended is not counted
  awk -v ok="$ok" -v f="$failed" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v e="$((e1 - e0 < 0 ? 0 : e1 - e0))" -v hz="$HZ" \
    'BEGIN { d = ok > 0 ? ok : 1; printf "%.0f %d %.3f %.3f\n", ok / (t1 - t0), f, c * 1000 / hz / d, e * 1000 / hz / d }'
}

stats() {   # stats VALUES...: "median (min..max)"
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s..%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

echo "offered: $rate REGISTER/s in total for $seconds s per run, $runs runs per setup; $(nproc) cores" >&2
printf '%-22s %-22s %-14s %-22s %-22s\n' setup "REGISTER 200/s" failures "node CPU ms/REG" "PG+Redis CPU ms/REG"
for setup in "1 0 sqlite, 1 node" "1 1 pg+redis, 1 node" "2 1 pg+redis, 2 nodes" "3 1 pg+redis, 3 nodes"; do
  read -r n shared name <<<"$setup"
  rates=() fails=() nodes_ms=() engines_ms=()
  for ((r = 1; r <= runs; r++)); do
    run_setup "$n" "$shared" > "$work/result"   # in this shell: its nodes stay known to cleanup
    read -r a f c e < "$work/result"
    echo "  run $r $name: $a/s, $f failed, node ${c} ms, engines ${e} ms per REGISTER; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    rates+=("$a") fails+=("$f") nodes_ms+=("$c") engines_ms+=("$e")
  done
  printf '%-22s %-22s %-14s %-22s %-22s\n' "$name" "$(stats "${rates[@]}")" "$(stats "${fails[@]}")" \
    "$(stats "${nodes_ms[@]}")" "$(stats "${engines_ms[@]}")"
done
