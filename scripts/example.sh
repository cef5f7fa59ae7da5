#!/usr/bin/env bash
# Set up (if needed), build spikefab and run the built-in balanced network end
# to end:
#   1. the bit-exact reference simulation (1 s): spikes, rates, raster plot and
#      run record in runs/example/;
#   2. the accelerator generated for the 'balanced' hardware config
#      (RTL, memory images, manifest) in runs/example-gen/;
#   3. the generated RTL, verilated, in lockstep with the reference for 200
#      steps: every neuron update and spike compared bit for bit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --bin spikefab
rm -rf runs/example runs/example-gen runs/example-gen.txt
./target/release/spikefab sim balanced -o runs/example "$@"
echo
./target/release/spikefab gen balanced --hw balanced -o runs/example-gen > runs/example-gen.txt
head -4 runs/example-gen.txt
echo
./target/release/spikefab cosim balanced --hw balanced --steps 200
echo
echo "Run directory: runs/example (spikes.txt, rates.csv, raster.png, run.json, network.toml)"
echo "Generated accelerator: runs/example-gen (spikefab_top.v, spikefab_net.v, *.hex, manifest.json)"
