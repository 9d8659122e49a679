#!/usr/bin/env bash
# Side-by-side benchmark of modeltest against the tutorial's Python reference (pandas + PyTorch) and against the
# floor of its own engine, in ONE run, reported as ratios, never as a timed test:
#   1. `modeltest validate` vs seed_data_validation.py (pandas) vs bench/validate-floor.mjs (a bare DuckDB
#      script: the same aggregates alone, then with the file's SHA-256 beside them) on the text and wide files
#      of gen_data.py, at every size of SIZES, with peak RSS beside
#   2. the whole gate: seed_gate.sh (pandas + PyTorch) vs the modeltest run of examples/sentiment, with
#      `node -e 0` and the CLI entry (`modeltest --version`) beside, and where the gate's time goes
#   3. bench/startup.ts and bench/evaluate.ts, when present (start-up; evaluation overhead, warm cache)
# Usage: bench/run.sh [--10m]     (see bench/README.md; settings through the environment below)
#
#   --10m         also the 10M-row files (about 1 GB and 1.9 GB; pandas takes minutes), LARGE_N runs each
#   SHARED_BENCH  the reference scripts (default: <repo>/../shared/bench)
#   PYTHON        python with pandas and torch (default /usr/bin/python3, Debian's)
#   N             runs per validate workload (default 3); GATE_N runs per gate (default 5); LARGE_N (default 1)
#   SIZES         rows of the generated files (default "100000 1000000")
#   BENCH_DIR     where data, the torch model, logs and results.md go (default ${TMPDIR:-/tmp}/modeltest-bench);
#                 the generated CSVs are kept there and reused when present
#   SKIP_BUILD=1  do not run `npm run build` first
#   SKIP_TS=1     do not run bench/startup.ts and bench/evaluate.ts
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
LARGE_N=${LARGE_N:-1}
SIZES=${SIZES:-100000 1000000}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/modeltest-bench}
TIME=/usr/bin/time

LARGE=0
case "${1:-}" in
  -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --10m) LARGE=1 ;;
  "") ;;
  *) echo "bench: unknown argument '$1' (bench/run.sh --help)" >&2; exit 2 ;;
esac

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
[ $LARGE = 1 ] && SIZES="$SIZES 10000000"
for rows in $SIZES; do
  for kind in text wide; do
    f=$WORK/${kind}_$rows.csv
    if [ ! -s "$f" ]; then
      echo "== generating $f"
      "$PY" "$SHARED/gen_data.py" "$rows" "$f.tmp" "$kind" && mv "$f.tmp" "$f" || die "gen_data.py $kind failed"
    fi
  done
  # The wide file has columns f0..f19,label; f3 has an empty cell every 1000th row, so both tools must
  # report the null check as failed (exit status 1) on it: that is part of "the same checks".
  head -1 "$WORK/wide_$rows.csv" | tr -d '\r' | grep -q '^f0,.*f3,.*,label$' || die "unexpected header in $WORK/wide_$rows.csv"
done

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
secs() { awk -v s="$1" 'BEGIN { if (s == "nan" || s == "") print "n/a"; else printf "%.2f s", s }'; }

FAILURES=()
declare -A WALL RSS TREE

# bench NAME RUNS [--tree] -- SIDE OK CMD... -- SIDE OK CMD... ...
# Every side runs RUNS times, timed; the order of the sides rotates from one run to the next (on run i the
# i-th side goes first), so that drift and the page cache hit all sides alike. Before that, one untimed
# warm-up of each side (with --tree, sampled for the process-tree peak). Sets WALL[NAME/SIDE] and
# RSS[NAME/SIDE] (medians: wall seconds, peak KB) and TREE[NAME/SIDE]; a run with another exit status than
# OK is listed in FAILURES, with the tails of its logs.
bench() {
  local name=$1 runs=$2; shift 2
  local sample=0
  [ "$1" = --tree ] && { sample=1; shift; }
  [ "$1" = -- ] && shift
  local -a sides=() oks=() cmds=()
  while [ $# -gt 0 ]; do
    sides+=("$1"); oks+=("$2"); shift 2
    local cmd=""
    while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=$(printf '%q ' "$1"); shift; done
    cmds+=("$cmd"); [ $# -gt 0 ] && shift
  done
  local slug=${name//[^A-Za-z0-9]/_} n=${#sides[@]} i j k
  echo
  echo "== $name ($runs runs each, order rotating)"
  for ((j = 0; j < n; j++)); do
    echo "   ${sides[j]}: ${cmds[j]}"
    if [ $sample = 1 ]; then TREE[$name/${sides[j]}]=$(eval "tree $WORK/logs/$slug.$j.warm ${cmds[j]}" | cut -d' ' -f1)
    else eval "${cmds[j]}" >"$WORK/logs/$slug.$j.warm" 2>&1; fi
  done
  local -a walls=() peaks=() bad=()
  for ((i = 0; i < runs; i++)); do
    local line="   run $((i + 1)):"
    for ((k = 0; k < n; k++)); do
      j=$(((i + k) % n))
      local rc w kb
      read -r rc w kb <<<"$(eval "timed $WORK/logs/$slug.$j.$((i + 1)) ${cmds[j]}")"
      walls[j]+="$w "; peaks[j]+="$kb "
      line+=" ${sides[j]} $w s ${kb} KB exit $rc |"
      [ "$rc" = "${oks[j]}" ] || bad+=("${sides[j]} exit $rc (expected ${oks[j]}), see $WORK/logs/$slug.$j.$((i + 1))")
    done
    echo "${line% |}"
  done
  for ((j = 0; j < n; j++)); do
    WALL[$name/${sides[j]}]=$(printf '%s\n' ${walls[j]} | median)
    RSS[$name/${sides[j]}]=$(printf '%s\n' ${peaks[j]} | median)
  done
  if [ ${#bad[@]} -gt 0 ]; then
    FAILURES+=("$name: ${bad[*]}")
    printf '   !! unexpected exit status: %s\n' "${bad[@]}"
    for f in "$WORK/logs/$slug".*.[0-9]*; do
      case $f in *.time) continue ;; esac
      echo "   --- tail of $f"; tail -5 "$f" | sed 's/^/   /'
    done
  fi
}

# Do both validators reach the same verdicts? (compares the passed/failed counts of their JSON reports)
agree() {
  "$PY" - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ka = (a["total_checks"], a["passed_checks"], a["failed_checks"]); kb = (b["total_checks"], b["passed_checks"], b["failed_checks"])
print(f"   reports: reference {ka[1]}/{ka[0]} passed, modeltest {kb[1]}/{kb[0]} passed" + ("" if ka == kb else "   !! THEY DIFFER"))
sys.exit(0 if ka == kb else 1)
PY
}

MACHINE="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "== machine: $MACHINE; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== node $(node --version), $("$PY" -c 'import sys, pandas, torch; print(f"python {sys.version.split()[0]}, pandas {pandas.__version__}, torch {torch.__version__}")')"
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
MT=(node "$ROOT/bin/modeltest.js")
FLOOR=(node "$HERE/validate-floor.mjs")

# ---- 1. validate: pandas, modeltest and the bare-DuckDB floor ------------------------------------------
VALIDATE_ROWS=()
for rows in $SIZES; do
  runs=$N; [ "$rows" -ge 10000000 ] && runs=$LARGE_N
  for kind in text wide; do
    f=$WORK/${kind}_$rows.csv
    if [ $kind = text ]; then cols=(text label) ok=0 typed=text:string,label:int
    else cols=(f0 f3 label) ok=1 typed=f0:float,f3:float,label:int; fi
    list=$(IFS=,; echo "${cols[*]}")
    name="validate ${kind}_$rows.csv ($(du -mL "$f" | cut -f1) MB)"
    bench "$name" "$runs" -- \
      pandas "$ok" "$PY" "$SHARED/seed_data_validation.py" "$f" --columns "${cols[@]}" --label label --min-samples 1000 --output "$WORK/ref_$kind.json" -- \
      modeltest "$ok" "${MT[@]}" validate "$f" --columns "$list" --label label --min-samples 1000 --output "$WORK/mt_$kind.json" -- \
      floor 0 "${FLOOR[@]}" "$f" --columns "$typed" --label label -- \
      floor+hash 0 "${FLOOR[@]}" "$f" --columns "$typed" --label label --hash
    agree "$WORK/ref_$kind.json" "$WORK/mt_$kind.json" || FAILURES+=("$name: the two reports differ")
    p=${WALL[$name/pandas]} m=${WALL[$name/modeltest]} q=${WALL[$name/floor]} h=${WALL[$name/floor+hash]}
    VALIDATE_ROWS+=("| $name | $runs | $(secs "$p") | $(secs "$m") | $(secs "$q") | $(secs "$h") | **$(ratio "$p" "$m")** | **$(ratio "$m" "$h")** | $(ratio "$m" "$q") | $(ratio "$p" "$h") | $(mib "${RSS[$name/pandas]}") | $(mib "${RSS[$name/modeltest]}") | $(mib "${RSS[$name/floor]}") | $(mib "${RSS[$name/floor+hash]}") |")
  done
done

# ---- 2. the whole gate, and where its time goes --------------------------------------------------------
GATE="gate: seed_gate.sh vs examples/sentiment"
bench "$GATE" "$GATE_N" --tree -- \
  reference 0 "$SHARED/seed_gate.sh" "$SENT" -- \
  modeltest 0 env -C "$EX" node ../../bin/modeltest.js --no-junit --no-json -- \
  node-e-0 0 node -e 0 -- \
  cli-entry 0 "${MT[@]}" --version
grep -h 'accuracy' "$WORK/logs/${GATE//[^A-Za-z0-9]/_}.1.1" 2>/dev/null | head -1 | sed 's/^ */   modeltest: /'
"$PY" -c "import json; r = json.load(open('/tmp/seed-tr.json')); print('   reference:', r['results'][0]['message'])" 2>/dev/null
# One more gate run with its JSON report: vitest's own times for the file (setup, import, collection,
# tests) and for each test, to set beside the process's wall time.
(cd "$EX" && node ../../bin/modeltest.js --no-junit --no-html --json "$WORK/gate.json" >"$WORK/logs/gate-report.log" 2>&1)
GATE_SPLIT=$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  const tests = r.tests.map((t) => [t.name, t.durationMs]).sort((a, b) => b[1] - a[1])
  const sum = tests.reduce((s, t) => s + t[1], 0)
  const files = (r.files ?? []).reduce((s, f) => s + f.durationMs, 0)
  console.log(`vitest run ${(r.durationMs / 1000).toFixed(2)} s; test file ${(files / 1000).toFixed(2)} s, of which its ${tests.length} tests ${(sum / 1000).toFixed(2)} s (slowest: ${tests.slice(0, 4).map(([n, d]) => `${n} ${d.toFixed(0)} ms`).join(", ")})`)
' "$WORK/gate.json" 2>&1)
echo "   $GATE_SPLIT"

# ---- 3. start-up, evaluation overhead and the warm cache (their own scripts, when present) ---------------
TS_OUT=()
if [ "${SKIP_TS:-0}" != 1 ]; then
  for script in startup.ts evaluate.ts; do
    [ -f "$HERE/$script" ] || { echo; echo "== bench/$script is not in this checkout: left out"; continue; }
    echo; echo "== npx tsx bench/$script"
    (cd "$ROOT" && npx tsx "bench/$script") 2>&1 | tee "$WORK/logs/$script.log" || FAILURES+=("bench/$script failed, see $WORK/logs/$script.log")
    TS_OUT+=("bench/$script: see $WORK/logs/$script.log")
  done
fi

# ---- tables --------------------------------------------------------------------------------------------
g_ref=${WALL[$GATE/reference]} g_mt=${WALL[$GATE/modeltest]}
{
  echo
  echo "Measured $DATE on $MACHINE; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "validate: median wall and median peak RSS (GNU time %M) over the runs. floor = bench/validate-floor.mjs, a bare"
  echo "DuckDB script running the same aggregates; floor+hash = the same with the file's SHA-256 streamed beside the query."
  echo
  echo "| workload | runs | pandas | modeltest | floor | floor+hash | pandas ÷ modeltest | modeltest ÷ floor+hash | modeltest ÷ floor | pandas ÷ floor+hash | RSS pandas | RSS modeltest | RSS floor | RSS floor+hash |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${VALIDATE_ROWS[@]}"
  echo
  echo "| gate | runs | reference wall | modeltest wall | reference ÷ modeltest | modeltest ÷ reference (goal ≤ 0.5) | node -e 0 | CLI entry (--version) | reference peak RSS | modeltest peak RSS | reference tree RSS | modeltest tree RSS |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  echo "| $GATE | $GATE_N | $(secs "$g_ref") | $(secs "$g_mt") | **$(ratio "$g_ref" "$g_mt")** | $(ratio "$g_mt" "$g_ref") | $(secs "${WALL[$GATE/node-e-0]}") | $(secs "${WALL[$GATE/cli-entry]}") | $(mib "${RSS[$GATE/reference]}") | $(mib "${RSS[$GATE/modeltest]}") | $(mib "${TREE[$GATE/reference]}") | $(mib "${TREE[$GATE/modeltest]}") |"
  echo
  echo "Where the gate's time goes (one more run with its JSON report): $GATE_SPLIT."
  echo "Tree RSS: one sampled warm-up run, summed over the process and its children (vitest runs test files in a forked worker)."
  [ ${#TS_OUT[@]} -gt 0 ] && printf '%s\n' "${TS_OUT[@]}"
} | tee "$WORK/results.md"

if [ ${#FAILURES[@]} -gt 0 ]; then
  echo
  echo "FAILURES:"
  printf '  %s\n' "${FAILURES[@]}"
  exit 1
fi
