#!/usr/bin/env bash
# Set up (if needed), build spikefab and run the built-in balanced network end
# to end:
#   1. the bit-exact reference simulation (1 s): spikes, rates, raster plot and
#      run record in runs/example/;
#   2. the accelerator generated for the 'balanced' hardware config
#      (RTL, memory images, manifest) in runs/example-gen/;
#   3. the generated RTL, verilated, in lockstep with the reference for 200
#      steps: every neuron update and spike compared bit for bit; the RTL's
#      record trace is kept in runs/example-rtl/records.txt;
#   4. the reference's record trace of the same 200 steps
#      (runs/example-ref/records.txt) and the one comparator on both files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --bin spikefab
rm -rf runs/example runs/example-gen runs/example-gen.txt runs/example-rtl runs/example-ref
./target/release/spikefab sim balanced -o runs/example "$@"
echo
./target/release/spikefab gen balanced --hw balanced -o runs/example-gen > runs/example-gen.txt
head -4 runs/example-gen.txt
echo
./target/release/spikefab cosim balanced --hw balanced --steps 200 --work runs/example-rtl
echo
./target/release/spikefab sim balanced --steps 200 --records -o runs/example-ref > /dev/null
./target/release/spikefab compare runs/example-ref/records.txt runs/example-rtl/records.txt
echo
echo "Run directory: runs/example (spikes.txt, rates.csv, raster.png, run.json, network.toml)"
echo "Generated accelerator: runs/example-gen (spikefab_top.v, spikefab_net.v, *.hex, manifest.json)"
echo "Record traces: runs/example-ref/records.txt (reference), runs/example-rtl/records.txt (RTL)"
