#!/usr/bin/env bash
# Fuzzes every parser of benchgate-adapters for a bounded time each (default 120 s), seeding the
# corpora with the committed fixtures. Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable
# toolchain RUSTC_BOOTSTRAP=1 lets it use the sanitizer flags. Usage: fuzz/run.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-120}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(go go_json hyperfine google_benchmark pytest_benchmark libtest native criterion)
fi
fixtures=../crates/adapters/tests/fixtures
seed() {
  local target=$1 dir=corpus/$1
  mkdir -p "$dir"
  case $target in
    go) find "$fixtures/go" -name '*.txt' -exec cp {} "$dir/" \; ;;
    go_json) find "$fixtures/go" -name '*.json' ! -name reference.json -exec cp {} "$dir/" \; ;;
    hyperfine) cp "$fixtures"/hyperfine/*.json "$dir/" ;;
    google_benchmark) cp "$fixtures"/google-benchmark/*.json "$dir/" ;;
    pytest_benchmark) find "$fixtures/pytest-benchmark" -name '*.json' -exec cp {} "$dir/" \; ;;
    libtest) cp "$fixtures"/libtest/*.txt "$dir/" ;;
    native) [ -s "$dir/run.json" ] || cargo run -q --manifest-path ../Cargo.toml -p benchgate -- \
              run -q --runs 3 --warmup 0 --export-json "$PWD/$dir/run.json" -- true > /dev/null ;;
    criterion) ;;
  esac
}
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t: ${seconds}s"
  start=$(date +%s)
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=262144 -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)|SUMMARY|panicked|ERROR|crash-" || true
  echo "   $t ran $(( $(date +%s) - start ))s"
done
