//! The spike-routing network-on-chip (`hdl/snn_noc_mesh.v`,
//! `hdl/snn_noc_router.v`) under Verilator, driven from Rust:
//!
//! - soak runs: uniform (multicast and broadcast), transpose and hotspot
//!   traffic at 10%..100% injection with random ejection stalls; a
//!   scoreboard checks that every packet reaches every core of its mask
//!   exactly once and nowhere else, a watchdog catches deadlocks, the
//!   ejection streams must hold valid and data until taken, and busy_o must
//!   be high exactly while packets are in flight;
//! - the latency/throughput curve per mesh size (docs/benchmarks.md);
//! - one router alone: round-robin fairness (a waiting input is served
//!   within 4 grants of the output), the sub-masks of the copies, per-input
//!   order, and one packet per output per clock;
//! - tests of the tests: a wrong expectation and RTL mutants must fail the
//!   scoreboard, an ejection port that never drains must trip the watchdog.
//!
//! `SPIKEFAB_NOC_SOAK_CYCLES=N` sets the cycles of each soak run on the 2x2
//! and 3x2 meshes (default 100,000; smaller meshes run a fifth of that).

mod noc_support;

use std::collections::VecDeque;
use std::time::Instant;

use noc_support::{
    build, curve_run, hdl, mesh_lib, mesh_sim, mesh_spec, run, Failure, MeshCfg, Pattern, Report,
    Rng, RunCfg, CURVE_RATES, CURVE_X_SEED,
};
use spikefab_cosim::{ModelSpec, Port, RandReset};

/// Cycles of one soak run on the larger meshes.
fn soak_cycles() -> u64 {
    match std::env::var("SPIKEFAB_NOC_SOAK_CYCLES") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("SPIKEFAB_NOC_SOAK_CYCLES={v} is not a number")),
        Err(_) => 100_000,
    }
}

/// Every pattern at 10%..100% injection with ejection stalls, on one mesh.
fn soak(cfg: MeshCfg, cycles: u64, rates: &[u32], seed: u64) -> Vec<Report> {
    let t0 = Instant::now();
    let lib = mesh_lib(cfg);
    let mut sim = mesh_sim(&lib, cfg, 7);
    let mut reports = Vec::new();
    let mut total_cycles = 0;
    for (pi, pattern) in [Pattern::Uniform, Pattern::Transpose, Pattern::Hotspot]
        .into_iter()
        .enumerate()
    {
        for (ri, &rate) in rates.iter().enumerate() {
            let stall = [10, 30, 50][(pi + ri) % 3];
            let seed = seed ^ ((pi as u64) << 32) ^ u64::from(rate);
            let rc = RunCfg::new(pattern, rate, stall, cycles, seed);
            let label = format!("noc soak {} {} {rate}%", cfg.name(), pattern.name());
            let r = run(&mut sim, &rc, &label).unwrap_or_else(|f| {
                panic!(
                    "{label} (fifo {}, ejection stalls {stall}%, seed {seed:#x}) FAILED: {f}",
                    cfg.fifo_depth
                )
            });
            println!(
                "{r} (fifo {}, ejection stalls {stall}%, p99 latency {}, {} offers refused by full source queues)",
                cfg.fifo_depth, r.p99_latency, r.refused
            );
            assert_eq!(r.delivered, r.expected_copies);
            assert!(r.injected > 0);
            total_cycles += r.cycles;
            reports.push(r);
        }
    }
    println!(
        "noc soak {}: {} runs, {total_cycles} cycles in {:.1} s (build included)",
        cfg.name(),
        reports.len(),
        t0.elapsed().as_secs_f64()
    );
    reports
}

const RATES: [u32; 5] = [10, 30, 50, 70, 100];

#[test]
fn soak_2x2_every_pattern_and_rate_exactly_once() {
    soak(MeshCfg::new(2, 2, 3), soak_cycles(), &RATES, 0x2200);
}

#[test]
fn soak_3x2_every_pattern_and_rate_exactly_once() {
    soak(MeshCfg::new(3, 2, 3), soak_cycles(), &RATES, 0x3200);
}

#[test]
fn soak_small_and_shallow_meshes_exactly_once() {
    let short = soak_cycles() / 5;
    soak(MeshCfg::new(1, 1, 3), short, &RATES, 0x1100);
    soak(MeshCfg::new(2, 1, 3), short, &RATES, 0x2100);
    // the smallest FIFOs, columns > rows
    soak(MeshCfg::new(2, 3, 2), short, &RATES, 0x2302);
}

/// Offered load against accepted throughput and latency, uniform unicast
/// traffic, no ejection stalls: the points of `spikefab bench noc`
/// (docs/benchmarks.md), here at FIFO depth 3, with their expected shape.
#[test]
fn latency_throughput_curve_per_mesh_size() {
    let t0 = Instant::now();
    println!("| mesh | offered (pkt/core/cycle) | accepted (pkt/core/cycle) | mean latency | p99 latency |");
    println!("|---|---|---|---|---|");
    for (rows, cols) in [(1, 1), (2, 1), (2, 2), (3, 2)] {
        let cfg = MeshCfg::new(rows, cols, 3);
        let lib = mesh_lib(cfg);
        let mut sim = mesh_sim(&lib, cfg, CURVE_X_SEED);
        let mut last = 0.0;
        for rate in CURVE_RATES {
            // 2,000 warm-up cycles, then 20,000 measured (as `spikefab bench noc`)
            let rc = curve_run(rate, 20_000);
            let label = format!("noc curve {} {rate}%", cfg.name());
            let r = run(&mut sim, &rc, &label).unwrap_or_else(|f| panic!("{label}: {f}"));
            println!(
                "| {} | {:.3} | {:.3} | {:.2} | {} |",
                cfg.name(),
                r.offered,
                r.throughput,
                r.mean_latency,
                r.p99_latency
            );
            // below saturation everything offered is accepted
            if rate <= 30 {
                assert!(
                    (r.throughput - r.offered).abs() < 0.02,
                    "{label}: accepted {:.3} of {:.3}",
                    r.throughput,
                    r.offered
                );
            }
            assert!(r.throughput > last - 0.03, "{label}: throughput fell");
            last = r.throughput;
        }
    }
    println!(
        "noc curve: 4 meshes x 10 rates in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

// ------------------------------------------------------ tests of the tests

#[test]
fn scoreboard_reports_a_wrong_expectation_as_missing_and_misrouted() {
    let cfg = MeshCfg::new(2, 2, 3);
    let lib = mesh_lib(cfg);
    let mut sim = mesh_sim(&lib, cfg, 3);
    let mut rc = RunCfg::new(Pattern::Uniform, 50, 20, 20_000, 0x5C0);
    // the scoreboard expects one bit flipped in about every 500th packet's mask
    rc.wrong_expectation_every = Some(500);
    match run(&mut sim, &rc, "wrong expectation") {
        Err(Failure::Scoreboard {
            lost,
            duplicated,
            misrouted,
            corrupt,
            listing,
        }) => {
            println!(
                "wrong expectation caught: lost {lost}, duplicated {duplicated}, misrouted {misrouted}, corrupt {corrupt}\n{}",
                listing.lines().take(8).collect::<Vec<_>>().join("\n")
            );
            assert!(lost > 0 && misrouted > 0, "both kinds: {listing}");
            assert!(listing.contains("MISSING at") && listing.contains("MISROUTED to core"));
            assert_eq!((duplicated, corrupt), (0, 0));
        }
        other => panic!("a wrong expectation must fail the scoreboard, got {other:?}"),
    }
}

#[test]
fn watchdog_names_the_cycle_and_the_routers_state() {
    let cfg = MeshCfg::new(2, 2, 3);
    let lib = mesh_lib(cfg);
    let mut sim = mesh_sim(&lib, cfg, 5);
    let mut rc = RunCfg::new(Pattern::Uniform, 30, 0, 20_000, 0xD0);
    rc.never_ready = Some(3);
    match run(&mut sim, &rc, "never ready") {
        Err(Failure::Watchdog { cycle, state }) => {
            println!("watchdog fired in cycle {cycle}: {state}");
            assert!(state.contains("core 3:") && state.contains("(never ready)"));
            assert!(state.contains("router 3 (row 1, col 1): [") && state.contains("MISSING at"));
        }
        other => panic!("the watchdog must fire, got {other:?}"),
    }
}

/// Textual mutants of the router; each must fail a short soak, in the way
/// named: "scoreboard" (lost, duplicated, misrouted or corrupt copies),
/// "stream" (an ejection port changed or dropped a stalled packet) or
/// "watchdog" (no delivery while packets are in flight).
#[test]
fn router_mutants_are_caught() {
    let src = std::fs::read_to_string(hdl("snn_noc_router.v")).unwrap();
    // (name, original text, mutated text, expected catcher, ejection stall %)
    let mutants: [(&str, &str, &str, &str, u32); 5] = [
        (
            "a head leaves after its first branch",
            "assign pop_w[p] = head_valid_w[p] & (left == 5'b0);",
            "assign pop_w[p] = head_valid_w[p] & ((left == 5'b0) | (|fire_w[p*5 +: 5]));",
            "scoreboard",
            0,
        ),
        (
            "east region off by one column",
            "localparam integer BP = (BC > X) ? P_E",
            "localparam integer BP = (BC > X + 1) ? P_E",
            "scoreboard",
            0,
        ),
        (
            "sent branches never cleared",
            "if (rst_i || pop_w[p]) begin",
            "if (rst_i) begin",
            "watchdog",
            30,
        ),
        (
            "arbiter pointer moves while stalled",
            "out_ready_i[o] ? ~(gnt | (gnt - 5'd1)) : ~(gnt - 5'd1)",
            "~(gnt | (gnt - 5'd1))",
            "stream",
            30,
        ),
        (
            "two inputs granted at once",
            "wire [4:0] gnt     = pick & (~pick + 5'd1);",
            "wire [4:0] gnt     = pick;",
            "stream",
            30,
        ),
    ];
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("noc-mutants");
    let cfg = MeshCfg::new(2, 2, 3);
    for (i, &(name, from, to, want, stall)) in mutants.iter().enumerate() {
        assert_eq!(src.matches(from).count(), 1, "mutation site `{from}`");
        let sub = dir.join(format!("m{i}"));
        std::fs::create_dir_all(&sub).unwrap();
        let path = sub.join("snn_noc_router.v");
        std::fs::write(&path, src.replace(from, to)).unwrap();
        let lib = build(&mesh_spec(cfg, path));
        let mut sim = mesh_sim(&lib, cfg, 9);
        let rc = RunCfg::new(Pattern::Uniform, 60, stall, 20_000, 0xBAD + i as u64);
        let f = match run(&mut sim, &rc, name) {
            Ok(r) => panic!("mutant `{name}` survived: {r}"),
            Err(f) => f,
        };
        let kind = match f {
            Failure::Scoreboard { .. } => "scoreboard",
            Failure::Protocol(_) => "stream",
            Failure::Watchdog { .. } => "watchdog",
            Failure::Sim(_) => "assertion",
        };
        let msg = f.to_string();
        println!(
            "mutant `{name}` caught by the {kind}: {}",
            msg.lines().take(3).collect::<Vec<_>>().join(" | ")
        );
        assert_eq!(kind, want, "mutant `{name}`: {msg}");
    }
}

// ------------------------------------------------------------- one router

/// The centre router of a 3x3 mesh, alone.
fn router_spec() -> ModelSpec {
    ModelSpec::new("snn_noc_router", vec![hdl("snn_noc_router.v")], "clk_i")
        .port(Port::input("rst_i", 1))
        .port(Port::input("in_valid_i", 5))
        .port(Port::output("in_ready_o", 5))
        .port(Port::input("in_mask_i", 45))
        .port(Port::input("in_data_i", 60))
        .port(Port::output("out_valid_o", 5))
        .port(Port::input("out_ready_i", 5))
        .port(Port::output("out_mask_o", 45))
        .port(Port::output("out_data_o", 60))
        .port(Port::output("pending_o", 5))
        .port(Port::output("busy_o", 1))
        .param("ROWS", "3")
        .param("COLS", "3")
        .param("X", "1")
        .param("Y", "1")
        .param("DATA_W", "12")
        .param("FIFO_DEPTH", "3")
}

/// Cores (bit r*3 + c) a packet arriving on input p of router (1, 1) can
/// be addressed to under XY routing.
const LEGAL_IN: [u64; 5] = [
    0b111_111_111, // local: any
    0b010_010_000, // from north (southbound): column 1, rows 1..2
    0b011_011_011, // from east (westbound): columns 0..1
    0b000_010_010, // from south (northbound): column 1, rows 0..1
    0b110_110_110, // from west (eastbound): columns 1..2
];
/// Cores behind each output of router (1, 1).
const REGION: [u64; 5] = [
    0b000_010_000, // local
    0b000_000_010, // north
    0b100_100_100, // east
    0b010_000_000, // south
    0b001_001_001, // west
];

struct RouterPkt {
    id: u64,
    /// outputs still to send
    left: u8,
}

/// Random traffic into all five inputs of one router with random output
/// stalls, against a black-box model of its FIFOs: every copy leaves the
/// right output with the right sub-mask, from the head of its input (per
/// input order), a stalled output holds its packet, heads leave when their
/// last branch is sent, and while an input's head waits for an output, that
/// output serves at most 4 other inputs first.
#[test]
fn router_is_fair_keeps_order_and_routes_sub_masks() {
    let lib = build(&router_spec());
    let mut m = lib.instantiate(13, RandReset::Random).unwrap();
    let [rst, in_valid, in_ready, in_mask, in_data, out_valid, out_ready, out_mask, out_data, busy] =
        [
            "rst_i",
            "in_valid_i",
            "in_ready_o",
            "in_mask_i",
            "in_data_i",
            "out_valid_o",
            "out_ready_i",
            "out_mask_o",
            "out_data_o",
            "busy_o",
        ]
        .map(|n| m.port(n).unwrap());
    m.set(rst, 1).unwrap();
    m.ticks(2).unwrap();
    m.set(rst, 0).unwrap();

    let mut rng = Rng::new(0xF00D);
    let mut fifo: Vec<VecDeque<RouterPkt>> = (0..5).map(|_| VecDeque::new()).collect();
    let mut masks = std::collections::HashMap::new();
    // the packet offered on each input (held until taken)
    let mut offer: [Option<(u64, u64)>; 5] = [None; 5];
    let mut next_id = 0u64;
    // waits[o][i]: grants of output o to other inputs while input i's head waited for it
    let mut waits = [[0u32; 5]; 5];
    let mut worst_wait = 0;
    let mut held: [Option<(u64, u64)>; 5] = [None; 5];
    let (mut copies, mut max_copies_per_cycle) = (0u64, 0u32);
    const CYCLES: u64 = 100_000;
    for cycle in 0..CYCLES {
        // bursty phases: offer and stall probabilities change every 1000 cycles
        let phase = cycle / 1000;
        let (p_in, p_stall) = (
            [20, 50, 90, 100][phase as usize % 4],
            [0, 20, 50, 80][(phase / 4) as usize % 4],
        );
        let (mut v, mut mk, mut dt) = (0u64, 0u64, 0u64);
        for p in 0..5 {
            if offer[p].is_none() && rng.pct(p_in) {
                let mask = rng.next_u64() & LEGAL_IN[p];
                offer[p] = Some((next_id, mask));
                masks.insert(next_id & 0xFFF, (next_id, p, mask));
                next_id += 1;
            }
            if let Some((id, mask)) = offer[p] {
                v |= 1 << p;
                mk |= mask << (9 * p);
                dt |= (id & 0xFFF) << (12 * p);
            }
        }
        let rdy = (0..5).fold(0u64, |a, o| a | (u64::from(!rng.pct(p_stall)) << o));
        m.set(in_valid, v).unwrap();
        m.set(in_mask, mk).unwrap();
        m.set(in_data, dt).unwrap();
        m.set(out_ready, rdy).unwrap();
        m.eval().unwrap();
        let (ov, om, od) = (
            m.get(out_valid).unwrap(),
            m.get(out_mask).unwrap(),
            m.get(out_data).unwrap(),
        );
        assert_eq!(
            m.get(busy).unwrap() == 1,
            fifo.iter().any(|f| !f.is_empty()),
            "busy_o, cycle {cycle}"
        );
        // outputs
        let mut granted = [None; 5];
        let mut n_copies = 0;
        for o in 0..5 {
            let valid = ov >> o & 1 == 1;
            let (sub, data) = ((om >> (9 * o)) & 0x1FF, (od >> (12 * o)) & 0xFFF);
            if let Some(h) = held[o] {
                assert!(
                    valid && h == (sub, data),
                    "output {o} dropped or changed a stalled packet, cycle {cycle}"
                );
            }
            if !valid {
                continue;
            }
            let &(id, i, mask) = masks
                .get(&data)
                .unwrap_or_else(|| panic!("unknown data {data:#x} on output {o}"));
            let head = fifo[i]
                .front()
                .unwrap_or_else(|| panic!("output {o}: packet {id} of an empty input {i}"));
            assert_eq!(
                head.id, id,
                "output {o}, cycle {cycle}: not the head of input {i}"
            );
            assert!(
                head.left >> o & 1 == 1,
                "output {o}: packet {id} sent twice or not routed there"
            );
            assert_eq!(
                sub,
                mask & REGION[o],
                "sub-mask of packet {id} on output {o}"
            );
            assert!(
                i == 0 || o != i,
                "packet {id} left through the port it came in on ({o})"
            );
            if rdy >> o & 1 == 1 {
                granted[o] = Some(i);
                held[o] = None;
                n_copies += 1;
            } else {
                held[o] = Some((sub, data));
            }
        }
        copies += u64::from(n_copies);
        max_copies_per_cycle = max_copies_per_cycle.max(n_copies);
        // fairness bookkeeping, then the heads' branches
        for o in 0..5 {
            if let Some(g) = granted[o] {
                for i in 0..5 {
                    let waiting = fifo[i].front().is_some_and(|h| h.left >> o & 1 == 1);
                    if i != g && waiting {
                        waits[o][i] += 1;
                        worst_wait = worst_wait.max(waits[o][i]);
                        assert!(
                            waits[o][i] <= 4,
                            "output {o} served others {} times while input {i} waited",
                            waits[o][i]
                        );
                    }
                }
                waits[o][g] = 0;
                fifo[g].front_mut().unwrap().left &= !(1 << o);
            }
        }
        for (i, f) in fifo.iter_mut().enumerate() {
            if f.front().is_some_and(|h| h.left == 0) {
                f.pop_front();
                for w in waits.iter_mut() {
                    w[i] = 0;
                }
            }
        }
        // inputs
        let ir = m.get(in_ready).unwrap();
        for p in 0..5 {
            if v >> p & 1 == 1 && ir >> p & 1 == 1 {
                let (id, mask) = offer[p].take().unwrap();
                let left = (0..5)
                    .filter(|&o| mask & REGION[o] != 0)
                    .fold(0u8, |a, o| a | 1 << o);
                fifo[p].push_back(RouterPkt { id, left });
            }
        }
        for (p, f) in fifo.iter().enumerate() {
            assert!(f.len() <= 3, "input {p} holds more than FIFO_DEPTH packets");
        }
        m.tick().unwrap();
    }
    assert!(
        worst_wait >= 2,
        "the traffic contended: worst wait {worst_wait}"
    );
    assert_eq!(
        max_copies_per_cycle, 5,
        "all five outputs sent in one cycle"
    );
    println!(
        "router 3x3 centre: {next_id} packets offered, {copies} copies out in {CYCLES} cycles; worst wait {worst_wait} grants (bound 4), up to {max_copies_per_cycle} copies per cycle"
    );
}

/// One packet per output per clock when uncontended: five streams through
/// five different outputs at once, then one broadcast stream from the
/// local input (five copies per packet, one packet per clock).
#[test]
fn router_sends_one_packet_per_output_per_clock() {
    let lib = build(&router_spec());
    let mut m = lib.instantiate(17, RandReset::Random).unwrap();
    let [rst, in_valid, in_ready, in_mask, in_data, out_valid, out_ready] = [
        "rst_i",
        "in_valid_i",
        "in_ready_o",
        "in_mask_i",
        "in_data_i",
        "out_valid_o",
        "out_ready_i",
    ]
    .map(|n| m.port(n).unwrap());
    m.set(rst, 1).unwrap();
    m.ticks(2).unwrap();
    m.set(rst, 0).unwrap();
    // local -> local, north -> south, east -> west, south -> north, west -> east
    let streams: [(usize, u64); 5] = [
        (0, REGION[0]),
        (1, REGION[3]),
        (2, REGION[4]),
        (3, REGION[1]),
        (4, REGION[2]),
    ];
    for (label, ins, per_packet) in [
        ("5 streams", streams.to_vec(), 1u32),
        ("local broadcast", vec![(0, 0b111_111_111)], 5),
    ] {
        let (mut v, mut mk) = (0u64, 0u64);
        for &(p, mask) in &ins {
            v |= 1 << p;
            mk |= mask << (9 * p);
        }
        m.set(in_valid, v).unwrap();
        m.set(in_mask, mk).unwrap();
        m.set(in_data, 0).unwrap();
        m.set(out_ready, 0b11111).unwrap();
        const CYCLES: u64 = 1000;
        let (mut accepted, mut copies) = (0u64, 0u64);
        for _ in 0..CYCLES {
            m.eval().unwrap();
            accepted += u64::from((m.get(in_ready).unwrap() & v).count_ones());
            copies += u64::from(m.get(out_valid).unwrap().count_ones());
            m.tick().unwrap();
        }
        let want = ins.len() as u64 * CYCLES;
        assert!(
            accepted >= want - 5 * ins.len() as u64,
            "{label}: {accepted} of {want} accepted"
        );
        assert!(
            copies >= u64::from(per_packet) * (accepted - 5 * ins.len() as u64),
            "{label}: {copies} copies"
        );
        println!("router {label}: {accepted} packets in, {copies} copies out in {CYCLES} cycles");
        m.set(in_valid, 0).unwrap();
        m.ticks(10).unwrap();
    }
}
