#!/usr/bin/env bash
# Set up (if needed) and run every check CI runs: formatting, clippy with
# warnings as errors, and the whole test suite.
# SPIKEFAB_SOAK=1 additionally runs the long checks (full-scale PD14).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
if [ "${SPIKEFAB_SOAK:-0}" = "1" ]; then
  echo "== soak: long checks (full-scale PD14)"
  cargo test --workspace --release -- --ignored --nocapture
fi
