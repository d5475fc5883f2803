#!/bin/sh
# Media relay benchmark (not a test; `mvn test` never runs it): N concurrent SRTP->SRTP re-keyed
# streams (leg A AES_CM_128_HMAC_SHA1_80 in, leg B AEAD_AES_128_GCM out) at 50 packets/s, 172-octet
# G.711 RTP, through sipshield's relay and then Debian's rtpengine (userspace forwarding, ng
# protocol) on 127.0.0.1, in the same run. The N streams start one after another over one second,
# as calls arrive, then all N run for the step (a late or lost packet counts from the first one
# sent, ramp included; packets/s and CPU are those at full load). For each relay: the highest N with zero loss over a step
# (doubling from --start, then bisecting to within about 6%, at most 4 steps; then the highest step that
# passed runs again, and N is the highest that passes twice, up to 3 tried), packets/s, relay CPU, one-way latency p50/p99;
# then the ratio sipshield/rtpengine. Also, of the steps run, the highest N with zero loss and a p99
# added by the relay under 1 ms (the issue's latency target), and that ratio; then one more step at
# 80% of the relay's own zero-loss N (is p99 added under 1 ms there?) and CPU per packet at 500
# streams against rtpengine's. The whole run is repeated (--runs, default 3), each relay in turn,
# and the summary gives every figure and ratio as the median and spread [lowest .. highest].
# Usage: bench/media.sh [--runs 3] [--seconds 20] [--start 250] [--max 6000] [--only sipshield|rtpengine] [--relay-threads 1] [--relay-jvm "OPTIONS"]...
#        [--realtime-priority P] [--guest-halt-poll NS] (--help)
# Every step also sends reference streams (one per 10 relayed, at least 5) from the generator
# straight back to itself on the same schedule: their latency is what the generator and
# the machine add on their own, and "added by the relay" is the relayed latency minus that.
# Each relay runs in its own process, apart from the generator's JVM: sipshield's relay in a JVM of its
# own started with jvm.options (the options `./sipshield run` uses; --relay-jvm to compare others),
# rtpengine as its daemon; a relay's CPU is its whole process's, from /proc/PID/stat.
# A packet more than 50 ms late counts as lost. The generator shares the machine with the relay,
# so each relay gets one thread by default (sipshield: one event loop; rtpengine: --num-threads=1).
# The generator runs on CPU 0 and each relay on the other CPUs (--shared-cpus: all on every CPU).
# The generator is one thread that sends what is due in one system call and, until the next packet
# is due, polls for what came back (sleeps instead with --shared-cpus), allocating nothing per packet;
# every step prints how far behind its schedule it sent (p99): past a millisecond it sends in bursts.
# sipshield's relay process warms up at start as the proxy does (media.warmUp: calls of its own, with
# bursts and every kind of drop); a variant --relay-jvm "-Dsipshield.media.warmUp=false" runs it without.
# Each relay first gets 10 s of warm-up at up to 250 streams (not reported: the figures are the
# steady state of a relay that has run for a while). One run (20 s steps) takes about 8-13
# minutes, the default three 25-40; --seconds 60 gives 60 s steps (three times as long).
set -eu
cd "$(dirname "$0")/.."
command -v rtpengine >/dev/null || { echo "needs Debian's rtpengine-daemon: apt-get install -y rtpengine-daemon" >&2; exit 1; }
# many sockets (4 per relayed stream) and deep socket buffers for the generator's receiver
ulimit -n 65536 2>/dev/null || true
if [ "$(id -u)" -eq 0 ]; then
  sysctl -q -w net.core.rmem_max=33554432 net.core.wmem_max=33554432 >/dev/null || true
fi
# --guest-halt-poll NS (consumed here): on a KVM guest, let an idle CPU poll up to NS before it halts,
# for this run only (the machine's value comes back on exit). A halted virtual CPU waits for the
# hypervisor to run it again when a packet wakes it: 120-390 us at the median on this project's VM,
# longer when the host is busy (it shows as steal); docs/operations.md, "Media at saturation and on a virtual machine".
halt_poll=""
prev=""
for a in "$@"; do
  shift
  if [ "$prev" = --guest-halt-poll ]; then halt_poll=$a; elif [ "$a" != --guest-halt-poll ]; then set -- "$@" "$a"; fi
  prev=$a
done
[ "$prev" != --guest-halt-poll ] || { echo "--guest-halt-poll needs nanoseconds" >&2; exit 2; }
if [ -n "$halt_poll" ]; then
  param=/sys/module/haltpoll/parameters/guest_halt_poll_ns
  [ -w "$param" ] || { echo "--guest-halt-poll: $param is not writable here (needs root on a KVM guest with the haltpoll cpuidle driver)" >&2; exit 1; }
  before=$(cat "$param")
  trap 'echo "$before" > "$param"' EXIT
  trap 'exit 130' INT TERM
  echo "$halt_poll" > "$param"
fi
mvn -q -pl media-relay -am -Pmedia-bench -DskipTests package
# Sharing the CPUs, the relay waited for one 2-5 s of every 20 s step at the top steps (bench/README.md).
cpus=$(nproc)
shared=0
for a in "$@"; do [ "$a" = --shared-cpus ] && shared=1; done
if [ "$shared" -eq 1 ] || [ "$cpus" -lt 2 ] || ! command -v taskset >/dev/null; then
  for a in "$@"; do shift; [ "$a" = --shared-cpus ] || set -- "$@" "$a"; done
  java -jar media-relay/target/media-bench.jar "$@"
  exit
fi
taskset -c 0 java -jar media-relay/target/media-bench.jar --relay-cpus "1-$((cpus - 1))" "$@"
