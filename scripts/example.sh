#!/usr/bin/env bash
# Set up (if needed), build spikefab and run the built-in balanced network end
# to end: spikes, rates, raster plot and run record land in runs/example/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --bin spikefab
rm -rf runs/example
./target/release/spikefab sim balanced -o runs/example "$@"
echo
echo "Run directory: runs/example (spikes.txt, rates.csv, raster.png, run.json, network.toml)"
