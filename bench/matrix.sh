#!/usr/bin/env bash
# The scenario matrix, all of it: phone transport (UDP, TCP, TLS) x device security mode x digest
# x the far end's SRTP suite (the six, and none), the combinations config validation must refuse,
# sipp registrations, 488 refusals, kamailio as a carrier that challenges sipshield, a call with
# session timers refreshed through the proxy and a blind transfer, each row
# a real call or registration through a real proxy on 127.0.0.1. Prints the table (one row per
# scenario, PASS/FAIL and what was observed) and writes it to sip-proxy/target/scenario-matrix.md.
#   bench/matrix.sh          the full matrix (about 5 minutes)
#   bench/matrix.sh ci       the subset that './sipshield test' runs
# Exit status 1 when a row failed; the failing rows' evidence (SIP traces, logs) is in
# target/matrix.log.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

missing=()
for tool in sipp baresip kamailio openssl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "matrix: missing ${missing[*]}; install with: apt-get install -y sip-tester baresip kamailio openssl" >&2
  exit 2
fi

subset="${1:-full}"
mkdir -p target
report=sip-proxy/target/scenario-matrix.md
rm -f "$report"
start=$(date +%s)
status=0
mvn -B -q -pl sip-proxy -am test -Dtest=ScenarioMatrixTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsipshield.matrix="$subset" > target/matrix.log 2>&1 || status=$?

if [ ! -f "$report" ]; then
  echo "matrix: no table was written (build or start failure); see target/matrix.log" >&2
  tail -30 target/matrix.log >&2
  exit 1
fi
cat "$report"
echo
echo "matrix: $subset subset, $(( $(date +%s) - start )) s including the build; table in $report, log in target/matrix.log"
[ "$status" -eq 0 ] || exit 1
