//! hdl/snn_ext_write.v (the host's writes into the external synapse store)
//! against a model in Rust, through hdltest/tb/tb_snn_ext_write.v, whose
//! load-port source and AXI4 write slave are driven by vectors drawn here
//! and which records every clock.
//!
//! The source sends beats of 1 to DATA_W / 32 words (least significant word
//! first, in_last_i on the beat's last word), some cut short, some with up
//! to 3 words past a full beat, some with other addresses on the words after
//! the first (the first word's address is the beat's), and random gaps
//! (in_valid_i low, junk on the other inputs) before a word. Beat indexes
//! are small, uniform, at the top of the address space (the largest index
//! whose byte address fits ADDR_W) and, where ADDR_W allows, just above it
//! and far above it. Resets come between beats and inside them (so in every
//! state). The slave's AWREADY and WREADY are drawn each clock with
//! per-phase odds (W before AW, AW before W, both at once, long stalls);
//! its response comes 0 to 60 clocks after the later handshake, mostly
//! OKAY, sometimes EXOKAY, SLVERR or DECERR, with junk BRESP and BID while
//! BVALID is low.
//!
//! The model follows the header of snn_ext_write.v clock by clock (COLLECT,
//! SEND, RESP) and checks at every record:
//! - in_ready_o high exactly in COLLECT: low from the clock after in_last_i
//!   until the clock after the B handshake;
//! - AWVALID and WVALID both high from the clock after in_last_i, each until
//!   its own handshake, never outside SEND: exactly one AW and one W per
//!   beat whose address fits, none for any other, no beat lost;
//! - at AWVALID: AWADDR = index * DATA_W / 8, AWLEN 0, AWSIZE
//!   log2(DATA_W / 8), AWBURST INCR, AWID 0; at WVALID: WLAST 1, WSTRB
//!   exactly the four bytes of each word received, each word at its place;
//! - a VALID without its READY keeps its whole payload (AWCACHE, AWPROT and
//!   unstrobed WDATA too) until the handshake (AXI);
//! - BREADY high exactly in RESP (while the write waits for its response);
//! - err_o: set at the clock edge of a SLVERR or DECERR response and of a
//!   word past a full beat, and by a beat whose byte address does not fit
//!   ADDR_W (nothing written; in_ready_o back within 3 clocks, err_o high
//!   by then); not set by OKAY, EXOKAY or junk on BRESP while BVALID is
//!   low; held until rst_i, cleared by it;
//! - rst_i: back to COLLECT with an empty beat, every VALID and BREADY low.
//!
//! The words the source delivered are the drawn ones, in order, and every
//! B handshake is one write of the model. Five parameter sets: DATA_W 32,
//! 64, 256, 1024 and 256 with ADDR_W 12, 33, 64, 37 and 20, ID_W 1 and 4.
//! (Illegal parameters and the legal edges: hdltest/tests/lint.rs, with
//! every module's.) Self-test: broken copies of the module (wrong
//! strobe, AWVALID dropped early, address shifted off by one, err_o not
//! sticky, DECERR ignored, address check missing, B taken without BVALID,
//! overflow not flagged) must each fail the model.

use std::fs;
use std::path::Path;

use spikefab_hdltest::{compile_tb_from, hdl_dir, hdl_file, scratch_dir, Gen, TbOutput};

macro_rules! ensure {
    ($c:expr, $($fmt:tt)*) => {
        if !$c {
            return Err(format!($($fmt)*));
        }
    };
}

#[derive(Debug, Clone, Copy)]
struct Cfg {
    data_w: u32,
    addr_w: u32,
    id_w: u32,
    /// Beats drawn.
    beats: usize,
}

impl Cfg {
    fn words(&self) -> usize {
        (self.data_w / 32) as usize
    }
    fn size(&self) -> u32 {
        (self.data_w / 8).trailing_zeros()
    }
    fn strb_chunks(&self) -> usize {
        (self.data_w as usize / 8).div_ceil(32)
    }
    /// The byte address of beat `index`, `None` when it does not fit ADDR_W.
    fn addr(&self, index: u32) -> Option<u64> {
        let a = u64::from(index) << self.size();
        (self.addr_w == 64 || a >> self.addr_w == 0).then_some(a)
    }
    /// The largest index whose address fits, `None` when every one does.
    fn top_index(&self) -> Option<u32> {
        match self.addr(u32::MAX) {
            Some(_) => None,
            None => Some(((1u64 << (self.addr_w - self.size())) - 1) as u32),
        }
    }
    fn what(&self, seed: u64) -> String {
        format!(
            "DATA_W={} ADDR_W={} ID_W={} seed {seed}",
            self.data_w, self.addr_w, self.id_w
        )
    }
}

/// One item of the load-port source.
#[derive(Debug, Clone, Copy)]
enum Item {
    /// A word, offered `gap` clocks after the previous item.
    Word {
        gap: u16,
        addr: u32,
        data: u32,
        last: bool,
    },
    /// rst_i high for `len` clocks, `gap` clocks after the previous item.
    Reset { gap: u16, len: u8 },
}

/// One response of the slave.
#[derive(Debug, Clone, Copy)]
struct Resp {
    lat: u8,
    bresp: u8,
}

/// The slave's draws for one clock.
#[derive(Debug, Clone, Copy)]
struct Clock {
    awready: bool,
    wready: bool,
    bresp_junk: u8,
    bid_junk: u16,
}

struct Draw {
    items: Vec<Item>,
    resps: Vec<Resp>,
    clocks: Vec<Clock>,
}

impl Draw {
    fn words(&self) -> Vec<(u32, u32, bool)> {
        self.items
            .iter()
            .filter_map(|it| match *it {
                Item::Word {
                    addr, data, last, ..
                } => Some((addr, data, last)),
                Item::Reset { .. } => None,
            })
            .collect()
    }

    /// Line `i` of +vec (tb_snn_ext_write.v's layout).
    fn line(&self, i: usize, junk: (u32, u32)) -> String {
        let (gap, addr, data, flags, rst_len) = match self.items.get(i) {
            Some(&Item::Word {
                gap,
                addr,
                data,
                last,
            }) => (gap, addr, data, last as u8, 0),
            Some(&Item::Reset { gap, len }) => (gap, junk.0, junk.1, 2, len),
            None => (0, junk.0, junk.1, (junk.1 & 1) as u8, 0),
        };
        let r = self.resps[i];
        let c = self.clocks[i];
        let cf = c.awready as u8 | (c.wready as u8) << 1;
        format!(
            "{:04x}{:x}{cf:x}{:x}{:02x}{rst_len:x}{flags:x}{gap:04x}{addr:08x}{data:08x}",
            c.bid_junk, c.bresp_junk, r.bresp, r.lat
        )
    }
}

fn draw_gap(g: &mut Gen) -> u16 {
    (match g.below(100) {
        0..=54 => 0,
        55..=79 => g.range(1, 3),
        80..=94 => g.range(4, 12),
        _ => g.range(13, 40),
    }) as u16
}

fn draw(cfg: &Cfg, seed: u64) -> Draw {
    let mut g = Gen::new(seed);
    let words = cfg.words();
    let top = cfg.top_index();
    // indexes below `lim` fit
    let lim: u64 = top.map_or(1 << 32, |t| u64::from(t) + 1);
    let top_fit = (lim - 1) as u32;
    let mut items = Vec::new();
    let reset = |g: &mut Gen, items: &mut Vec<Item>| {
        items.push(Item::Reset {
            gap: draw_gap(g),
            len: g.range(1, 4) as u8,
        })
    };
    for b in 0..cfg.beats {
        if b > 0 && g.chance(7) {
            reset(&mut g, &mut items);
        }
        let bad = |g: &mut Gen| lim + g.below((1u64 << 32) - lim);
        // the first beats: the edges
        let index = match b {
            0 => 0,
            1 => top_fit,
            2 if top.is_some() => lim as u32,
            3 if top.is_some() => u32::MAX,
            _ => match g.below(100) {
                0..=29 => g.below(64) as u32,
                30..=54 => g.below(lim) as u32,
                55..=64 => top_fit - g.below(4) as u32,
                65..=67 if top.is_some() => (lim + g.below(4)).min(u64::from(u32::MAX)) as u32,
                68 if top.is_some() => bad(&mut g) as u32,
                _ => g.below(lim) as u32,
            },
        };
        let n = match b {
            0 | 1 => words,
            2 => 1,
            _ if g.chance(3) => words + g.range(1, 3) as usize,
            _ if words > 1 && g.chance(40) => match g.below(3) {
                0 => 1,
                1 => words - 1,
                _ => g.range(1, words as i64 - 1) as usize,
            },
            _ => words,
        };
        let junk_addr = n > 1 && g.chance(8);
        for j in 0..n {
            if j > 0 && g.chance(2) {
                reset(&mut g, &mut items);
            }
            items.push(Item::Word {
                gap: draw_gap(&mut g),
                addr: if j == 0 || !junk_addr { index } else { g.u32() },
                data: if g.chance(5) {
                    g.pick(&[0, u32::MAX, 0x8000_0000, 1])
                } else {
                    g.u32()
                },
                last: j + 1 == n,
            });
        }
    }
    // the clocks the run may take (generously)
    let gaps: usize = items
        .iter()
        .map(|it| match *it {
            Item::Word { gap, .. } => gap as usize + 1,
            Item::Reset { gap, len } => gap as usize + len as usize,
        })
        .sum();
    let n = 2 * (gaps + cfg.beats * 60) + 500;
    let resps = (0..n)
        .map(|_| Resp {
            lat: match g.below(100) {
                0..=39 => 0,
                40..=69 => g.range(1, 3),
                70..=89 => g.range(4, 15),
                _ => g.range(16, 60),
            } as u8,
            bresp: match g.below(100) {
                0..=87 => 0,
                88..=91 => 1,
                92..=95 => 2,
                _ => 3,
            },
        })
        .collect();
    // AWREADY / WREADY odds (percent) per phase
    const ODDS: [(u64, u64); 9] = [
        (100, 100),
        (100, 15),
        (15, 100),
        (60, 60),
        (35, 80),
        (80, 35),
        (10, 10),
        (100, 3),
        (3, 100),
    ];
    let mut clocks = Vec::with_capacity(n);
    while clocks.len() < n {
        let (pa, pw) = g.pick(&ODDS);
        for _ in 0..g.range(10, 150) {
            clocks.push(Clock {
                awready: g.chance(pa),
                wready: g.chance(pw),
                bresp_junk: g.below(4) as u8,
                bid_junk: g.below(1 << 16) as u16,
            });
        }
    }
    clocks.truncate(n);
    Draw {
        items,
        resps,
        clocks,
    }
}

/// One recorded clock (sampled just before rising edge k).
#[derive(Debug, Clone)]
struct Obs {
    rst: bool,
    in_valid: bool,
    in_ready: bool,
    in_last: bool,
    in_addr: u32,
    in_data: u32,
    awvalid: bool,
    awready: bool,
    /// (AWADDR, AWLEN, AWSIZE, AWBURST, AWID, AWCACHE, AWPROT)
    aw: (u64, u32, u32, u32, u32, u32, u32),
    wvalid: bool,
    wready: bool,
    wlast: bool,
    bvalid: bool,
    bready: bool,
    bresp: u32,
    err: bool,
    wstrb: u128,
    wdata: Vec<u32>,
}

fn parse(cfg: &Cfg, out: &TbOutput) -> Vec<Obs> {
    let sc = cfg.strb_chunks();
    out.records
        .iter()
        .enumerate()
        .map(|(k, r)| {
            assert_eq!(r.len(), 24 + sc + cfg.words(), "record {k}: {r:?}");
            assert_eq!(r[0], k as i128, "record order");
            let b = |i: usize| r[i] != 0;
            let u = |i: usize| r[i] as u32;
            Obs {
                rst: b(1),
                in_valid: b(2),
                in_ready: b(3),
                in_last: b(4),
                in_addr: u(5),
                in_data: u(6),
                awvalid: b(7),
                awready: b(8),
                aw: (r[9] as u64, u(10), u(11), u(12), u(13), u(14), u(15)),
                wvalid: b(16),
                wready: b(17),
                wlast: b(18),
                bvalid: b(19),
                bready: b(20),
                bresp: u(21),
                err: b(23),
                wstrb: (0..sc).fold(0u128, |a, j| a | ((r[24 + j] as u128) << (32 * j))),
                wdata: (0..cfg.words()).map(|j| r[24 + sc + j] as u32).collect(),
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Collect,
    /// AWVALID / WVALID up; `aw`, `w`: their handshakes done.
    Send {
        aw: bool,
        w: bool,
    },
    /// A beat whose address does not fit: `clocks` records so far.
    Bad {
        clocks: u32,
    },
    /// Waiting for BVALID for `clocks` records so far.
    Resp {
        clocks: u32,
    },
}

/// The beat being collected or written.
#[derive(Debug, Default, Clone)]
struct Beat {
    index: u32,
    /// The words stored (at most DATA_W / 32).
    data: Vec<u32>,
    /// Words taken (those past a full beat too).
    taken: usize,
    /// A word after the first came with another address.
    other_addr: bool,
}

/// What a run covered.
#[derive(Debug, Default)]
struct Cover {
    writes: usize,
    full_writes: usize,
    short_writes: usize,
    other_addr_writes: usize,
    /// err_o rises, by cause
    err_overflow: usize,
    err_addr: usize,
    err_slverr: usize,
    err_decerr: usize,
    bad_beats: usize,
    exokay: usize,
    w_first: usize,
    aw_first: usize,
    same_edge: usize,
    aw_stalls: usize,
    w_stalls: usize,
    b_at_once: usize,
    b_late: usize,
    resets_mid_beat: usize,
    resets_send: usize,
    resets_resp: usize,
    /// Resets that cleared a set err_o.
    err_cleared: usize,
    in_gaps: usize,
}

fn ctx(what: &str, k: usize, st: St, beat: &Beat, err: bool, o: &Obs) -> String {
    format!(
        "{what}: record {k}: model {st:?}, beat index {:#x} ({} words taken, stored {:x?}), err {err}\nobserved {o:?}",
        beat.index, beat.taken, beat.data
    )
}

/// The model, record by record (see the file's header); `Err` describes the
/// first mismatch.
fn check(cfg: &Cfg, d: &Draw, out: &TbOutput, what: &str) -> Result<Cover, String> {
    let obs = parse(cfg, out);
    let words = cfg.words();
    let mut st = St::Collect;
    let mut beat = Beat::default();
    let mut err = false;
    let mut taken = Vec::new();
    let mut c = Cover::default();
    let mut prev: Option<&Obs> = None;
    for (k, o) in obs.iter().enumerate() {
        // a beat beyond the address space: nothing written, in_ready_o back
        // within 3 clocks, err_o high by then
        if let St::Bad { clocks } = st {
            if o.in_ready {
                ensure!(
                    o.err,
                    "{}\nerr_o low when in_ready_o returned after a beat whose address does not fit ADDR_W",
                    ctx(what, k, st, &beat, err, o)
                );
                if !err {
                    c.err_addr += 1;
                }
                err = true;
                st = St::Collect;
                beat = Beat::default();
            } else {
                ensure!(
                    clocks < 3,
                    "{}\nin_ready_o low for more than 3 clocks after a beat whose address does not fit ADDR_W",
                    ctx(what, k, st, &beat, err, o)
                );
                st = St::Bad { clocks: clocks + 1 };
            }
        }
        let e = || ctx(what, k, st, &beat, err, o);
        ensure!(o.err == err, "{}\nerr_o is {}", e(), o.err);
        ensure!(
            o.in_ready == (st == St::Collect),
            "{}\nin_ready_o is {}",
            e(),
            o.in_ready
        );
        let (awv, wv, br) = match st {
            St::Send { aw, w } => (!aw, !w, false),
            St::Resp { .. } => (false, false, true),
            _ => (false, false, false),
        };
        ensure!(
            (o.awvalid, o.wvalid, o.bready) == (awv, wv, br),
            "{}\n(AWVALID, WVALID, BREADY) is ({}, {}, {}), the model says ({awv}, {wv}, {br})",
            e(),
            o.awvalid,
            o.wvalid,
            o.bready
        );
        if o.awvalid {
            let addr = cfg
                .addr(beat.index)
                .expect("SEND only for a fitting address");
            let want = (addr, 0, cfg.size(), 1, 0);
            let got = (o.aw.0, o.aw.1, o.aw.2, o.aw.3, o.aw.4);
            ensure!(
                got == want,
                "{}\n(AWADDR, AWLEN, AWSIZE, AWBURST, AWID) is {got:?}, expected {want:?}",
                e()
            );
        }
        if o.wvalid {
            let n = beat.data.len();
            let strb = if n == 32 {
                u128::MAX
            } else {
                (1u128 << (4 * n)) - 1
            };
            ensure!(
                o.wstrb == strb && o.wlast,
                "{}\n(WSTRB, WLAST) is ({:#x}, {}), expected ({strb:#x}, true)",
                e(),
                o.wstrb,
                o.wlast
            );
            ensure!(
                o.wdata[..n] == beat.data[..],
                "{}\nWDATA words {:x?}, expected {:x?}",
                e(),
                &o.wdata[..n],
                beat.data
            );
        }
        // AXI: a VALID without its READY holds, with its payload
        if let Some(p) = prev.filter(|p| !p.rst) {
            if p.awvalid && !p.awready {
                ensure!(
                    o.awvalid && o.aw == p.aw,
                    "{}\nAWVALID dropped or the AW payload changed while AWREADY was low (was {:?})",
                    e(),
                    p.aw
                );
                c.aw_stalls += 1;
            }
            if p.wvalid && !p.wready {
                ensure!(
                    o.wvalid && o.wdata == p.wdata && o.wstrb == p.wstrb && o.wlast == p.wlast,
                    "{}\nWVALID dropped or the W payload changed while WREADY was low (was strobe {:#x}, data {:x?})",
                    e(),
                    p.wstrb,
                    p.wdata
                );
                c.w_stalls += 1;
            }
        }
        prev = Some(o);
        // the edge
        if o.rst {
            match st {
                St::Collect if beat.taken > 0 => c.resets_mid_beat += 1,
                St::Send { .. } | St::Bad { .. } => c.resets_send += 1,
                St::Resp { .. } => c.resets_resp += 1,
                St::Collect => {}
            }
            c.err_cleared += err as usize;
            st = St::Collect;
            beat = Beat::default();
            err = false;
            continue;
        }
        match st {
            St::Collect => {
                if !o.in_valid {
                    c.in_gaps += 1;
                    continue;
                }
                taken.push((o.in_addr, o.in_data, o.in_last));
                if beat.taken == 0 {
                    beat.index = o.in_addr;
                } else if o.in_addr != beat.index {
                    beat.other_addr = true;
                }
                if beat.taken < words {
                    beat.data.push(o.in_data);
                } else {
                    c.err_overflow += !err as usize;
                    err = true;
                }
                beat.taken += 1;
                if o.in_last {
                    st = if cfg.addr(beat.index).is_some() {
                        St::Send {
                            aw: false,
                            w: false,
                        }
                    } else {
                        c.bad_beats += 1;
                        St::Bad { clocks: 0 }
                    };
                }
            }
            St::Send { aw, w } => {
                let aw_hs = o.awvalid && o.awready;
                let w_hs = o.wvalid && o.wready;
                if aw_hs && w_hs {
                    c.same_edge += 1;
                } else if aw_hs && w {
                    c.w_first += 1;
                } else if w_hs && aw {
                    c.aw_first += 1;
                }
                let (aw, w) = (aw || aw_hs, w || w_hs);
                st = if aw && w {
                    St::Resp { clocks: 0 }
                } else {
                    St::Send { aw, w }
                };
            }
            St::Resp { clocks } => {
                if !o.bvalid {
                    st = St::Resp { clocks: clocks + 1 };
                    continue;
                }
                c.writes += 1;
                if beat.data.len() == words {
                    c.full_writes += 1;
                } else {
                    c.short_writes += 1;
                }
                c.other_addr_writes += beat.other_addr as usize;
                match o.bresp {
                    1 => c.exokay += 1,
                    2 => c.err_slverr += !err as usize,
                    3 => c.err_decerr += !err as usize,
                    _ => {}
                }
                err |= o.bresp >= 2;
                if clocks == 0 {
                    c.b_at_once += 1;
                } else if clocks >= 16 {
                    c.b_late += 1;
                }
                st = St::Collect;
                beat = Beat::default();
            }
            St::Bad { .. } => {}
        }
    }
    let done = out.done.expect("checked by run");
    let cycles = out
        .log
        .lines()
        .find(|l| l.starts_with("TB_DONE"))
        .and_then(|l| l.split_whitespace().find_map(|t| t.strip_prefix("cycles=")))
        .and_then(|v| v.parse::<usize>().ok());
    ensure!(
        done.sent as usize == d.items.len(),
        "{what}: the source got through {} of {} items in {cycles:?} clocks (in_ready_o stuck low?)",
        done.sent,
        d.items.len()
    );
    ensure!(cycles == Some(obs.len()), "{what}: records {}", obs.len());
    ensure!(
        st == St::Collect && beat.taken == 0,
        "{what}: the run ended in {st:?} with {beat:?}"
    );
    let drawn = d.words();
    ensure!(
        taken == drawn,
        "{what}: the words taken ({}) are not the drawn ones ({})",
        taken.len(),
        drawn.len()
    );
    ensure!(
        done.recv as usize == c.writes,
        "{what}: {} B handshakes, {} writes in the model",
        done.recv,
        c.writes
    );
    Ok(c)
}

/// Compiles the bench against the module in `hdl` and runs `d`.
fn simulate(cfg: &Cfg, d: &Draw, hdl: &Path, dir: &Path, seed: u64) -> TbOutput {
    let n = d.clocks.len();
    let tb = compile_tb_from(
        hdl,
        dir,
        "tb_snn_ext_write",
        &["snn_ext_write.v"],
        &[
            ("DATA_W", i64::from(cfg.data_w)),
            ("ADDR_W", i64::from(cfg.addr_w)),
            ("ID_W", i64::from(cfg.id_w)),
            ("NI", d.items.len() as i64),
            ("N", n as i64),
        ],
        &[],
    );
    let mut g = Gen::new(seed ^ 0x6a75_6e6b);
    let lines: Vec<String> = (0..n).map(|i| d.line(i, (g.u32(), g.u32()))).collect();
    tb.run("run", &lines, &[])
}

fn run_cfg(cfg: Cfg, seed: u64) -> Cover {
    let what = cfg.what(seed);
    let d = draw(&cfg, seed);
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_ext_write-d{}-a{}", cfg.data_w, cfg.addr_w),
    );
    let out = simulate(&cfg, &d, &hdl_dir(), &dir, seed);
    let c = check(&cfg, &d, &out, &what).unwrap_or_else(|e| panic!("{e}"));
    let _ = fs::remove_dir_all(&dir);
    println!("{what}: {c:?}");
    // what every run must have covered
    let min = |n: usize, name: &str| assert!(n > 0, "{what}: no {name}: {c:?}");
    min(c.writes, "write");
    min(c.full_writes, "full beat written");
    if cfg.words() > 1 {
        min(c.short_writes, "beat cut short written");
        min(
            c.other_addr_writes,
            "beat with other addresses after its first word",
        );
    }
    min(c.err_overflow, "err_o set by a word past a full beat");
    min(c.err_slverr, "err_o set by SLVERR");
    min(c.err_decerr, "err_o set by DECERR");
    min(c.exokay, "EXOKAY response");
    if cfg.top_index().is_some() {
        min(c.err_addr, "err_o set by an address beyond ADDR_W");
    } else {
        assert_eq!(c.bad_beats, 0);
    }
    min(c.w_first, "W before AW");
    min(c.aw_first, "AW before W");
    min(c.same_edge, "AW and W at the same edge");
    min(c.aw_stalls, "AW stall");
    min(c.w_stalls, "W stall");
    min(c.b_at_once, "response at the first clock of RESP");
    min(c.b_late, "response after 16 clocks or more");
    min(c.resets_mid_beat, "reset in the middle of a beat");
    min(c.resets_send, "reset in SEND");
    min(c.resets_resp, "reset in RESP");
    min(c.err_cleared, "reset clearing err_o");
    min(c.in_gaps, "in_valid_i gap");
    c
}

#[test]
fn ext_write_32_bit_bus_12_bit_addresses_one_id_bit() {
    run_cfg(
        Cfg {
            data_w: 32,
            addr_w: 12,
            id_w: 1,
            beats: 900,
        },
        1,
    );
}

#[test]
fn ext_write_64_bit_bus_33_bit_addresses() {
    run_cfg(
        Cfg {
            data_w: 64,
            addr_w: 33,
            id_w: 4,
            beats: 800,
        },
        2,
    );
}

#[test]
fn ext_write_256_bit_bus_64_bit_addresses_every_index_fits() {
    run_cfg(
        Cfg {
            data_w: 256,
            addr_w: 64,
            id_w: 4,
            beats: 700,
        },
        3,
    );
}

#[test]
fn ext_write_1024_bit_bus_37_bit_addresses_one_id_bit() {
    run_cfg(
        Cfg {
            data_w: 1024,
            addr_w: 37,
            id_w: 1,
            beats: 600,
        },
        4,
    );
}

#[test]
fn ext_write_256_bit_bus_20_bit_addresses() {
    run_cfg(
        Cfg {
            data_w: 256,
            addr_w: 20,
            id_w: 1,
            beats: 700,
        },
        5,
    );
}

// ---------------------------------------------------------------- self-test

/// (what is broken, the text of hdl/snn_ext_write.v, its replacement)
const BROKEN: &[(&str, &str, &str)] = &[
    (
        "strobe of three bytes per word",
        "strb_q[4 * pos_q +: 4]   <= 4'hf;",
        "strb_q[4 * pos_q +: 4]   <= 4'h7;",
    ),
    (
        "AWVALID dropped after one clock",
        "if (aw_hs) aw_done_q <= 1'b1;",
        "aw_done_q <= 1'b1;",
    ),
    (
        "address shifted one bit short",
        "wire [63:0] byte_addr = {32'd0, index_q} << SIZE;",
        "wire [63:0] byte_addr = {32'd0, index_q} << (SIZE - 1);",
    ),
    (
        "err_o cleared by the next beat",
        "if (pos_q == {POS_W{1'b0}}) index_q <= in_addr_i;",
        "if (pos_q == {POS_W{1'b0}}) begin index_q <= in_addr_i; err_q <= 1'b0; end",
    ),
    (
        "DECERR ignored",
        "if (m_axi_bresp_i[1]) err_q <= 1'b1;",
        "if (m_axi_bresp_i == 2'b10) err_q <= 1'b1;",
    ),
    (
        "no address check",
        "wire        addr_ok   = (addr_hi == 64'd0);",
        "wire        addr_ok   = 1'b1;",
    ),
    (
        "B taken without BVALID",
        "S_RESP: if (m_axi_bvalid_i) begin",
        "S_RESP: begin",
    ),
    (
        "a word past a full beat not flagged",
        "err_q <= 1'b1;\n          end else begin",
        "err_q <= err_q;\n          end else begin",
    ),
];

#[test]
fn broken_copies_of_the_module_fail_the_model() {
    let cfg = Cfg {
        data_w: 64,
        addr_w: 20,
        id_w: 2,
        beats: 300,
    };
    let seed = 11;
    let what = cfg.what(seed);
    let d = draw(&cfg, seed);
    let src = fs::read_to_string(hdl_file("snn_ext_write.v")).expect("read snn_ext_write.v");
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_ext_write-broken");
    // the intact module passes this draw
    let out = simulate(&cfg, &d, &hdl_dir(), &dir, seed);
    check(&cfg, &d, &out, &what).unwrap_or_else(|e| panic!("{e}"));
    for (k, (name, from, to)) in BROKEN.iter().enumerate() {
        assert_eq!(
            src.matches(from).count(),
            1,
            "`{from}` is not once in hdl/snn_ext_write.v"
        );
        let hdl = dir.join(format!("broken-{k}"));
        fs::create_dir_all(&hdl).expect("create dir");
        fs::write(hdl.join("snn_ext_write.v"), src.replace(from, to)).expect("write broken copy");
        let out = simulate(&cfg, &d, &hdl, &dir, seed);
        match check(&cfg, &d, &out, &what) {
            Ok(c) => panic!("a module with {name} passed the model: {c:?}"),
            Err(e) => println!(
                "snn_ext_write: self-test: {name}: {}",
                e.lines().last().unwrap_or_default()
            ),
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------- parameters

// Illegal and legal parameters: hdltest/tests/lint.rs (LINT_SETS, ILLEGAL),
// with every other module's.
