#!/usr/bin/env bash
# Sets up, builds and runs every test: first a normal build, then again under AddressSanitizer and
# UndefinedBehaviorSanitizer. Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
JOBS=${JOBS:-$(nproc)}

echo "== build and test (RelWithDebInfo)"
BUILD_DIR=build scripts/build.sh
(cd build && ctest --output-on-failure -j"$JOBS" --timeout 300)

if [ "${SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build and test under ASan+UBSan"
  BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DVESAGENT_SANITIZE="address;undefined"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$JOBS" --timeout 600)
fi
