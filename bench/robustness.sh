#!/usr/bin/env bash
# Robustness run: coverage-guided fuzzing (Jazzer) of the parsers sipshield owns, each for a
# fixed time (the maxDuration of its @FuzzTest, 60 s), one JVM per target.
#   bench/robustness.sh            all targets
#   bench/robustness.sh digest     only the targets whose name contains "digest"
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
exit $failed
