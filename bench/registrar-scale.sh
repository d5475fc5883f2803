#!/usr/bin/env bash
# Registrar at site scale (not a test; `./sipshield test` never runs it): how much heap N registered
# phones cost and how long a restart takes to serve them again.
#
#   1. A configuration of N phones (one line each), N end users with digest (MD5) and one digest
#      phone profile; the packaged proxy starts on it; heap in use after a full GC = the config's cost.
#   2. sipp registers every phone (REGISTER, 401, REGISTER with credentials, 200) at --rate per
#      second over UDP from an -inf CSV; 40 s later (jain-sip's finished transactions gone) heap
#      after a full GC again: the bindings' cost, per binding the restart loads (at least every
#      registration answered 200; more when a 200 reached sipp after its timeout).
#   3. kill -9, then --runs restarts on the same data directory: the time from `java -jar` to
#      "sipshield ready" with every stored binding loaded (the log's count), each ended by kill -9.
# Prints heap per phone (config, bindings, both), the restart time (median and spread of the runs).
#
# Usage: bench/registrar-scale.sh [--phones 100000] [--rate 1000] [--runs 3] [--keep]
# Traffic stays on 127.0.0.1 (proxy port 35060). Needs sipp, python3, and the jar (built if missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
phones=100000 rate=1000 runs=3 keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --phones) phones="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
for tool in sipp python3 jcmd; do
  command -v "$tool" >/dev/null || { echo "registrar-scale: missing $tool (apt-get install -y sip-tester python3 openjdk-17-jdk-headless)" >&2; exit 2; }
done
jar="$here/sip-proxy/target/sipshield.jar"
[ -f "$jar" ] || (cd "$here" && mvn -B -q -DskipTests package)

work="$(mktemp -d /tmp/sipshield-registrar-scale.XXXXXX)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  [ -n "$keep" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
python3 "$here/bench/registrar/generate.py" "$phones" cfg.yaml phones.csv
cp "$here/sip-proxy/src/test/resources/sipp/register-csv.xml" .

start_proxy() { # waits (bounded) for "sipshield ready"; sets pid and ready_seconds
  local t0 t1
  t0=$(date +%s.%N)
  java -jar "$jar" run --config cfg.yaml > proxy.log 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q "sipshield ready" proxy.log && break
    kill -0 "$pid" 2>/dev/null || { echo "the proxy died:" >&2; tail -20 proxy.log >&2; exit 1; }
    sleep 0.1
  done
  grep -q "sipshield ready" proxy.log || { echo "the proxy did not start in 120 s" >&2; exit 1; }
  t1=$(date +%s.%N)
  ready_seconds=$(echo "$t1 - $t0" | bc)
}
heap_used_kb() { # after a full GC
  jcmd "$pid" GC.run >/dev/null
  jcmd "$pid" GC.heap_info | sed -n 's/.*used \([0-9]*\)K.*/\1/p' | head -1
}

start_proxy
config_kb=$(heap_used_kb)
echo "started on $phones phones in ${ready_seconds} s; heap after GC: ${config_kb} KB"
sipp -sf register-csv.xml -inf phones.csv -r "$rate" -m "$phones" -t u1 -i 127.0.0.1 -p 36060 \
  -timeout $(( phones / rate * 3 + 60 ))s -nostdin 127.0.0.1:35060 > sipp.out 2>&1 || true
ok=$(sed -n 's/.*Successful call *| *[0-9]* *| *\([0-9]*\).*/\1/p' sipp.out | tail -1)
failed=$(sed -n 's/.*Failed call *| *[0-9]* *| *\([0-9]*\).*/\1/p' sipp.out | tail -1)
# jain-sip keeps a finished transaction for up to 32 s (Timer J): measure once they are gone
sleep 40
all_kb=$(heap_used_kb)
echo "registered: ${ok:-0} answered 200, ${failed:-?} failed, at --rate $rate"
echo "largest classes on the heap now:"
jcmd "$pid" GC.class_histogram 2>/dev/null | sed -n '4,18p'
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""

times=()
for run in $(seq 1 "$runs"); do
  start_proxy
  t=$ready_seconds
  loaded=$(sed -n 's/.* \([0-9]*\) active registration binding(s) loaded.*/\1/p' proxy.log | tail -1)
  # at least every registration answered 200 (more when a 200 reached sipp after its timeout)
  [ "${loaded:-0}" -ge "${ok:-0}" ] || { echo "restart $run loaded ${loaded:-0} bindings, fewer than the ${ok:-0} answered 200" >&2; exit 1; }
  times+=("$t")
  echo "restart $run: ready in ${t} s with ${loaded} bindings"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

python3 - "$phones" "$config_kb" "$all_kb" "${loaded:-0}" "${times[@]}" <<'PY'
import sys, statistics
phones, config_kb, all_kb, registered = (int(x) for x in sys.argv[1:5])
times = sorted(float(t) for t in sys.argv[5:])
print()
print(f"phones                     {phones}")
print(f"heap, config loaded        {config_kb/1024:.1f} MB = {config_kb*1024/phones:.0f} B per phone")
print(f"heap, all registered       {all_kb/1024:.1f} MB = {all_kb*1024/phones:.0f} B per phone")
if registered:
    print(f"bindings alone             {(all_kb-config_kb)*1024/registered:.0f} B per registered phone")
print(f"restart to ready (x{len(times)})    median {statistics.median(times):.1f} s, spread {times[0]:.1f}-{times[-1]:.1f} s")
PY
