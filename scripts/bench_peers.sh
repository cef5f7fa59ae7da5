#!/usr/bin/env bash
# Peer benchmark: run spikefab's reference engine and Brian2 (C++ standalone,
# OpenMP) on the same model, one after the other, and print a ratio table.
#
#   scripts/bench_peers.sh [balanced|pd14|all] [--threads T] [--duration-ms D]
#                          [--scale S | --n-scale N --k-scale K] [--n N] [--out FILE]
#
# Defaults: model all, threads = number of cores, duration 1000 ms, PD14 at
# n_scale = k_scale = 0.5, balanced at its default 1250 neurons.
# Needs a release build of the CLI (cargo build --release); installs the
# Python requirements (scripts/peers/requirements.txt) into a virtual
# environment at $SPIKEFAB_PEERS_VENV (default ~/.cache/spikefab-peers-venv).
# Both JSON lines of every comparison are appended to --out (default
# runs/peers-<date>.jsonl, not kept; figures cited in the docs come from
# scripts/measure.sh into results/). See scripts/peers/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

model=all
threads=$(nproc 2>/dev/null || echo 1)
duration=1000
n_scale=0.5
k_scale=0.5
bal_n=""
out="runs/peers-$(date +%Y%m%d-%H%M%S).jsonl"

die() { echo "bench_peers: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    balanced|pd14|all) model=$1 ;;
    --threads) threads=${2:?--threads needs a value}; shift ;;
    --duration-ms) duration=${2:?--duration-ms needs a value}; shift ;;
    --scale) n_scale=${2:?--scale needs a value}; k_scale=$2; shift ;;
    --n-scale) n_scale=${2:?--n-scale needs a value}; shift ;;
    --k-scale) k_scale=${2:?--k-scale needs a value}; shift ;;
    --n) bal_n=${2:?--n needs a value}; shift ;;
    --out) out=${2:?--out needs a value}; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

spikefab=target/release/spikefab
if [ ! -x "$spikefab" ]; then
  die "$spikefab not found: build it first with 'cargo build --release'"
fi
if ! "$spikefab" bench sim --help >/dev/null 2>&1; then
  die "$spikefab has no 'bench sim' command: rebuild it with 'cargo build --release'"
fi

# Python environment for Brian2.
venv=${SPIKEFAB_PEERS_VENV:-$HOME/.cache/spikefab-peers-venv}
command -v python3 >/dev/null 2>&1 || die "python3 not found (needed for Brian2)"
if [ ! -x "$venv/bin/python" ]; then
  echo "bench_peers: creating Python virtual environment $venv" >&2
  python3 -m venv "$venv" || die "could not create $venv (Debian: apt-get install python3-venv)"
fi
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check -r scripts/peers/requirements.txt \
  || die "pip install -r scripts/peers/requirements.txt failed"
"$py" -c "import brian2" 2>/dev/null || die "brian2 does not import in $venv"
command -v g++ >/dev/null 2>&1 || die "g++ not found (Brian2's C++ standalone mode compiles the model)"

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Last line of a command's stdout that is a JSON object.
json_line() { grep -E '^\{' "$1" | tail -n 1; }

run_pair() {
  local name=$1; shift
  local sf_args=() b2_args=()
  case "$name" in
    balanced)
      sf_args=(bench sim balanced --threads "$threads" --duration-ms "$duration" --json)
      b2_args=(scripts/peers/brian2_balanced.py --threads "$threads" --duration-ms "$duration")
      if [ -n "$bal_n" ]; then sf_args+=(--n "$bal_n"); b2_args+=(--n "$bal_n"); fi
      ;;
    pd14)
      sf_args=(bench sim pd14 --n-scale "$n_scale" --k-scale "$k_scale" --threads "$threads" --duration-ms "$duration" --json)
      b2_args=(scripts/peers/brian2_pd14.py --n-scale "$n_scale" --k-scale "$k_scale" --threads "$threads" --duration-ms "$duration")
      ;;
  esac
  echo "== $name: spikefab ${sf_args[*]}" >&2
  "$spikefab" "${sf_args[@]}" >"$tmp/$name.sf" || die "spikefab failed on $name"
  echo "== $name: brian2 ${b2_args[*]}" >&2
  "$py" "${b2_args[@]}" >"$tmp/$name.b2" 2>"$tmp/$name.b2.err" || { cat "$tmp/$name.b2.err" >&2; die "brian2 failed on $name"; }
  local sf b2
  sf=$(json_line "$tmp/$name.sf"); b2=$(json_line "$tmp/$name.b2")
  [ -n "$sf" ] || die "spikefab printed no JSON line for $name"
  [ -n "$b2" ] || die "brian2 printed no JSON line for $name"
  { echo "$sf"; echo "$b2"; } >>"$out"
  printf '%s\n%s\n' "$sf" "$b2" >"$tmp/$name.pair"
  "$py" - "$tmp/$name.pair" <<'PY'
import json, sys
sf, b2 = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def mb(x):
    return None if x is None else x / 2**20
sf_rates = {p["population"]: p["rate_hz"] for p in sf.get("populations", [])}
b2_build = b2["setup_s"] + b2["build_s"] + (b2["binary_wall_s"] - b2["sim_wall_s"])
rows = [
    ("neurons", sf.get("neurons"), b2.get("neurons")),
    ("synapses", sf.get("synapses"), b2.get("synapses")),
    ("threads", sf.get("threads"), b2.get("threads")),
    ("build s (all set-up)", sf.get("build_s"), b2_build),
    ("sim wall s", sf.get("sim_s"), b2.get("sim_wall_s")),
    ("real-time factor", sf.get("real_time_factor"), b2.get("rtf")),
    ("peak RSS MiB", mb(sf.get("peak_rss_bytes")), b2.get("peak_rss_mb")),
    ("bytes/synapse", sf.get("bytes_per_synapse"), b2.get("bytes_per_synapse")),
    ("spikes", sf.get("spikes"), b2.get("spikes")),
]
for pop, r in b2.get("rates_hz", {}).items():
    rows.append((f"rate {pop} Hz", sf_rates.get(pop), r))
def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
print(f"\n{sf.get('model')}  (ratio = brian2 / spikefab; >1 means spikefab is faster/smaller)")
print(f"{'metric':22} {'spikefab':>12} {'brian2':>12} {'ratio':>8}")
for k, a, b in rows:
    ratio = fmt(b / a) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else "-"
    print(f"{k:22} {fmt(a):>12} {fmt(b):>12} {ratio:>8}")
if sf.get("neurons") != b2.get("neurons") or sf.get("synapses") != b2.get("synapses"):
    print("WARNING: the two networks differ in size; the comparison is not like for like")
PY
}

case "$model" in
  all) run_pair balanced; run_pair pd14 ;;
  *) run_pair "$model" ;;
esac
echo "bench_peers: raw JSON lines appended to $out" >&2
