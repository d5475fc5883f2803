#!/usr/bin/env bash
# Robustness run: coverage-guided fuzzing (Jazzer) of the parsers sipshield owns, each for a
# fixed time (the maxDuration of its @FuzzTest, 60 s), one JVM per target, then libFuzzer with
# ASan and UBSan over the native code (`make -C native fuzz-srtp`, `fuzz-udp`: FUZZ_SECONDS each,
# default 60).
#   bench/robustness.sh            all targets
#   bench/robustness.sh digest     only the targets whose name contains "digest" ("native": both C
#                                  targets, "udp" or "srtp": one)
# A finding fails the run; Jazzer writes the crashing input into the test's seed directory
# (src/test/resources/<package>/<Class>Inputs/<method>/crash-*), where plain `mvn test` replays
# it from then on as a regression test: fix the parser, keep the input.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

targets=(
  "digest-auth:org.sipshield.digest.DigestHeaderFuzzTest#authorizationHeader"
  "digest-auth:org.sipshield.digest.DigestHeaderFuzzTest#challengeHeader"
  "config:org.sipshield.config.ConfigLoaderFuzzTest#anyTextIsLoadedOrRefusedWithProblems"
  "srtp:org.sipshield.srtp.SdesCryptoFuzzTest#anyLineIsParsedOrRefusedWithAReason"
  "sip-proxy:org.sipshield.proxy.media.SdpRewritingFuzzTest#anyOfferAndAnswerIsRewrittenOrRefused"
  "sip-proxy:org.sipshield.proxy.media.SdpMessageFuzzTest#anyBodyIsReadOrRefusedAndReadsBackAsWritten"
  "sip-proxy:org.sipshield.proxy.screening.ScreeningParserFuzzTest#anyBytesAreDroppedPassedOrAnsweredSafely"
  "sip-proxy:org.sipshield.proxy.registrar.RegisterContactFuzzTest#anyContactIsTakenBoundedOrRefused"
  "tls:org.sipshield.tls.CipherStringFuzzTest#anyStringIsExpandedOrRefusedWithAProblem"
)
filter="${1:-}"
logs="$here/target/robustness"
mkdir -p "$logs"
failed=0
for target in "${targets[@]}"; do
  module="${target%%:*}"
  test="${target#*:}"
  if [ -n "$filter" ] && [[ "${test,,}" != *"${filter,,}"* ]]; then
    continue
  fi
  echo "== fuzzing $test (module $module)"
  if JAZZER_FUZZ=1 mvn -B -q -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      > "$logs/${test##*#}.log" 2>&1; then
    grep -aoE '#[0-9]+[[:space:]]+DONE.*' "$logs/${test##*#}.log" | tail -1 || true
    echo "   no finding"
  else
    failed=1
    echo "   FINDING (log: $logs/${test##*#}.log):"
    grep -aE '== Java Exception|FuzzerSecurityIssue|Exception:' "$logs/${test##*#}.log" | head -5 || true
  fi
done
# libFuzzer over the native code (ASan + UBSan): the SRTP core's protect/unprotect, and the relay's
# recvmmsg/sendmmsg batches with random slot layouts on loopback sockets. A crash input is written
# to native/target/native-build/ (udp-crash-*: the UDP target): fix the code, keep it in the corpus.
for native in srtp udp; do
  if [ -n "$filter" ] && [[ "native $native" != *"${filter,,}"* ]]; then
    continue
  fi
  echo "== fuzzing the native $native target (make -C native fuzz-$native)"
  if make -C native --no-print-directory "fuzz-$native" FUZZ_SECONDS="${FUZZ_SECONDS:-60}" > "$logs/native-fuzz-$native.log" 2>&1; then
    grep -aoE '^Done [0-9]+ runs.*' "$logs/native-fuzz-$native.log" | tail -1 || true
    echo "   no finding"
  else
    failed=1
    echo "   FINDING or build failure (log: $logs/native-fuzz-$native.log):"
    grep -aE 'ERROR: |SUMMARY: |runtime error' "$logs/native-fuzz-$native.log" | head -5 || true
  fi
done
exit $failed
