#!/usr/bin/env bash
# `modeltest validate` on a file larger than the memory it is allowed: the 10M-row wide file of
# gen_data.py (about 1.9 GB), with the tutorial's checks. Prints wall time and peak RSS (GNU time),
# the figure the README quotes. Not a timed test: nothing passes or fails on the time.
# Usage: bench/large.sh   (ROWS=10000000, BENCH_DIR and SHARED_BENCH as for bench/run.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
ROWS=${ROWS:-10000000}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/modeltest-bench}
FILE=$WORK/wide_$ROWS.csv
[ -x /usr/bin/time ] || { echo "bench: GNU time is needed: apt-get install -y time" >&2; exit 2; }
mkdir -p "$WORK"
[ -f "$FILE" ] || /usr/bin/python3 "$SHARED/gen_data.py" "$ROWS" "$FILE" wide
[ "${SKIP_BUILD:-}" = 1 ] || (cd "$ROOT" && npm run build >/dev/null)
echo "file: $FILE ($(du -m "$FILE" | cut -f1) MB, $ROWS rows)"
# Exit 1 is expected: column f3 is empty on every 1000th row, so the null check fails.
status=0
/usr/bin/time -f 'modeltest validate: %e s wall, %M KB peak RSS' node "$ROOT/bin/modeltest.js" validate "$FILE" \
  --columns f0,f3,label --label label --min-samples 1000 --output "$WORK/large_report.json" || status=$?
[ "$status" -le 1 ] || { echo "bench: modeltest validate exited $status (a usage or read error, not a failed check)" >&2; exit "$status"; }
