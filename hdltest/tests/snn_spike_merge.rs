//! hdl/snn_spike_merge.v (the host link's spike buffer) against a model in
//! Rust, through hdltest/tb/tb_snn_spike_merge.v, which drives every input
//! from a drawn vector (one line per cycle) and records every output.
//!
//! The model holds one queue per lane of the records stored and not yet
//! left through an output handshake (the module's "held", its FIFO, S1 and
//! O together). At every cycle it checks, against the header of
//! snn_spike_merge.v:
//! - an output handshake carries the record at the head of its lane's queue
//!   (records are unique, so the lane is known): every record leaves once,
//!   in its lane's order, and nothing else leaves;
//! - while out_valid_o & ~out_ready_i the output holds (valid/ready);
//! - level_o = records held; room_o = every lane holds <= DEPTH - ROOM
//!   (free = DEPTH - held >= ROOM); emitted_o = records that arrived (a lost
//!   one included) since reset or clr_i, clr_i zeroing it before the edge's
//!   arrivals are counted; overflow_o = sticky, a record arrived at a lane
//!   holding DEPTH records before the edge (that record is lost);
//! - round robin: while a lane holds 3 or more records, at most LANES + 1
//!   records of other lanes leave between two of its own (LANES - 1 from
//!   the arbiter, 2 already in S1 and O);
//! - throughput: from the third cycle of a drain phase (no arrivals,
//!   out_ready_i high), a record leaves every cycle while any is held.
//!
//! Arrivals are drawn in phases: light traffic, bursts on every lane at
//! once, one lane flooded while the output stalls (to overflow), stalls,
//! drains, clr_i pulses (with arrivals in the same cycle), a reset, and a
//! final drain that must empty the module. Illegal parameters fail
//! elaboration in Icarus and Verilator.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::process::Command;

use spikefab_hdltest::{compile_tb, hdl_file, require_tool, scratch_dir, Gen};

#[derive(Debug, Clone, Copy)]
struct Cfg {
    lanes: usize,
    gid_w: u32,
    depth: usize,
    room: usize,
}

impl Cfg {
    fn vec_bits(&self) -> usize {
        3 + self.lanes * (33 + self.gid_w as usize)
    }
}

/// The inputs of one clock edge.
#[derive(Debug, Clone)]
struct Cycle {
    rst: bool,
    clr: bool,
    ready: bool,
    valid: Vec<bool>,
    step: Vec<u32>,
    neuron: Vec<u32>,
    /// The first cycle of the drain phase this cycle belongs to.
    drain_since: Option<usize>,
}

/// One phase of the drawn traffic.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Each lane offers with `in_pct`, the sink is ready with `out_pct`,
    /// clr_i with `clr_pct`.
    Traffic {
        len: usize,
        in_pct: u64,
        out_pct: u64,
        clr_pct: u64,
    },
    /// Lane `lane` offers every cycle, the others rarely, the sink stalls.
    Flood { len: usize, lane: usize },
    /// No arrivals, out_ready_i high.
    Drain { len: usize },
    /// rst_i high (no arrivals, out_ready_i low).
    Reset { len: usize },
    /// The sink stalls while every lane receives exactly `per_lane` records
    /// at random cycles (several lanes in one cycle): from empty, with
    /// `per_lane` = DEPTH, every lane ends exactly full and nothing is lost.
    Brim { len: usize, per_lane: usize },
}

/// Packs fields (least significant first) into a hex line of `bits` bits.
struct Bits {
    words: Vec<u64>,
    at: usize,
}

impl Bits {
    fn new(bits: usize) -> Bits {
        Bits {
            words: vec![0; bits.div_ceil(64) + 1],
            at: 0,
        }
    }
    fn push(&mut self, v: u64, w: u32) {
        assert!(w == 64 || v < (1u64 << w), "{v:#x} does not fit {w} bits");
        for b in 0..w as usize {
            if (v >> b) & 1 == 1 {
                let p = self.at + b;
                self.words[p / 64] |= 1u64 << (p % 64);
            }
        }
        self.at += w as usize;
    }
    fn hex(&self, bits: usize) -> String {
        assert_eq!(self.at, bits, "fields fill the line");
        let digits = bits.div_ceil(4);
        (0..digits)
            .rev()
            .map(|d| {
                let p = d * 4;
                let nib = (self.words[p / 64] >> (p % 64)) & 0xF;
                char::from_digit(nib as u32, 16).expect("nibble")
            })
            .collect()
    }
}

/// The vector line of one cycle (tb_snn_spike_merge.v's layout).
fn vec_line(cfg: &Cfg, c: &Cycle) -> String {
    let bits = cfg.vec_bits();
    let mut b = Bits::new(bits);
    for &n in &c.neuron {
        b.push(u64::from(n), cfg.gid_w);
    }
    for &s in &c.step {
        b.push(u64::from(s), 32);
    }
    for &v in &c.valid {
        b.push(v as u64, 1);
    }
    b.push(c.ready as u64, 1);
    b.push(c.clr as u64, 1);
    b.push(c.rst as u64, 1);
    b.hex(bits)
}

/// Draws the cycles of `phases`; every arriving record is unique (its step
/// is a bijection of its arrival number).
fn draw_cycles(cfg: &Cfg, phases: &[Phase], seed: u64) -> Vec<Cycle> {
    let mut g = Gen::new(seed);
    let gid_max = if cfg.gid_w == 32 {
        u64::from(u32::MAX)
    } else {
        (1u64 << cfg.gid_w) - 1
    };
    let mut seq: u32 = 0;
    let mut v = Vec::new();
    for ph in phases {
        let start = v.len();
        let (len, drain) = match *ph {
            Phase::Traffic { len, .. }
            | Phase::Flood { len, .. }
            | Phase::Reset { len }
            | Phase::Brim { len, .. } => (len, false),
            Phase::Drain { len } => (len, true),
        };
        // Brim: each lane's arrival cycles, `per_lane` of `len` (shuffled)
        let brim: Vec<Vec<bool>> = match *ph {
            Phase::Brim { len, per_lane } => (0..cfg.lanes)
                .map(|_| {
                    assert!(per_lane <= len);
                    let mut at: Vec<bool> = (0..len).map(|i| i < per_lane).collect();
                    for i in (1..len).rev() {
                        let j = g.below(i as u64 + 1) as usize;
                        at.swap(i, j);
                    }
                    at
                })
                .collect(),
            _ => Vec::new(),
        };
        for i in 0..len {
            let mut c = Cycle {
                rst: false,
                clr: false,
                ready: true,
                valid: vec![false; cfg.lanes],
                step: vec![0; cfg.lanes],
                neuron: vec![0; cfg.lanes],
                drain_since: drain.then_some(start),
            };
            match *ph {
                Phase::Traffic {
                    in_pct,
                    out_pct,
                    clr_pct,
                    ..
                } => {
                    for l in 0..cfg.lanes {
                        c.valid[l] = g.chance(in_pct);
                    }
                    c.ready = g.chance(out_pct);
                    c.clr = g.chance(clr_pct);
                }
                Phase::Flood { lane, .. } => {
                    for l in 0..cfg.lanes {
                        c.valid[l] = l == lane || g.chance(5);
                    }
                    c.ready = g.chance(3);
                }
                Phase::Drain { .. } => {}
                Phase::Brim { .. } => {
                    c.valid = brim.iter().map(|at| at[i]).collect();
                    c.ready = false;
                    c.clr = g.chance(2);
                }
                Phase::Reset { .. } => {
                    c.rst = true;
                    c.ready = false;
                }
            }
            for l in 0..cfg.lanes {
                if c.valid[l] {
                    c.step[l] = seq.wrapping_mul(0x9E37_79B1) ^ 0x5BD1_E995;
                    seq += 1;
                    c.neuron[l] = g.interesting(0, gid_max as i64) as u32;
                } else {
                    // junk on an idle lane (must be ignored)
                    c.step[l] = g.u32();
                    c.neuron[l] = (g.u64() & gid_max) as u32;
                }
            }
            v.push(c);
        }
    }
    v
}

/// One recorded cycle (sampled just before rising edge k).
#[derive(Debug, Clone, Copy)]
struct Obs {
    valid: bool,
    ready: bool,
    step: u32,
    neuron: u32,
    level: u32,
    emitted: u32,
    room: bool,
    overflow: bool,
}

/// What a run covered (each test asserts the parts it is about).
#[derive(Debug, Default)]
struct Cover {
    delivered: usize,
    lost: usize,
    stored: usize,
    room_low: usize,
    room_high: usize,
    multi_arrival: usize,
    held_stalls: usize,
    clr_with_arrivals: usize,
    drain_cycles_checked: usize,
    max_level: usize,
    /// Records held when a reset cleared them.
    wiped: usize,
    /// Cycles with a full lane and overflow_o low.
    full_without_overflow: usize,
    /// Resets that cleared a set overflow_o.
    overflow_cleared: usize,
}

fn run(cfg: Cfg, phases: &[Phase], seed: u64) -> Cover {
    let cycles = draw_cycles(&cfg, phases, seed);
    let what = format!(
        "LANES={} GID_W={} DEPTH={} ROOM={} seed {seed}",
        cfg.lanes, cfg.gid_w, cfg.depth, cfg.room
    );
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_spike_merge-l{}-d{}", cfg.lanes, cfg.depth),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_spike_merge",
        &["snn_spike_merge.v"],
        &[
            ("LANES", cfg.lanes as i64),
            ("GID_W", i64::from(cfg.gid_w)),
            ("DEPTH", cfg.depth as i64),
            ("ROOM", cfg.room as i64),
            ("N", cycles.len() as i64),
        ],
    );
    let lines: Vec<String> = cycles.iter().map(|c| vec_line(&cfg, c)).collect();
    let out = tb.run("run", &lines, &[]);
    assert_eq!(
        out.records.len(),
        cycles.len(),
        "{what}: one record per cycle"
    );
    let obs: Vec<Obs> = out
        .records
        .iter()
        .enumerate()
        .map(|(k, r)| {
            assert_eq!(r.len(), 9, "record {k}: {r:?}");
            assert_eq!(r[0], k as i128, "record order");
            Obs {
                valid: r[1] != 0,
                ready: r[2] != 0,
                step: r[3] as u32,
                neuron: r[4] as u32,
                level: r[5] as u32,
                emitted: r[6] as u32,
                room: r[7] != 0,
                overflow: r[8] != 0,
            }
        })
        .collect();
    let cover = check(&cfg, &cycles, &obs, &what);
    let _ = std::fs::remove_dir_all(&dir);
    cover
}

/// The model, cycle by cycle (see the file's header).
fn check(cfg: &Cfg, cycles: &[Cycle], obs: &[Obs], what: &str) -> Cover {
    let mut q: Vec<VecDeque<(u32, u32)>> = vec![VecDeque::new(); cfg.lanes];
    let mut lane_of: HashMap<u32, usize> = HashMap::new();
    let mut emitted: u32 = 0;
    let mut overflow = false;
    // outputs of other lanes since each lane's last (while it holds >= 3)
    let mut streak = vec![0usize; cfg.lanes];
    let mut cover = Cover::default();
    for (k, (c, o)) in cycles.iter().zip(obs).enumerate() {
        let held: usize = q.iter().map(|x| x.len()).sum();
        let room = q.iter().all(|x| x.len() + cfg.room <= cfg.depth);
        let ctx = || {
            let lens: Vec<usize> = q.iter().map(|x| x.len()).collect();
            format!("{what}: cycle {k} (lanes hold {lens:?}, observed {o:?})")
        };
        assert_eq!(o.level as usize, held, "{}: level_o", ctx());
        assert_eq!(o.room, room, "{}: room_o", ctx());
        assert_eq!(o.emitted, emitted, "{}: emitted_o", ctx());
        assert_eq!(o.overflow, overflow, "{}: overflow_o", ctx());
        assert_eq!(o.ready, c.ready, "{}: the bench's out_ready", ctx());
        if !overflow && q.iter().any(|x| x.len() == cfg.depth) {
            cover.full_without_overflow += 1;
        }
        if room {
            cover.room_high += 1;
        } else {
            cover.room_low += 1;
        }
        cover.max_level = cover.max_level.max(held);
        // valid/ready: a stalled output holds
        if o.valid && !o.ready && !c.rst {
            let n = &obs[k + 1];
            assert!(
                n.valid && n.step == o.step && n.neuron == o.neuron,
                "{}: the stalled output changed to {n:?}",
                ctx()
            );
            cover.held_stalls += 1;
        }
        // throughput while draining
        if let Some(d) = c.drain_since {
            if k >= d + 2 {
                assert_eq!(
                    o.valid,
                    held > 0,
                    "{}: draining (since cycle {d}), a record must leave every cycle while any is held",
                    ctx()
                );
                cover.drain_cycles_checked += 1;
            }
        }
        if c.rst {
            assert!(
                !(o.valid && o.ready),
                "the bench stalls the output in reset"
            );
            cover.wiped += held;
            q.iter_mut().for_each(|x| x.clear());
            emitted = 0;
            cover.overflow_cleared += overflow as usize;
            overflow = false;
            streak.iter_mut().for_each(|s| *s = 0);
            continue;
        }
        // the lanes' fullness before this edge
        let full: Vec<bool> = q.iter().map(|x| x.len() == cfg.depth).collect();
        // output handshake
        if o.valid && o.ready {
            let lane = *lane_of.get(&o.step).unwrap_or_else(|| {
                panic!(
                    "{}: step {:#x} left, but no record with that step arrived",
                    ctx(),
                    o.step
                )
            });
            let head = q[lane].front().copied();
            assert_eq!(
                head,
                Some((o.step, o.neuron)),
                "{}: the record that left is not the head of lane {lane} (duplicate, lost, reordered or altered)",
                ctx()
            );
            for l in 0..cfg.lanes {
                if l == lane || q[l].len() < 3 {
                    streak[l] = 0;
                } else {
                    streak[l] += 1;
                    assert!(
                        streak[l] <= cfg.lanes + 1,
                        "{}: lane {l} holds {} records but {} records of other lanes left since its last (round robin)",
                        ctx(),
                        q[l].len(),
                        streak[l]
                    );
                }
            }
            q[lane].pop_front();
            cover.delivered += 1;
        }
        // arrivals
        if c.clr {
            emitted = 0;
            if c.valid.iter().any(|&v| v) {
                cover.clr_with_arrivals += 1;
            }
        }
        if c.valid.iter().filter(|&&v| v).count() > 1 {
            cover.multi_arrival += 1;
        }
        for l in 0..cfg.lanes {
            if !c.valid[l] {
                continue;
            }
            emitted = emitted.wrapping_add(1);
            lane_of.insert(c.step[l], l);
            if full[l] {
                overflow = true;
                cover.lost += 1;
            } else {
                q[l].push_back((c.step[l], c.neuron[l]));
                cover.stored += 1;
            }
        }
        for l in 0..cfg.lanes {
            if q[l].len() < 3 {
                streak[l] = 0;
            }
        }
    }
    let left: usize = q.iter().map(|x| x.len()).sum();
    assert_eq!(left, 0, "{what}: records left after the final drain");
    cover
}

/// The standard mix of phases for `cfg`: every lane filled to exactly
/// DEPTH (no loss) and drained; then rounds of traffic, bursts, a lane
/// flooded past DEPTH (loss, overflow_o), stalls and drains; in the first
/// round a reset (overflow_o falls) and a second exact fill after it.
fn phases(cfg: &Cfg, g: &mut Gen, rounds: usize) -> Vec<Phase> {
    let drain_all = cfg.lanes * cfg.depth + 8;
    let brim = || Phase::Brim {
        len: cfg.depth * 3 / 2 + 4,
        per_lane: cfg.depth,
    };
    let stall = |g: &mut Gen| Phase::Traffic {
        len: g.range(5, 30) as usize,
        in_pct: 0,
        out_pct: 0,
        clr_pct: 0,
    };
    let mut v = vec![brim(), stall(g), Phase::Drain { len: drain_all }];
    for r in 0..rounds {
        v.push(Phase::Traffic {
            len: g.range(150, 400) as usize,
            in_pct: g.range(5, 45) as u64,
            out_pct: g.range(40, 100) as u64,
            clr_pct: 2,
        });
        // bursts: every lane busy, the sink slow
        v.push(Phase::Traffic {
            len: g.range(20, 80) as usize,
            in_pct: g.range(70, 100) as u64,
            out_pct: g.range(0, 35) as u64,
            clr_pct: 5,
        });
        v.push(Phase::Drain {
            len: g.range(5, 60) as usize,
        });
        // one lane flooded past DEPTH while the sink stalls
        v.push(Phase::Flood {
            len: cfg.depth + 8,
            lane: (r + g.below(cfg.lanes as u64) as usize) % cfg.lanes,
        });
        v.push(stall(g));
        if r == 0 {
            v.push(Phase::Reset {
                len: g.range(1, 3) as usize,
            });
            v.push(brim());
            v.push(stall(g));
            v.push(Phase::Drain { len: drain_all });
        }
        v.push(Phase::Traffic {
            len: g.range(100, 300) as usize,
            in_pct: g.range(20, 60) as u64,
            out_pct: g.range(20, 90) as u64,
            clr_pct: 1,
        });
        v.push(Phase::Drain { len: drain_all });
    }
    v
}

fn run_cfg(cfg: Cfg, seed: u64, rounds: usize) -> Cover {
    let mut g = Gen::new(seed);
    let ph = phases(&cfg, &mut g, rounds);
    let cover = run(cfg, &ph, seed);
    let what = format!("{cfg:?}");
    println!("{what}: {cover:?}");
    // what every run must have covered
    assert!(cover.lost > 0, "{what}: no record arrived at a full lane");
    assert_eq!(
        cover.delivered + cover.wiped,
        cover.stored,
        "{what}: {cover:?}"
    );
    assert!(
        cover.wiped > 0 && cover.overflow_cleared > 0,
        "{what}: {cover:?}"
    );
    assert!(
        cover.full_without_overflow > 0,
        "{what}: no lane was exactly full before an overflow: {cover:?}"
    );
    assert_eq!(
        cover.max_level,
        cfg.lanes * cfg.depth,
        "{what}: never all lanes full"
    );
    assert!(
        cover.room_low > 0 && cover.room_high > 0,
        "{what}: room_o never toggled"
    );
    assert!(cover.held_stalls > 0, "{what}: the output never stalled");
    assert!(cover.drain_cycles_checked > 0, "{what}");
    if cfg.lanes > 1 {
        assert!(
            cover.multi_arrival > 0,
            "{what}: never two lanes in one cycle"
        );
    }
    cover
}

#[test]
fn one_lane_fifo_of_5_and_of_2_keeps_order_counts_and_overflows_only_when_full() {
    let c1 = run_cfg(
        Cfg {
            lanes: 1,
            gid_w: 11,
            depth: 5,
            room: 3,
        },
        1,
        3,
    );
    assert!(c1.clr_with_arrivals > 0, "{c1:?}");
    run_cfg(
        Cfg {
            lanes: 1,
            gid_w: 32,
            depth: 2,
            room: 2,
        },
        2,
        3,
    );
}

#[test]
fn three_lanes_gid_17_depth_33_merge_every_record_once_with_exact_counts() {
    let c = run_cfg(
        Cfg {
            lanes: 3,
            gid_w: 17,
            depth: 33,
            room: 20,
        },
        3,
        3,
    );
    assert!(c.clr_with_arrivals > 0, "{c:?}");
}

#[test]
fn seven_lanes_under_random_backpressure_keep_each_lanes_order() {
    run_cfg(
        Cfg {
            lanes: 7,
            gid_w: 11,
            depth: 33,
            room: 1,
        },
        4,
        2,
    );
    run_cfg(
        Cfg {
            lanes: 7,
            gid_w: 17,
            depth: 5,
            room: 5,
        },
        5,
        3,
    );
}

#[test]
fn depth_2048_lanes_fill_to_overflow_only_when_full_and_drain_at_one_per_cycle() {
    run_cfg(
        Cfg {
            lanes: 3,
            gid_w: 11,
            depth: 2048,
            room: 1250,
        },
        6,
        1,
    );
}

#[test]
fn two_hundred_fifty_six_lanes_merge_without_loss() {
    run_cfg(
        Cfg {
            lanes: 256,
            gid_w: 1,
            depth: 2,
            room: 1,
        },
        7,
        1,
    );
}

// ---------------------------------------------------------------- parameters

type Params = &'static [(&'static str, i64)];

/// (illegal parameters, the parameter the messages must name, the rule
/// Icarus's unknown module is named after)
const ILLEGAL: &[(Params, &str, &str)] = &[
    (&[("LANES", 0)], "LANES", "LANES_must_be_in_1_to_256"),
    (&[("LANES", 257)], "LANES", "LANES_must_be_in_1_to_256"),
    (&[("GID_W", 0)], "GID_W", "GID_W_must_be_in_1_to_32"),
    (&[("GID_W", 33)], "GID_W", "GID_W_must_be_in_1_to_32"),
    (
        &[("DEPTH", 1), ("ROOM", 1)],
        "DEPTH",
        "DEPTH_must_be_at_least_2",
    ),
    (
        &[("DEPTH", 33), ("ROOM", 34)],
        "ROOM",
        "ROOM_must_be_in_1_to_DEPTH",
    ),
    (&[("ROOM", 0)], "ROOM", "ROOM_must_be_in_1_to_DEPTH"),
];

#[test]
fn illegal_parameters_fail_elaboration_and_their_neighbours_elaborate() {
    require_tool("iverilog", "iverilog");
    require_tool("verilator", "verilator");
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_spike_merge-elab");
    for (params, name, rule) in ILLEGAL {
        let (ok, log) = iverilog_elaborate(&dir, params);
        assert!(!ok, "iverilog accepted {params:?}");
        assert!(
            log.contains(&format!("Unknown module type: snn_spike_merge__{rule}")),
            "iverilog's message for {params:?}:\n{log}"
        );
        let (ok, log) = verilator_lint(params);
        assert!(!ok, "verilator accepted {params:?}");
        assert!(
            log.lines()
                .any(|l| l.contains("USERERROR")
                    && l.contains(&format!("snn_spike_merge: {name} ("))),
            "verilator's message for {params:?}:\n{log}"
        );
    }
    // the legal edges: clean in both tools
    let legal: &[&[(&str, i64)]] = &[
        &[("LANES", 1), ("GID_W", 1), ("DEPTH", 2), ("ROOM", 1)],
        &[("LANES", 256), ("GID_W", 32), ("DEPTH", 2), ("ROOM", 2)],
        &[("LANES", 3), ("GID_W", 17), ("DEPTH", 33), ("ROOM", 33)],
        &[],
    ];
    for params in legal {
        let (ok, log) = iverilog_elaborate(&dir, params);
        assert!(ok && log.trim().is_empty(), "iverilog {params:?}:\n{log}");
        let (ok, log) = verilator_lint(params);
        assert!(ok && log.trim().is_empty(), "verilator {params:?}:\n{log}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn iverilog_elaborate(dir: &Path, params: &[(&str, i64)]) -> (bool, String) {
    let mut cmd = Command::new("iverilog");
    cmd.arg("-g2005")
        .arg("-Wall")
        .arg("-o")
        .arg(dir.join("snn_spike_merge.vvp"))
        .arg("-s")
        .arg("snn_spike_merge");
    for (k, v) in params {
        cmd.arg(format!("-Psnn_spike_merge.{k}={v}"));
    }
    cmd.arg(hdl_file("snn_spike_merge.v"));
    let out = cmd.output().expect("run iverilog");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn verilator_lint(params: &[(&str, i64)]) -> (bool, String) {
    let mut cmd = Command::new("verilator");
    cmd.arg("--lint-only").arg("-Wall");
    for (k, v) in params {
        cmd.arg(format!("-G{k}={v}"));
    }
    cmd.arg(hdl_file("snn_spike_merge.v"));
    let out = cmd.output().expect("run verilator");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
