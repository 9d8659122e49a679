#!/usr/bin/env bash
# Side-by-side benchmark of modeltest against the tutorial's Python reference (pandas + PyTorch), in ONE run,
# reported as ratios (reference / modeltest), never as a timed test:
#   1. `modeltest validate` vs seed_data_validation.py on the 1M-row text and wide files of gen_data.py
#   2. the whole gate: seed_gate.sh (pandas + PyTorch) vs the modeltest run of examples/sentiment
# Usage: bench/run.sh            (see bench/README.md; settings through the environment below)
#
#   SHARED_BENCH  the reference scripts (default: <repo>/../shared/bench)
#   PYTHON        python with pandas and torch (default /usr/bin/python3, Debian's)
#   N             runs per validate workload (default 3); GATE_N runs per gate (default 5)
#   ROWS          rows of the generated files (default 1000000)
#   BENCH_DIR     where data, the torch model, logs and results.md go (default ${TMPDIR:-/tmp}/modeltest-bench);
#                 the generated CSVs are kept there and reused when present
#   SKIP_BUILD=1  do not run `npm run build` first
#
# Needs: GNU time at /usr/bin/time, pandas and torch for $PYTHON, node >= 20. On Debian:
#   apt-get install -y time python3-pandas python3-torch
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/bench
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
PY=${PYTHON:-/usr/bin/python3}
N=${N:-3}
GATE_N=${GATE_N:-5}
ROWS=${ROWS:-1000000}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/modeltest-bench}
TIME=/usr/bin/time

case "${1:-}" in -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

die() { echo "bench: $*" >&2; exit 2; }

# ---- prerequisites -------------------------------------------------------------------------------------
[ -x "$TIME" ] && "$TIME" -f '%e %M' true >/dev/null 2>&1 ||
  die "GNU time is needed at $TIME (its -f '%e %M'). Install it: apt-get install -y time"
[ -x "$PY" ] || die "no python at $PY (Debian: apt-get install -y python3; or set PYTHON=...)"
"$PY" -c 'import pandas' 2>/dev/null || die "$PY cannot import pandas. Install it: apt-get install -y python3-pandas"
"$PY" -c 'import torch' 2>/dev/null || die "$PY cannot import torch. Install it: apt-get install -y python3-torch"
command -v node >/dev/null || die "node (>= 20) is not on PATH"
SHARED=$(cd "$SHARED" 2>/dev/null && pwd) || die "reference scripts not found; set SHARED_BENCH (default <repo>/../shared/bench)"
for f in seed_data_validation.py seed_gate.sh seed_model_testing.py train_torch_bow.py gen_data.py; do
  [ -f "$SHARED/$f" ] || die "$SHARED/$f is missing"
done
mkdir -p "$WORK/logs" || die "cannot create $WORK"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== npm run build"
  (cd "$ROOT" && npm run build >"$WORK/logs/build.log" 2>&1) || { cat "$WORK/logs/build.log"; die "npm run build failed"; }
fi
[ -f "$ROOT/dist/src/cli/main.js" ] || die "dist/ is not built: npm run build"

# ---- data ----------------------------------------------------------------------------------------------
TEXT=$WORK/text_$ROWS.csv
WIDE=$WORK/wide_$ROWS.csv
for kind in text wide; do
  f=$WORK/${kind}_$ROWS.csv
  if [ ! -s "$f" ]; then
    echo "== generating $f"
    "$PY" "$SHARED/gen_data.py" "$ROWS" "$f.tmp" "$kind" && mv "$f.tmp" "$f" || die "gen_data.py $kind failed"
  fi
done
# The wide file has columns f0..f19,label; f3 has an empty cell every 1000th row, so both tools must
# report the null check as failed (exit status 1) on it: that is part of "the same checks".
head -1 "$WIDE" | tr -d '\r' | grep -q '^f0,.*f3,.*,label$' || die "unexpected header in $WIDE: $(head -1 "$WIDE")"

EX=$ROOT/examples/sentiment
SENT=$WORK/sent
mkdir -p "$SENT"
retrain=0
for f in train.csv holdout.csv; do
  cmp -s "$EX/data/$f" "$SENT/$f" || { cp "$EX/data/$f" "$SENT/$f"; retrain=1; }
done
if [ $retrain = 1 ] || [ ! -f "$SENT/model.pt" ]; then
  echo "== training the reference PyTorch model in $SENT"
  "$PY" "$SHARED/train_torch_bow.py" "$SENT" >"$WORK/logs/train_torch.log" 2>&1 ||
    { cat "$WORK/logs/train_torch.log"; die "train_torch_bow.py failed"; }
fi

# ---- measuring -----------------------------------------------------------------------------------------
# timed LOG CMD... -> "RC WALL_S PEAK_KB" (GNU time: %e wall, %M peak RSS of the largest single process)
timed() {
  local log=$1; shift
  "$TIME" -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1
  local rc=$?
  echo "$rc $(tail -1 "$log.time")"
}
# tree LOG CMD... -> "PEAK_KB RC": summed RSS of the whole process tree, sampled (bench/treepeak.py)
tree() { local log=$1; shift; "$PY" "$HERE/treepeak.py" "$@" 2>"$log.tree"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "nan" || k == "") print "n/a"; else printf "%.0f MiB", k/1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f×", a/b }'; }

ROWS_MD=()
FAILURES=()

# bench NAME RUNS OK_RC DIR -- REF_CMD... -- MT_CMD...
# One untimed warm-up of each side (which also measures the process-tree peak), then RUNS timed runs of each,
# interleaved (reference first on odd runs, modeltest first on even ones) so that drift hits both sides alike.
bench() {
  local name=$1 runs=$2 ok=$3 ; shift 3
  [ "$1" = -- ] && shift
  local ref=() mt=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do ref+=("$1"); shift; done
  shift
  mt=("$@")
  local slug=${name//[^A-Za-z0-9]/_}
  echo
  echo "== $name ($runs runs each)"
  echo "   reference: ${ref[*]}"
  echo "   modeltest: ${mt[*]}"

  local tr tm
  tr=$(tree "$WORK/logs/$slug.ref.warm" "${ref[@]}")
  tm=$(tree "$WORK/logs/$slug.mt.warm" "${mt[@]}")
  echo "   warm-up (process tree peak KB, exit status): reference $tr | modeltest $tm"

  local i r side res rc w k
  local -a rw=() rk=() mw=() mk=() rrc=() mrc=()
  for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then order="ref mt"; else order="mt ref"; fi
    for side in $order; do
      if [ $side = ref ]; then res=$(timed "$WORK/logs/$slug.ref.$i" "${ref[@]}")
      else res=$(timed "$WORK/logs/$slug.mt.$i" "${mt[@]}"); fi
      read -r rc w k <<<"$res"
      if [ $side = ref ]; then rw+=("$w"); rk+=("$k"); rrc+=("$rc")
      else mw+=("$w"); mk+=("$k"); mrc+=("$rc"); fi
    done
    echo "   run $i: reference ${rw[-1]} s ${rk[-1]} KB exit ${rrc[-1]} | modeltest ${mw[-1]} s ${mk[-1]} KB exit ${mrc[-1]}"
  done

  # Exit statuses: every run must give the expected one; a crash (or kill) is reported, not hidden.
  local bad=""
  for rc in "${rrc[@]}"; do [ "$rc" = "$ok" ] || bad="$bad reference exit $rc (expected $ok), see $WORK/logs/$slug.ref.*;"; done
  for rc in "${mrc[@]}"; do [ "$rc" = "$ok" ] || bad="$bad modeltest exit $rc (expected $ok), see $WORK/logs/$slug.mt.*;"; done
  if [ -n "$bad" ]; then
    FAILURES+=("$name:$bad")
    echo "   !! unexpected exit status:$bad"
    for f in "$WORK/logs/$slug".*.[0-9]*; do
      case $f in *.time) continue ;; esac
      echo "   --- tail of $f"; tail -5 "$f" | sed 's/^/   /'
    done
  fi

  local mrw mmw mrk mmk
  mrw=$(printf '%s\n' "${rw[@]}" | median); mmw=$(printf '%s\n' "${mw[@]}" | median)
  mrk=$(printf '%s\n' "${rk[@]}" | median); mmk=$(printf '%s\n' "${mk[@]}" | median)
  local trk=${tr%% *} tmk=${tm%% *}
  ROWS_MD+=("| $name | $runs | $(printf '%.2f' "$mrw") s | $(printf '%.2f' "$mmw") s | **$(ratio "$mrw" "$mmw")** | $(mib "$mrk") | $(mib "$mmk") | **$(ratio "$mrk" "$mmk")** | $(mib "$trk") | $(mib "$tmk") | $(ratio "$trk" "$tmk") | ${rrc[0]} / ${mrc[0]} |")
}

# Do both validators reach the same verdicts? (compares the passed/failed counts of their JSON reports)
agree() {
  "$PY" - "$1" "$2" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ka = (a["total_checks"], a["passed_checks"], a["failed_checks"]); kb = (b["total_checks"], b["passed_checks"], b["failed_checks"])
print(f"   reports: reference {ka[1]}/{ka[0]} passed, modeltest {kb[1]}/{kb[0]} passed" + ("" if ka == kb else "   !! THEY DIFFER"))
sys.exit(0 if ka == kb else 1)
EOF
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "== node $(node --version), $("$PY" -c 'import sys, pandas, torch; print(f"python {sys.version.split()[0]}, pandas {pandas.__version__}, torch {torch.__version__}")')"
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')

MT=(node "$ROOT/bin/modeltest.js")
bench "validate text_$ROWS.csv ($(du -m "$TEXT" | cut -f1) MB)" "$N" 0 -- \
  "$PY" "$SHARED/seed_data_validation.py" "$TEXT" --columns text label --label label --min-samples 1000 --output "$WORK/ref_text.json" -- \
  "${MT[@]}" validate "$TEXT" --columns text,label --label label --min-samples 1000 --output "$WORK/mt_text.json"
agree "$WORK/ref_text.json" "$WORK/mt_text.json" || FAILURES+=("validate text: the two reports differ")

bench "validate wide_$ROWS.csv ($(du -m "$WIDE" | cut -f1) MB)" "$N" 1 -- \
  "$PY" "$SHARED/seed_data_validation.py" "$WIDE" --columns f0 f3 label --label label --min-samples 1000 --output "$WORK/ref_wide.json" -- \
  "${MT[@]}" validate "$WIDE" --columns f0,f3,label --label label --min-samples 1000 --output "$WORK/mt_wide.json"
agree "$WORK/ref_wide.json" "$WORK/mt_wide.json" || FAILURES+=("validate wide: the two reports differ")

bench "gate: seed_gate.sh vs examples/sentiment" "$GATE_N" 0 -- \
  "$SHARED/seed_gate.sh" "$SENT" -- \
  env -C "$EX" node ../../bin/modeltest.js --no-junit --no-json
grep -h 'accuracy' "$WORK/logs/gate__seed_gate_sh_vs_examples_sentiment.mt.1" 2>/dev/null | head -1 | sed 's/^ */   modeltest: /'
"$PY" -c "import json; r = json.load(open('/tmp/seed-tr.json')); print('   reference:', r['results'][0]['message'])" 2>/dev/null

# ---- table ---------------------------------------------------------------------------------------------
{
  echo
  echo "Measured $DATE on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); reference = pandas / PyTorch, ratio = reference ÷ modeltest (> 1: modeltest faster / smaller)."
  echo
  echo "| workload | runs | reference wall (median) | modeltest wall (median) | wall ratio | reference peak RSS | modeltest peak RSS | RSS ratio | reference tree RSS | modeltest tree RSS | tree ratio | exit ref / mt |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS_MD[@]}"
  echo
  echo "Peak RSS: GNU time %M (median over the runs), the largest single process. Tree RSS: one sampled run, summed over the process and its children (vitest runs test files in a forked worker)."
} | tee "$WORK/results.md"

if [ ${#FAILURES[@]} -gt 0 ]; then
  echo
  echo "FAILURES:"
  printf '  %s\n' "${FAILURES[@]}"
  exit 1
fi
