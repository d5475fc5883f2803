#!/usr/bin/env bash
# Where a REGISTER's CPU goes (not a test; `./sipshield test` never runs it): the packaged proxy on
# N digest phones runs under JFR (settings=profile) while sipp registers them over UDP from an -inf
# CSV; the execution samples are then split by the first owner found walking each stack from its
# top (jain-sip, our packages, JDK-only) and by what each stack contains anywhere.
#
# Usage: bench/register-profile.sh [--phones 10000] [--rate 1500] [--registers 30000]
# Traffic stays on 127.0.0.1 (proxy port 35060). Needs sipp, python3, jfr/jcmd (JDK 17).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
phones=10000 rate=1500 registers=30000
while [ $# -gt 0 ]; do
  case "$1" in
    --phones) phones="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --registers) registers="$2"; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
jar="$here/sip-proxy/target/sipshield.jar"
[ -f "$jar" ] || (cd "$here" && mvn -B -q -DskipTests package)
work="$(mktemp -d /tmp/sipshield-register-profile.XXXXXX)"
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
cd "$work"
python3 "$here/bench/registrar/generate.py" "$phones" cfg.yaml phones.csv
cp "$here/sip-proxy/src/test/resources/sipp/register-csv.xml" .
java -XX:FlightRecorderOptions:stackdepth=512 -jar "$jar" run --config cfg.yaml > proxy.log 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q "sipshield ready" proxy.log && break; sleep 0.2; done
grep -q "sipshield ready" proxy.log || { echo "the proxy did not start" >&2; tail -20 proxy.log >&2; exit 1; }
jcmd "$pid" JFR.start name=reg settings=profile >/dev/null # after start-up: only the REGISTER load is sampled
sipp -sf register-csv.xml -inf phones.csv -r "$rate" -m "$registers" -t u1 -i 127.0.0.1 -p 36061 \
  -timeout $(( registers / rate * 3 + 60 ))s -nostdin 127.0.0.1:35060 > sipp.out 2>&1 || true
echo "REGISTER answered 200: $(sed -n 's/.*Successful call *| *[0-9]* *| *\([0-9]*\).*/\1/p' sipp.out | tail -1)," \
  "failed: $(sed -n 's/.*Failed call *| *[0-9]* *| *\([0-9]*\).*/\1/p' sipp.out | tail -1)"
jcmd "$pid" JFR.dump name=reg filename="$work/reg.jfr" >/dev/null
jfr print --events jdk.ExecutionSample reg.jfr > samples.txt
python3 - samples.txt <<'PY'
import collections, re, sys
events = open(sys.argv[1]).read().split('jdk.ExecutionSample')[1:]
owners, contains, n = collections.Counter(), collections.Counter(), 0
parts = {'jain-sip': 'gov.nist.', 'screening': 'org.sipshield.proxy.screening', 'pipeline': 'org.sipshield.proxy.pipeline',
         'registrar': 'org.sipshield.proxy.registrar', 'digest': 'org.sipshield.digest', 'sqlite': 'org.sqlite',
         'logging': 'ch.qos.logback'}
for event in events:
    frames = re.findall(r'^\s+([\w$.<>]+)\(', event, flags=re.M)
    if not frames:
        continue
    n += 1
    owner = 'JDK only'
    for f in frames:
        if f.startswith('gov.nist') or f.startswith('javax.sip'):
            owner = 'jain-sip'; break
        if f.startswith('org.sipshield'):
            owner = 'sipshield ' + '.'.join(f.split('.')[2:3]); break
        if f.startswith('org.sqlite'):
            owner = 'sqlite'; break
    owners[owner] += 1
    stack = ' '.join(frames)
    for name, prefix in parts.items():
        if prefix in stack:
            contains[name] += 1
print(f'{n} execution samples')
for k, v in owners.most_common(8):
    print(f'  {v * 100 / n:5.1f}%  first owner from the top: {k}')
for k, v in contains.most_common():
    print(f'  {v * 100 / n:5.1f}%  stacks containing {k}')
PY
