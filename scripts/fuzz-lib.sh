# Shared by scripts/fuzz-nightly, fuzz-ci and fuzz-planted-bug (sourced, not run).
# Which dictionary and extra seed folders each target takes, and how to read libFuzzer logs.

fuzz_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# fuzz_dict TARGET -> path of its dictionary, or nothing (the model target reads structure, not text).
fuzz_dict() {
  case $1 in
    scenario_json|observation_json|known_divergences) echo "$fuzz_root/fuzz/dict/json.dict" ;;
    ios_config|ios_roundtrip) echo "$fuzz_root/fuzz/dict/ios.dict" ;;
    show_certs) echo "$fuzz_root/fuzz/dict/show.dict" ;;
    ike_codec) echo "$fuzz_root/fuzz/dict/ike.dict" ;;
    vici) echo "$fuzz_root/fuzz/dict/vici.dict" ;;
  esac
}

# fuzz_flags TARGET -> extra libFuzzer flags (one per line) the target always runs with.
# model: the entropic schedule's feature bookkeeping (UpdateFeatureFrequency, AddRareFeature) was
# 60 % of the time on the model's ~15,000 features; without it the target runs ~3x the inputs
# per CPU-second, reaches as many features in the same time and still finds the planted P-1 bug
# in 500-13,000 runs (docs/fuzzing.md, Throughput).
fuzz_flags() {
  case $1 in
    model) echo "-entropic=0" ;;
  esac
}

# fuzz_seed_dirs TARGET -> read-only seed folders that exist (corpus/fuzz, regressions, more).
fuzz_seed_dirs() {
  local d seeds=$1
  [[ $1 == ios_roundtrip ]] && seeds=ios_config  # same inputs as the parser target, more checks
  for d in "$fuzz_root/corpus/fuzz/$seeds" "$fuzz_root/corpus/regressions/$1"; do
    [[ -d $d ]] && echo "$d"
  done
  [[ $1 == scenario_json && -d $fuzz_root/corpus/scenarios ]] && echo "$fuzz_root/corpus/scenarios"
  return 0
}

# fuzz_targets_in BINDIR -> target names of the fuzz_* executables there.
fuzz_targets_in() {
  local f
  for f in "$1"/fuzz_*; do
    [[ -x $f && ! -d $f ]] || continue
    f=${f##*/fuzz_}
    [[ $f == make_seeds ]] || echo "$f"
  done
}

# fuzz_count DIR -> number of files in DIR (0 when absent).
fuzz_count() { [[ -d $1 ]] && find "$1" -maxdepth 1 -type f | wc -l || echo 0; }

# fuzz_last_stat LOG... KEY -> last "KEY: N" value over the given libFuzzer logs (max over logs).
fuzz_last_stat() {
  local key=${!#} best=0 v f
  for f in "${@:1:$#-1}"; do
    [[ -f $f ]] || continue
    v=$(grep -oE "(^| )$key: [0-9]+" "$f" | tail -n 1 | grep -oE '[0-9]+$' || true)
    [[ -n $v && $v -gt $best ]] && best=$v
  done
  echo "$best"
}

# fuzz_exec_per_s LOG... -> summed average exec/s over the logs (one per job).
fuzz_exec_per_s() {
  local total=0 v f
  for f in "$@"; do
    [[ -f $f ]] || continue
    v=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$f" | tail -n 1 | grep -oE '[0-9]+$' || true)
    [[ -z $v ]] && v=$(grep -oE 'exec/s: [0-9]+' "$f" | tail -n 1 | grep -oE '[0-9]+$' || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# json_str STRING -> the string as a JSON literal (paths and commands only: escape \ and ").
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
