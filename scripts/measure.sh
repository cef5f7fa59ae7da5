#!/usr/bin/env bash
# Re-measure figures cited in README.md and docs/ and append their raw JSON
# lines to results/ (results/README.md). Builds the release CLI first.
#
#   scripts/measure.sh --list            # figure ids, result files, commands
#   scripts/measure.sh FIGURE...         # e.g. peer-pd14-full-t2 pd14-rates-s55
#   scripts/measure.sh all               # every figure (about half an hour on 2 cores)
#
# Peer figures (peer-*) install Brian2 (scripts/peers/requirements.txt) into
# $SPIKEFAB_PEERS_VENV (default ~/.cache/spikefab-peers-venv) and need g++.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null 2>&1 || { echo "measure: python3 not found" >&2; exit 1; }
case "${1:-}" in
  ""|-h|--help|--list) ;;
  *) cargo build --release --quiet -p spikefab ;;
esac
exec python3 scripts/measure.py "$@"
