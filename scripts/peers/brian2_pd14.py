#!/usr/bin/env python3
"""Brian2 (C++ standalone) peer of spikefab's `pd14` model.

Builds the Potjans & Diesmann (2014) microcircuit exactly as
`spikefab_sim::models::pd14` does (sim/src/models/pd14.rs, docs/models.md),
reading every parameter from sim/data/pd14_microcircuit.json: populations
round(n_scale N), fixed-total-number connectivity (multapses and autapses;
by default drawn inside the generated binary, `--connect python` draws them
with numpy and loads the arrays), normal weights and delays redrawn as in
the NEST reference, NEST `iaf_psc_exp` neurons integrated exactly, DC drive (or
Poisson drive with --drive poisson) and the reference DC compensation for
k_scale != 1. Runs in Brian2's `cpp_standalone` device with OpenMP and prints
ONE JSON line with timing, memory and activity figures.

Usage: brian2_pd14.py [--scale S | --n-scale N --k-scale K] [--threads T] [--duration-ms D]
                      [--connect binary|python]
"""

import argparse
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "sim" / "data" / "pd14_microcircuit.json"


def psc_over_psp(c_m, tau_m, tau_syn):
    """PSC amplitude (pA) per mV of PSP peak (NEST Potjans_2014 helpers.py formula)."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / c_m * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac**tau_m - frac**tau_syn))


def derive(d, n_scale, k_scale, drive):
    """All quantities of the network, as sim/src/models/pd14.rs derives them."""
    order = d["populations"]["order"]
    npop = len(order)
    n_full = np.array([d["populations"]["N_full"][p] for p in order], dtype=np.int64)
    conn = np.array(d["connectivity"]["conn_probs_target_by_source"], dtype=float)
    prod = np.outer(n_full, n_full).astype(float)
    k_full = np.log(1.0 - conn) / np.log((prod - 1.0) / prod)  # [target, source], unrounded
    sizes = np.round(n_full * n_scale).astype(np.int64)
    n_syn = np.round(k_full * n_scale * k_scale).astype(np.int64)
    s, ne = d["synapses"], d["neuron"]
    ratio = psc_over_psp(ne["C_m_pF"], ne["tau_m_ms"], s["tau_syn_ms"])
    w_exc = s["PSP_exc_mean_mV"] * ratio
    exc = np.array([p.endswith("E") for p in order])
    psc = np.where(exc[np.newaxis, :], w_exc, w_exc * s["g_relative_inhibitory"]) * np.ones((npop, npop))
    psc[order.index("L23E"), order.index("L4E")] *= s["L4E_to_L23E_factor"]
    delay = np.where(exc, s["delay_exc_mean_ms"], s["delay_inh_mean_ms"])
    k_ext = np.array([d["external_input"]["K_ext"][p] for p in order], dtype=float)
    bg = d["external_input"]["bg_rate_Hz"]
    tau_syn = s["tau_syn_ms"]
    if drive == "dc":
        dc = 0.001 * tau_syn * bg * k_ext * w_exc
    else:
        dc = np.zeros(npop)
    if k_scale != 1.0:
        nu = np.array(d["reference_rates_Hz"]["NEST_current_2022_onward"]["values"])
        indeg = k_full / n_full[:, np.newaxis]
        dc = dc + 0.001 * tau_syn * (1.0 - np.sqrt(k_scale)) * np.sum(psc * indeg * nu, axis=1)
        if drive == "poisson":
            dc = dc + 0.001 * tau_syn * (1.0 - np.sqrt(k_scale)) * w_exc * k_ext * bg
    return dict(order=order, sizes=sizes, n_syn=n_syn, psc=psc / np.sqrt(k_scale), delay=delay, exc=exc,
                dc=dc, k_ext_scaled=np.round(k_ext * k_scale).astype(np.int64), w_ext=w_exc / np.sqrt(k_scale),
                bg=bg, w_rel_sd=s["weight_rel_std"], d_rel_sd=s["delay_rel_std"])


def redraw_normal(rng, n, mean, sd, ok):
    """n normal draws, redrawing those for which ok(x) is False (NEST `redraw`)."""
    x = rng.normal(mean, sd, n)
    bad = ~ok(x)
    while bad.any():
        x[bad] = rng.normal(mean, sd, int(bad.sum()))
        bad = ~ok(x)
    return x


def connect_python(b2, G, ns, p, sizes, offs, rng, dt_ms):
    """Draw every synapse with numpy and load the arrays (`--connect python`):
    Python holds the whole connectivity during set-up (about 57 bytes per
    synapse) and the binary loads it from disk."""
    pA, ms = b2.pA, b2.ms
    order = p["order"]
    half_dt = 0.5 * dt_ms
    objs = []
    n_syn_total = 0
    for is_exc, var in [(True, "I_ex"), (False, "I_in")]:
        pairs = [(y, x) for y in range(len(order)) for x in range(len(order))
                 if p["exc"][x] == is_exc and p["n_syn"][y, x] > 0]
        total = int(sum(p["n_syn"][y, x] for y, x in pairs))
        ii = np.empty(total, dtype=np.int32)
        jj = np.empty(total, dtype=np.int32)
        ww = np.empty(total)
        dd = np.empty(total)
        pos = 0
        for y, x in pairs:
            k = int(p["n_syn"][y, x])
            sl = slice(pos, pos + k)
            ii[sl] = rng.integers(0, sizes[x], k) + offs[x]
            jj[sl] = rng.integers(0, sizes[y], k) + offs[y]
            mean = p["psc"][y, x]
            if is_exc:
                ww[sl] = redraw_normal(rng, k, mean, abs(mean) * p["w_rel_sd"], lambda v: v >= 0.0)
            else:
                ww[sl] = redraw_normal(rng, k, mean, abs(mean) * p["w_rel_sd"], lambda v: v <= 0.0)
            dm = p["delay"][x]
            dd[sl] = redraw_normal(rng, k, dm, dm * p["d_rel_sd"], lambda v: v >= half_dt)
            pos += k
        if total == 0:
            continue
        S = b2.Synapses(G, G, model="w : amp (constant)", on_pre=f"{var}_post += w", namespace=ns)
        S.connect(i=ii, j=jj)
        S.w = ww * pA
        S.delay = dd * ms
        del ii, jj, ww, dd
        objs.append(S)
        n_syn_total += total
    return objs, n_syn_total


# Redraw passes for the delays (a draw below dt/2 has probability about 3%;
# after this many passes about 1e-13 of the synapses keep one, i.e. none).
REDRAW_PASSES = 8


def connect_binary(b2, G, ns, p, sizes, offs, rng, dt_ms):
    """Create the synapses inside the generated binary (`--connect binary`, the
    default): Brian2 at its best on large networks, no connectivity in Python.

    The same fixed-total-number rule in two steps: numpy draws each source
    neuron's number of synapses onto each target population (multinomial over
    the source population: the exact marginal of drawing K sources with
    replacement), stored in G as per-neuron integers `k<y>`; the binary then
    draws each of those synapses' targets uniformly (`S.connect` generator
    syntax), then the normal weights and delays, redrawing wrong-sign weights
    and delays below dt/2 as NEST does (`S.var['cond'] = expr`, repeated)."""
    pA, ms = b2.pA, b2.ms
    order = p["order"]
    npop = len(order)
    half_dt = 0.5 * dt_ms
    objs = []
    n_syn_total = 0
    for is_exc, var in [(True, "I_ex"), (False, "I_in")]:
        srcs = [x for x in range(npop) if p["exc"][x] == is_exc]
        pairs = [(y, x) for y in range(npop) for x in srcs if p["n_syn"][y, x] > 0]
        if not pairs:
            continue
        for y in range(npop):
            k = np.zeros(int(offs[-1]), dtype=np.int32)
            for x in srcs:
                total = int(p["n_syn"][y, x])
                if total > 0:
                    k[offs[x]:offs[x + 1]] = rng.multinomial(total, np.full(int(sizes[x]), 1.0 / sizes[x]))
            setattr(G, f"k{y}", k)
        S = b2.Synapses(G, G, model="w : amp (constant)", on_pre=f"{var}_post += w", namespace=ns)
        for y in range(npop):
            if any(p["n_syn"][y, x] > 0 for x in srcs):
                S.connect(j=f"{int(offs[y])} + int(rand() * {int(sizes[y])}) for _ in range(k{y}_pre)")
        # Weights: normal with the pair's mean (all pairs of a source type
        # share one mean except L4E -> L23E); wrong signs are redrawn (one
        # pass: a wrong sign has probability about 1e-23 at sd 0.1).
        means = {(y, x): float(p["psc"][y, x]) for y, x in pairs}
        common = max(set(means.values()), key=list(means.values()).count)
        special = [(yx, m) for yx, m in means.items() if m != common]
        wrong = "w < 0*pA" if is_exc else "w > 0*pA"

        def wexpr(mean):
            return f"({mean!r} + {abs(mean) * p['w_rel_sd']!r} * randn()) * pA"

        def pair_cond(y, x):
            return (f"(i >= {int(offs[x])} and i < {int(offs[x + 1])} "
                    f"and j >= {int(offs[y])} and j < {int(offs[y + 1])})")

        S.w = wexpr(common)
        for (y, x), m in special:
            S.w[pair_cond(y, x)] = wexpr(m)
        not_special = " and ".join(f"not {pair_cond(y, x)}" for (y, x), _ in special)
        S.w[f"{wrong} and {not_special}" if special else wrong] = wexpr(common)
        for (y, x), m in special:
            S.w[f"{wrong} and {pair_cond(y, x)}"] = wexpr(m)
        # Delays depend on the source population's type only.
        means = {float(p["delay"][x]) for x in srcs}
        assert len(means) == 1, "delay means differ within a source type"
        dm = means.pop()
        expr = f"({dm!r} + {dm * p['d_rel_sd']!r} * randn()) * ms"
        S.delay = expr
        for _ in range(REDRAW_PASSES):
            S.delay[f"delay < {half_dt!r}*ms"] = expr
        objs.append(S)
        n_syn_total += int(sum(p["n_syn"][y, x] for y, x in pairs))
    return objs, n_syn_total

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=None, help="sets both --n-scale and --k-scale")
    ap.add_argument("--n-scale", type=float, default=None)
    ap.add_argument("--k-scale", type=float, default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--duration-ms", type=float, default=None, help="default: the reference's 1000 ms")
    ap.add_argument("--drive", choices=["dc", "poisson"], default="dc")
    ap.add_argument("--v0", choices=["optimized", "original"], default="optimized")
    ap.add_argument("--seed", type=int, default=None, help="default: the reference's 55")
    ap.add_argument("--connect", choices=["binary", "python"], default="binary",
                    help="where the synapses are drawn: in the generated binary (default; Brian2 at its best) "
                         "or in Python with numpy, loaded as arrays (needs about twice the memory)")
    ap.add_argument("--build-dir", default=None, help="Brian2 project directory (default: a fresh temporary one)")
    ap.add_argument("--keep-build", action="store_true", help="do not delete the temporary project directory")
    args = ap.parse_args()
    base = 1.0 if args.scale is None else args.scale
    n_scale = base if args.n_scale is None else args.n_scale
    k_scale = base if args.k_scale is None else args.k_scale
    if not (np.isfinite(n_scale) and n_scale > 0 and np.isfinite(k_scale) and k_scale > 0):
        ap.error("scales must be positive")

    load_before = os.getloadavg()
    t_start = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV, pA, pF, Hz

    with open(DATA) as f:
        d = json.load(f)
    sim = d["simulation"]
    dt_ms = sim["dt_ms"]
    duration_ms = args.duration_ms if args.duration_ms is not None else sim["t_sim_ms_default"]
    seed = args.seed if args.seed is not None else sim["rng_seed_default"]
    p = derive(d, n_scale, k_scale, args.drive)
    order, sizes = p["order"], p["sizes"]
    if (sizes == 0).any():
        ap.error("n_scale leaves a population empty")
    offs = np.concatenate([[0], np.cumsum(sizes)])
    n = int(offs[-1])
    ne = d["neuron"]

    build_dir = args.build_dir or tempfile.mkdtemp(prefix="brian2_pd14_")
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    b2.prefs.devices.cpp_standalone.openmp_threads = args.threads
    b2.defaultclock.dt = dt_ms * ms
    b2.seed(seed)
    rss_file = os.path.join(build_dir, "main_time.txt")
    have_time = os.path.exists("/usr/bin/time")
    if have_time:
        b2.prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", rss_file, "./main"]

    eqs = """
    dv/dt = (E_L - v)/tau_m + (I_ex + I_in + I_dc)/C_m : volt (unless refractory)
    dI_ex/dt = -I_ex/tau_syn_ex : amp
    dI_in/dt = -I_in/tau_syn_in : amp
    I_dc : amp (constant)
    """ + "".join(f"k{y} : integer (constant)\n" for y in range(len(order)))
    ns = dict(E_L=ne["E_L_mV"] * mV, tau_m=ne["tau_m_ms"] * ms, C_m=ne["C_m_pF"] * pF,
              tau_syn_ex=ne["tau_syn_ex_ms"] * ms, tau_syn_in=ne["tau_syn_in_ms"] * ms,
              V_th=ne["V_th_mV"] * mV, V_reset=ne["V_reset_mV"] * mV)
    G = b2.NeuronGroup(n, eqs, threshold="v >= V_th", reset="v = V_reset", refractory=ne["t_ref_ms"] * ms,
                       method="exact", namespace=ns)
    rng = np.random.default_rng(seed)
    v0 = np.empty(n)
    idc = np.empty(n)
    for y, name in enumerate(order):
        if args.v0 == "optimized":
            mu, sd = ne["V0_mean_mV"]["optimized"][name], ne["V0_std_mV"]["optimized"][name]
        else:
            mu, sd = ne["V0_mean_mV"]["original"], ne["V0_std_mV"]["original"]
        v0[offs[y]:offs[y + 1]] = rng.normal(mu, sd, sizes[y])
        idc[offs[y]:offs[y + 1]] = p["dc"][y]
    G.v = v0 * mV
    G.I_dc = idc * pA

    # Connectivity: one Synapses object per source type; global indices.
    if args.connect == "python":
        objs, n_syn_total = connect_python(b2, G, ns, p, sizes, offs, rng, dt_ms)
    else:
        objs, n_syn_total = connect_binary(b2, G, ns, p, sizes, offs, rng, dt_ms)
    if args.drive == "poisson":
        for y in range(len(order)):
            if p["k_ext_scaled"][y] > 0:
                objs.append(b2.PoissonInput(G[int(offs[y]):int(offs[y + 1])], "I_ex", N=int(p["k_ext_scaled"][y]),
                                            rate=p["bg"] * Hz, weight=p["w_ext"] * pA))
    mon = b2.SpikeMonitor(G, record=False)
    net = b2.Network(G, mon, *objs)
    net.run(duration_ms * ms)
    t_setup = time.perf_counter() - t_start

    t0 = time.perf_counter()
    b2.device.build(directory=build_dir, compile=True, run=False)
    t_build = time.perf_counter() - t0
    # The project's static arrays (connectivity, weights, delays) are on disk
    # now; drop Brian2's in-memory copies before the binary runs.
    getattr(b2.device, "static_arrays", {}).clear()
    gc.collect()
    t0 = time.perf_counter()
    b2.device.run(directory=build_dir, with_output=False)
    t_binary = time.perf_counter() - t0
    sim_wall = float(b2.device._last_run_time)

    peak_kb = None
    rss_source = "unavailable"
    if have_time and os.path.exists(rss_file):
        try:
            with open(rss_file) as f:
                peak_kb = int(f.read().split()[-1])
            rss_source = "/usr/bin/time %M of the standalone binary"
        except (ValueError, IndexError):
            peak_kb = None
    if peak_kb is None:
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss_source = "getrusage(RUSAGE_CHILDREN) (max over compiler and binary)"

    counts = np.asarray(mon.count[:])
    spikes = int(counts.sum())
    bio_s = duration_ms / 1000.0
    rates = {name: round(float(counts[offs[y]:offs[y + 1]].sum() / sizes[y] / bio_s), 3) for y, name in enumerate(order)}
    out = {
        "tool": "brian2",
        "tool_version": b2.__version__,
        "device": "cpp_standalone",
        "model": "pd14",
        "scale": n_scale if n_scale == k_scale else None,
        "n_scale": n_scale,
        "k_scale": k_scale,
        "drive": args.drive,
        "threads": args.threads,
        "neurons": n,
        "synapses": int(n_syn_total),
        "setup_s": round(t_setup, 3),
        "build_s": round(t_build, 3),
        "binary_wall_s": round(t_binary, 3),
        "sim_wall_s": round(sim_wall, 4),
        "bio_time_s": bio_s,
        "rtf": round(sim_wall / bio_s, 4),
        "peak_rss_mb": round(peak_kb / 1024.0, 1),
        "peak_rss_source": rss_source,
        "python_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "bytes_per_synapse": round(peak_kb * 1024.0 / max(n_syn_total, 1), 1),
        "host": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before],
                 "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
        "spikes": spikes,
        "mean_rate_hz": round(spikes / n / bio_s, 3),
        "rates_hz": rates,
        "connect": args.connect,
        "params": {"seed": seed, "dt_ms": dt_ms, "v0": args.v0, "dc_pa": [round(float(x), 4) for x in p["dc"]]},
    }
    print(json.dumps(out), flush=True)
    if args.build_dir is None and not args.keep_build:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
