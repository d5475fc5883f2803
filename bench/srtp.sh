#!/bin/sh
# SRTP benchmark (JMH): our C core (single and batch-32), libsrtp2, the pure-Java engine,
# jitsi-srtp and the OpenSSL EVP AES-GCM floor, 172-octet packets, protect and unprotect.
# Usage: bench/srtp.sh [JMH options, e.g. -f 2 -i 5 -r 2s]
# Not a test: `mvn test` never runs it.
set -eu
cd "$(dirname "$0")/.."
mvn -q -pl native,srtp -Pbench -DskipTests package
exec java -jar srtp/target/srtp-benchmarks.jar "$@"
