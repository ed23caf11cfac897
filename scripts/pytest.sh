#!/usr/bin/env bash
# Run pytest; "no tests collected" (exit 5) is a failure, never a silent pass.
set -uo pipefail
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
