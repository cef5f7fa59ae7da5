#!/usr/bin/env bash
# One-time set-up of a fresh Debian machine for spikefab: checks the Rust
# toolchain and installs the system packages the project needs. Idempotent:
# it installs only what is missing. Sourced by scripts/example.sh and
# scripts/test.sh, so nothing has to be installed by hand.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
# Co-simulation compiles the verilated RTL at run time with g++ and make.
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# plotters' bitmap backend renders text with fontconfig/freetype.
dpkg -s libfontconfig1-dev >/dev/null 2>&1 || need_apt+=(libfontconfig1-dev)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need_apt+=(fonts-dejavu-core)
# HDL: unit testbenches (iverilog) and lint/co-simulation (Verilator).
command -v iverilog >/dev/null 2>&1 || need_apt+=(iverilog)
command -v verilator >/dev/null 2>&1 || need_apt+=(verilator)
command -v yosys >/dev/null 2>&1 || need_apt+=(yosys)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "spikefab setup: missing Debian packages: ${need_apt[*]}" >&2
    echo "run as root, or: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "spikefab setup: installing ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "spikefab setup: no Rust toolchain found. Install it with rustup (https://rustup.rs)," >&2
  echo "then re-run this script." >&2
  exit 1
fi
for comp in clippy rustfmt; do
  if ! cargo "${comp/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$comp"
  fi
done
