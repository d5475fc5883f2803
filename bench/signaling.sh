#!/usr/bin/env bash
# Signalling benchmark (not a test; `./sipshield test` never runs it): sipshield and Kamailio side
# by side in one invocation, doing the same job, driven by the same sipp steps.
#
#   REGISTER with digest (MD5, qop=auth) from 10,000 phones (numbers 100000..109999, HA1s in memory:
#     sipshield from its YAML, Kamailio from an htable), over UDP (`sipp -t u1`) and over TCP
#     (`sipp -t t1`: every phone's REGISTERs on one persistent connection, the TCP path of each
#     proxy through one connection; `--tcp-mode tn` opens a connection per registration instead,
#     but then sipp itself is the bottleneck on 2 cores: see bench/signaling-results.md). A registration is
#     REGISTER, 401, REGISTER with credentials, 200; the binding is stored (sipshield: SQLite,
#     durable; Kamailio: usrloc in memory, db_mode 0).
#   INVITE with digest over UDP from the same phones to a sipp UAS at 127.0.77.3:5090:
#     INVITE, 407, ACK, INVITE with credentials, 180, 200, ACK, --hold seconds of PCMU RTP (50
#     packets/s) played by the caller and echoed back by the far end (sipp -rtp_echo), BYE, 200.
#     sipshield anchors the media on its own relay (trunk towards the UAS, a B2BUA); Kamailio
#     relays statefully with record-routing and rtpengine (userspace forwarding) anchors the
#     media (offer / answer / delete over the ng protocol).
#   REGISTER with digest over TLS: --tls-users other phones (200000.., BENCH<number>, an Encrypted TLS
#     profile in sipshield, which accepts such a phone only with its own client certificate: CN = its
#     device name, chained to the SIP trust store, where the script puts a bench CA's certificate).
#     reg-tls-conns: our Netty generator (sip-proxy/src/bench/java, built with -Ptls-bench into
#     sip-proxy/target/sipshield-tls-bench.jar): every phone on its own TLS connection with its own
#     certificate from the bench CA, all connections opened before the step (not measured), each
#     phone re-registering on its connection; the proxy's CPU counts between its STEP-START and
#     STEP-END. Kamailio does not ask for client certificates; the generator offers them anyway.
#     Debian 12's Kamailio 5.6.3 on OpenSSL 3 crashes (double free in its tls module, kamailio#3791)
#     with more than one TCP worker under these 1,000 handshakes: --kamailio-children 1 for this test.
#     reg-tls, the single-connection floor: Debian's sipp has no TLS, so sipp speaks TCP to stunnel on
#     127.0.77.1:15061, which carries it over one TLS connection to the proxy's 5061 (Via says TLS)
#     presenting phone 200000's certificate; so every REGISTER of that row is phone 200000's (one
#     phone, one connection; Call-IDs differ per registration).
#   The jain-sip floor (REGISTER tests only; --no-floor leaves it out): jain-sip alone, same release and
#     stack settings as sipshield, answering 401 then 200 and nothing else (no screening, digest check,
#     registrar or storage: bench/signaling/JainSipRegistrarFloor.java; --floor-args passes it options:
#     stateless, udp-buffer=BYTES). Its rate is the most sipshield could reach on jain-sip.
#
# For each proxy and each test: the highest rate (registrations or calls per second) with zero
# failures over a step of --seconds (sipp's -m = rate x seconds; a failure is any answer but the
# expected one, a timeout of 8 s after retransmissions, or sipp falling more than 5% behind the
# schedule; a step stops at the latest 10 s after its schedule, --pause seconds between steps);
# doubling from --*-start, then bisecting to within 6% (at most --max-steps steps). Runs
# after the first start from the first run's figure (x1.25 up, /1.25 down, then bisect). At the
# highest zero-failure step: the proxy's CPU (utime+stime of all its processes over the step, from
# /proc/PID/stat; Kamailio's figure includes rtpengine's, also shown apart), its memory (PSS: a
# sum over Kamailio's processes would count its shared memory once per process with RSS) at the
# end of the step, sipp's CPU (a generator at 100% means the figure is sipp's, not the proxy's),
# and the response time p50/p99 of the request with credentials (REGISTER -> 200, INVITE -> 200),
# in sipp's whole milliseconds (0 means under 1 ms; reg-tls-conns: the generator's, to 0.1 ms).
# --cpu-at RATE measures instead the CPU each proxy spends per registration or call at that fixed
# rate (one step of --seconds per run, after a warm-up at that rate): a figure that a busy machine
# disturbs far less than the highest rate, since it counts the proxy's own CPU time, not how soon it
# gets a core.
# Each figure is the median of --runs runs (default 3) with their spread, and the ratio
# sipshield/Kamailio of the medians (and per run). sipshield also has a durability check per run:
# REGISTERs at its zero-failure rate, kill -9 in the middle, and every registration sipp saw
# answered 200 must be in sipshield.db.
#
# Usage: bench/signaling.sh [--seconds 60] [--runs 3] [--users 10000] [--only sipshield|kamailio|jainsip]
#          [--no-floor] [--floor-args "stateless udp-buffer=BYTES"] [--cpu-at RATE]
#          [--tests reg-udp,reg-tcp,invite-udp,reg-tls,reg-tls-conns] [--reg-start 1000] [--invite-start 50] [--hold 2]
#          [--max-steps 7] [--kamailio-children 4] [--tcp-mode t1|tn] [--tls-users 1000] [--pause 3] [--keep]
# Traffic stays on 127.0.77.0/24: phones (sipp, the TLS generator) 127.0.77.1, sipshield 127.0.77.10:5060 (media relay
# there too), Kamailio 127.0.77.20:5060 with rtpengine on 127.0.77.20, the far end 127.0.77.3, the
# jain-sip floor 127.0.77.30:5060.
# Everything it starts is its own process group and is stopped on exit (trap); each sipp step has
# a hard time limit. Installs what is missing (apt-get, when root): sip-tester, kamailio,
# kamailio-tls-modules, rtpengine-daemon, stunnel4, sqlite3, openssl, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

seconds=60 runs=3 users=10000 tls_users=1000 only="" tests="reg-udp,reg-tcp,invite-udp,reg-tls,reg-tls-conns"
reg_start=1000 invite_start=50 hold=2 max_steps=7 kam_children=4 keep="" tcp_mode=t1 pause=3 floor=1 floor_args="" cpu_at=""
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --tls-users) tls_users="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --tests) tests="$2"; shift 2 ;;
    --reg-start) reg_start="$2"; shift 2 ;;
    --invite-start) invite_start="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --max-steps) max_steps="$2"; shift 2 ;;
    --kamailio-children) kam_children="$2"; shift 2 ;;
    --tcp-mode) tcp_mode="$2"; shift 2 ;;
    --pause) pause="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-floor) floor=""; shift ;;
    --cpu-at) cpu_at="$2"; shift 2 ;;
    --floor-args) floor_args="$2"; shift 2 ;;
    --help|-h) usage; exit 0 ;;
    *) echo "signaling.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

# --- what it needs ---------------------------------------------------------------------------
need=()
command -v sipp >/dev/null || need+=(sip-tester)
command -v kamailio >/dev/null || need+=(kamailio)
command -v rtpengine >/dev/null || need+=(rtpengine-daemon)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v python3 >/dev/null || need+=(python3)
command -v stunnel4 >/dev/null || need+=(stunnel4)
command -v openssl >/dev/null || need+=(openssl)
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] || need+=(kamailio-tls-modules)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "signaling.sh: needs ${need[*]}: apt-get install -y ${need[*]}" >&2; exit 2
  fi
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(id -u)" -eq 0 ]; then
  sysctl -q -w net.core.rmem_max=33554432 net.core.wmem_max=33554432 >/dev/null || true
fi

PHONE=127.0.77.1 UAS=127.0.77.3 SIPSHIELD=127.0.77.10 KAMAILIO=127.0.77.20 JAINSIP=127.0.77.30 NGPORT=22222
work="$(mktemp -d /tmp/sigbench.XXXXXX)"
groups=()   # process groups we started (each started with setsid: group id = its pid)
stop_group() {
  local g="$1" i
  kill -TERM -- "-$g" 2>/dev/null || return 0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 -- "-$g" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$g" 2>/dev/null || true
}
cleanup() {
  local g
  for g in ${groups[@]+"${groups[@]}"}; do stop_group "$g"; done
  if [ -z "$keep" ]; then rm -rf "$work"; else echo "work directory kept: $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_group() {   # start_group LOG COMMAND...: its own process group; sets $started
  setsid "${@:2}" </dev/null >"$1" 2>&1 &
  started=$!
  disown "$started" 2>/dev/null || true   # no "Killed" job notice when the durability check kills it
  groups+=("$started")
}
forget_group() {
  local g="$1" kept=() x
  for x in ${groups[@]+"${groups[@]}"}; do [ "$x" = "$g" ] || kept+=("$x"); done
  groups=(${kept[@]+"${kept[@]}"})
}
wait_listening() {   # wait_listening PROTO ADDR:PORT SECONDS
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    if [ "$1" = udp ]; then ss -Hlun "src $2" | grep -q . && return 0
    else ss -Hltn "src $2" | grep -q . && return 0; fi
    sleep 0.2
  done
  return 1
}

# --- the proxies' CPU and memory -------------------------------------------------------------
group_pids() { pgrep -g "$1" 2>/dev/null || true; }
ticks() {   # CPU ticks (utime+stime) of every process in the given groups
  local g p sum=0 t
  for g in "$@"; do
    for p in $(group_pids "$g"); do
      t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
      sum=$((sum + t))
    done
  done
  echo "$sum"
}
pss_kb() {   # proportional set size, kB, of every process in the given groups
  local g p sum=0 k
  for g in "$@"; do
    for p in $(group_pids "$g"); do
      k=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
      sum=$((sum + ${k:-0}))
    done
  done
  echo "$sum"
}
pid_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo "${2:-0}"; }   # PID [IF_GONE]
HZ=$(getconf CLK_TCK)

# --- fixtures ----------------------------------------------------------------------------------
echo "generating $users phones" >&2
python3 bench/signaling/gen.py "$work" "$users" "$hold" "$tls_users"
# sipp has no TLS here: its TLS phones speak TCP to stunnel on 127.0.77.1:15061, which holds one TLS
# connection to the proxy; their Via says TLS, as the proxy sees them
sed -e 's|SIP/2.0/\[transport\]|SIP/2.0/TLS|' -e 's|transport=\[transport\]|transport=tls|' \
  bench/signaling/register.xml > "$work/register-tls.xml"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/kamailio-key.pem" -out "$work/kamailio-cert.pem" \
  -days 2 -subj "/CN=sigbench-kamailio.invalid" >/dev/null 2>&1
cat > "$work/kamailio-tls.cfg" <<EOF
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = $work/kamailio-key.pem
certificate = $work/kamailio-cert.pem

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
EOF
sed -e "s|@PCAP@|$work/rtp.pcap|" -e "s|@HOLD_MS@|$(awk -v h="$hold" 'BEGIN { printf "%d", h * 1000 }')|" \
  bench/signaling/invite-uac.xml > "$work/invite-uac.xml"
cp bench/signaling/register.xml bench/signaling/invite-uas.xml "$work/"

sipshield_config() {   # the config: sipshield on $SIPSHIELD, phones with digest, a trunk to the UAS
  cat <<EOF
server:
  hostName: sigbench.invalid
  dataDirectory: $1
listeners:
  - {transport: UDP, address: $SIPSHIELD, port: 5060}
  - {transport: TCP, address: $SIPSHIELD, port: 5060}
  - {transport: TLS, address: $SIPSHIELD, port: 5061}
media:
  address: $SIPSHIELD
  portMin: 20000
  portMax: 59999
security:
  requestsPerSecondPerSource: 100000
  requestBurstPerSource: 1000000
  # the same job as Kamailio's config, which does not challenge requests inside a dialog
  challengeInDialog: []
phoneSecurityProfiles:
  - {name: bench phones, transportType: TCP+UDP, enableDigestAuthentication: true, nonceValidityTime: 600}
  - {name: bench tls phones, deviceSecurityMode: Encrypted, transportType: TLS, enableDigestAuthentication: true, nonceValidityTime: 600}
sipTrunkSecurityProfiles:
  - name: bench trunk
    deviceSecurityMode: Non Secure
    incomingTransportType: TCP+UDP
    outgoingTransportType: UDP
    incomingPort: 5060
sipTrunks:
  - {name: far end, securityProfile: bench trunk, destinations: ["$UAS:5090"], optionsPingIntervalSeconds: 0}  # sipp takes a ping for a call
routePatterns:
  - {pattern: "9!", trunk: far end}
EOF
  cat "$work/sipshield-users.yaml"
}

# --- starting and stopping each proxy ----------------------------------------------------------
jar=sip-proxy/target/sipshield.jar
tls_bench=""   # the TLS tests' certificates and generator: sip-proxy/src/bench/java, profile tls-bench
case ",$tests," in *,reg-tls,*|*,reg-tls-conns,*) tls_bench=sip-proxy/target/sipshield-tls-bench.jar ;; esac
if [ -z "$only" ] || [ "$only" = sipshield ] || [ "$only" = jainsip ] || [ -n "$tls_bench" ]; then
  echo "building sipshield (mvn package, tests skipped)" >&2
  mvn -B -q -DskipTests ${tls_bench:+-Ptls-bench} package >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
  mapfile -t jvm_options < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' jvm.options 2>/dev/null)
fi
if [ -n "$tls_bench" ]; then   # the bench CA (its certificate goes in sipshield's SIP trust store), phone 200000's for stunnel
  java -jar "$tls_bench" ca "$work/bench-ca" >/dev/null 2>>"$work/build.log"
  java -jar "$tls_bench" phone-cert "$work/bench-ca" BENCH200000 "$work/stunnel-phone" 2>>"$work/build.log"
  { echo SEQUENTIAL; sed -n 2p "$work/users-tls.csv"; } > "$work/users-tls-one.csv"
fi
proxy_groups=()   # the groups whose CPU and memory count as the proxy's
media_group=""    # rtpengine's, shown apart too
uas_group=""

start_uas() {
  start_group "$work/uas.log" sipp -sf "$work/invite-uas.xml" -t u1 -i "$UAS" -p 5090 -mi "$UAS" -mp 6000 \
    -rtp_echo -nostdin -trace_err -error_file "$work/uas-errors.log" -buff_size 8388608
  uas_group=$started
  wait_listening udp "$UAS:5090" 10 || { echo "the sipp UAS did not start:" >&2; cat "$work/uas.log" >&2; exit 1; }
}
stunnel_group=""
start_stunnel() {   # start_stunnel PROXY_ADDRESS: sipp's TLS phones reach the proxy's 5061 through it
  cat > "$work/stunnel.conf" <<EOF
foreground = yes
pid =
[phones]
client = yes
accept = $PHONE:15061
connect = $1:5061
cert = $work/stunnel-phone/certs/sip.crt.pem
key = $work/stunnel-phone/certs/sip.key.pem
EOF
  start_group "$work/stunnel.log" stunnel4 "$work/stunnel.conf"
  stunnel_group=$started
  wait_listening tcp "$PHONE:15061" 10 || { echo "stunnel did not start:" >&2; cat "$work/stunnel.log" >&2; exit 1; }
}
stop_stunnel() { if [ -n "$stunnel_group" ]; then stop_group "$stunnel_group"; forget_group "$stunnel_group"; stunnel_group=""; fi; }
stop_uas() { if [ -n "$uas_group" ]; then stop_group "$uas_group"; forget_group "$uas_group"; uas_group=""; fi; }

start_sipshield() {   # start_sipshield DATADIR
  mkdir -p "$1"
  if [ -n "$tls_bench" ]; then mkdir -p "$1/trust/sip"; cp "$work/bench-ca/certs/sip.crt.pem" "$1/trust/sip/bench-ca.pem"; fi
  sipshield_config "$1" > "$work/sipshield.yaml"
  start_group "$work/sipshield.log" java ${jvm_options[@]+"${jvm_options[@]}"} -jar "$jar" run --config "$work/sipshield.yaml"
  proxy_groups=("$started") media_group=""
  if ! wait_listening udp "$SIPSHIELD:5060" 120 || ! wait_listening tcp "$SIPSHIELD:5060" 10; then
    echo "sipshield did not start:" >&2; tail -30 "$work/sipshield.log" >&2; exit 1
  fi
}
start_kamailio() {
  start_group "$work/rtpengine.log" rtpengine --foreground --log-stderr --table=-1 --interface="$KAMAILIO" \
    --listen-ng="$KAMAILIO:$NGPORT" --port-min=20000 --port-max=59999 --log-level="${RTPENGINE_LOG_LEVEL:-4}" --delete-delay=0 --timeout=60
  media_group=$started
  wait_listening udp "$KAMAILIO:$NGPORT" 20 || { echo "rtpengine did not start:" >&2; cat "$work/rtpengine.log" >&2; exit 1; }
  sed -e "s|@CHILDREN@|$kam_children|g" -e "s|@ADDRESS@|$KAMAILIO|g" -e "s|@DBDIR@|$work/kamailio-db|g" \
    -e "s|@USERS@|$users|g" -e "s|@NGPORT@|$NGPORT|g" -e "s|@UAS@|$UAS:5090|g" -e "s|@TLSCFG@|$work/kamailio-tls.cfg|g" \
    bench/signaling/kamailio.cfg.in > "$work/kamailio.cfg"
  mkdir -p "$work/kamailio-run"
  start_group "$work/kamailio.log" kamailio -f "$work/kamailio.cfg" -DD -E -m 512 -M 16 -Y "$work/kamailio-run" -w "$work/kamailio-run"
  proxy_groups=("$started" "$media_group")
  if ! wait_listening udp "$KAMAILIO:5060" 30 || ! wait_listening tcp "$KAMAILIO:5060" 10; then
    echo "kamailio did not start:" >&2; tail -30 "$work/kamailio.log" >&2; exit 1
  fi
}
start_floor() {   # jain-sip alone (the classes come from sipshield's jar, which bundles the same release)
  start_group "$work/jainsip.log" java ${jvm_options[@]+"${jvm_options[@]}"} -cp "$jar" \
    bench/signaling/JainSipRegistrarFloor.java "$JAINSIP" 5060 $floor_args
  proxy_groups=("$started") media_group=""
  if ! wait_listening udp "$JAINSIP:5060" 120 || ! wait_listening tcp "$JAINSIP:5060" 10; then
    echo "the jain-sip floor did not start:" >&2; tail -30 "$work/jainsip.log" >&2; exit 1
  fi
}
stop_proxy() {
  local g
  for g in ${proxy_groups[@]+"${proxy_groups[@]}"}; do stop_group "$g"; forget_group "$g"; done
  proxy_groups=() media_group=""
}

# --- one step: sipp at a fixed rate for --seconds --------------------------------------------
# prints one line; sets step_ok (1 or 0) and step_stats (rate cpu% pss_MB p50 p99 sipp_cpu% media_cpu%)
step_no=0
run_step() {   # run_step PROXY TEST RATE SECONDS [CID_PREFIX]
  local proxy="$1" test="$2" rate="$3" secs="$4" cidp="${5:-}" target dir scenario transport duration calls extra=()
  step_no=$((step_no + 1))
  dir="$work/step-$step_no"; mkdir -p "$dir"
  if [ "$test" = reg-tls-conns ]; then run_conns_step "$@"; return 0; fi
  case "$proxy" in sipshield) target="$SIPSHIELD:5060" ;; kamailio) target="$KAMAILIO:5060" ;; jainsip) target="$JAINSIP:5060" ;; esac
  local inf="$work/users.csv"
  case "$test" in
    reg-tls) scenario=register-tls.xml transport=t1 duration=0 target="$PHONE:15061" inf="$work/users-tls-one.csv" ;;
    reg-udp) scenario=register.xml transport=u1 duration=0 ;;
    reg-tcp) scenario=register.xml transport="$tcp_mode" duration=0; [ "$tcp_mode" = tn ] && extra+=(-max_socket 15000) ;;
    invite-udp) scenario=invite-uac.xml transport=u1 duration="$hold" ;;
  esac
  calls=$((rate * secs))
  [ -n "$cidp" ] && extra+=(-cid_str "$cidp-%u-%p@%s")
  # The digest uri must be the Request-URI (sipshield refuses any other); sipp's default is host:port only.
  [ "$test" = invite-udp ] && extra+=(-mi "$PHONE" -mp 7000 -auth_uri "9000@$target")
  local t0 c0 m0 s0 t1 c1 m1 s1 status=0
  t0=$(date +%s.%N); c0=$(ticks "${proxy_groups[@]}"); m0=0; [ -n "$media_group" ] && m0=$(ticks "$media_group")
  (cd "$dir" && exec timeout -k 5 $((secs * 2 + 60)) sipp "$target" -sf "$work/$scenario" -inf "$inf" \
      -t "$transport" -i "$PHONE" -p 5070 -r "$rate" -m "$calls" -nostdin -buff_size 8388608 \
      -timeout "$(awk -v s="$secs" -v d="$duration" 'BEGIN { printf "%d", s * 1.05 + d + 10 }')" \
      -trace_stat -stf stat.csv -fd 1 -trace_rtt -rtt_freq 1 -trace_err -error_file errors.log \
      ${extra[@]+"${extra[@]}"} >sipp.out 2>&1) &
  local sipp_sub=$!
  local sipp_pid="" i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    sipp_pid=$(pgrep -P "$sipp_sub" -x sipp 2>/dev/null || true)
    [ -n "$sipp_pid" ] && break
    sleep 0.1
  done
  s0=$(pid_ticks "$sipp_pid")
  local s_last="$s0"
  while kill -0 "$sipp_sub" 2>/dev/null; do
    s_last=$(pid_ticks "$sipp_pid" "$s_last")
    sleep 0.5
  done
  wait "$sipp_sub" || status=$?
  t1=$(date +%s.%N); c1=$(ticks "${proxy_groups[@]}"); m1=0; [ -n "$media_group" ] && m1=$(ticks "$media_group")
  local pss; pss=$(pss_kb "${proxy_groups[@]}")
  # cumulative counters: the last line of sipp's statistics file
  local last created ok failed retrans
  last=$(tail -1 "$dir/stat.csv" 2>/dev/null || true)
  created=$(echo "$last" | awk -F';' '{ print $13 + 0 }')
  ok=$(echo "$last" | awk -F';' '{ print $16 + 0 }')
  failed=$(echo "$last" | awk -F';' '{ print $18 + 0 }')
  retrans=$(echo "$last" | awk -F';' '{ print $58 + 0 }')
  local rtt; rtt=$(ls "$dir"/*_rtt.csv 2>/dev/null | head -1 || true)
  local p50=- p99=-
  if [ -n "$rtt" ]; then
    read -r p50 p99 < <(awk -F';' '$3 == 2 { print $2 }' "$rtt" | sort -n | awk '{ v[NR] = $1 }
      END { if (NR == 0) { print "- -"; exit } i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1; print v[i50], v[i99] }')
  fi
  finish_step
  [ -n "$keep" ] || { [ "$step_ok" -eq 1 ] && rm -f "$dir"/*_rtt.csv; }
  return 0
}

# finish_step: the verdict, CPU and the step's line, from the locals of the step that calls it (bash's
# dynamic scope): proxy test rate secs duration calls ok failed retrans status t0 t1 c0 c1 m0 m1 s0
# s_last pss p50 p99, and generator (who drove the step, sipp unless set)
finish_step() {
  local elapsed wall_ok
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  # on schedule: sipp started the last call no later than 5% (and 1 s) after the step's end
  wall_ok=$(awk -v e="$elapsed" -v s="$secs" -v d="$duration" 'BEGIN { print (e <= s * 1.05 + d + 1) ? 1 : 0 }')
  step_ok=0
  if [ "$status" -eq 0 ] && [ "$ok" -eq "$calls" ] && [ "$failed" -eq 0 ] && [ "$wall_ok" -eq 1 ]; then step_ok=1; fi
  local cpu media_cpu sipp_cpu
  cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v e="$elapsed" 'BEGIN { printf "%.1f", (e > 0 ? (b - a) / hz / e * 100 : 0) }')
  media_cpu=$(awk -v a="$m0" -v b="$m1" -v hz="$HZ" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? (b - a) / hz / e * 100 : 0) }')
  sipp_cpu=$(awk -v a="$s0" -v b="$s_last" -v hz="$HZ" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? (b - a) / hz / e * 100 : 0) }')
  local verdict="ZERO FAILURES"
  if [ "$step_ok" -eq 0 ]; then
    verdict="FAILED"
    [ "$wall_ok" -eq 0 ] && verdict="$verdict (behind schedule: ${elapsed} s)"
    [ "$status" -ne 0 ] && verdict="$verdict (${generator:-sipp} exit $status)"
  fi
  local media_note=""
  [ -n "$media_group" ] && media_note=" (rtpengine ${media_cpu}%)"
  printf '%-9s %-10s %6d/s  %8d calls  ok %8d  failed %6d  retrans %6d  %6.1f s  CPU %4s%%%s  PSS %5d MB  p50 %s ms  p99 %s ms  %s CPU %s%%  load %s  %s\n' \
    "$proxy" "$test" "$rate" "$calls" "$ok" "$failed" "$retrans" "$elapsed" "$cpu" "$media_note" $((pss / 1024)) \
    "$p50" "$p99" "${generator:-sipp}" "$sipp_cpu" "$(cut -d' ' -f1 /proc/loadavg)" "$verdict"
  step_stats="$rate $cpu $((pss / 1024)) $p50 $p99 $sipp_cpu $media_cpu"
  sleep "$pause"   # let the proxy drain what an overloaded step left behind
}

# --- one reg-tls-conns step: the TLS generator, every phone on its own connection ----------------
run_conns_step() {   # run_conns_step PROXY TEST RATE SECONDS: called by run_step, which made $work/step-$step_no
  local proxy="$1" test="$2" rate="$3" secs="$4" dir="$work/step-$step_no" target trust
  local duration=0 calls=$(($3 * $4)) generator=generator status=0 t0 c0 m0 s0 t1 c1 m1 gen_pid
  case "$proxy" in
    sipshield) target="$SIPSHIELD:5061" trust="$datadir/certs/sip.crt.pem" ;;
    kamailio) target="$KAMAILIO:5061" trust="$work/kamailio-cert.pem" ;;
  esac
  # hard limit: the connections, the step, and every registration's two requests timing out (8 s each)
  timeout -k 5 $((secs * 4 + 400)) java -jar "$tls_bench" run --ca "$work/bench-ca" --target "$target" \
    --local "$PHONE" --first 200000 --phones "$tls_users" --rate "$rate" --seconds "$secs" --trust "$trust" \
    >"$dir/generator.out" 2>&1 &
  local gen_sub=$!
  # the step starts once every connection is open: the generator says STEP-START, then STEP-END
  while kill -0 "$gen_sub" 2>/dev/null && ! grep -qs '^STEP-START' "$dir/generator.out"; do sleep 0.1; done
  gen_pid=$(pgrep -P "$gen_sub" -x java 2>/dev/null || true)
  t0=$(date +%s.%N); c0=$(ticks "${proxy_groups[@]}"); m0=0; [ -n "$media_group" ] && m0=$(ticks "$media_group")
  s0=$(pid_ticks "$gen_pid")
  local s_last="$s0"
  while kill -0 "$gen_sub" 2>/dev/null && ! grep -qs '^STEP-END' "$dir/generator.out"; do
    s_last=$(pid_ticks "$gen_pid" "$s_last")
    sleep 0.1
  done
  t1=$(date +%s.%N); c1=$(ticks "${proxy_groups[@]}"); m1=0; [ -n "$media_group" ] && m1=$(ticks "$media_group")
  local pss; pss=$(pss_kb "${proxy_groups[@]}")
  wait "$gen_sub" || status=$?
  local result; result=$(grep '^RESULT' "$dir/generator.out" | tail -1 || true)
  field() { local v; v=$(echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"); echo "${v:-$2}"; }   # NAME DEFAULT
  local ok failed retrans=0 p50 p99
  ok=$(field ok 0); failed=$(( $(field failed 0) + $(field timeouts 0) ))
  p50=$(field p50_ms -); p99=$(field p99_ms -)
  [ -n "$result" ] && echo "$result" | grep -q 'failures=none' || {
    echo "  generator: $(grep -v '^STEP' "$dir/generator.out" | tail -3 | tr '\n' ' ')" >&2; }
  finish_step
  [ -n "$keep" ] || { [ "$step_ok" -eq 1 ] && rm -f "$dir/generator.out"; }
  return 0
}

# --- the search for the highest zero-failure rate -----------------------------------------------
# search PROXY TEST START HINT: sets found_rate (0 if even the first step failed) and found_stats
search() {
  local proxy="$1" test="$2" start="$3" hint="$4" pass=0 fail=0 rate steps=0
  found_stats=""
  if [ "$hint" -gt 0 ]; then rate="$hint"; else rate="$start"; fi
  while [ "$steps" -lt "$max_steps" ]; do
    steps=$((steps + 1))
    run_step "$proxy" "$test" "$rate" "$seconds"
    if [ "$step_ok" -eq 1 ]; then
      pass="$rate"; found_stats="$step_stats"
    else
      fail="$rate"
    fi
    if [ "$fail" -eq 0 ]; then   # going up
      if [ "$hint" -gt 0 ]; then rate=$(( (rate * 5 + 3) / 4 )); else rate=$((rate * 2)); fi
    elif [ "$pass" -eq 0 ]; then   # going down
      if [ "$hint" -gt 0 ]; then rate=$(( rate * 4 / 5 )); else rate=$((rate / 2)); fi
      [ "$rate" -ge 1 ] || break
    else
      [ $(( (fail - pass) * 100 )) -le $((pass * 6)) ] && break
      rate=$(( (pass + fail) / 2 ))
      [ "$rate" -gt "$pass" ] || break
    fi
  done
  found_rate="$pass"
}

# --- durability: registrations answered 200 survive kill -9 --------------------------------------
durable_check() {   # after sipshield's searches: REGISTERs at RATE, kill -9 half-way, count
  local rate="$1" datadir="$2" secs=6 g="${proxy_groups[0]}"
  local calls=$((rate * secs))
  [ "$calls" -le "$users" ] || { rate=$((users / secs)); calls=$((rate * secs)); }
  local cid="durable$RANDOM"
  ( sleep $((secs / 2)); kill -KILL -- "-$g" 2>/dev/null ) &
  local killer=$!
  run_step sipshield reg-udp "$rate" "$secs" "$cid" >/dev/null || true
  wait "$killer" 2>/dev/null || true
  forget_group "$g"; proxy_groups=()
  local answered stored
  answered=$(tail -1 "$work/step-$step_no/stat.csv" | awk -F';' '{ print $16 + 0 }')
  stored=$(sqlite3 "$datadir/sipshield.db" "select count(*) from registration_binding where call_id like '$cid-%'" 2>&1 || echo "?")
  local verdict=FAILED
  [ "$stored" != "?" ] && [ "$stored" -ge "$answered" ] && [ "$answered" -gt 0 ] && verdict=DURABLE
  echo "sipshield durability: REGISTERs at $rate/s, kill -9 after ${secs}/2 s: $answered answered 200, $stored of them in sipshield.db after the kill: $verdict"
  durable_verdicts+=("$verdict ($stored/$answered)")
}

# --- the runs ----------------------------------------------------------------------------------
proxies=(sipshield kamailio)
case ",$tests," in *,reg-udp,*|*,reg-tcp,*) [ -n "$floor" ] && proxies+=(jainsip) ;; esac
[ -n "$only" ] && proxies=("$only")
floor_tests() { local t; for t in "${test_list[@]}"; do case "$t" in reg-udp|reg-tcp) echo "$t" ;; esac; done; }
IFS=',' read -r -a test_list <<< "$tests"
declare -A results stats hints
durable_verdicts=()
echo "signalling benchmark: $seconds s steps, $runs runs, $users phones, $(nproc) cores, tests ${tests}, INVITE hold ${hold} s"
echo "reproduce: bench/signaling.sh --seconds $seconds --runs $runs --users $users --tls-users $tls_users --tests $tests --hold $hold --reg-start $reg_start --invite-start $invite_start --max-steps $max_steps --kamailio-children $kam_children --tcp-mode $tcp_mode --pause $pause${cpu_at:+ --cpu-at $cpu_at}$([ -n "$floor" ] || printf " --no-floor")${floor_args:+ --floor-args \"$floor_args\"}"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
jvm_note="${jvm_options[*]:-}"; [ -n "$jvm_note" ] || jvm_note="(none: the JVM's defaults)"
echo "sipshield JVM options: $jvm_note; Kamailio $(kamailio -v | awk 'NR == 1 { print $3 }'), $kam_children UDP and $kam_children TCP workers; rtpengine userspace"
for ((run = 1; run <= runs; run++)); do
  # rotate which proxy goes first, so none always gets the fresher machine
  order=()
  for ((i = 0; i < ${#proxies[@]}; i++)); do order+=("${proxies[$(( (i + run - 1) % ${#proxies[@]} ))]}"); done
  for proxy in "${order[@]}"; do
    echo "--- run $run: $proxy"
    datadir="$work/sipshield-data-$run"
    run_tests=("${test_list[@]}")
    case "$proxy" in
      sipshield) start_sipshield "$datadir" ;;
      kamailio) start_kamailio ;;
      jainsip) start_floor; mapfile -t run_tests < <(floor_tests) ;;
    esac
    start_uas
    case ",$tests," in *,reg-tls,*)
      if [ "$proxy" = sipshield ]; then start_stunnel "$SIPSHIELD"; else start_stunnel "$KAMAILIO"; fi ;;
    esac
    # warm-up (not reported): 10 s of each kind of traffic at a moderate rate
    for t in "${run_tests[@]}"; do
      case "$t" in invite-udp) r=$(( invite_start / 2 > 0 ? invite_start / 2 : 1 )) ;; *) r=$((reg_start / 2)) ;; esac
      [ -n "$cpu_at" ] && r="$cpu_at"
      warm=10; [ -n "$cpu_at" ] && warm=30   # CPU figures: past most of the JIT compilation
      run_step "$proxy" "$t" "$r" "$warm" > "$work/warmup-$run-$proxy-$t.txt"
    done
    for t in "${run_tests[@]}"; do
      if [ -n "$cpu_at" ]; then   # CPU per registration (or call) at a fixed rate, in microseconds
        run_step "$proxy" "$t" "$cpu_at" "$seconds"
        read -r _ cpu _ <<< "$step_stats"
        results[$proxy.$t.$run]=$(awk -v c="$cpu" -v r="$cpu_at" 'BEGIN { printf "%d", c * 10000 / r }')
        [ "$step_ok" -eq 1 ] || results[$proxy.$t.$run]=0
        stats[$proxy.$t.$run]="$step_stats"
        echo "run $run $proxy $t: ${results[$proxy.$t.$run]} us of CPU per registration or call at $cpu_at/s (0: the step failed)"
        continue
      fi
      case "$t" in invite-udp) s="$invite_start" ;; *) s="$reg_start" ;; esac
      search "$proxy" "$t" "$s" "${hints[$proxy.$t]:-0}"
      results[$proxy.$t.$run]="$found_rate"
      stats[$proxy.$t.$run]="$found_stats"
      [ "$found_rate" -gt 0 ] && [ -z "${hints[$proxy.$t]:-}" ] && hints[$proxy.$t]="$found_rate"
      echo "run $run $proxy $t: highest zero-failure rate $found_rate/s"
    done
    stop_uas
    stop_stunnel
    if [ -z "$cpu_at" ] && [ "$proxy" = sipshield ] && [ "${results[sipshield.reg-udp.$run]:-0}" -gt 0 ]; then
      durable_check "${results[sipshield.reg-udp.$run]}" "$datadir"
    fi
    stop_proxy
  done
done

# --- summary -------------------------------------------------------------------------------------
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
unit=/s what="highest zero-failure rate"
[ -n "$cpu_at" ] && unit=" us" what="CPU per registration or call at $cpu_at/s (us; lower is better)"
echo "=== summary: $what per test, median of $runs runs [the runs], and at that rate (median run): proxy CPU, PSS, p50/p99 of the request with credentials, sipp CPU"
for t in "${test_list[@]}"; do
  for proxy in "${proxies[@]}"; do
    [ "$proxy" = jainsip ] && case "$t" in reg-udp|reg-tcp) ;; *) continue ;; esac
    all="" ; for ((run = 1; run <= runs; run++)); do all="$all ${results[$proxy.$t.$run]:-0}"; done
    med=$(echo "$all" | median)
    # the stats of the run whose rate is the median (the first such run)
    st=""; for ((run = 1; run <= runs; run++)); do
      if [ "${results[$proxy.$t.$run]:-0}" = "${med%.*}" ]; then st="${stats[$proxy.$t.$run]}"; break; fi
    done
    [ -n "$st" ] || st="${stats[$proxy.$t.1]:-}"
    read -r _ cpu pss p50 p99 scpu mcpu <<< "${st:-0 - - - - - -}"
    mnote=""; [ "$proxy" = kamailio ] && mnote=" (of which rtpengine ${mcpu}%)"
    printf "%-10s %-9s %8s$unit  [%s ]  CPU %s%%%s  PSS %s MB  p50 %s ms  p99 %s ms  sipp CPU %s%%\n" \
      "$t" "$proxy" "$med" "$all" "$cpu" "$mnote" "$pss" "$p50" "$p99" "$scpu"
    eval "med_${proxy}=\$med"
  done
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
  if [ -n "${med_jainsip:-}" ] && [ -n "${med_kamailio:-}" ] && [ -n "${med_sipshield:-}" ]; then
    printf '%-10s ratio jain-sip floor/kamailio (medians): %s   sipshield/jain-sip floor: %s\n' "$t" \
      "$(ratio "$med_jainsip" "$med_kamailio")" "$(ratio "$med_sipshield" "$med_jainsip")"
  fi
  unset med_jainsip
  if [ ${#proxies[@]} -ge 2 ] && [ -n "${med_kamailio:-}" ] && [ -n "${med_sipshield:-}" ]; then
    per_run=""
    for ((run = 1; run <= runs; run++)); do
      per_run="$per_run $(awk -v a="${results[sipshield.$t.$run]:-0}" -v b="${results[kamailio.$t.$run]:-0}" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
    done
    printf '%-10s ratio sipshield/kamailio (medians): %s   per run:%s\n' "$t" \
      "$(awk -v a="$med_sipshield" -v b="$med_kamailio" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')" "$per_run"
  fi
done
[ ${#durable_verdicts[@]} -gt 0 ] && echo "sipshield registrations after kill -9 (stored/answered 200): ${durable_verdicts[*]}"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
