#!/usr/bin/env bash
# Robustness run: coverage-guided fuzzing (Jazzer) of the parsers sipshield owns, each for a
# fixed time (the maxDuration of its @FuzzTest, 60 s), one JVM per target, then libFuzzer with
# ASan and UBSan over the native SRTP core (`make -C native fuzz`, FUZZ_SECONDS, default 60).
#   bench/robustness.sh            all targets
#   bench/robustness.sh digest     only the targets whose name contains "digest" ("native": the C core)
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
if [ -z "$filter" ] || [[ "native srtp" == *"${filter,,}"* ]]; then
  echo "== fuzzing the native SRTP core (make -C native fuzz)"
  if make -C native --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" > "$logs/native-fuzz.log" 2>&1; then
    grep -aoE '^Done [0-9]+ runs.*' "$logs/native-fuzz.log" | tail -1 || true
    echo "   no finding"
  else
    failed=1
    echo "   FINDING or build failure (log: $logs/native-fuzz.log):"
    grep -aE 'ERROR: |SUMMARY: |runtime error' "$logs/native-fuzz.log" | head -5 || true
  fi
fi
exit $failed
