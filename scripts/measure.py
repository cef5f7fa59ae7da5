#!/usr/bin/env python3
"""Re-measure the figures that README.md and docs/ cite, appending one raw JSON
line per measurement to results/*.jsonl (see results/README.md).

    scripts/measure.sh FIGURE...        # or: python3 scripts/measure.py FIGURE...
    scripts/measure.sh --list           # every figure id, its file and command
    scripts/measure.sh all              # everything (about half an hour on 2 cores)

A figure id names one measured configuration. The docs cite it as `fig:ID`;
tests/figures.rs checks that every cited id has a line under results/ and is
defined here. Each line carries the id, the commit, the date (UTC), the exact
command, the machine (CPU model, cores, memory) and its load average before and
after the command, and the tool's own JSON output under "result".

Peer comparisons (`peer-*`) run spikefab and Brian2 side by side in one
invocation with the same thread count, alternating (spikefab first in odd
rounds, Brian2 first in even ones), and append the tools' lines (ids
`<figure>` and `brian2-<figure>`) and one summary line (`peer-<figure>`) with
the ratio Brian2 / spikefab of every round: the conservative (smallest) ratio
first, then the median.
"""

import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
# The release CLI (cargo's target directory honours CARGO_TARGET_DIR).
SPIKEFAB = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "spikefab")
VENV = Path(os.environ.get("SPIKEFAB_PEERS_VENV", Path.home() / ".cache" / "spikefab-peers-venv"))
PD14_DATA = ROOT / "sim" / "data" / "pd14_microcircuit.json"


def sf(*args):
    return [SPIKEFAB, *args]


def synth(gen_dir, gen, top, out=None):
    """Generate (`gen NET ...` with NET under gen/tests/nets/) into
    runs/measure-gen-<gen_dir>, then `spikefab synth` it for xc7a100t."""
    verb, net, *rest = gen.split()
    g = f"runs/measure-gen-{gen_dir}"
    return ["bash", "-c", f"{SPIKEFAB} {verb} gen/tests/nets/{net} {' '.join(rest)} -o {g} && "
                          f"{SPIKEFAB} synth {g} {top} --part xc7a100t -o runs/measure-synth-{out or gen_dir} --json"]


def ext_grid(steps):
    """The built-in balanced network on the on-chip `balanced` config, then on
    the same config with its synapses in external memory
    (examples/hw_balanced_ext.toml) for every memory latency x bandwidth
    (default: one 32-byte beat per cycle), then with a small read window
    (examples/hw_balanced_ext_narrow.toml) for every latency: one
    `bench cosim --json` line per point, in one invocation."""
    b = f"{SPIKEFAB} bench cosim balanced --steps {steps} --json"
    runs = [f"{b} --hw balanced"]
    for lat in (50, 100, 200, 400):
        for bw in (None, 16, 8, 4, 2):
            runs.append(f"{b} --hw examples/hw_balanced_ext.toml --mem-latency {lat}"
                        + (f" --mem-bandwidth {bw}" if bw else ""))
    for lat in (50, 100, 200, 400):
        runs.append(f"{b} --hw examples/hw_balanced_ext_narrow.toml --mem-latency {lat}")
    return ["bash", "-c", "set -e; " + "; ".join(runs)]


def ext_idx_grid(steps):
    """The built-in balanced network on the on-chip `balanced` config, then
    for every memory latency (one 32-byte beat per cycle) on the external
    store with the row index on chip (examples/hw_balanced_ext.toml) and in
    external memory (examples/hw_balanced_ext_idx.toml), side by side: one
    `bench cosim --json` line per point, in one invocation."""
    b = f"{SPIKEFAB} bench cosim balanced --steps {steps} --json"
    runs = [f"{b} --hw balanced"]
    for lat in (50, 100, 200, 400):
        for hw in ("hw_balanced_ext", "hw_balanced_ext_idx"):
            runs.append(f"{b} --hw examples/{hw}.toml --mem-latency {lat}")
    return ["bash", "-c", "set -e; " + "; ".join(runs)]


def b2(script, *args):
    return ["PY", f"scripts/peers/{script}", *args]


# Single figures: id -> (results file, command). "PY" stands for the peer
# virtual environment's python (the recorded command names it).
SINGLE = {
    "pd14-full-t2": ("bench.jsonl", sf("bench", "sim", "pd14", "--scale", "1.0", "--threads", "2",
                                       "--duration-ms", "1000", "--json")),
    "pd14-full-t1": ("bench.jsonl", sf("bench", "sim", "pd14", "--scale", "1.0", "--threads", "1",
                                       "--duration-ms", "1000", "--json")),
    "pd14-rates-s55": ("bench.jsonl", sf("bench", "sim", "pd14", "--scale", "1.0", "--threads", "2",
                                         "--duration-ms", "1500", "--seed", "55", "--json")),
    "pd14-rates-s1234": ("bench.jsonl", sf("bench", "sim", "pd14", "--scale", "1.0", "--threads", "2",
                                           "--duration-ms", "1500", "--seed", "1234", "--json")),
    "balanced-t1": ("bench.jsonl", sf("bench", "sim", "balanced", "--threads", "1", "--duration-ms", "1000",
                                      "--json")),
    "balanced-t2": ("bench.jsonl", sf("bench", "sim", "balanced", "--threads", "2", "--duration-ms", "1000",
                                      "--json")),
    "balanced-n12500-t2": ("bench.jsonl", sf("bench", "sim", "balanced", "--n", "12500", "--threads", "2",
                                             "--duration-ms", "1000", "--json")),
    "brian2-pd14-full-t2": ("peers.jsonl", b2("brian2_pd14.py", "--scale", "1.0", "--threads", "2",
                                              "--duration-ms", "1000", "--connect", "binary")),
    "brian2-pd14-full-t1": ("peers.jsonl", b2("brian2_pd14.py", "--scale", "1.0", "--threads", "1",
                                              "--duration-ms", "1000", "--connect", "binary")),
    "brian2-balanced-t1": ("peers.jsonl", b2("brian2_balanced.py", "--threads", "1", "--duration-ms", "1000")),
    "brian2-balanced-t2": ("peers.jsonl", b2("brian2_balanced.py", "--threads", "2", "--duration-ms", "1000")),
    "brian2-balanced-n12500-t2": ("peers.jsonl", b2("brian2_balanced.py", "--n", "12500", "--threads", "2",
                                                    "--duration-ms", "1000")),
    "cosim-balanced": ("bench.jsonl", sf("bench", "cosim", "balanced", "--hw", "balanced", "--steps", "500",
                                         "--json")),
    # External synapse memory (docs/benchmarks.md): one line holding the
    # whole latency x bandwidth grid and the on-chip run of the same network.
    "cosim-ext-balanced-grid": ("bench.jsonl", ext_grid(500)),
    # The same with the row index in external memory beside it on chip.
    "cosim-ext-idx-balanced-grid": ("bench.jsonl", ext_idx_grid(500)),
    # The cycle model (spikefab_plan::cycles) against the co-simulation of
    # PD14 at n = k = 0.1 with its synapses in external memory (issue 11):
    # the line's model_cycles_per_step and model_ratio.
    "cosim-pd14-ext-model": ("bench.jsonl", sf("bench", "cosim", "pd14", "--n-scale", "0.1", "--k-scale", "0.1",
                                               "--drive", "poisson", "--hw", "ext", "--steps", "100", "--json")),
    # `spikefab run` on the virtual board (docs/runtime.md): the built-in
    # balanced network configured through the host link, 2,000 steps, spikes
    # streamed back and verified; the line's configure and run_link bytes,
    # requests and times.
    "run-vboard-balanced": ("bench.jsonl", sf("run", "balanced", "--board", "sim", "--hw", "balanced",
                                              "--steps", "2000", "--verify", "--json",
                                              "-o", "runs/measure-run-vboard")),
    # `spikefab plan` for full-scale PD14 on the two Alveo cards (docs/plan.md,
    # docs/benchmarks.md): predictions (cycle model over 1,000 reference
    # steps, Yosys logic, estimated clock), not measurements; about 5 minutes
    # and 10 GB each on 2 cores.
    "plan-pd14-xcu55c": ("plan.jsonl", sf("plan", "pd14", "--part", "xcu55c", "--json")),
    "plan-pd14-xcu250": ("plan.jsonl", sf("plan", "pd14", "--part", "xcu250", "--json")),
    "cosim-tiny-stdp": ("bench.jsonl", sf("bench", "cosim", "gen/tests/nets/tiny_stdp.toml", "--hw", "stdp",
                                          "--steps", "2000", "--json")),
    "noc-curve": ("bench.jsonl", sf("bench", "noc", "--json")),
    # Yosys estimates of generated designs (docs/hardware.md): generate, then
    # synthesize for xc7a100t; the line's result is `spikefab synth --json`.
    "synth-small": ("synth.jsonl", synth("small", "gen tiny.toml --hw small", "--top spikefab_net")),
    "synth-odd": ("synth.jsonl", synth("odd", "gen tiny.toml --hw odd", "--top spikefab_net")),
    "synth-ext-odd": ("synth.jsonl", synth("ext-odd", "gen tiny.toml --hw ext_odd", "--top spikefab_net")),
    "synth-stdp": ("synth.jsonl", synth("stdp", "gen tiny_stdp.toml --hw stdp", "--top spikefab_net")),
    # The built-in balanced network's accelerator (1,250 neurons, 156,250
    # synapses): on the default config (`spikefab gen balanced`) and on the
    # `balanced` config sized to it; large memories blank (the default).
    "synth-balanced": ("synth.jsonl", ["bash", "-c",
                                       f"{SPIKEFAB} gen balanced -o runs/measure-gen-balanced && "
                                       f"{SPIKEFAB} synth runs/measure-gen-balanced --top spikefab_net "
                                       f"--part xc7a100t -o runs/measure-synth-balanced --json"]),
    "synth-balanced-config": ("synth.jsonl", ["bash", "-c",
                                              f"{SPIKEFAB} gen balanced --hw balanced "
                                              f"-o runs/measure-gen-balanced-config && "
                                              f"{SPIKEFAB} synth runs/measure-gen-balanced-config "
                                              f"--top spikefab_net --part xc7a100t "
                                              f"-o runs/measure-synth-balanced-config --json"]),
    "synth-mesh-core": ("synth.jsonl", synth("mesh-core", "gen tiny.toml --hw mesh", "--top spikefab_top")),
    "synth-mesh-2x2": ("synth.jsonl", synth("mesh-2x2", "gen tiny.toml --hw mesh --mesh 2x2",
                                            "--top spikefab_mesh_top")),
    "synth-noc-2x2": ("synth.jsonl", synth("mesh-2x2", "gen tiny.toml --hw mesh --mesh 2x2",
                                           "--top snn_noc_mesh --param DATA_W=8", out="noc-2x2")),
    # Co-simulation of large configurations (docs/verification.md): cargo's
    # test profile, each test prints its marker and one JSON line per run.
    "verif-large-core": ("verification.jsonl", ["cargo", "test", "-p", "spikefab-cosim", "--test", "scale", "--",
                                                "--exact",
                                                "a_core_of_16384_neurons_and_a_million_synapses_matches_the_reference",
                                                "--nocapture"]),
    "verif-balanced-1s": ("verification.jsonl", ["cargo", "test", "-p", "spikefab-cosim", "--test", "scale", "--",
                                                 "--exact", "the_balanced_network_matches_for_one_biological_second",
                                                 "--nocapture"]),
    # The cycle model against co-simulation (docs/hardware.md, "Cycle cost of
    # a step"): one JSON line per validation run of cosim/tests/cycle_model.rs.
    "cycle-model": ("verification.jsonl", ["cargo", "test", "-p", "spikefab-cosim", "--test", "cycle_model", "--",
                                           "--nocapture"]),
    "verif-rails": ("verification.jsonl", ["cargo", "test", "-p", "spikefab-cosim", "--test", "rails", "--",
                                           "--nocapture", "--test-threads", "1"]),
    "verif-mesh4x4": ("verification.jsonl", ["cargo", "test", "--release", "-p", "spikefab-cosim", "--test", "mesh",
                                             "--", "--exact",
                                             "the_balanced_network_matches_the_reference_on_a_4x4_mesh",
                                             "--ignored", "--nocapture"]),
}

# Side-by-side peer comparisons: id -> (spikefab figure, Brian2 figure, rounds).
PEERS = {
    "peer-pd14-full-t2": ("pd14-full-t2", "brian2-pd14-full-t2", 1),
    "peer-pd14-full-t1": ("pd14-full-t1", "brian2-pd14-full-t1", 1),
    "peer-balanced-t1": ("balanced-t1", "brian2-balanced-t1", 2),
    "peer-balanced-t2": ("balanced-t2", "brian2-balanced-t2", 2),
    "peer-balanced-n12500-t2": ("balanced-n12500-t2", "brian2-balanced-n12500-t2", 2),
}

# What `all` runs, in this order (the full-scale peers last: longest).
ALL = ["cosim-balanced", "cosim-tiny-stdp", "noc-curve", "peer-balanced-t1", "peer-balanced-t2",
       "peer-balanced-n12500-t2", "pd14-rates-s55", "pd14-rates-s1234", "peer-pd14-full-t2",
       "peer-pd14-full-t1"]

# Brian2 needs about 31 bytes per synapse at full scale (9.3 GB); refuse to
# start it with less memory available than this (GiB).
BRIAN2_PD14_FULL_GIB = 11


def die(msg):
    print(f"measure: {msg}", file=sys.stderr)
    sys.exit(1)


def meminfo(key):
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_bytes": meminfo("MemTotal"),
            "os": platform.platform()}


def commit():
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "HEAD") or "unknown"
    # results/ itself is appended to while measuring: not a code change.
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!results"))
    return head, dirty


def python_for_peers():
    py = VENV / "bin" / "python"
    if not py.exists():
        print(f"measure: creating the Brian2 environment {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
                        str(ROOT / "scripts/peers/requirements.txt")])
    if r.returncode != 0:
        die("pip install -r scripts/peers/requirements.txt failed")
    return str(py)


def load():
    return [round(x, 2) for x in os.getloadavg()]


def run_one(fig, ctx, extra=None):
    """Run one single figure's command; append and return its line."""
    file, cmd = SINGLE[fig]
    argv = [ctx["py"]() if a == "PY" else a for a in cmd]
    shown = " ".join(shlex.quote("python" if a == "PY" else a) for a in cmd)
    if fig.startswith("brian2-pd14-full"):
        avail = meminfo("MemAvailable") or 0
        if avail < BRIAN2_PD14_FULL_GIB * 2**30:
            die(f"{fig} needs about {BRIAN2_PD14_FULL_GIB} GiB available, "
                f"{avail / 2**30:.1f} GiB is (MemAvailable); free memory and retry")
    print(f"measure: {fig}: {shown}", file=sys.stderr)
    before = load()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.time() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = load()
    # CPU seconds the command (and its children) used: far less sensitive to
    # the machine's load than wall times.
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    # getrusage reports the largest resident set of any child so far: it is
    # this command's peak only where it rose during the command (null
    # otherwise: measure that figure alone).
    rss = round(ru1.ru_maxrss / 1024, 1) if ru1.ru_maxrss > ru0.ru_maxrss else None
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        die(f"{fig}: command failed with status {p.returncode}: {shown}")
    objs = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            objs.append(json.loads(line))
    if not objs:
        die(f"{fig}: the command printed no JSON line: {shown}")
    head, dirty = ctx["commit"]
    rec = {
        "id": fig,
        "commit": head,
        "dirty": dirty,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": shown,
        "measure": f"scripts/measure.sh {fig}",
        "machine": ctx["machine"],
        "load_before": before,
        "load_after": after,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "max_rss_mib": rss,
        "invocation": ctx["invocation"],
        "result": objs[0] if len(objs) == 1 else objs,
    }
    if extra:
        rec.update(extra)
    if fig.startswith("pd14-rates"):
        rec["figures"] = nest_deviation(rec["result"])
    append(file, rec)
    return rec


def nest_deviation(res):
    """Rates after 500 ms against the NEST reference rates stored in
    sim/data/pd14_microcircuit.json (a stored reference, not a NEST run)."""
    with open(PD14_DATA) as f:
        d = json.load(f)
    ref = d["reference_rates_Hz"]["NEST_current_2022_onward"]
    order = d["populations"]["order"]
    nest = dict(zip(order, ref["values"]))
    dev = {}
    for p in res["populations"]:
        r = nest[p["population"]]
        dev[p["population"]] = round((p["rate_hz_after_500ms"] - r) / r, 4)
    worst = max(dev, key=lambda k: abs(dev[k]))
    return {"reference": "NEST_current_2022_onward (stored reference rates, not a NEST run)",
            "nest_rates_hz": nest, "deviation": dev, "worst_population": worst,
            "worst_abs_deviation": abs(dev[worst])}


def append(file, rec):
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / file, "a") as f:
        f.write(json.dumps(rec, sort_keys=False) + "\n")


def sf_metrics(r):
    return {"sim_s": r["sim_s"], "setup_s": r["build_s"], "peak_rss_mib": r["peak_rss_bytes"] / 2**20,
            "bytes_per_synapse": r["bytes_per_synapse"], "rates_hz": {p["population"]: p["rate_hz"]
                                                                      for p in r["populations"]}}


def b2_metrics(r):
    setup = r["setup_s"] + r["build_s"] + (r["binary_wall_s"] - r["sim_wall_s"])
    # Brian2's peak_rss_mb is /usr/bin/time's KiB / 1024, i.e. MiB.
    return {"sim_s": r["sim_wall_s"], "setup_s": setup, "peak_rss_mib": r["peak_rss_mb"],
            "bytes_per_synapse": r["bytes_per_synapse"], "rates_hz": r["rates_hz"]}


def run_peer(fig, ctx):
    sf_fig, b2_fig, rounds = PEERS[fig]
    rows = []
    for k in range(rounds):
        order = [sf_fig, b2_fig] if k % 2 == 0 else [b2_fig, sf_fig]
        got = {}
        for f in order:
            got[f] = run_one(f, ctx, {"peer_figure": fig, "round": k + 1})
        rows.append((got[sf_fig], got[b2_fig]))
    per = []
    for a, b in rows:
        ma, mb = sf_metrics(a["result"]), b2_metrics(b["result"])
        per.append({
            "round": a["round"],
            "spikefab": {k: v for k, v in ma.items()},
            "brian2": {k: v for k, v in mb.items()},
            "ratio_sim": mb["sim_s"] / ma["sim_s"],
            "ratio_setup": mb["setup_s"] / ma["setup_s"] if ma["setup_s"] > 0 else None,
            "ratio_bytes_per_synapse": mb["bytes_per_synapse"] / ma["bytes_per_synapse"],
            "load_before": [a["load_before"], b["load_before"]],
        })

    def summary(key):
        xs = [p[key] for p in per if p[key] is not None]
        return {"conservative": round(min(xs), 3), "median": round(statistics.median(xs), 3),
                "rounds": [round(x, 3) for x in xs]}

    rec = {
        "id": fig,
        "commit": ctx["commit"][0],
        "dirty": ctx["commit"][1],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": f"scripts/measure.sh {fig}",
        "measure": f"scripts/measure.sh {fig}",
        "machine": ctx["machine"],
        "load_before": rows[0][0]["load_before"],
        "load_after": load(),
        "invocation": ctx["invocation"],
        "compares": [sf_fig, b2_fig],
        "threads": rows[0][0]["result"]["threads"],
        "figures": {
            "ratio": "brian2 / spikefab (above 1: spikefab faster or smaller)",
            "sim_wall": summary("ratio_sim"),
            "setup": summary("ratio_setup"),
            "bytes_per_synapse": summary("ratio_bytes_per_synapse"),
        },
        "rounds": per,
    }
    append("peers.jsonl", rec)
    s = rec["figures"]
    print(f"measure: {fig}: brian2/spikefab sim wall {s['sim_wall']['conservative']} (conservative), "
          f"median {s['sim_wall']['median']}; set-up {s['setup']['conservative']}; "
          f"bytes/synapse {s['bytes_per_synapse']['conservative']}", file=sys.stderr)
    return rec


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] == "--list":
        for k, (file, cmd) in SINGLE.items():
            print(f"{k:28} results/{file:12} {' '.join('python' if a == 'PY' else a for a in cmd)}")
        for k, (a, b, n) in PEERS.items():
            print(f"{k:28} results/peers.jsonl  {a} and {b} side by side, {n} round(s)")
        return 0
    figs = ALL if argv == ["all"] else argv
    unknown = [f for f in figs if f not in SINGLE and f not in PEERS]
    if unknown:
        die(f"unknown figure id(s) {', '.join(unknown)} (see --list)")
    if not (ROOT / SPIKEFAB).exists():
        die(f"{SPIKEFAB} not found: build it first with 'cargo build --release'")
    py = []

    def get_py():
        if not py:
            py.append(python_for_peers())
        return py[0]

    ctx = {"machine": machine(), "commit": commit(), "invocation": uuid.uuid4().hex[:12], "py": get_py}
    if ctx["commit"][1]:
        print("measure: warning: the working tree has uncommitted changes (recorded as dirty)", file=sys.stderr)
    for f in figs:
        if f in PEERS:
            run_peer(f, ctx)
        else:
            run_one(f, ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
