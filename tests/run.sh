#!/usr/bin/env bash
# Sets up, builds and runs every test: first a normal build, then again under AddressSanitizer and
# UndefinedBehaviorSanitizer, then a short libFuzzer run of each parser of outside input.
# Exit status is non-zero if anything fails. SKIP_SANITIZERS=1 / SKIP_FUZZ=1 leave a stage out.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/dev/install-deps.sh
JOBS=${JOBS:-$(nproc)}

echo "== build and test (RelWithDebInfo)"
BUILD_DIR=build packaging/dev/build.sh
(cd build && ctest --output-on-failure -j"$JOBS" --timeout 300) | tee build/ctest.log

if [ "${SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build and test under ASan+UBSan"
  BUILD_DIR=build-asan BUILD_TYPE=Debug packaging/dev/build.sh -DVESAGENT_SANITIZE="address;undefined"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$JOBS" --timeout 600) | tee build-asan/ctest.log
fi

if [ "${SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzz every parser of outside input for ${FUZZ_SECONDS:=10}s each"
  FUZZ_SECONDS=$FUZZ_SECONDS tests/fuzz/run.sh
fi

# One closing line for whoever reads the end of this log: every ctest run above passed or we would have exited.
total=$(cat build/ctest.log build-asan/ctest.log 2>/dev/null | awk '/tests failed out of/ {n += $NF} END {print n + 0}')
echo "tests: ${total} passed, 0 failed"
