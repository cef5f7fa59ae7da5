#!/usr/bin/env python3
"""Brian2 (C++ standalone) peer of spikefab's `balanced` model.

Builds the same network as `spikefab_sim::models::balanced`
(sim/src/models/balanced.rs, docs/models.md): a Brunel (2000)-style sparse
balanced E/I network of NEST `iaf_psc_exp` neurons (LIF with exponential
current synapses, integrated exactly), fixed in-degree connectivity drawn with
replacement without autapses, constant 1.5 ms delays and independent Poisson
drive per neuron. Runs it in Brian2's `cpp_standalone` device with OpenMP and
prints ONE JSON line with timing, memory and activity figures.

Usage: brian2_balanced.py [--scale S] [--threads T] [--duration-ms D] ...
(`--scale` multiplies the default 1250 neurons; `--n` sets the size directly).
The default parameters must stay equal to `BalancedParams::default()`.
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

import numpy as np

# Mirrors sim/src/models/balanced.rs (constants and BalancedParams::default()).
TAU_M_MS = 20.0
C_M_PF = 250.0
E_L_MV = -70.0
V_TH_MV = -50.0
V_RESET_MV = -60.0
T_REF_MS = 2.0
TAU_SYN_MS = 0.5
DELAY_MS = 1.5
EXC_FRACTION = 0.8
DEFAULTS = dict(n=1250, duration_ms=1000.0, seed=1, dt_ms=0.1, g=5.0, eta=1.0, j_psp_mv=0.5, epsilon=0.1)


def psc_over_psp(c_m, tau_m, tau_syn):
    """PSC amplitude (pA) per mV of PSP peak (NEST Potjans_2014 helpers.py formula)."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / c_m * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac**tau_m - frac**tau_syn))


def fixed_indegree(rng, n_src, n_tgt, k, src_off, tgt_off, same_pop):
    """k sources per target, uniform with replacement; no autapses when same_pop.
    Returns global (i_local_to_source_group, j_global) arrays."""
    src = rng.integers(0, n_src, size=(n_tgt, k), dtype=np.int64)
    tgt = np.repeat(np.arange(n_tgt, dtype=np.int64), k).reshape(n_tgt, k)
    if same_pop:
        bad = src == tgt
        while bad.any():
            src[bad] = rng.integers(0, n_src, size=int(bad.sum()))
            bad = src == tgt
    return (src.ravel() + src_off).astype(np.int32), (tgt.ravel() + tgt_off).astype(np.int32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the default 1250 neurons")
    ap.add_argument("--n", type=int, default=None, help="total neurons (overrides --scale)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--duration-ms", type=float, default=DEFAULTS["duration_ms"])
    ap.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    ap.add_argument("--g", type=float, default=DEFAULTS["g"])
    ap.add_argument("--eta", type=float, default=DEFAULTS["eta"])
    ap.add_argument("--j-psp-mv", type=float, default=DEFAULTS["j_psp_mv"])
    ap.add_argument("--epsilon", type=float, default=DEFAULTS["epsilon"])
    ap.add_argument("--build-dir", default=None, help="Brian2 project directory (default: a fresh temporary one)")
    ap.add_argument("--keep-build", action="store_true", help="do not delete the temporary project directory")
    args = ap.parse_args()

    load_before = os.getloadavg()
    t_start = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV, pA, pF, Hz

    n = args.n if args.n is not None else int(np.round(DEFAULTS["n"] * args.scale))
    n_e = min(max(int(np.round(EXC_FRACTION * n)), 1), n - 1)
    n_i = n - n_e
    c_e = int(np.round(args.epsilon * n_e))
    c_i = int(np.round(args.epsilon * n_i))
    w_exc_pa = args.j_psp_mv * psc_over_psp(C_M_PF, TAU_M_MS, TAU_SYN_MS)
    w_inh_pa = -args.g * w_exc_pa
    theta = V_TH_MV - E_L_MV
    nu_thr = 1000.0 * theta / (args.j_psp_mv * c_e * TAU_M_MS)
    nu_ext = args.eta * nu_thr
    dt_ms = DEFAULTS["dt_ms"]

    build_dir = args.build_dir or tempfile.mkdtemp(prefix="brian2_balanced_")
    b2.set_device("cpp_standalone", build_on_run=False, directory=build_dir)
    b2.prefs.devices.cpp_standalone.openmp_threads = args.threads
    b2.defaultclock.dt = dt_ms * ms
    b2.seed(args.seed)
    rss_file = os.path.join(build_dir, "main_time.txt")
    have_time = os.path.exists("/usr/bin/time")
    if have_time:
        b2.prefs.devices.cpp_standalone.run_cmd_unix = ["/usr/bin/time", "-f", "%M", "-o", rss_file, "./main"]

    eqs = """
    dv/dt = (E_L - v)/tau_m + (I_ex + I_in)/C_m : volt (unless refractory)
    dI_ex/dt = -I_ex/tau_syn : amp
    dI_in/dt = -I_in/tau_syn : amp
    """
    ns = dict(E_L=E_L_MV * mV, tau_m=TAU_M_MS * ms, C_m=C_M_PF * pF, tau_syn=TAU_SYN_MS * ms,
              V_th=V_TH_MV * mV, V_reset=V_RESET_MV * mV, w_exc=w_exc_pa * pA, w_inh=w_inh_pa * pA)
    G = b2.NeuronGroup(n, eqs, threshold="v >= V_th", reset="v = V_reset", refractory=T_REF_MS * ms,
                       method="exact", namespace=ns)
    G.v = "E_L + rand()*(V_th - E_L)"

    rng = np.random.default_rng(args.seed)
    i_e, j_e = fixed_indegree(rng, n_e, n_e, c_e, 0, 0, True)
    i_e2, j_e2 = fixed_indegree(rng, n_e, n_i, c_e, 0, n_e, False)
    i_i, j_i = fixed_indegree(rng, n_i, n_e, c_i, 0, 0, False)
    i_i2, j_i2 = fixed_indegree(rng, n_i, n_i, c_i, 0, n_e, True)
    S_e = b2.Synapses(G[:n_e], G, on_pre="I_ex_post += w_exc", delay=DELAY_MS * ms, namespace=ns)
    S_e.connect(i=np.concatenate([i_e, i_e2]), j=np.concatenate([j_e, j_e2]))
    S_i = b2.Synapses(G[n_e:], G, on_pre="I_in_post += w_inh", delay=DELAY_MS * ms, namespace=ns)
    S_i.connect(i=np.concatenate([i_i, i_i2]), j=np.concatenate([j_i, j_i2]))
    n_syn = len(i_e) + len(i_e2) + len(i_i) + len(i_i2)
    P = b2.PoissonInput(G, "I_ex", N=c_e, rate=nu_ext * Hz, weight=w_exc_pa * pA)
    mon = b2.SpikeMonitor(G, record=False)

    net = b2.Network(G, S_e, S_i, P, mon)
    net.run(args.duration_ms * ms)
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
    bio_s = args.duration_ms / 1000.0
    rates = {"E": float(counts[:n_e].sum() / n_e / bio_s), "I": float(counts[n_e:].sum() / n_i / bio_s)}
    out = {
        "tool": "brian2",
        "tool_version": b2.__version__,
        "device": "cpp_standalone",
        "model": "balanced",
        "scale": n / DEFAULTS["n"],
        "threads": args.threads,
        "neurons": n,
        "synapses": int(n_syn),
        "setup_s": round(t_setup, 3),
        "build_s": round(t_build, 3),
        "binary_wall_s": round(t_binary, 3),
        "sim_wall_s": round(sim_wall, 4),
        "bio_time_s": bio_s,
        "rtf": round(sim_wall / bio_s, 4),
        "peak_rss_mb": round(peak_kb / 1024.0, 1),
        "peak_rss_source": rss_source,
        "python_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "bytes_per_synapse": round(peak_kb * 1024.0 / max(n_syn, 1), 1),
        "host": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before],
                 "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
        "spikes": spikes,
        "mean_rate_hz": round(spikes / n / bio_s, 3),
        "rates_hz": {k: round(v, 3) for k, v in rates.items()},
        "params": {"n_e": n_e, "n_i": n_i, "c_e": c_e, "c_i": c_i, "w_exc_pa": w_exc_pa, "w_inh_pa": w_inh_pa,
                   "nu_ext_hz": nu_ext, "j_psp_mv": args.j_psp_mv, "g": args.g, "eta": args.eta,
                   "seed": args.seed, "dt_ms": dt_ms},
    }
    print(json.dumps(out), flush=True)
    if args.build_dir is None and not args.keep_build:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
