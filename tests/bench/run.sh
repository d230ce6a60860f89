#!/usr/bin/env bash
# Kept for habit: the benchmark command is packaging/dev/bench.sh (same arguments).
exec "$(dirname "$0")/../../packaging/dev/bench.sh" "$@"
