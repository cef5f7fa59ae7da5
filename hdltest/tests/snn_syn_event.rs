//! hdl/snn_syn_event.v against the delay-ring delivery of docs/numerics.md
//! (phase B pre pass: `acc_{ex,in}[(t + d) mod S][i] += w << w_shift`, as
//! `spikefab_sim::engine` delivers it) and phase A's read-and-clear of slot
//! `t mod S`.
//!
//! Rows are drawn here with the sim's key layout (`connect::pack`, sorted by
//! (delay, target, weight) as `connect::build` sorts a row), written as the
//! module's memory images, and a sequence of spike events over several steps
//! is delivered while the bench drains slot `t` at the start of every step.
//! Every drained (step, neuron, ex, in) record is compared with the sums
//! computed here from the decoded keys.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use spikefab_hdltest::{compile_tb_with_strings, mask, scratch_dir, Gen, Testbench};
use spikefab_sim::connect::{key_delay, key_target, pack};
use spikefab_sim::numerics::{smax, smin};

/// Cycles from an event handshake to the clock edge at which `busy_o` is seen
/// low again, beyond one cycle per synapse: F (row read), W (walker load), s1,
/// s2, s3 (write) (docs/hdl-leaf-modules.md).
const FILL: i64 = 5;

/// (name, ev_pct, dr_pct, serial): the stall patterns each parameter set runs
/// with. The first has no stalls and drains each slot before the step's events
/// (it pins the cycle count per row); the second overlaps drain and delivery
/// without stalls.
const MODES: [(&str, u32, u32, u32); 5] = [
    ("serial-no-stalls", 100, 100, 1),
    ("overlap-no-stalls", 100, 100, 0),
    ("random-stalls", 55, 45, 0),
    ("slow-events", 20, 95, 0),
    ("slow-drain", 95, 20, 0),
];

/// One parameter set of the module plus the shape of the drawn workload.
#[derive(Debug, Clone, Copy)]
struct Cfg {
    n_neurons: u32,
    slots: u32,
    w_bits: u32,
    w_shift: u32,
    /// `None`: the narrowest width the contract's accumulator bound allows.
    acc_bits: Option<u32>,
    rows: u32,
    /// Steps that carry events.
    steps: u32,
    /// Longest ordinary row (one row is three times longer).
    max_row: u32,
    /// Spare synapse-memory entries beyond the matrix.
    spare: u32,
}

/// Smallest `b` with `2^b >= x`.
fn clog2(x: u64) -> u32 {
    let mut b = 0;
    while (1u64 << b) < x {
        b += 1;
    }
    b
}

/// A synapse as the sim stores it: key `delay << 24 | target` and weight.
#[derive(Debug, Clone, Copy)]
struct Syn {
    key: u32,
    w: i64,
}

/// The drawn workload and the module's derived widths.
struct Work {
    rows: Vec<Vec<Syn>>,
    /// (step, row) in delivery order; steps ascending.
    events: Vec<(u32, u32)>,
    acc_bits: u32,
    slot_w: u32,
    tgt_w: u32,
    ptr_w: u32,
    syn_depth: u32,
}

impl Cfg {
    fn describe(&self, acc_bits: u32, syn_depth: u32) -> String {
        format!(
            "N_NEURONS={} SLOTS={} ACC_BITS={} W_BITS={} W_SHIFT={} ROWS={} SYN_DEPTH={}",
            self.n_neurons, self.slots, acc_bits, self.w_bits, self.w_shift, self.rows, syn_depth
        )
    }

    fn weight(&self, g: &mut Gen) -> i64 {
        let (lo, hi) = (smin(self.w_bits), smax(self.w_bits));
        if g.chance(30) {
            g.pick(&[lo, lo, hi, hi, -1, 0, 1, lo + 1, hi - 1])
        } else {
            g.range(lo, hi)
        }
    }

    fn delay(&self, g: &mut Gen) -> u32 {
        let d_hi = self.slots as i64 - 1;
        match g.below(4) {
            0 => 1,
            1 => d_hi as u32,
            _ => g.range(1, d_hi) as u32,
        }
    }
}

/// Sort a row as `connect::build` does: by key (delay, then target), then weight.
fn sort_row(r: &mut [Syn]) {
    r.sort_by_key(|s| (key_delay(s.key), key_target(s.key), s.w));
}

/// Rows that place read-modify-write hazards at known distances when
/// delivered back to back in this order (the first step's events).
fn crafted_rows(cfg: &Cfg) -> Vec<Vec<Syn>> {
    let n = cfg.n_neurons;
    let d = cfg.slots - 1;
    let (lo, hi) = (smin(cfg.w_bits), smax(cfg.w_bits));
    let x = pack(n - 1, d);
    let y = pack(0, d);
    let z = pack(n / 2, d);
    let s = |key: u32, w: i64| Syn {
        key,
        w: w.clamp(lo, hi),
    };
    vec![
        // multapses: same address, same channel, adjacent (distance 1);
        // then the same address in the other channel
        vec![s(x, lo), s(x, hi), s(x, hi), s(x, 1)],
        // cross-row distance 1 (previous row ends with x, excitatory)
        vec![s(x, hi)],
        // distance 2: y, then x
        vec![s(y, 3), s(x, hi)],
        // distance 3: y (inhibitory), z, then x
        vec![s(y, -2), s(z, 5), s(x, 7)],
        // inhibitory distance 1, 2 and 3 across one-synapse rows
        vec![s(x, lo)],
        vec![s(x, lo)],
        vec![s(z, hi)],
        vec![s(x, -1)],
        vec![s(z, 1)],
        vec![s(y, 2)],
        vec![s(x, lo)],
        // delay 1, the same target at both extremes
        vec![s(pack(0, 1), hi), s(pack(0, 1), hi), s(pack(0, 1), lo)],
        // an empty row between two rows to the same address
        vec![s(pack(0, 1), hi)],
        vec![],
        vec![s(pack(0, 1), hi)],
    ]
}

fn draw_work(cfg: &Cfg, seed: u64) -> Work {
    let mut g = Gen::new(seed);
    let n = cfg.n_neurons;
    let mut rows = crafted_rows(cfg);
    let crafted = rows.len();
    assert!(
        cfg.rows as usize > crafted + 4,
        "too few rows for the crafted ones"
    );
    // a few hot (target, delay) pairs make hazards frequent between random rows
    let hot: Vec<(u32, u32)> = (0..3)
        .map(|_| (g.below(n as u64) as u32, cfg.delay(&mut g)))
        .collect();
    while rows.len() < cfg.rows as usize {
        let len = if rows.len() == crafted {
            3 * cfg.max_row as u64
        } else {
            match g.below(10) {
                0 | 1 => 0,
                2 | 3 => 1,
                4..=6 => g.range(2, 4) as u64,
                _ => g.range(1, cfg.max_row as i64) as u64,
            }
        };
        let mut r: Vec<Syn> = Vec::new();
        for _ in 0..len {
            let key = if !r.is_empty() && g.chance(20) {
                r[r.len() - 1].key // multapse
            } else if g.chance(40) {
                let (t, d) = g.pick(&hot);
                pack(t, d)
            } else {
                pack(g.below(n as u64) as u32, cfg.delay(&mut g))
            };
            r.push(Syn {
                key,
                w: cfg.weight(&mut g),
            });
        }
        rows.push(r);
    }
    for r in rows.iter_mut() {
        sort_row(r);
    }
    // events: step 0 = the crafted rows in order; step 1 = every row (shuffled);
    // step 2 = none; step 3 = every non-empty row, ascending (pins the cycle
    // count); then random subsets, shuffled or ascending
    let mut events = Vec::new();
    for t in 0..cfg.steps {
        let mut list: Vec<u32> = match t {
            0 => (0..crafted as u32).collect(),
            1 => (0..cfg.rows).collect(),
            2 => vec![],
            3 => (0..cfg.rows)
                .filter(|&r| !rows[r as usize].is_empty())
                .collect(),
            _ => {
                let p = g.pick(&[5u64, 20, 50, 90]);
                (0..cfg.rows).filter(|_| g.chance(p)).collect()
            }
        };
        if t == 1 || (t > 3 && g.chance(70)) {
            for i in (1..list.len()).rev() {
                let j = g.below(i as u64 + 1) as usize;
                list.swap(i, j);
            }
        }
        events.extend(list.into_iter().map(|r| (t, r)));
    }
    // the contract's accumulator bound: per target and sign, the sum of
    // |w| << w_shift over every incoming synapse must fit ACC_BITS
    let mut pos = vec![0i64; n as usize];
    let mut neg = vec![0i64; n as usize];
    for s in rows.iter().flatten() {
        let v = s.w << cfg.w_shift;
        let t = key_target(s.key) as usize;
        if v >= 0 {
            pos[t] += v;
        } else {
            neg[t] += v;
        }
    }
    let need = (1..=64)
        .find(|&b| pos.iter().all(|&p| p <= smax(b)) && neg.iter().all(|&m| m >= smin(b)))
        .expect("bound fits 64 bits");
    let acc_bits = match cfg.acc_bits {
        Some(b) => {
            assert!(
                b >= need,
                "ACC_BITS {b} is below the contract's bound {need}"
            );
            b
        }
        None => need.max(cfg.w_bits + cfg.w_shift).max(4),
    };
    assert!(
        acc_bits <= 32,
        "the drawn matrix needs {acc_bits} accumulator bits"
    );
    let total: usize = rows.iter().map(|r| r.len()).sum();
    let syn_depth = (total as u32 + cfg.spare).max(1);
    Work {
        rows,
        events,
        acc_bits,
        slot_w: clog2(cfg.slots as u64),
        tgt_w: if n > 1 { clog2(n as u64) } else { 1 },
        ptr_w: clog2(syn_depth as u64 + 1),
        syn_depth,
    }
}

impl Work {
    /// Synapse memory image: `{w, delay, target}` per word, then zeros.
    fn syn_image(&self, cfg: &Cfg) -> String {
        let bits = cfg.w_bits + self.slot_w + self.tgt_w;
        let digits = bits.div_ceil(4) as usize;
        let mut s = String::new();
        let mut words = 0;
        for syn in self.rows.iter().flatten() {
            let (t, d) = (key_target(syn.key) as u64, key_delay(syn.key) as u64);
            assert!(t < cfg.n_neurons as u64 && (1..cfg.slots as u64).contains(&d));
            let word =
                (mask(syn.w, cfg.w_bits) << (self.slot_w + self.tgt_w)) | (d << self.tgt_w) | t;
            writeln!(s, "{word:0digits$x}").expect("write");
            words += 1;
        }
        while words < self.syn_depth {
            writeln!(s, "{:0digits$x}", 0).expect("write");
            words += 1;
        }
        s
    }

    /// Row memory image: `{end, start}` per row (end exclusive).
    fn row_image(&self) -> String {
        let digits = (2 * self.ptr_w).div_ceil(4) as usize;
        let mut s = String::new();
        let mut start = 0u64;
        for r in &self.rows {
            let end = start + r.len() as u64;
            writeln!(s, "{:0digits$x}", (end << self.ptr_w) | start).expect("write");
            start = end;
        }
        s
    }

    /// Expected (ex, in) per (step, neuron), steps `0 .. steps + slots - 1`,
    /// computed from the decoded keys with the reference semantics.
    fn expected(&self, cfg: &Cfg) -> Vec<(i64, i64)> {
        let n = cfg.n_neurons as usize;
        let total = (cfg.steps + cfg.slots - 1) as usize;
        let mut acc = vec![(0i64, 0i64); total * n];
        for &(t, r) in &self.events {
            for s in &self.rows[r as usize] {
                let step = (t + key_delay(s.key)) as usize;
                let e = &mut acc[step * n + key_target(s.key) as usize];
                let v = s.w << cfg.w_shift;
                if v >= 0 {
                    e.0 += v;
                } else {
                    e.1 += v;
                }
            }
        }
        for &(ex, inh) in &acc {
            assert!(
                ex <= smax(self.acc_bits) && inh >= smin(self.acc_bits),
                "a sum exceeds ACC_BITS (the bound check above should prevent it)"
            );
        }
        acc
    }

    /// Read-modify-write hazards in issue order (no stalls): pairs of
    /// synapses `dist` apart in one step's stream that hit the same
    /// accumulator (slot, target, channel); index 0 counts distance-1 pairs
    /// in the same address but the other channel (must not forward), index 4
    /// distance-1 pairs that straddle two rows.
    fn hazards(&self, cfg: &Cfg) -> [usize; 5] {
        let mut h = [0usize; 5];
        let mut t_prev = u32::MAX;
        // (address, channel, row ordinal in the step)
        let mut stream: Vec<(u32, u32, bool, usize)> = Vec::new();
        let mut flush = |stream: &mut Vec<(u32, u32, bool, usize)>| {
            for i in 0..stream.len() {
                for dist in 1..=3 {
                    if i >= dist {
                        let (a, b) = (stream[i - dist], stream[i]);
                        if a.0 == b.0 && a.1 == b.1 {
                            if a.2 == b.2 {
                                h[dist] += 1;
                                if dist == 1 && a.3 != b.3 {
                                    h[4] += 1;
                                }
                            } else if dist == 1 {
                                h[0] += 1;
                            }
                        }
                    }
                }
            }
            stream.clear();
        };
        for (ord, &(t, r)) in self.events.iter().enumerate() {
            if t != t_prev {
                flush(&mut stream);
                t_prev = t;
            }
            for s in &self.rows[r as usize] {
                let slot = (t + key_delay(s.key)) % cfg.slots;
                stream.push((slot, key_target(s.key), s.w < 0, ord));
            }
        }
        flush(&mut stream);
        h
    }

    /// (events, synapses, empty rows) of step `t`.
    fn step_load(&self, t: u32) -> (i64, i64, i64) {
        let mut e = (0, 0, 0);
        for &(s, r) in &self.events {
            if s == t {
                let k = self.rows[r as usize].len() as i64;
                e.0 += 1;
                e.1 += k;
                e.2 += (k == 0) as i64;
            }
        }
        e
    }

    /// The synapses that contribute to (step, neuron), for a mismatch report.
    fn contributions(&self, cfg: &Cfg, step: u32, neuron: u32) -> String {
        let mut s = String::new();
        for (i, &(t, r)) in self.events.iter().enumerate() {
            for (j, syn) in self.rows[r as usize].iter().enumerate() {
                if key_target(syn.key) == neuron && t + key_delay(syn.key) == step {
                    writeln!(
                        s,
                        "    event {i} (step {t}, row {r}) synapse {j}: delay {} weight {} -> {} << {}",
                        key_delay(syn.key),
                        syn.w,
                        if syn.w >= 0 { "ex" } else { "in" },
                        cfg.w_shift
                    )
                    .expect("write");
                }
            }
        }
        if s.is_empty() {
            s.push_str("    (none)\n");
        }
        s
    }
}

/// Compile the bench with integer and string parameters (the memory image
/// paths); fails on any iverilog warning.
fn compile_bench(dir: &Path, params: &[(&str, i64)], strings: &[(&str, &Path)]) -> Testbench {
    compile_tb_with_strings(
        dir,
        "tb_snn_syn_event",
        &["snn_mem.v", "snn_syn_event.v"],
        params,
        strings,
    )
}

fn run(cfg: Cfg, seed: u64) {
    let w = draw_work(&cfg, seed);
    let n = cfg.n_neurons as usize;
    let total_steps = (cfg.steps + cfg.slots - 1) as usize;
    let expected = w.expected(&cfg);
    let hz = w.hazards(&cfg);
    let desc = cfg.describe(w.acc_bits, w.syn_depth);
    for (what, count) in [
        ("distance-1 same address and channel", hz[1]),
        ("distance-2", hz[2]),
        ("distance-3", hz[3]),
        ("distance-1 across two rows", hz[4]),
        ("distance-1 same address, other channel", hz[0]),
    ] {
        assert!(count >= 3, "only {count} {what} hazards ({desc}): {hz:?}");
    }
    let synapses: usize = w
        .events
        .iter()
        .map(|&(_, r)| w.rows[r as usize].len())
        .sum();
    let rail = expected
        .iter()
        .map(|&(ex, inh)| {
            (ex as f64 / smax(w.acc_bits) as f64).max(inh as f64 / smin(w.acc_bits) as f64)
        })
        .fold(0.0, f64::max);

    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_syn_event");
    let syn_path = dir.join("syn.hex");
    let row_path = dir.join("row.hex");
    fs::write(&syn_path, w.syn_image(&cfg)).expect("write syn image");
    fs::write(&row_path, w.row_image()).expect("write row image");
    let params = [
        ("N_NEURONS", cfg.n_neurons as i64),
        ("SLOTS", cfg.slots as i64),
        ("ACC_BITS", w.acc_bits as i64),
        ("W_BITS", cfg.w_bits as i64),
        ("W_SHIFT", cfg.w_shift as i64),
        ("ROWS", cfg.rows as i64),
        ("SYN_DEPTH", w.syn_depth as i64),
        ("N_EV", w.events.len() as i64),
        ("STEPS", cfg.steps as i64),
    ];
    let tb = compile_bench(
        &dir,
        &params,
        &[("SYN_MEM_FILE", &syn_path), ("ROW_MEM_FILE", &row_path)],
    );
    let lines: Vec<String> = w
        .events
        .iter()
        .map(|&(t, r)| format!("{:016x}", ((t as u64) << 32) | r as u64))
        .collect();

    let n_rec = total_steps * n;
    for (k, (name, ev_pct, dr_pct, serial)) in MODES.iter().enumerate() {
        let stall_seed = (seed.wrapping_mul(0x9E37_79B9).wrapping_add(k as u64 * 7919) as u32) | 1;
        let out = tb.run(
            name,
            &lines,
            &[
                format!("seed={stall_seed}"),
                format!("ev_pct={ev_pct}"),
                format!("dr_pct={dr_pct}"),
                format!("serial={serial}"),
            ],
        );
        let drains: Vec<&Vec<i128>> = out.records.iter().filter(|r| r[0] == 0).collect();
        let stats: Vec<&Vec<i128>> = out.records.iter().filter(|r| r[0] == 1).collect();
        // the synapse taps: every synapse of every event's row, in delivery
        // order, with its address, weight and target
        let taps: Vec<[i128; 3]> = out
            .records
            .iter()
            .filter(|r| r[0] == 2)
            .map(|r| [r[1], r[2], r[3]])
            .collect();
        let mut want_taps = Vec::with_capacity(synapses);
        for &(_, r) in &w.events {
            let start: usize = w.rows[..r as usize].iter().map(|x| x.len()).sum();
            for (k, syn) in w.rows[r as usize].iter().enumerate() {
                want_taps.push([
                    (start + k) as i128,
                    syn.w as i128,
                    key_target(syn.key) as i128,
                ]);
            }
        }
        if let Some(k) = taps.iter().zip(&want_taps).position(|(a, b)| a != b) {
            panic!(
                "{} ({name}) {desc}: synapse tap {k}: RTL (addr, w, target) {:?}, expected {:?}",
                tb.top, taps[k], want_taps[k]
            );
        }
        assert_eq!(
            taps.len(),
            want_taps.len(),
            "{} ({name}): synapse taps",
            tb.top
        );
        // every drained record, in (step, neuron) order
        for (i, got) in drains.iter().enumerate() {
            let (step, neuron) = (i / n, i % n);
            let (ex, inh) = if step < total_steps {
                expected[i]
            } else {
                (0, 0)
            };
            let exp = [0, step as i128, neuron as i128, ex as i128, inh as i128];
            if got.as_slice() != exp {
                panic!(
                    "{} ({name}: events {ev_pct}%, drains {dr_pct}%, serial {serial}) {desc}: \
                     first mismatch at drain record {i} of {n_rec}:\n  fields: (kind, step, neuron, ex, in)\n  \
                     expected {exp:?}\n  got      {got:?}\n  contributing synapses:\n{}",
                    tb.top,
                    w.contributions(&cfg, step as u32, neuron as u32)
                );
            }
        }
        assert_eq!(
            drains.len(),
            n_rec,
            "{} ({name}) {desc}: {} drain records for {n_rec} (lost or duplicated)",
            tb.top,
            drains.len()
        );
        let done = out.done.expect("checked by run");
        assert_eq!(
            done.sent as usize,
            w.events.len(),
            "{name}: events accepted"
        );
        assert_eq!(done.recv as usize, n_rec, "{name}: drain results");
        // cycles per step: one synapse per clock plus a bounded constant
        assert_eq!(stats.len(), total_steps, "{name}: step statistics");
        let mut table = String::new();
        let (mut sum_k, mut sum_c, mut exact) = (0i64, 0i64, 0);
        for (t, st) in stats.iter().enumerate() {
            let (nev, cycles, drains_in) = (st[2] as i64, st[3] as i64, st[4] as i64);
            let (ev, k, empty) = w.step_load(t as u32);
            assert_eq!(st[1] as usize, t, "{name}: step order");
            assert_eq!(nev, ev, "{name} step {t}: events accepted");
            if ev == 0 {
                continue;
            }
            // a drain stalls the synapse pipeline for one cycle (when it has work)
            let busy = cycles - drains_in;
            if k > 0 {
                assert!(
                    cycles >= k + FILL,
                    "{name} step {t}: {k} synapses in {cycles} cycles ({drains_in} drains): \
                     faster than one synapse per clock?"
                );
            }
            if *ev_pct == 100 && *dr_pct == 100 {
                assert!(
                    busy <= k + empty + FILL,
                    "{name} step {t}: {ev} events, {k} synapses ({empty} empty rows) took \
                     {cycles} cycles with {drains_in} drains, more than k + empty + {FILL}"
                );
                if *serial == 1 && empty == 0 {
                    assert_eq!(
                        cycles,
                        k + FILL,
                        "{name} step {t}: {ev} non-empty rows of {k} synapses must take exactly k + {FILL} cycles"
                    );
                    exact += 1;
                }
            }
            if *serial == 1 && t < 6 {
                writeln!(
                    table,
                    "    step {t}: {ev} events ({empty} empty rows), {k} synapses, {cycles} cycles"
                )
                .expect("write");
            }
            sum_k += k;
            sum_c += busy;
        }
        if *serial == 1 {
            assert!(exact >= 1, "{name}: no step pinned the cycle count");
            println!(
                "snn_syn_event: cycles ({name}, {desc}): {sum_k} synapse deliveries in {sum_c} cycles over {} steps; \
                 a step of non-empty rows with k synapses takes exactly k + {FILL} ({exact} steps)\n{table}",
                cfg.steps
            );
        }
    }
    println!(
        "snn_syn_event: matched {n_rec} of {n_rec} records and {synapses} synapse taps ({desc}; {} events, {synapses} synapse deliveries, \
         {total_steps} drained steps; hazards d1 {} d2 {} d3 {} cross-row {} other-channel {}; \
         largest sum {:.0}% of the ACC_BITS rail; each of {} stall patterns)",
        w.events.len(),
        hz[1],
        hz[2],
        hz[3],
        hz[4],
        hz[0],
        rail * 100.0,
        MODES.len()
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn snn_syn_event_matches_reference_odd_sizes_w7_shift3() {
    run(
        Cfg {
            n_neurons: 33,
            slots: 7,
            w_bits: 7,
            w_shift: 3,
            acc_bits: None,
            rows: 41,
            steps: 12,
            max_row: 13,
            spare: 5,
        },
        31,
    );
}

#[test]
fn snn_syn_event_matches_reference_odd_sizes_w15() {
    run(
        Cfg {
            n_neurons: 33,
            slots: 7,
            w_bits: 15,
            w_shift: 0,
            acc_bits: None,
            rows: 29,
            steps: 10,
            max_row: 21,
            spare: 3,
        },
        32,
    );
}

#[test]
fn snn_syn_event_matches_reference_smallest() {
    // one neuron, two slots (every delay is 1): every synapse of a step hits
    // one of two accumulators
    run(
        Cfg {
            n_neurons: 1,
            slots: 2,
            w_bits: 2,
            w_shift: 0,
            acc_bits: None,
            rows: 23,
            steps: 40,
            max_row: 6,
            spare: 1,
        },
        33,
    );
}

#[test]
fn snn_syn_event_matches_reference_default_widths() {
    run(
        Cfg {
            n_neurons: 64,
            slots: 64,
            w_bits: 16,
            w_shift: 0,
            acc_bits: Some(32),
            rows: 50,
            steps: 8,
            max_row: 40,
            spare: 0,
        },
        34,
    );
}
