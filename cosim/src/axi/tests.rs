//! Unit tests of the AXI memory model: a scripted, well-behaved master
//! drives it cycle by cycle and checks every beat against the image.

use std::collections::{HashMap, VecDeque};

use proptest::prelude::*;

use super::*;

/// SplitMix64 for the test stimuli.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        splitmix(&mut self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u32) -> bool {
        self.below(100) < u64::from(pct)
    }
}

/// One burst a master asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Req {
    addr: u64,
    len: u32,
    id: u64,
}

/// One beat the master took.
#[derive(Debug, Clone, Copy)]
struct Got {
    cycle: u64,
    /// Acceptance index of the beat's burst.
    seq: usize,
    id: u64,
    beat: u32,
}

/// A well-behaved master: asks for `todo` in order (ARVALID raised with
/// probability `ar_pct` when idle, held until taken), RREADY high in
/// `rready_pct` percent of the cycles, and checks every beat it takes
/// against the image (data, RID's oldest burst, RLAST).
struct Master {
    todo: VecDeque<Req>,
    cur: Option<Req>,
    ar_pct: u32,
    rready_pct: u32,
    rng: Rng,
    /// Per ID: (acceptance index, request, beats taken).
    open: HashMap<u64, VecDeque<(usize, Req, u32)>>,
    accepted: Vec<(u64, Req)>,
    got: Vec<Got>,
    /// Cycles with RVALID high, and the first cycle each burst showed one.
    rvalid_cycles: Vec<u64>,
}

impl Master {
    fn new(todo: Vec<Req>, ar_pct: u32, rready_pct: u32, seed: u64) -> Master {
        Master {
            todo: todo.into(),
            cur: None,
            ar_pct,
            rready_pct,
            rng: Rng(seed),
            open: HashMap::new(),
            accepted: Vec::new(),
            got: Vec::new(),
            rvalid_cycles: Vec::new(),
        }
    }

    fn done(&self) -> bool {
        self.todo.is_empty() && self.cur.is_none() && self.open.values().all(VecDeque::is_empty)
    }

    /// One cycle against `mem`; `Err` on a violation or a wrong beat.
    fn cycle(&mut self, mem: &mut AxiMem) -> Result<(), String> {
        let d = mem.drive().clone();
        let c = mem.config().clone();
        if self.cur.is_none() && !self.todo.is_empty() && self.rng.chance(self.ar_pct) {
            self.cur = self.todo.pop_front();
        }
        let ar = match self.cur {
            Some(r) => ArSample {
                valid: true,
                addr: r.addr,
                len: r.len,
                size: c.arsize(),
                burst: BURST_INCR,
                id: r.id,
                cache: 3,
                prot: 2,
            },
            None => ArSample::default(),
        };
        let rready = self.rng.chance(self.rready_pct);
        let cycle = mem.cycle();
        if d.rvalid {
            self.rvalid_cycles.push(cycle);
        }
        if d.rvalid && rready {
            let q = self
                .open
                .get_mut(&d.rid)
                .filter(|q| !q.is_empty())
                .ok_or_else(|| {
                    format!("cycle {cycle}: a beat with RID {} and nothing open", d.rid)
                })?;
            let (seq, req, taken) = q.front_mut().unwrap();
            let bb = c.beat_bytes();
            let mut bytes = vec![0u8; bb as usize];
            mem.image()
                .read(req.addr + u64::from(*taken) * bb, &mut bytes)
                .map_err(|e| e.to_string())?;
            let mut want = vec![0u64; c.data_words()];
            for (i, b) in bytes.iter().enumerate() {
                want[i / 8] |= u64::from(*b) << (8 * (i % 8));
            }
            if d.rdata != want {
                return Err(format!(
                    "cycle {cycle}: beat {taken} of burst {seq} ({req:?}): RDATA {:x?}, image {want:x?}",
                    d.rdata
                ));
            }
            if d.rlast != (*taken == req.len) || d.rresp != 0 {
                return Err(format!(
                    "cycle {cycle}: beat {taken} of {req:?}: RLAST {}, RRESP {}",
                    d.rlast, d.rresp
                ));
            }
            self.got.push(Got {
                cycle,
                seq: *seq,
                id: d.rid,
                beat: *taken,
            });
            *taken += 1;
            if *taken > req.len {
                q.pop_front();
            }
        }
        if ar.valid && d.arready {
            let r = self.cur.take().unwrap();
            let seq = self.accepted.len();
            self.accepted.push((cycle, r));
            self.open.entry(r.id).or_default().push_back((seq, r, 0));
        }
        mem.sample(&ar, rready).map_err(|e| e.to_string())
    }

    /// Runs until every burst is done (at most `limit` cycles).
    fn run(&mut self, mem: &mut AxiMem, limit: u64) -> Result<(), String> {
        while !self.done() {
            if mem.cycle() > limit {
                return Err(format!("not done after {limit} cycles"));
            }
            self.cycle(mem)?;
        }
        Ok(())
    }
}

fn cfg(data_bits: u32) -> AxiMemConfig {
    AxiMemConfig::new(data_bits, 4, 16)
}

/// A model over `len` pseudo-random bytes at `base`.
fn mem_with(cfg: AxiMemConfig, base: u64, len: usize, seed: u64) -> AxiMem {
    let mut m = AxiMem::new(cfg).unwrap();
    let mut rng = Rng(seed);
    let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    m.write(base, &bytes).unwrap();
    m
}

/// `n` bursts of up to `max` beats at beat-aligned addresses of
/// `base..base + len`, never crossing 4 KiB, IDs `0..ids`.
fn bursts(cfg: &AxiMemConfig, base: u64, len: u64, n: usize, ids: u64, seed: u64) -> Vec<Req> {
    let bb = cfg.beat_bytes();
    let beats = len / bb;
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let start = rng.below(beats);
            let addr = base + start * bb;
            let to_page = (PAGE_BYTES - addr % PAGE_BYTES) / bb;
            let most = u64::from(cfg.max_burst).min(beats - start).min(to_page);
            Req {
                addr,
                len: rng.below(most) as u32,
                id: rng.below(ids),
            }
        })
        .collect()
}

#[test]
fn image_round_trips_across_page_boundaries_with_odd_sizes() {
    let mut img = MemImage::new();
    let mut rng = Rng(7);
    let mut placed = Vec::new();
    for (addr, len) in [
        (4093u64, 7usize),
        (8190, 33),
        (12285, 4099),
        (0x3_0000_0ffd, 15),
    ] {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        img.write(addr, &bytes).unwrap();
        placed.push((addr, bytes));
    }
    for (addr, bytes) in &placed {
        let mut out = vec![0u8; bytes.len()];
        img.read(*addr, &mut out).unwrap();
        assert_eq!(&out, bytes, "at {addr:#x}");
        // The bytes around each range were never written.
        assert_eq!(img.first_unwritten(addr - 1, 2), Some(addr - 1));
        let end = addr + bytes.len() as u64;
        assert_eq!(
            img.first_unwritten(*addr, bytes.len() as u64 + 1),
            Some(end)
        );
    }
    assert_eq!(img.written_bytes(), 7 + 33 + 4099 + 15);
    // 4093+7 spans pages 0..=1; 8190+33 pages 1..=2; 12285+4099 pages 2..=3
    // (it ends at 16383); the last range pages 0x300000 and 0x300001.
    assert_eq!(img.pages(), 6);
    // Rewriting bytes does not count them twice.
    img.write(4093, &[1, 2, 3]).unwrap();
    assert_eq!(img.written_bytes(), 7 + 33 + 4099 + 15);
    let e = img.read(4090, &mut [0u8; 8]).unwrap_err().to_string();
    assert!(e.contains("unwritten memory at 0xffa"), "{e}");
    let e = img.write(u64::MAX - 2, &[0; 4]).unwrap_err().to_string();
    assert!(
        e.contains("past the end of the 64-bit address space"),
        "{e}"
    );
    img.write(u64::MAX - 2, &[9; 3]).unwrap();
    assert_eq!(img.first_unwritten(u64::MAX - 2, 3), None);
}

#[test]
fn a_large_sparse_region_allocates_only_its_pages() {
    let mut img = MemImage::new();
    // 3 MiB high in the address space: 768 pages, not the space below.
    img.write(0x7_0000_0000, &vec![0xA5; 3 << 20]).unwrap();
    assert_eq!(img.pages(), 768);
    assert_eq!(img.first_unwritten(0x7_0000_0000, 3 << 20), None);
}

#[test]
fn config_fields_out_of_range_are_refused_by_name() {
    let base = AxiMemConfig::new(256, 4, 16);
    let cases: Vec<(&str, AxiMemConfig)> = vec![
        (
            "data_bits",
            AxiMemConfig {
                data_bits: 48,
                ..base.clone()
            },
        ),
        (
            "data_bits",
            AxiMemConfig {
                data_bits: 2048,
                ..base.clone()
            },
        ),
        (
            "id_bits",
            AxiMemConfig {
                id_bits: 0,
                ..base.clone()
            },
        ),
        (
            "max_burst",
            AxiMemConfig {
                max_burst: 257,
                ..base.clone()
            },
        ),
        (
            "latency",
            AxiMemConfig {
                latency: 0,
                ..base.clone()
            },
        ),
        (
            "bytes_per_cycle",
            AxiMemConfig {
                bytes_per_cycle: Some(0.0),
                ..base.clone()
            },
        ),
        (
            "bytes_per_cycle",
            AxiMemConfig {
                bytes_per_cycle: Some(f64::NAN),
                ..base.clone()
            },
        ),
        (
            "ar_ready_pct",
            AxiMemConfig {
                ar_ready_pct: 0,
                ..base.clone()
            },
        ),
        (
            "r_valid_pct",
            AxiMemConfig {
                r_valid_pct: 101,
                ..base.clone()
            },
        ),
    ];
    for (field, c) in cases {
        let e = AxiMem::new(c).unwrap_err().to_string();
        assert!(e.starts_with(&format!("AxiMemConfig.{field} = ")), "{e}");
    }
}

#[test]
fn bursts_come_back_whole_and_in_acceptance_order_without_reorder() {
    let c = AxiMemConfig {
        jitter: 25,
        latency: 9,
        r_valid_pct: 70,
        ar_ready_pct: 60,
        seed: 3,
        ..cfg(256)
    };
    let mut mem = mem_with(c.clone(), 0x1000, 3 * 4096 + 96, 1);
    let reqs = bursts(&c, 0x1000, 3 * 4096 + 96, 200, 4, 2);
    let mut m = Master::new(reqs, 80, 75, 4);
    m.run(&mut mem, 100_000).unwrap();
    // Every beat in acceptance order: burst by burst, beat by beat.
    let order: Vec<(usize, u32)> = m.got.iter().map(|g| (g.seq, g.beat)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(mem.stats().bursts_done, 200);
    assert_eq!(mem.stats().reordered_beats, 0);
}

#[test]
fn responses_of_different_ids_reorder_and_interleave_with_reorder_one_id_stays_in_order() {
    let c = AxiMemConfig {
        jitter: 40,
        latency: 5,
        reorder: true,
        seed: 11,
        ..cfg(128)
    };
    let mut mem = mem_with(c.clone(), 0x8000, 8192, 5);
    let reqs = bursts(&c, 0x8000, 8192, 300, 16, 6);
    let mut m = Master::new(reqs, 90, 90, 7);
    m.run(&mut mem, 100_000).unwrap();
    assert_eq!(mem.stats().bursts_done, 300);
    // Per ID: bursts in acceptance order, beats in order.
    let mut last: HashMap<u64, (usize, u32)> = HashMap::new();
    for g in &m.got {
        if let Some(&prev) = last.get(&g.id) {
            assert!(
                (g.seq, g.beat) > prev,
                "ID {}: {:?} after {prev:?}",
                g.id,
                (g.seq, g.beat)
            );
        }
        last.insert(g.id, (g.seq, g.beat));
    }
    // Across IDs: some burst finished before an older one started, and
    // some bursts' beats alternate.
    let first: HashMap<usize, u64> = m.got.iter().rev().map(|g| (g.seq, g.cycle)).collect();
    let reordered = m
        .got
        .iter()
        .any(|g| g.beat == 0 && first.iter().any(|(&s, &c)| s < g.seq && c > g.cycle));
    assert!(reordered, "a younger burst started before an older one");
    let interleaved = m
        .got
        .windows(3)
        .any(|w| w[0].seq == w[2].seq && w[1].seq != w[0].seq && w[2].beat > 0);
    assert!(interleaved, "beats of two bursts alternate");
    assert!(mem.stats().reordered_beats > 0);
}

#[test]
fn first_beat_latency_is_exact_without_jitter_or_bandwidth_limit() {
    for latency in [1u32, 7, 33] {
        let c = AxiMemConfig { latency, ..cfg(64) };
        let mut mem = mem_with(c.clone(), 0, 4096, 9);
        // One burst at a time: the master waits for each to finish.
        for (i, len) in [0u32, 3, 14, 6].into_iter().enumerate() {
            let req = Req {
                addr: 0x100 * i as u64,
                len,
                id: i as u64 % 3,
            };
            let mut m = Master::new(vec![req], 100, 100, 1);
            m.run(&mut mem, 1_000).unwrap();
            let (acc, _) = m.accepted[0];
            let cycles: Vec<u64> = m.got.iter().map(|g| g.cycle).collect();
            let want: Vec<u64> = (0..=u64::from(len))
                .map(|b| acc + u64::from(latency) + b)
                .collect();
            assert_eq!(
                cycles, want,
                "latency {latency}, burst {i}: a beat per cycle from accept + latency"
            );
            assert_eq!(m.rvalid_cycles, want, "RVALID exactly on those cycles");
        }
        let s = mem.stats();
        assert_eq!(
            (s.first_beat_min, s.first_beat_max),
            (latency.into(), latency.into())
        );
        assert_eq!(s.first_beat_sum, 4 * u64::from(latency));
        assert_eq!(s.r_stall_cycles + s.ar_stall_cycles, 0);
    }
}

#[test]
fn the_bandwidth_bound_holds_over_a_long_stream_and_is_reached() {
    // (bus bits, bytes per cycle): 8 B/cycle with 32-byte beats is a beat
    // every 4 cycles; 12.5 with 64-byte beats is fractional; 40 with
    // 16-byte beats is more than one beat per cycle can carry.
    for (bits, bpc) in [(256u32, 8.0f64), (512, 12.5), (128, 40.0), (32, 1.5)] {
        let c = AxiMemConfig {
            bytes_per_cycle: Some(bpc),
            max_burst: 16,
            ..AxiMemConfig::new(bits, 3, 16)
        };
        let mut mem = mem_with(c.clone(), 0x4000, 4 * 4096, 2);
        let reqs = bursts(&c, 0x4000, 4 * 4096, 400, 8, 3);
        let mut m = Master::new(reqs, 100, 100, 4);
        m.run(&mut mem, 1_000_000).unwrap();
        let bb = c.beat_bytes() as f64;
        let rate = bpc.min(bb);
        // Over every window of the stream: bytes <= one beat + rate x cycles.
        let cyc: Vec<u64> = m.got.iter().map(|g| g.cycle).collect();
        for i in (0..cyc.len()).step_by(7) {
            for j in (i..cyc.len()).step_by(13) {
                let bytes = (j - i + 1) as f64 * bb;
                let span = (cyc[j] - cyc[i] + 1) as f64;
                assert!(
                    bytes <= bb + rate * span + 1e-6,
                    "{bits} bits at {bpc}: {bytes} bytes in {span} cycles"
                );
            }
        }
        // A master that always asks and is always ready gets nearly all of it.
        let s = mem.stats();
        let achieved = s.bytes as f64 / s.cycles as f64;
        assert!(
            achieved > 0.9 * rate,
            "{bits} bits at {bpc}: {achieved} bytes/cycle"
        );
        if (bits, bpc) == (256, 8.0) {
            // The full bucket of the start lends the first beat's bytes;
            // then exactly one beat every 4 cycles.
            let gaps: Vec<u64> = cyc.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(gaps[1..].iter().all(|&g| g == 4), "{:?}", &gaps[..8]);
        }
    }
}

#[test]
fn backpressure_percentages_produce_stalls_and_none_at_100() {
    let run = |ar_ready_pct, r_valid_pct, rready_pct| {
        let c = AxiMemConfig {
            ar_ready_pct,
            r_valid_pct,
            seed: 21,
            ..cfg(64)
        };
        let mut mem = mem_with(c.clone(), 0, 8192, 1);
        let reqs = bursts(&c, 0, 8192, 300, 4, 2);
        let mut m = Master::new(reqs, 100, rready_pct, 3);
        m.run(&mut mem, 1_000_000).unwrap();
        *mem.stats()
    };
    let free = run(100, 100, 100);
    assert_eq!((free.ar_stall_cycles, free.r_stall_cycles), (0, 0));
    let ar = run(30, 100, 100);
    // ARREADY low in about 70 % of the cycles ARVALID waits.
    let waits = ar.ar_stall_cycles as f64 / (ar.ar_stall_cycles + ar.bursts) as f64;
    assert!((0.6..0.8).contains(&waits), "{waits}");
    let gaps = run(100, 40, 100);
    assert!(
        gaps.cycles as f64 > 1.8 * free.cycles as f64,
        "{} vs {}",
        gaps.cycles,
        free.cycles
    );
    let stalls = run(100, 100, 50);
    assert!(
        stalls.r_stall_cycles as f64 > 0.3 * stalls.beats as f64,
        "{stalls:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_cycles_and_another_seed_does_not() {
    let trace = |seed| {
        let c = AxiMemConfig {
            seed,
            jitter: 9,
            ar_ready_pct: 50,
            r_valid_pct: 50,
            reorder: true,
            ..cfg(32)
        };
        let mut mem = mem_with(c.clone(), 0, 4096, 1);
        let mut m = Master::new(bursts(&c, 0, 4096, 50, 4, 2), 70, 70, 3);
        m.run(&mut mem, 100_000).unwrap();
        m.got
            .iter()
            .map(|g| (g.cycle, g.seq, g.beat))
            .collect::<Vec<_>>()
    };
    assert_eq!(trace(5), trace(5));
    assert_ne!(trace(5), trace(6));
}

/// A model with 32-byte beats over 0..0x2fe0, id_bits 4, AXI_BURST 15.
fn checker() -> AxiMem {
    mem_with(AxiMemConfig::new(256, 4, 15), 0, 0x2fe0, 1)
}

fn good() -> ArSample {
    ArSample {
        valid: true,
        addr: 0x1040,
        len: 3,
        size: 5,
        burst: BURST_INCR,
        id: 2,
        cache: 3,
        prot: 0,
    }
}

/// The violation of offering `ar` to a fresh checker for one cycle.
fn refused(ar: ArSample) -> AxiViolation {
    let mut m = checker();
    m.sample(&ArSample::default(), true).unwrap();
    let e = m.sample(&ar, true).unwrap_err();
    assert_eq!(e.cycle, 1, "the model's cycle");
    e
}

#[test]
fn each_request_rule_fires_with_a_message_naming_it() {
    checker().sample(&good(), true).unwrap();
    let cases = [
        (
            ArSample { addr: 0x0fe0, len: 1, ..good() },
            AxiRule::Boundary4K,
            "AXI rule `4 KiB boundary` broken at memory cycle 1: 2 beats x 32 bytes from 0xfe0 end at 0x101f, past the 4 KiB boundary at 0x1000 (burst id 2, addr 0xfe0, len 1)",
        ),
        (
            ArSample { addr: 0x1000, len: 15, ..good() },
            AxiRule::BurstLength,
            "ARLEN = 15 asks for 16 beats, more than the master's AXI_BURST = 15",
        ),
        (
            ArSample { len: 256, ..good() },
            AxiRule::BurstLength,
            "more than 256 (ARLEN is 8 bits)",
        ),
        (ArSample { size: 4, ..good() }, AxiRule::BurstSize, "ARSIZE = 4, the 256-bit bus needs 5"),
        (ArSample { burst: 2, ..good() }, AxiRule::BurstType, "ARBURST = 2 (only INCR = 1"),
        (ArSample { burst: 0, ..good() }, AxiRule::BurstType, "ARBURST = 0"),
        (
            ArSample { addr: 0x1050, ..good() },
            AxiRule::Alignment,
            "`address alignment` broken at memory cycle 1: ARADDR 0x1050 is not a multiple of the 32-byte beat",
        ),
        (ArSample { id: 16, ..good() }, AxiRule::IdWidth, "ARID = 16 does not fit 4 bits"),
        (
            ArSample { addr: 0x2fc0, len: 1, ..good() },
            AxiRule::UnwrittenMemory,
            "read of unwritten memory at 0x2fe0 (burst id 2, addr 0x2fc0, len 1)",
        ),
    ];
    for (ar, rule, text) in cases {
        let e = refused(ar);
        assert_eq!(e.rule, rule, "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains(&format!("AXI rule `{rule}`")) && msg.contains(text),
            "{msg}"
        );
    }
}

#[test]
fn a_stalled_request_must_hold_its_payload_and_arvalid() {
    // ARREADY low half the time: find a cycle where it is low.
    let stalled = |change: &dyn Fn(ArSample) -> ArSample| {
        let mut m = mem_with(
            AxiMemConfig {
                ar_ready_pct: 50,
                ..AxiMemConfig::new(256, 4, 15)
            },
            0,
            0x3000,
            1,
        );
        while m.drive().arready {
            m.sample(&ArSample::default(), true).unwrap();
        }
        let c = m.cycle();
        m.sample(&good(), true).unwrap();
        let e = m.sample(&change(good()), true).unwrap_err();
        assert_eq!((e.rule, e.cycle), (AxiRule::StableWhileStalled, c + 1));
        e.to_string()
    };
    let e = stalled(&|a| ArSample { addr: 0x1060, ..a });
    assert!(
        e.contains("the AR payload changed while stalled: now ARADDR 0x1060")
            && e.contains("(burst id 2, addr 0x1040, len 3)"),
        "{e}"
    );
    let e = stalled(&|a| ArSample { prot: 1, ..a });
    assert!(e.contains("ARPROT 1"), "{e}");
    let e = stalled(&|_| ArSample::default());
    assert!(
        e.contains("ARVALID dropped before ARREADY took the request"),
        "{e}"
    );
    // Held, it is taken once ARREADY rises, and served.
    let mut m = mem_with(
        AxiMemConfig {
            ar_ready_pct: 30,
            ..AxiMemConfig::new(256, 4, 15)
        },
        0,
        0x3000,
        1,
    );
    let mut master = Master::new(
        vec![Req {
            addr: 0x1040,
            len: 3,
            id: 2,
        }],
        100,
        100,
        1,
    );
    master.run(&mut m, 1000).unwrap();
    assert_eq!(master.got.len(), 4);
}

#[test]
fn a_beat_without_an_outstanding_request_is_the_models_own_violation() {
    // White box: put a beat on the bus that no burst asked for.
    let mut m = checker();
    m.out.rvalid = true;
    m.out.rid = 5;
    let e = m.sample(&ArSample::default(), true).unwrap_err();
    assert_eq!(e.rule, AxiRule::ResponseWithoutRequest);
    assert!(
        e.to_string().contains("`no response without request`")
            && e.to_string()
                .contains("RID 5, which has 0 burst(s) outstanding"),
        "{e}"
    );
    // A beat of a real burst whose RLAST is wrong.
    let mut m = checker();
    m.sample(&good(), true).unwrap();
    assert!(m.drive().rvalid);
    m.out.rlast = true;
    let e = m.sample(&ArSample::default(), true).unwrap_err();
    assert_eq!(e.rule, AxiRule::ResponseWithoutRequest, "{e}");
}

#[test]
fn rdata_is_random_while_rvalid_is_low_and_the_image_while_high() {
    let mut m = checker();
    let idle: Vec<Vec<u64>> = (0..4)
        .map(|_| {
            let d = m.drive().rdata.clone();
            assert!(!m.drive().rvalid);
            m.sample(&ArSample::default(), true).unwrap();
            d
        })
        .collect();
    assert!(
        idle.windows(2).all(|w| w[0] != w[1]),
        "a master must not rely on RDATA without RVALID"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random bursts within the rules, random RREADY, random memory
    /// timing: every beat equals the image at its address, per ID in
    /// order, and every burst completes.
    #[test]
    fn a_well_behaved_master_gets_the_image_bytes_in_order_per_id(
        data_log in 2u32..=7,
        id_bits in 1u32..=4,
        max_burst in 1u32..=23,
        latency in 1u32..=40,
        jitter in 0u32..=30,
        bw in proptest::option::of(4u32..=200),
        ar_ready_pct in 10u32..=100,
        r_valid_pct in 10u32..=100,
        reorder in any::<bool>(),
        seed in any::<u64>(),
        region_pages in 1u64..=3,
        region_extra in 0u64..=4095,
        base_page in 0u64..1_000_000,
        n in 1usize..=40,
        ar_pct in 10u32..=100,
        rready_pct in 10u32..=100,
    ) {
        let data_bits = 8 << data_log; // 32..=1024
        let c = AxiMemConfig {
            data_bits,
            id_bits,
            max_burst,
            latency,
            jitter,
            bytes_per_cycle: bw.map(|b| f64::from(b) / 4.0),
            ar_ready_pct,
            r_valid_pct,
            reorder,
            seed,
        };
        let bb = c.beat_bytes();
        // A region of whole beats at a beat-aligned, not page-aligned base.
        let base = base_page * PAGE_BYTES + (region_extra / bb) * bb;
        let len = (region_pages * PAGE_BYTES / bb).max(1) * bb;
        let mut mem = mem_with(c.clone(), base, len as usize, seed ^ 1);
        let reqs = bursts(&c, base, len, n, 1 << id_bits, seed ^ 2);
        let want_beats: u64 = reqs.iter().map(|r| u64::from(r.len) + 1).sum();
        let mut m = Master::new(reqs, ar_pct, rready_pct, seed ^ 3);
        m.run(&mut mem, 2_000_000).map_err(TestCaseError::fail)?;
        let mut last: HashMap<u64, (usize, u32)> = HashMap::new();
        for g in &m.got {
            if let Some(&prev) = last.get(&g.id) {
                prop_assert!((g.seq, g.beat) > prev);
            }
            last.insert(g.id, (g.seq, g.beat));
        }
        let s = mem.stats();
        prop_assert_eq!(s.beats, want_beats);
        prop_assert_eq!(s.bytes, want_beats * bb);
        prop_assert_eq!(s.bursts_done, n as u64);
        prop_assert_eq!(mem.outstanding(), 0);
    }
}
