//! hdl/snn_syn_fetch.v (the external synapse store's AXI4 read master)
//! against the external memory layout of docs/hardware.md and
//! /work/prompts/ext-spec.md: rows in row order, each non-empty row from a
//! fresh beat, synapse k of a row in beat `start + k / LANES`, lane
//! `k % LANES`, beat b at byte `BASE + b * AXI_DATA_W/8`, little-endian.
//! With ROW_EXT = 1 the region starts with the row index instead of a row
//! memory on chip: IDX_BEATS = ceil(ROWS / IDX_LANES) beats, row word r
//! `{beats, last, start_beat}` in bits `[(r % IDX_LANES) * IDX_W +: RW_W]`
//! of index beat `r / IDX_LANES` (IDX_W = RW_W rounded up to a power of
//! two, IDX_LANES = AXI_DATA_W / IDX_W), and synapse beat b at bus word
//! `IDX_BEATS + b`.
//!
//! Row tables are drawn here (empty rows, 1, LANES - 1, LANES, LANES + 1 and
//! long rows; rows across 4 KiB pages; bases 4 KiB aligned, not 0), packed
//! into a byte image by this file's own packer (the row index too: nothing
//! of the generator's writer is used) and served by the bench's behavioral
//! AXI4 slave (hdltest/tb/tb_snn_syn_fetch.v) with fixed and random latency,
//! random AR ready and R gaps, and responses in order, reordered across IDs,
//! or interleaved beat by beat. Each run checks every AR (the row's beats
//! split greedily at AXI_BURST beats, 4 KiB pages and the row's end; IDs the
//! burst slots in issue order; with ROW_EXT = 1 also one index read per
//! event, empty rows included, in event order, of ID AXI_OUTSTANDING and
//! ARLEN 0 at the beat holding the row's word, before the row's first burst,
//! and with ARREADY always high issued the clock after its event), the
//! synapse stream (every event's row, in order, with the event's slot), that
//! err_o stays low, and without stalls the cycle count: the first synapse's
//! cycle (ROW_EXT = 1: step by step through the index read, see
//! `Bench::check_index_latency`) and, on long rows that cover the latency,
//! one synapse per clock after the first arrival (ROW_EXT = 1 with one lane:
//! plus one clock per index beat handed out meanwhile, see
//! `run_throughput`). The row words come from ROW_MEM_FILE or the load port
//! (ROW_EXT = 0), or only from the region (ROW_EXT = 1, which must ignore a
//! wrong table given both ways). Injected faults (RRESP != OKAY, a beat
//! whose RID names no burst in flight or whose AR still waits, RLAST on the
//! wrong beat; with ROW_EXT = 1 each also on index beats: an index beat with
//! no index read at the memory, RLAST low, RRESP != OKAY) must set err_o at
//! the next clock edge, keep it until err_clr_i, and leave the stream
//! intact. Self-tests: broken copies of the module must be flagged by the
//! slave's protocol checks, and (ROW_EXT = 1) by this file's checks.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use spikefab_hdltest::{
    compile_tb_from, compile_tb_with_strings, scratch_dir, Gen, TbOutput, Testbench,
};

/// One parameter set of the module plus the shape of the drawn workload.
#[derive(Debug, Clone, Copy)]
struct Cfg {
    syn_w: u32,
    slot_w: u32,
    data_w: u32,
    addr_w: u32,
    id_w: u32,
    burst: u32,
    outstanding: u32,
    rows: u32,
    /// The region's byte address (a multiple of 4096, not 0).
    base: u64,
    /// Events per run.
    events: usize,
    /// A long row's beats (inclusive range).
    long_beats: (u64, u64),
    /// Percent of rows drawn long.
    long_pct: u64,
    /// Every row long (the throughput runs).
    all_long: bool,
    /// Rows that must lie across a 4 KiB page boundary (the rows grow until
    /// they do).
    min_across: usize,
    /// ROW_EXT = 1: the row words are read from the region's row index (in
    /// front of the synapse beats), not from the row memory.
    row_ext: bool,
}

/// Smallest `b` with `2^b >= x`.
fn clog2(x: u64) -> u32 {
    let mut b = 0;
    while (1u64 << b) < x {
        b += 1;
    }
    b
}

impl Cfg {
    fn lanes(&self) -> u64 {
        u64::from((self.data_w / self.syn_w).max(1))
    }
    fn beat_bytes(&self) -> u64 {
        u64::from(self.data_w / 8)
    }
    fn page_beats(&self) -> u64 {
        4096 / self.beat_bytes()
    }
    /// The row words' layout for a region of `ext_beats` synapse beats.
    fn shape(&self, ext_beats: u64) -> Shape {
        let lanes = self.lanes();
        let beat_aw = if ext_beats > 1 { clog2(ext_beats) } else { 1 };
        let bcnt_w = clog2(ext_beats + 1);
        let lcnt_w = clog2(lanes + 1);
        let rw_w = bcnt_w + lcnt_w + beat_aw;
        // the row index (ROW_EXT = 1): a row word per lane of IDX_W bits (the
        // word's width rounded up to a power of two)
        let idx_w = 1u32 << clog2(u64::from(rw_w));
        let idx_lanes = u64::from((self.data_w / idx_w).max(1));
        let idx_beats = if self.row_ext {
            u64::from(self.rows).div_ceil(idx_lanes)
        } else {
            0
        };
        Shape {
            beat_aw,
            bcnt_w,
            lcnt_w,
            rw_w,
            idx_w,
            idx_lanes,
            idx_beats,
        }
    }
    fn describe(&self, syn_depth: u64, sh: &Shape) -> String {
        let index = if self.row_ext {
            format!(
                " ROW_EXT=1 (row word {} bits in {}-bit lanes, {} per beat, {} index beats)",
                sh.rw_w, sh.idx_w, sh.idx_lanes, sh.idx_beats
            )
        } else {
            String::new()
        };
        format!(
            "SYN_W={} ({} lanes) AXI_DATA_W={} AXI_ADDR_W={} AXI_ID_W={} AXI_BURST={} AXI_OUTSTANDING={} \
             ROWS={} SYN_DEPTH={syn_depth} SLOT_W={} base={:#x}{index}",
            self.syn_w,
            self.lanes(),
            self.data_w,
            self.addr_w,
            self.id_w,
            self.burst,
            self.outstanding,
            self.rows,
            self.slot_w,
            self.base
        )
    }
}

/// The widths of a row word `{beats, last, start_beat}` and the row index's
/// layout (docs/hardware.md; snn_syn_fetch.v's header), computed here
/// independently of the generator.
#[derive(Debug, Clone, Copy)]
struct Shape {
    beat_aw: u32,
    bcnt_w: u32,
    lcnt_w: u32,
    /// RW_W, the row word's width.
    rw_w: u32,
    /// IDX_W: RW_W rounded up to a power of two.
    idx_w: u32,
    /// IDX_LANES: row words per index beat.
    idx_lanes: u64,
    /// IDX_BEATS: beats of the row index in front of the synapse beats (0
    /// without ROW_EXT).
    idx_beats: u64,
}

/// The drawn rows, their layout and the events.
struct Work {
    /// Synapse words per row.
    rows: Vec<Vec<u64>>,
    /// First beat of each row (the next free beat for an empty row).
    start: Vec<u64>,
    /// (row, slot) in offer order.
    events: Vec<(u32, u32)>,
    syn_depth: u64,
    /// Synapse beats of the region (the row index's beats not counted).
    ext_beats: u64,
    sh: Shape,
}

fn draw_work(cfg: &Cfg, seed: u64) -> Work {
    let mut g = Gen::new(seed);
    let lanes = cfg.lanes();
    let long = |g: &mut Gen| {
        g.range(cfg.long_beats.0 as i64, cfg.long_beats.1 as i64) as u64 * lanes - g.below(lanes)
    };
    let mut lens: Vec<u64> = (0..cfg.rows)
        .map(|r| {
            if cfg.all_long {
                return long(&mut g);
            }
            // the first rows are one of each kind, then random kinds
            let kind = if r < 7 { r as u64 } else { g.below(7) };
            match kind {
                0 => 0,
                1 => 1,
                2 => lanes - 1,
                3 => lanes,
                4 => lanes + 1,
                5 => {
                    if g.chance(cfg.long_pct) {
                        long(&mut g)
                    } else {
                        g.range(0, 2 * lanes as i64) as u64
                    }
                }
                _ => g.range(0, 3 * lanes as i64 + 2) as u64,
            }
        })
        .collect();
    // at least min_across rows lie across a 4 KiB page boundary (with
    // ROW_EXT the synapse beats start after the row index, whose size here
    // assumes no padding lanes: checked again once SYN_DEPTH is drawn)
    let across = |lens: &[u64]| {
        let used: u64 = lens.iter().map(|n| n.div_ceil(lanes)).sum();
        let mut next = cfg.shape(used).idx_beats;
        let mut n = 0;
        for b in lens.iter().map(|n| n.div_ceil(lanes)) {
            if b > 0 && next / cfg.page_beats() != (next + b - 1) / cfg.page_beats() {
                n += 1;
            }
            next += b;
        }
        n
    };
    while across(&lens) < cfg.min_across {
        let r = g.below(cfg.rows as u64) as usize;
        lens[r] += long(&mut g);
    }
    let width_mask = if cfg.syn_w >= 64 {
        u64::MAX
    } else {
        (1u64 << cfg.syn_w) - 1
    };
    let rows: Vec<Vec<u64>> = lens
        .iter()
        .map(|&n| (0..n).map(|_| g.u64() & width_mask).collect())
        .collect();
    let mut start = Vec::with_capacity(rows.len());
    let mut next = 0u64;
    for r in &rows {
        start.push(next);
        next += (r.len() as u64).div_ceil(lanes);
    }
    let used_lanes = next * lanes;
    let syn_depth = used_lanes + g.below(3 * lanes + 1);
    let ext_beats = syn_depth.div_ceil(lanes);
    // events: every row once in order, then random rows (runs of one row,
    // runs of empty rows)
    let slots = 1u64 << cfg.slot_w;
    let mut events: Vec<(u32, u32)> = Vec::with_capacity(cfg.events);
    let n_rows = cfg.rows as u64;
    while events.len() < cfg.events {
        let i = events.len() as u64;
        let row = if i < n_rows && !cfg.all_long {
            i
        } else {
            match g.below(6) {
                0 if !events.is_empty() => events[events.len() - 1].0 as u64,
                1 => {
                    let empties: Vec<u64> =
                        (0..n_rows).filter(|&r| lens[r as usize] == 0).collect();
                    if empties.is_empty() {
                        g.below(n_rows)
                    } else {
                        g.pick(&empties)
                    }
                }
                _ => g.below(n_rows),
            }
        };
        events.push((row as u32, g.below(slots) as u32));
    }
    Work {
        rows,
        start,
        events,
        syn_depth,
        ext_beats,
        sh: cfg.shape(ext_beats),
    }
}

impl Work {
    fn beats(&self, r: usize, cfg: &Cfg) -> u64 {
        (self.rows[r].len() as u64).div_ceil(cfg.lanes())
    }

    /// Bus words of the region: the row index (ROW_EXT = 1), then the
    /// synapse beats.
    fn mem_beats(&self) -> u64 {
        self.sh.idx_beats + self.ext_beats
    }

    /// The region as bytes, exactly as the layout puts it on the bus: beat b
    /// at byte offset b * BEAT_BYTES, bit i of a beat in byte i / 8, bit i % 8.
    /// With ROW_EXT = 1 the row index comes first (row word r in bits
    /// `[(r % IDX_LANES) * IDX_W +: RW_W]` of beat `r / IDX_LANES`, the rest
    /// 0) and synapse beat b is bus word `IDX_BEATS + b`.
    fn byte_image(&self, cfg: &Cfg) -> Vec<u8> {
        let bb = cfg.beat_bytes() as usize;
        let mut img = vec![0u8; self.mem_beats() as usize * bb];
        let mut put = |beat: u64, first_bit: u64, word: u64, width: u32| {
            for bit in 0..u64::from(width) {
                if (word >> bit) & 1 == 1 {
                    let i = first_bit + bit;
                    img[beat as usize * bb + (i / 8) as usize] |= 1 << (i % 8);
                }
            }
        };
        if cfg.row_ext {
            let sh = &self.sh;
            for r in 0..self.rows.len() {
                let (beat, lane) = (r as u64 / sh.idx_lanes, r as u64 % sh.idx_lanes);
                put(
                    beat,
                    lane * u64::from(sh.idx_w),
                    self.row_word(r, cfg),
                    sh.rw_w,
                );
            }
        }
        let lanes = cfg.lanes();
        for (r, row) in self.rows.iter().enumerate() {
            for (k, &word) in row.iter().enumerate() {
                let beat = self.sh.idx_beats + self.start[r] + k as u64 / lanes;
                let lane = k as u64 % lanes;
                put(beat, lane * u64::from(cfg.syn_w), word, cfg.syn_w);
            }
        }
        img
    }

    /// The slave's `$readmemh` image: one bus word per line (its bytes,
    /// most significant first).
    fn mem_image(&self, cfg: &Cfg) -> String {
        let bb = cfg.beat_bytes() as usize;
        let mut s = String::new();
        for beat in self.byte_image(cfg).chunks(bb) {
            for byte in beat.iter().rev() {
                write!(s, "{byte:02x}").expect("write");
            }
            s.push('\n');
        }
        s
    }

    /// Row word `{beats, last, start_beat}` of row r.
    fn row_word(&self, r: usize, cfg: &Cfg) -> u64 {
        let n = self.rows[r].len() as u64;
        let beats = self.beats(r, cfg);
        let last = if n == 0 {
            0
        } else {
            n - (beats - 1) * cfg.lanes()
        };
        let start = if n == 0 { 0 } else { self.start[r] };
        let sh = &self.sh;
        assert!(start < (1 << sh.beat_aw) && beats < (1 << sh.bcnt_w) && last < (1 << sh.lcnt_w));
        (((beats << sh.lcnt_w) | last) << sh.beat_aw) | start
    }

    /// The row memory's `$readmemh` image; `shift` > 0: row r gets the word
    /// of row `(r + shift) % ROWS` (a wrong table, for checking that
    /// ROW_EXT = 1 ignores it).
    fn row_image(&self, cfg: &Cfg, shift: usize) -> String {
        let digits = self.sh.rw_w.div_ceil(4) as usize;
        let n = self.rows.len();
        let mut s = String::new();
        for r in 0..n {
            writeln!(s, "{:0digits$x}", self.row_word((r + shift) % n, cfg)).expect("write");
        }
        s
    }

    /// (syn, slot, event index, synapse index) in stream order.
    fn stream(&self) -> Vec<(u64, u32, usize, usize)> {
        let mut v = Vec::new();
        for (e, &(r, slot)) in self.events.iter().enumerate() {
            for (k, &w) in self.rows[r as usize].iter().enumerate() {
                v.push((w, slot, e, k));
            }
        }
        v
    }

    /// (address, beats, event index) of every burst, in issue order: each
    /// non-empty row's beats split at AXI_BURST beats, 4 KiB pages and the
    /// row's end.
    fn bursts(&self, cfg: &Cfg) -> Vec<(u64, u64, usize)> {
        let bb = cfg.beat_bytes();
        let mut v = Vec::new();
        for (e, &(r, _)) in self.events.iter().enumerate() {
            let mut left = self.beats(r as usize, cfg);
            let mut addr = cfg.base + (self.sh.idx_beats + self.start[r as usize]) * bb;
            while left > 0 {
                let to_page = (4096 - addr % 4096) / bb;
                let len = left.min(cfg.burst as u64).min(to_page);
                v.push((addr, len, e));
                addr += len * bb;
                left -= len;
            }
        }
        v
    }

    /// Synapses in each burst of [`Work::bursts`] (the padding of a row's
    /// last beat excluded).
    fn burst_synapses(&self, cfg: &Cfg) -> Vec<u64> {
        let lanes = cfg.lanes();
        self.bursts(cfg)
            .iter()
            .map(|&(addr, len, e)| {
                let r = self.events[e].0 as usize;
                let first =
                    (addr - cfg.base) / cfg.beat_bytes() - self.sh.idx_beats - self.start[r];
                let n = self.rows[r].len() as u64;
                ((first + len) * lanes).min(n) - first * lanes
            })
            .collect()
    }

    /// ROW_EXT = 1: (address, event index) of every index read, in event
    /// order: one beat at the index beat holding the event's row word.
    fn index_reads(&self, cfg: &Cfg) -> Vec<(u64, usize)> {
        if !cfg.row_ext {
            return Vec::new();
        }
        self.events
            .iter()
            .enumerate()
            .map(|(e, &(r, _))| {
                (
                    cfg.base + u64::from(r) / self.sh.idx_lanes * cfg.beat_bytes(),
                    e,
                )
            })
            .collect()
    }

    /// Rows whose beats lie on two or more 4 KiB pages.
    fn rows_across_pages(&self, cfg: &Cfg) -> usize {
        (0..self.rows.len())
            .filter(|&r| {
                let b = self.beats(r, cfg);
                let first = self.sh.idx_beats + self.start[r];
                b > 0 && (first / cfg.page_beats()) != ((first + b - 1) / cfg.page_beats())
            })
            .count()
    }
}

/// How the bench drives the module and plays the memory.
#[derive(Debug, Clone, Copy)]
struct Mode {
    name: &'static str,
    ev_pct: u32,
    x_pct: u32,
    ar_pct: u32,
    r_pct: u32,
    lat: u32,
    jit: u32,
    /// 0 in order, 1 interleaved across IDs, 2 reordered bursts.
    reorder: u32,
}

impl Mode {
    fn stall_free(&self) -> bool {
        self.ev_pct == 100
            && self.x_pct == 100
            && self.ar_pct == 100
            && self.r_pct == 100
            && self.jit == 0
    }
}

/// An injected memory fault.
#[derive(Debug, Clone, Copy)]
struct Inject {
    /// 1 RRESP, 2 unknown RID, 3 wrong RLAST, 4 a beat for the read whose
    /// AR is still waiting (the bench's +inj).
    kind: u32,
    /// The beat (in handout order, counting synapse beats or, with
    /// `on_index`, index beats) it hits.
    at: u64,
    /// RRESP of kind 1.
    resp: u32,
    /// RID of kind 2 (`None`: any with nothing outstanding).
    rid: Option<u32>,
    /// ROW_EXT = 1: `at` counts index beats, and kind 4 answers a waiting
    /// index read (the bench's +inj_idx).
    on_index: bool,
}

/// Cycles from the first (non-empty) event handshake to the first synapse
/// handshake beyond the slave's latency, without stalls: F (row read), Q
/// (split), AR register, the AR handshake, the slave's R register, the beat
/// buffer's write, its registered read.
const FILL: i64 = 6;

/// ROW_EXT = 1, without stalls: cycles from an event's handshake to its
/// index read's AR handshake: the ring entry, the AR register.
const IDX_AR: i64 = 2;

/// ROW_EXT = 1, without stalls: cycles from a row's index read's AR
/// handshake to its first burst's AR handshake beyond the slave's latency
/// (F free, no index read taking the AR register): the slave's R register,
/// the ring's row word into F, Q, the AR register, the AR handshake.
const IDX_TO_BURST: i64 = 5;

/// Cycles from a burst's AR handshake to its first synapse beyond the
/// slave's latency (no stalls, the output free): the slave's R register, the
/// beat buffer's write, its registered read ([`FILL`] less F, Q and the AR
/// register).
const BURST_TO_SYN: i64 = 3;

/// The extra `key=value` fields of the TB_DONE line.
fn done_field(out: &TbOutput, key: &str) -> i64 {
    let line = out
        .log
        .lines()
        .find(|l| l.starts_with("TB_DONE"))
        .expect("TB_DONE line");
    line.split_whitespace()
        .find_map(|t| t.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("TB_DONE has no {key}: {line}"))
}

/// Where the bench puts the row words besides the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowLoad {
    /// The row memory's image (ROW_MEM_FILE).
    File,
    /// Written through the load port after reset (+ld).
    Port,
    /// Nowhere (ROW_EXT = 1: the region's row index is the only source).
    None,
    /// ROW_EXT = 1: a wrong table (every row word shifted one row) both as
    /// ROW_MEM_FILE and through the load port, which the module must ignore.
    Decoy,
}

struct Bench {
    cfg: Cfg,
    w: Work,
    tb: Testbench,
    desc: String,
    rows: RowLoad,
    /// Row image path (ROW_MEM_FILE, +ld).
    row_path: std::path::PathBuf,
}

fn compile(cfg: &Cfg, w: &Work, dir: &Path, rows: RowLoad) -> (Testbench, std::path::PathBuf) {
    let mem_path = dir.join("mem.hex");
    let row_path = dir.join("row.hex");
    fs::write(&mem_path, w.mem_image(cfg)).expect("write memory image");
    let shift = if rows == RowLoad::Decoy { 1 } else { 0 };
    fs::write(&row_path, w.row_image(cfg, shift)).expect("write row image");
    let mut strings: Vec<(&str, &Path)> = vec![("MEM_FILE", &mem_path)];
    if matches!(rows, RowLoad::File | RowLoad::Decoy) {
        strings.push(("ROW_MEM_FILE", &row_path));
    }
    let tb = compile_tb_with_strings(
        dir,
        "tb_snn_syn_fetch",
        &["snn_mem.v", "snn_syn_fetch.v"],
        &params(cfg, w),
        &strings,
    );
    (tb, row_path)
}

/// The bench's integer parameters.
fn params(cfg: &Cfg, w: &Work) -> Vec<(&'static str, i64)> {
    vec![
        ("ROWS", cfg.rows as i64),
        ("SYN_DEPTH", w.syn_depth as i64),
        ("SYN_W", cfg.syn_w as i64),
        ("SLOT_W", cfg.slot_w as i64),
        ("AXI_DATA_W", cfg.data_w as i64),
        ("AXI_ADDR_W", cfg.addr_w as i64),
        ("AXI_ID_W", cfg.id_w as i64),
        ("AXI_BURST", cfg.burst as i64),
        ("AXI_OUTSTANDING", cfg.outstanding as i64),
        ("ROW_EXT", i64::from(cfg.row_ext)),
        ("MEM_BEATS", w.mem_beats() as i64),
        ("BASE_LO", (cfg.base & 0xffff_ffff) as i64),
        ("BASE_HI", (cfg.base >> 32) as i64),
        ("N_EV", w.events.len() as i64),
    ]
}

/// The bench of `b` compiled against the sources in `hdl`.
fn compile_from(b: &Bench, hdl: &Path) -> Testbench {
    let (cfg, w) = (&b.cfg, &b.w);
    compile_tb_from(
        hdl,
        &b.tb.dir,
        "tb_snn_syn_fetch",
        &["snn_mem.v", "snn_syn_fetch.v"],
        &params(cfg, w),
        &[
            ("MEM_FILE", &b.tb.dir.join("mem.hex")),
            ("ROW_MEM_FILE", &b.row_path),
        ],
    )
}

fn bench(cfg: Cfg, seed: u64, rows: RowLoad) -> Bench {
    assert!(
        cfg.syn_w <= 64,
        "the bench records synapse words as decimal integers"
    );
    assert!(cfg.base.is_multiple_of(4096) && cfg.base != 0);
    assert_eq!(
        cfg.row_ext,
        matches!(rows, RowLoad::None | RowLoad::Decoy),
        "ROW_EXT = 1 takes no row table, ROW_EXT = 0 needs one"
    );
    let w = draw_work(&cfg, seed);
    let desc = cfg.describe(w.syn_depth, &w.sh);
    if cfg.row_ext {
        // the RTL's elaboration rules for ROW_EXT = 1
        assert!(
            cfg.outstanding < 1 << cfg.id_w && w.sh.idx_w <= cfg.data_w,
            "ROW_EXT = 1 needs a free ID and a row word lane within the bus ({desc})"
        );
    }
    let end = cfg.base + w.mem_beats() * cfg.beat_bytes();
    assert!(
        cfg.addr_w == 64 || end <= 1u64 << cfg.addr_w,
        "the region ends beyond AXI_ADDR_W ({desc})"
    );
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_syn_fetch");
    let (tb, row_path) = compile(&cfg, &w, &dir, rows);
    Bench {
        cfg,
        w,
        tb,
        desc,
        rows,
        row_path,
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.tb.dir);
        }
    }
}

impl Bench {
    /// The +vec lines and plusargs of one run.
    fn args(&self, mode: &Mode, inject: Option<Inject>, seed: u64) -> (Vec<String>, Vec<String>) {
        let w = &self.w;
        let syn = w.stream().len() as u64;
        // (each index read is a burst of one beat)
        let bursts = (w.bursts(&self.cfg).len() + w.index_reads(&self.cfg).len()) as u64;
        let lines: Vec<String> = w
            .events
            .iter()
            .map(|&(r, s)| format!("{:016x}", ((s as u64) << 32) | r as u64))
            .collect();
        let stall_seed = (seed.wrapping_mul(0x9E37_79B9) as u32) | 1;
        let max_cycles = 30 * syn
            + u64::from(mode.lat + mode.jit + 60) * bursts * 100
                / u64::from(mode.r_pct.min(mode.ar_pct))
            + 100 * w.events.len() as u64 * 100 / u64::from(mode.ev_pct)
            + 20_000;
        let mut args = vec![
            format!("seed={stall_seed}"),
            format!("ev_pct={}", mode.ev_pct),
            format!("x_pct={}", mode.x_pct),
            format!("ar_pct={}", mode.ar_pct),
            format!("r_pct={}", mode.r_pct),
            format!("lat={}", mode.lat),
            format!("jit={}", mode.jit),
            format!("reorder={}", mode.reorder),
            format!("max_cycles={max_cycles}"),
        ];
        if let Some(f) = inject {
            args.push(format!("inj={}", f.kind));
            args.push(format!("inj_at={}", f.at));
            args.push(format!("inj_resp={}", f.resp));
            args.push(format!("inj_rid={}", f.rid.map_or(-1, i64::from)));
            args.push(format!("inj_idx={}", u32::from(f.on_index)));
        }
        if matches!(self.rows, RowLoad::Port | RowLoad::Decoy) {
            args.push(format!("ld={}", self.row_path.display()));
        }
        (lines, args)
    }

    /// Run one mode (and fault) and check everything; returns the output.
    fn run(&self, mode: &Mode, inject: Option<Inject>, seed: u64) -> TbOutput {
        self.run_on(&self.tb, mode, inject, seed)
    }

    /// [`Bench::run`] on `tb` (the bench compiled against other sources).
    fn run_on(&self, tb: &Testbench, mode: &Mode, inject: Option<Inject>, seed: u64) -> TbOutput {
        let (cfg, w, desc) = (&self.cfg, &self.w, &self.desc);
        let want = w.stream();
        let bursts = w.bursts(cfg);
        let index = w.index_reads(cfg);
        let total_beats: u64 = bursts.iter().map(|b| b.1).sum::<u64>() + index.len() as u64;
        let (lines, args) = self.args(mode, inject, seed);
        let tag = format!("{}-{seed}", mode.name);
        let out = tb.run(&tag, &lines, &args);
        let what = format!(
            "{} ({}{}) {desc}",
            tb.top,
            mode.name,
            match inject {
                Some(f) => format!(", injected fault {f:?}"),
                None => String::new(),
            }
        );

        // ---- every AR: the rules, the greedy split, the IDs; with ROW_EXT
        // the index reads (ID AXI_OUTSTANDING, one beat, one per event in
        // event order, each before its row's first burst)
        let ars: Vec<&Vec<i128>> = out.records.iter().filter(|r| r[0] == 1).collect();
        let bb = cfg.beat_bytes() as i128;
        let idx_id = cfg.outstanding as i128;
        // (the AR's position of each event's index read and first burst)
        let mut idx_at: Vec<Option<usize>> = vec![None; w.events.len()];
        let mut first_burst_at: Vec<Option<usize>> = vec![None; w.events.len()];
        let (mut nb, mut ni) = (0usize, 0usize);
        for (i, ar) in ars.iter().enumerate() {
            let (addr, len, id, size, burst) = (ar[2], ar[3], ar[4], ar[5], ar[6]);
            let ctx = format!(
                "{what}: AR {i} at cycle {} (addr {addr:#x} len {len} id {id})",
                ar[1]
            );
            assert_eq!(1i128 << size, bb, "{ctx}: ARSIZE");
            assert_eq!(burst, 1, "{ctx}: ARBURST is not INCR");
            assert!(
                len < cfg.burst as i128,
                "{ctx}: ARLEN + 1 > AXI_BURST {}",
                cfg.burst
            );
            assert_eq!(addr % bb, 0, "{ctx}: not beat aligned");
            assert!(
                addr % 4096 + (len + 1) * bb <= 4096,
                "{ctx}: crosses a 4 KiB boundary"
            );
            if cfg.row_ext && id == idx_id {
                // index read ni: event ni's row word
                match index.get(ni) {
                    Some(&(a, e)) => {
                        let r = w.events[e].0;
                        assert!(
                            addr == a as i128 && len == 0,
                            "{ctx}: index read {ni} expected at {a:#x} with ARLEN 0 (event {e}, row {r} \
                             in lane {} of index beat {})",
                            u64::from(r) % w.sh.idx_lanes,
                            u64::from(r) / w.sh.idx_lanes
                        );
                        idx_at[e] = Some(i);
                    }
                    None => panic!("{ctx}: more index reads than the {} events", w.events.len()),
                }
                ni += 1;
                continue;
            }
            assert_eq!(
                id,
                (nb as u32 % cfg.outstanding) as i128,
                "{ctx}: burst {nb}: burst slots are used in issue order"
            );
            match bursts.get(nb) {
                Some(&(a, l, e)) => {
                    assert!(
                        addr == a as i128 && len + 1 == l as i128,
                        "{ctx}: burst {nb} expected at {a:#x} with {l} beats (event {e}, row {} at \
                         synapse beat {} of {} beats{})",
                        w.events[e].0,
                        w.start[w.events[e].0 as usize],
                        w.beats(w.events[e].0 as usize, cfg),
                        if cfg.row_ext {
                            format!(", after {} index beats", w.sh.idx_beats)
                        } else {
                            String::new()
                        }
                    );
                    first_burst_at[e].get_or_insert(i);
                }
                None => panic!("{ctx}: more bursts than the {} of the events", bursts.len()),
            }
            nb += 1;
        }
        assert_eq!(nb, bursts.len(), "{what}: bursts issued");
        assert_eq!(ni, index.len(), "{what}: index reads issued");
        // with ARREADY always high the AR register takes each event's index
        // read the clock after the event, ahead of any burst waiting in Q:
        // handshaken IDX_AR cycles after the event (a beat for a waiting AR
        // holds ARREADY low)
        if cfg.row_ext && mode.ar_pct == 100 && inject.is_none_or(|f| f.kind != 4) {
            let ev_at: Vec<i128> = out
                .records
                .iter()
                .filter(|r| r[0] == 6)
                .map(|r| r[1])
                .collect();
            assert_eq!(ev_at.len(), w.events.len(), "{what}: event handshakes");
            for (e, ia) in idx_at.iter().enumerate() {
                let ar = ars[ia.expect("every event has its index read")];
                assert_eq!(
                    ar[1] - ev_at[e],
                    IDX_AR as i128,
                    "{what}: event {e} (row {}) handshaken at cycle {}, its index read at cycle {}: \
                     an index read waits for nothing but the AR register, which takes it first",
                    w.events[e].0,
                    ev_at[e],
                    ar[1]
                );
            }
        }
        for (e, (ia, fb)) in idx_at.iter().zip(&first_burst_at).enumerate() {
            if let (Some(ia), Some(fb)) = (ia, fb) {
                assert!(
                    ia < fb,
                    "{what}: event {e} (row {}): its first burst (AR {fb}) before its index read (AR {ia})",
                    w.events[e].0
                );
            }
        }
        let maxout = done_field(&out, "maxout");
        assert!(
            (1..=cfg.outstanding as i64).contains(&maxout),
            "{what}: {maxout} bursts outstanding at once"
        );
        let maxidx = done_field(&out, "maxidx");
        if cfg.row_ext {
            assert!(
                (1..=cfg.outstanding as i64).contains(&maxidx),
                "{what}: {maxidx} index reads outstanding at once (the ring has {})",
                cfg.outstanding
            );
        } else {
            assert_eq!(maxidx, 0, "{what}: index reads without ROW_EXT");
        }
        assert_eq!(
            done_field(&out, "beats"),
            total_beats as i64,
            "{what}: beats handed out"
        );
        assert_eq!(
            done_field(&out, "ibeats"),
            index.len() as i64,
            "{what}: index beats handed out"
        );
        let done = out.done.expect("checked by run");
        assert_eq!(
            done.sent as usize,
            w.events.len(),
            "{what}: events accepted"
        );

        // ---- the synapse stream
        let got: Vec<(u64, u32)> = out
            .records
            .iter()
            .filter(|r| r[0] == 0)
            .map(|r| (r[2] as u64, r[3] as u32))
            .collect();
        if let Some(i) = got
            .iter()
            .zip(&want)
            .position(|(a, b)| a.0 != b.0 || a.1 != b.1)
        {
            let (word, slot, e, k) = want[i];
            let (r, _) = w.events[e];
            panic!(
                "{what}: synapse {i} of {}: got (word {:#x}, slot {}), expected (word {word:#x}, slot {slot}): \
                 event {e} (row {r} of {} synapses, first beat {}), synapse {k} (beat +{}, lane {})",
                want.len(),
                got[i].0,
                got[i].1,
                w.rows[r as usize].len(),
                w.start[r as usize],
                k as u64 / cfg.lanes(),
                k as u64 % cfg.lanes()
            );
        }
        assert_eq!(
            got.len(),
            want.len(),
            "{what}: {} synapses out, expected {} (lost or duplicated)",
            got.len(),
            want.len()
        );

        // ---- err_o
        let err_rise: Vec<i128> = out
            .records
            .iter()
            .filter(|r| r[0] == 3)
            .map(|r| r[1])
            .collect();
        let inj_rec: Vec<&Vec<i128>> = out.records.iter().filter(|r| r[0] == 5).collect();
        let fin = out
            .records
            .iter()
            .find(|r| r[0] == 4)
            .unwrap_or_else(|| panic!("{what}: no final err_o record"));
        match inject {
            None => {
                assert!(
                    err_rise.is_empty(),
                    "{what}: err_o set at cycle {:?}",
                    err_rise
                );
                assert_eq!(fin[1..], [0, 0], "{what}: err_o at the end");
            }
            Some(f) => {
                assert_eq!(inj_rec.len(), 1, "{what}: the fault was not injected");
                assert_eq!(inj_rec[0][2], f.kind as i128);
                assert_eq!(
                    err_rise,
                    [inj_rec[0][1] + 1],
                    "{what}: err_o must rise at the clock edge after the faulty beat (cycle {})",
                    inj_rec[0][1]
                );
                assert_eq!(
                    fin[1..],
                    [1, 0],
                    "{what}: err_o (sticky, then cleared by err_clr_i)"
                );
            }
        }
        // ---- cycles without stalls: one synapse per clock after the first
        if mode.stall_free() && inject.is_none() && mode.reorder == 0 {
            let first_syn = done_field(&out, "first_syn");
            let last = done.span - done.first_latency + first_syn;
            // the empty rows before the first non-empty one pass F at one a clock
            let lead = w
                .events
                .iter()
                .take_while(|&&(r, _)| w.rows[r as usize].is_empty())
                .count() as i64;
            if cfg.row_ext {
                self.check_index_latency(&out, &ars, &idx_at, &first_burst_at, mode.lat, &what);
            } else {
                assert_eq!(
                    done.first_latency,
                    mode.lat as i64 + FILL + lead,
                    "{what}: cycles from the first event to the first synapse: latency {} + {FILL} \
                     + {lead} leading empty rows",
                    mode.lat
                );
            }
            println!(
                "snn_syn_fetch: {} ({desc}): {} synapses, first after {} cycles (latency {}), last {} cycles after the first",
                mode.name,
                want.len(),
                done.first_latency,
                mode.lat,
                last - first_syn
            );
        }
        out
    }

    /// ROW_EXT = 1 without stalls, responses in order: the first synapse's
    /// cycle, pinned step by step from the AR records (`idx_at`,
    /// `first_burst_at`: each event's index read and first burst, as AR
    /// positions). The first event's index read is handshaken [`IDX_AR`]
    /// cycles after the event; the first non-empty row's first burst
    /// [`IDX_TO_BURST`] cycles plus the latency after its index read, plus
    /// one cycle for each index read handshaken in between from then on (the
    /// AR register takes a pending index read before a burst: each delays the
    /// burst by one clock); its first synapse [`BURST_TO_SYN`] cycles plus the
    /// latency after that. (Without ROW_EXT the first latency is simply
    /// latency + [`FILL`] + the leading empty rows; here the empty rows'
    /// index reads overlap, and how many index reads of later events step in
    /// front of the first burst depends on the ring's depth.)
    fn check_index_latency(
        &self,
        out: &TbOutput,
        ars: &[&Vec<i128>],
        idx_at: &[Option<usize>],
        first_burst_at: &[Option<usize>],
        lat: u32,
        what: &str,
    ) {
        let (cfg, w) = (&self.cfg, &self.w);
        let lat = i64::from(lat);
        let done = out.done.expect("checked by run");
        let first_syn = done_field(out, "first_syn");
        let first_in = first_syn - done.first_latency;
        let cyc = |i: usize| ars[i][1] as i64;
        let i0 = idx_at[0].expect("event 0 has an index read");
        assert_eq!(
            cyc(i0) - first_in,
            IDX_AR,
            "{what}: cycles from the first event to its index read's AR handshake"
        );
        let e = w
            .events
            .iter()
            .position(|&(r, _)| !w.rows[r as usize].is_empty())
            .expect("a non-empty row among the events");
        let (ia, fb) = (
            idx_at[e].expect("checked"),
            first_burst_at[e].expect("a non-empty row has a burst"),
        );
        let earliest = cyc(ia) + lat + IDX_TO_BURST;
        let (b, idx_id) = (cyc(fb), cfg.outstanding as i128);
        let cut_in = ars
            .iter()
            .filter(|r| r[4] == idx_id && (earliest..b).contains(&(r[1] as i64)))
            .count() as i64;
        assert_eq!(
            b,
            earliest + cut_in,
            "{what}: event {e} (the first non-empty row): index read handshaken at cycle {}, first \
             burst at cycle {b}: expected latency {lat} + {IDX_TO_BURST} + {cut_in} index reads \
             issued in between",
            cyc(ia)
        );
        assert_eq!(
            first_syn,
            b + lat + BURST_TO_SYN,
            "{what}: cycles from the first burst's AR handshake (cycle {b}) to the first synapse: \
             latency {lat} + {BURST_TO_SYN}"
        );
        println!(
            "snn_syn_fetch: ROW_EXT=1: first synapse {} cycles after the first event (latency {lat}: \
             2 x latency + {IDX_AR} to the first index read + {} until event {e}'s + {IDX_TO_BURST} \
             + {cut_in} index reads ahead of its first burst + {BURST_TO_SYN})",
            done.first_latency,
            cyc(ia) - cyc(i0)
        );
    }
}

/// The runs of a parameter set: without stalls in order at latency `lat`,
/// interleaved with random stalls and latency, reordered bursts, a slow sink,
/// a slow memory at latency 400, interleaved at latency 0.
fn modes(lat: u32) -> [Mode; 6] {
    [
        Mode {
            name: "in-order-no-stalls",
            ev_pct: 100,
            x_pct: 100,
            ar_pct: 100,
            r_pct: 100,
            lat,
            jit: 0,
            reorder: 0,
        },
        Mode {
            name: "interleaved-random-stalls",
            ev_pct: 70,
            x_pct: 60,
            ar_pct: 50,
            r_pct: 60,
            lat: 3,
            jit: 40,
            reorder: 1,
        },
        Mode {
            name: "reordered-bursts",
            ev_pct: 100,
            x_pct: 90,
            ar_pct: 80,
            r_pct: 90,
            lat: 0,
            jit: 100,
            reorder: 2,
        },
        Mode {
            name: "slow-sink",
            ev_pct: 100,
            x_pct: 15,
            ar_pct: 100,
            r_pct: 100,
            lat: 20,
            jit: 10,
            reorder: 1,
        },
        Mode {
            name: "slow-memory-latency-400",
            ev_pct: 50,
            x_pct: 100,
            ar_pct: 30,
            r_pct: 25,
            lat: 400,
            jit: 200,
            reorder: 1,
        },
        Mode {
            name: "interleaved-latency-0-no-stalls",
            ev_pct: 100,
            x_pct: 100,
            ar_pct: 100,
            r_pct: 100,
            lat: 0,
            jit: 0,
            reorder: 1,
        },
    ]
}

/// SYN_W 22 in 128 bits: 5 lanes, 6 bits unused; bursts of 7, 5 in flight on 3 ID bits
/// (IDs 5..7 never used); the region above 4 GiB.
const FIVE_LANES: Cfg = Cfg {
    syn_w: 22,
    slot_w: 5,
    data_w: 128,
    addr_w: 34,
    id_w: 3,
    burst: 7,
    outstanding: 5,
    rows: 45,
    base: 0x2_7654_3000,
    events: 120,
    long_beats: (8, 30),
    long_pct: 60,
    all_long: false,
    row_ext: false,
    min_across: 3,
};

/// SYN_W 33 in 64 bits: one lane (a word wider than half the bus); bursts of
/// 13, 11 in flight; 64-bit addresses, the region near the top.
const ONE_LANE_33: Cfg = Cfg {
    syn_w: 33,
    slot_w: 7,
    data_w: 64,
    addr_w: 64,
    id_w: 4,
    burst: 13,
    outstanding: 11,
    rows: 37,
    base: 0xffff_fff0_0000_0000,
    events: 110,
    long_beats: (14, 40),
    long_pct: 60,
    all_long: false,
    row_ext: false,
    min_across: 3,
};

/// SYN_W 20 in 1024 bits: 51 lanes, 4 bits unused; bursts of up to 256 (a
/// 4 KiB page is 32 beats), one burst in flight, one ID bit.
const WIDE_1024: Cfg = Cfg {
    syn_w: 20,
    slot_w: 3,
    data_w: 1024,
    addr_w: 20,
    id_w: 1,
    burst: 256,
    outstanding: 1,
    rows: 23,
    base: 0x5000,
    events: 30,
    long_beats: (20, 40),
    long_pct: 50,
    all_long: false,
    row_ext: false,
    min_across: 3,
};

/// The RTL defaults: 256 bits, SYN_W 32 (8 lanes), bursts of 16, 16 in flight.
const DEFAULTS: Cfg = Cfg {
    syn_w: 32,
    slot_w: 6,
    data_w: 256,
    addr_w: 34,
    id_w: 4,
    burst: 16,
    outstanding: 16,
    rows: 64,
    base: 0x8000_0000,
    events: 100,
    long_beats: (17, 50),
    long_pct: 50,
    all_long: false,
    row_ext: false,
    min_across: 3,
};

/// A synapse word as wide as a 32-bit bus (one lane, no spare bit); bursts
/// of up to 256, 3 in flight on 2 ID bits.
const FULL_WIDTH: Cfg = Cfg {
    syn_w: 32,
    slot_w: 4,
    data_w: 32,
    addr_w: 16,
    id_w: 2,
    burst: 256,
    outstanding: 3,
    rows: 29,
    base: 0x3000,
    events: 50,
    long_beats: (100, 300),
    long_pct: 50,
    all_long: false,
    row_ext: false,
    min_across: 2,
};

/// SYN_W 15 in 32 bits (2 lanes): every burst one beat, 4 in flight on all
/// 4 IDs of 2 ID bits, a one-bit slot.
const BURST_1: Cfg = Cfg {
    syn_w: 15,
    slot_w: 1,
    data_w: 32,
    addr_w: 15,
    id_w: 2,
    burst: 1,
    outstanding: 4,
    rows: 31,
    base: 0x1000,
    events: 80,
    long_beats: (3, 12),
    long_pct: 60,
    all_long: false,
    row_ext: false,
    min_across: 1,
};

/// SYN_W 9 in 64 bits (7 lanes, 1 bit unused): bursts of 2, the most bursts
/// in flight (64) on 8 ID bits.
const MANY_IN_FLIGHT: Cfg = Cfg {
    syn_w: 9,
    slot_w: 2,
    data_w: 64,
    addr_w: 24,
    id_w: 8,
    burst: 2,
    outstanding: 64,
    rows: 40,
    base: 0x7f_f000,
    events: 60,
    long_beats: (3, 20),
    long_pct: 50,
    all_long: false,
    row_ext: false,
    min_across: 1,
};

/// Every mode of [`modes`] on one drawn workload; returns the row words'
/// layout.
fn run_all(cfg: Cfg, seed: u64, lat: u32) -> Shape {
    assert!(
        cfg.events >= cfg.rows as usize,
        "every row is fetched at least once"
    );
    let b = bench(
        cfg,
        seed,
        if cfg.row_ext {
            RowLoad::None
        } else {
            RowLoad::File
        },
    );
    let crossing = b.w.rows_across_pages(&cfg);
    assert!(
        crossing >= cfg.min_across,
        "only {crossing} rows cross a 4 KiB page ({})",
        b.desc
    );
    // empty rows are fetched too (with ROW_EXT their index reads, no burst)
    let empty =
        b.w.events
            .iter()
            .filter(|&&(r, _)| b.w.rows[r as usize].is_empty())
            .count();
    assert!(
        empty > 0 || !cfg.row_ext,
        "no event of an empty row ({})",
        b.desc
    );
    for (k, mode) in modes(lat).iter().enumerate() {
        b.run(mode, None, seed * 16 + k as u64);
    }
    println!(
        "snn_syn_fetch: {} synapses of {} events ({empty} of empty rows, {} bursts{}, {crossing} rows across pages) \
         matched in each of {} runs ({})",
        b.w.stream().len(),
        b.w.events.len(),
        b.w.bursts(&cfg).len(),
        if cfg.row_ext {
            format!(", {} index reads", b.w.index_reads(&cfg).len())
        } else {
            String::new()
        },
        modes(lat).len(),
        b.desc
    );
    b.w.sh
}

/// `cfg` with ROW_EXT = 1 (the row words read from the region's row index).
const fn with_row_index(cfg: Cfg) -> Cfg {
    Cfg {
        row_ext: true,
        ..cfg
    }
}

#[test]
fn fetch_streams_rows_five_lanes_in_128_bits_bursts_of_7_five_in_flight() {
    run_all(FIVE_LANES, 41, 60);
}

#[test]
fn fetch_streams_rows_one_33_bit_lane_in_64_bits_at_the_top_of_64_bit_addresses() {
    run_all(ONE_LANE_33, 42, 100);
}

#[test]
fn fetch_streams_rows_51_lanes_in_1024_bits_one_burst_in_flight() {
    run_all(WIDE_1024, 43, 30);
}

#[test]
fn fetch_streams_rows_default_parameters() {
    run_all(DEFAULTS, 44, 200);
}

#[test]
fn fetch_streams_rows_word_as_wide_as_a_32_bit_bus() {
    run_all(FULL_WIDTH, 45, 150);
}

#[test]
fn fetch_streams_rows_one_beat_bursts_on_every_id() {
    run_all(BURST_1, 46, 7);
}

#[test]
fn fetch_streams_rows_64_bursts_in_flight_on_8_id_bits() {
    run_all(MANY_IN_FLIGHT, 48, 150);
}

#[test]
fn fetch_reads_row_words_written_through_the_load_port() {
    let cfg = Cfg {
        events: 60,
        ..FIVE_LANES
    };
    let b = bench(cfg, 47, RowLoad::Port);
    let m = modes(33);
    for (k, mode) in [m[0], m[1]].iter().enumerate() {
        b.run(mode, None, 47 * 16 + k as u64);
    }
}

/// Cycles beyond the memory latency that the bursts issued after a burst
/// must stream for while that burst's slot is reused: a slot is freed when
/// its last beat enters the output register, and the burst that takes it
/// next streams its first synapse about `latency + COVER_SLACK` cycles
/// later. Measured on the throughput workloads below: one synapse per clock
/// holds while the synapses of the AXI_OUTSTANDING - 1 bursts after each
/// burst are at least latency + 3; with one lane that bound is exact (at
/// latency + 2 the first bubble appears), with more lanes it is sufficient
/// (the freed burst's last beat still streams its lanes). ROW_EXT = 1
/// needs the same cover (measured on the one-lane workload of
/// `fetch_reads_row_index_one_lane_loses_a_clock_per_index_beat_while_streaming_at_latency_95`:
/// at latency cover - 3 the stream takes exactly the clocks below, at
/// cover - 2 one more).
const COVER_SLACK: u64 = 3;

/// A long stream of long rows without stalls at latency `lat`: after the
/// first synapse, one synapse per clock to the last. The workload must
/// cover the latency: every AXI_OUTSTANDING - 1 consecutive bursts hold at
/// least `lat + COVER_SLACK` synapses.
///
/// ROW_EXT = 1 adds an index read per event, and with it two costs:
/// - Its row word must be in before F needs the row. An event's index read
///   is issued when the ring has room, i.e. (ring full) when the event
///   AXI_OUTSTANDING earlier enters F; the row is needed in F when Q takes
///   the row before it. In between Q issues every burst of the
///   AXI_OUTSTANDING - 1 rows from the one entering F on, of which at most
///   AXI_OUTSTANDING x AXI_BURST beats can be in flight or buffered: so the
///   stream consumes at least their synapses less AXI_OUTSTANDING x
///   AXI_BURST x LANES before the row is needed. The workload asserts that
///   this exceeds the index read's own path (latency + [`IDX_AR`] +
///   [`IDX_TO_BURST`]): a sufficient bound (the long rows here clear it by
///   hundreds of synapses), not a tight one.
/// - Its beat takes a cycle of the R channel (the slave hands out one beat
///   per clock). With LANES >= 2 a beat streams for LANES clocks, so the
///   index beats fit into cycles the synapse beats leave free: one synapse
///   per clock, exactly `n` clocks. With LANES = 1 the synapse beats alone
///   fill R at one per clock, and each index beat handed out while the
///   stream runs costs one clock: an index beat at edge t takes the R cycle
///   whose synapse beat would have left at t + 2 (the R register to the
///   buffer, its registered read), so the bound is `n` plus the index beats
///   handed out strictly between the first synapse's t + 2 and the last's
///   (measured: exact, see [`COVER_SLACK`]).
fn run_throughput(cfg: Cfg, seed: u64, lat: u32) {
    let cfg = Cfg {
        all_long: true,
        ..cfg
    };
    let b = bench(
        cfg,
        seed,
        if cfg.row_ext {
            RowLoad::None
        } else {
            RowLoad::File
        },
    );
    let syn = b.w.burst_synapses(&cfg);
    let k = cfg.outstanding as usize - 1;
    let cover = (0..syn.len().saturating_sub(k))
        .map(|i| syn[i + 1..=i + k].iter().sum::<u64>())
        .min()
        .expect("more bursts than slots");
    assert!(
        cover >= lat as u64 + COVER_SLACK,
        "the drawn rows do not cover latency {lat}: {k} consecutive bursts hold only {cover} synapses ({})",
        b.desc
    );
    if cfg.row_ext {
        // the index reads' cover (see above)
        let rows: Vec<u64> =
            b.w.events
                .iter()
                .map(|&(r, _)| b.w.rows[r as usize].len() as u64)
                .collect();
        let held = u64::from(cfg.outstanding * cfg.burst) * cfg.lanes();
        let idx_cover = (0..rows.len().saturating_sub(k))
            .map(|i| rows[i..i + k].iter().sum::<u64>())
            .min()
            .expect("more events than slots");
        assert!(
            idx_cover >= lat as u64 + (IDX_AR + IDX_TO_BURST) as u64 + held,
            "the drawn rows do not cover the index reads at latency {lat}: {k} consecutive rows hold \
             only {idx_cover} synapses, {held} of which the slots may hold ({})",
            b.desc
        );
    }
    let mode = Mode {
        name: "long-rows-no-stalls",
        ev_pct: 100,
        x_pct: 100,
        ar_pct: 100,
        r_pct: 100,
        lat,
        jit: 0,
        reorder: 0,
    };
    let out = b.run(&mode, None, seed);
    let done = out.done.expect("checked by run");
    let n = b.w.stream().len() as i64;
    let bursts = b.w.bursts(&cfg);
    let short = bursts.iter().filter(|x| x.1 < cfg.burst as u64).count();
    let first = done.first_latency;
    let cycles = done.span - first + 1;
    // ROW_EXT = 1: the index beats handed out while the stream runs (the
    // R cycles they take would have fed the stream two clocks later)
    let first_syn = done_field(&out, "first_syn");
    let last_syn = first_syn + cycles - 1;
    let idx_during = out
        .records
        .iter()
        .filter(|r| r[0] == 2 && (first_syn - 1..last_syn - 2).contains(&(r[1] as i64)))
        .count() as i64;
    let want = if cfg.lanes() == 1 { n + idx_during } else { n };
    assert_eq!(
        cycles,
        want,
        "{}: {n} synapses of long rows took {cycles} cycles from the first to the last (latency {lat}, \
         {} bursts of which {short} short, every {k} consecutive bursts hold >= {cover} synapses, \
         {idx_during} index beats handed out meanwhile): expected {want}",
        b.desc,
        bursts.len()
    );
    println!(
        "snn_syn_fetch: throughput ({}): latency {lat}: {n} synapses in {cycles} clocks from the first \
         ({first} cycles to the first), {} bursts ({short} cut short by a page or a row end; every {k} \
         consecutive hold >= {cover} synapses), {} in flight at most{}",
        b.desc,
        bursts.len(),
        done_field(&out, "maxout"),
        if cfg.row_ext {
            format!(
                "; {idx_during} index beats handed out while streaming, {} index reads in flight at most",
                done_field(&out, "maxidx")
            )
        } else {
            String::new()
        }
    );
}

#[test]
fn fetch_streams_one_synapse_per_clock_at_latency_60_five_lanes() {
    run_throughput(
        Cfg {
            events: 40,
            long_beats: (15, 40),
            ..FIVE_LANES
        },
        51,
        60,
    );
}

#[test]
fn fetch_streams_one_synapse_per_clock_at_latency_90_one_lane() {
    run_throughput(
        Cfg {
            events: 40,
            long_beats: (30, 90),
            ..ONE_LANE_33
        },
        52,
        90,
    );
}

#[test]
fn fetch_streams_one_synapse_per_clock_at_latency_400_default_parameters() {
    run_throughput(
        Cfg {
            events: 40,
            long_beats: (20, 60),
            ..DEFAULTS
        },
        53,
        400,
    );
}

#[test]
fn fetch_streams_one_synapse_per_clock_at_latency_200_word_as_wide_as_the_bus() {
    run_throughput(
        Cfg {
            events: 20,
            addr_w: 20,
            long_beats: (300, 700),
            ..FULL_WIDTH
        },
        54,
        200,
    );
}

/// The beat index (in handout order, responses in AR order) of the last beat
/// of a burst and of the first beat of a burst of two beats or more.
fn burst_edges(b: &Bench, g: &mut Gen) -> (u64, u64) {
    let bursts = b.w.bursts(&b.cfg);
    let mut at = 0u64;
    let mut lasts = Vec::new();
    let mut firsts = Vec::new();
    for &(_, len, _) in &bursts {
        lasts.push(at + len - 1);
        if len >= 2 {
            firsts.push(at);
        }
        at += len;
    }
    assert!(!firsts.is_empty(), "no burst of two beats ({})", b.desc);
    (g.pick(&lasts), g.pick(&firsts))
}

/// Each fault of `extra_rids` (RIDs of extra beats) and the standard list
/// (with ROW_EXT = 1 also the index beats' faults), injected into its own
/// run: err_o must rise at the clock edge after the faulty beat, stay up
/// until err_clr_i, and the stream must stay intact (the module uses the
/// data of a beat with RRESP != OKAY or a wrong RLAST, and drops a beat no
/// read of its ID is waiting for).
fn run_faults(cfg: Cfg, seed: u64, extra_rids: &[u32]) {
    let b = bench(
        cfg,
        seed,
        if cfg.row_ext {
            RowLoad::None
        } else {
            RowLoad::File
        },
    );
    let mut g = Gen::new(seed ^ 0xfa17);
    let m = modes(9);
    let total: u64 = b.w.bursts(&cfg).iter().map(|x| x.1).sum();
    let fault = |kind, at, resp, rid| Inject {
        kind,
        at,
        resp,
        rid,
        on_index: false,
    };
    let mut faults = Vec::new();
    // RRESP EXOKAY, SLVERR, DECERR on a random beat, interleaved responses
    for resp in 1..=3 {
        faults.push((m[1], fault(1, g.below(total), resp, None)));
    }
    // an extra beat whose RID has nothing in flight (any, and each of
    // extra_rids; with a slow sink, the slot of a burst whose beats are all
    // in but still streaming out is likely)
    faults.push((m[1], fault(2, g.below(total), 0, None)));
    faults.push((m[2], fault(2, 0, 0, None)));
    for &rid in extra_rids {
        faults.push((m[3], fault(2, g.below(total), 0, Some(rid))));
    }
    // a beat for the burst whose AR waits on the AR channel (its ID has
    // nothing in flight yet): early, and at a random point
    faults.push((m[1], fault(4, 0, 0, None)));
    faults.push((m[1], fault(4, g.below(total), 0, None)));
    // RLAST missing on a burst's last beat, early on a first beat, missing
    // on the very last beat (responses in AR order: beat n is known)
    let (last, first) = burst_edges(&b, &mut g);
    faults.push((m[0], fault(3, last, 0, None)));
    faults.push((m[0], fault(3, first, 0, None)));
    faults.push((m[0], fault(3, total - 1, 0, None)));
    if cfg.row_ext {
        // the index beats (ID AXI_OUTSTANDING): `at` counts index beats
        let n = b.w.events.len() as u64;
        let on_index = |kind, at, resp, rid| Inject {
            on_index: true,
            ..fault(kind, at, resp, rid)
        };
        let idx_id = Some(cfg.outstanding);
        // RRESP EXOKAY, SLVERR, DECERR on an index beat (its row word used)
        for resp in 1..=3 {
            faults.push((m[1], on_index(1, g.below(n), resp, None)));
        }
        // RLAST low on an index beat: the first, a random one, the last
        faults.push((m[0], on_index(3, 0, 0, None)));
        faults.push((m[1], on_index(3, g.below(n), 0, None)));
        faults.push((m[0], on_index(3, n - 1, 0, None)));
        // an index beat with no index read outstanding: before any event,
        // and once the ring waits on a slow sink (dropped)
        faults.push((m[2], on_index(2, 0, 0, idx_id)));
        faults.push((m[3], on_index(2, g.below(n), 0, idx_id)));
        // an index beat for the index read whose AR still waits (its ID has
        // nothing at the memory; dropped)
        faults.push((m[1], on_index(4, 0, 0, None)));
        faults.push((m[1], on_index(4, g.below(n), 0, None)));
    }
    for (k, (mode, f)) in faults.iter().enumerate() {
        b.run(mode, Some(*f), seed * 16 + k as u64);
    }
    println!(
        "snn_syn_fetch: {} injected faults each set err_o at the next clock edge, stream intact ({})",
        faults.len(),
        b.desc
    );
}

#[test]
fn fetch_flags_each_memory_fault_and_keeps_the_stream_five_lanes() {
    // RID 6: outside the 5 slots; RID 2: a slot's own ID while it has
    // nothing in flight
    run_faults(
        Cfg {
            events: 50,
            ..FIVE_LANES
        },
        61,
        &[6, 2],
    );
}

#[test]
fn fetch_flags_each_memory_fault_and_keeps_the_stream_one_id_bit() {
    // RID 1: no slot of that ID; RID 0: the only slot, between its bursts
    run_faults(WIDE_1024, 62, &[1, 0]);
}

/// (what is broken, the text of hdl/snn_syn_fetch.v, its replacement, what
/// the bench must print)
const BROKEN: &[(&str, &str, &str, &str)] = &[
    (
        "no 4 KiB split",
        "wire [CMP_W-1:0]    c_cap   = (c_page < c_burst) ? c_page : c_burst;",
        "wire [CMP_W-1:0]    c_cap   = c_burst;",
        "crosses a 4 KiB boundary",
    ),
    (
        "ARLEN one too many",
        "assign m_axi_arlen_o   = ar_len_q;",
        "assign m_axi_arlen_o   = ar_len_q + 8'd1;",
        "> AXI_BURST",
    ),
    (
        "ARSIZE one too small",
        "assign m_axi_arsize_o  = SIZE[2:0];",
        "assign m_axi_arsize_o  = SIZE[2:0] - 3'd1;",
        "TB_ERROR ARSIZE",
    ),
    (
        "ARBURST FIXED",
        "assign m_axi_arburst_o = 2'b01;",
        "assign m_axi_arburst_o = 2'b00;",
        "is not INCR",
    ),
    (
        "AR register overwritten while stalled",
        "wire                ar_free   = ~ar_valid_q | m_axi_arready_i;",
        "wire                ar_free   = 1'b1;",
        "AR payload changed",
    ),
    (
        "address off the beat",
        "assign m_axi_araddr_o  = ar_addr_q[AXI_ADDR_W-1:0];",
        "assign m_axi_araddr_o  = ar_addr_q[AXI_ADDR_W-1:0] + 1'b1;",
        "is not aligned",
    ),
    (
        "busy_o low while streaming",
        "assign busy_o    = f_valid_q | q_act_q | ar_valid_q | (used_q != {(SLOT_IW + 1){1'b0}}) | x_valid_q\n",
        "assign busy_o    = f_valid_q | q_act_q | ar_valid_q\n",
        "busy_o low",
    ),
];

#[test]
fn bench_slave_flags_each_protocol_violation_of_a_broken_master() {
    let cfg = Cfg {
        events: 50,
        ..FIVE_LANES
    };
    let b = bench(cfg, 71, RowLoad::File);
    let src = fs::read_to_string(spikefab_hdltest::hdl_file("snn_syn_fetch.v"))
        .expect("read snn_syn_fetch.v");
    let mode = modes(9)[1];
    for (k, (what, from, to, msg)) in BROKEN.iter().enumerate() {
        assert_eq!(
            src.matches(from).count(),
            1,
            "`{from}` is not once in hdl/snn_syn_fetch.v"
        );
        let hdl = b.tb.dir.join(format!("broken-{k}"));
        fs::create_dir_all(&hdl).expect("create dir");
        fs::write(hdl.join("snn_syn_fetch.v"), src.replace(from, to)).expect("write broken copy");
        fs::copy(
            spikefab_hdltest::hdl_file("snn_mem.v"),
            hdl.join("snn_mem.v"),
        )
        .expect("copy snn_mem.v");
        let tb = compile_from(&b, &hdl);
        let (lines, mut args) = b.args(&mode, None, 71 + k as u64);
        args.push("max_cycles=40000".into());
        let out = tb.run_unchecked(&format!("broken-{k}"), &lines, &args);
        let hit = out
            .log
            .lines()
            .find(|l| l.starts_with("TB_ERROR") && l.contains(msg) && l.contains(" at cycle "));
        assert!(
            hit.is_some(),
            "a master with {what} was not flagged with `{msg}` ({}):\n{}",
            b.desc,
            out.log.lines().take(20).collect::<Vec<_>>().join("\n")
        );
        println!(
            "snn_syn_fetch: bench self-test: {what}: {}",
            hit.unwrap_or_default()
        );
    }
}

// ------------------------------------------------------------ ROW_EXT = 1
// The row words come from the region's row index (index reads of ID
// AXI_OUTSTANDING), not from a row memory.

#[test]
fn fetch_reads_row_index_five_lanes_in_128_bits_bursts_of_7_five_in_flight() {
    // IDs 0..4 the slots, 5 the index reads, 6 and 7 never used
    let sh = run_all(with_row_index(FIVE_LANES), 81, 60);
    assert!(sh.idx_lanes > 1 && !u64::from(FIVE_LANES.rows).is_multiple_of(sh.idx_lanes));
}

#[test]
fn fetch_reads_row_index_one_33_bit_lane_in_64_bits_at_the_top_of_64_bit_addresses() {
    run_all(with_row_index(ONE_LANE_33), 82, 100);
}

#[test]
fn fetch_reads_row_index_one_row_word_per_beat_on_a_32_bit_bus() {
    let sh = run_all(with_row_index(FULL_WIDTH), 83, 150);
    assert!(
        sh.rw_w > 16 && sh.idx_w == 32 && sh.idx_lanes == 1,
        "the row word does not fill the 32-bit bus: {sh:?}"
    );
}

#[test]
fn fetch_reads_row_index_one_read_in_flight_on_one_id_bit() {
    // ID 0 the only slot, ID 1 the index reads; the whole index in one beat
    let sh = run_all(with_row_index(WIDE_1024), 84, 30);
    assert_eq!(sh.idx_beats, 1, "{sh:?}");
}

#[test]
fn fetch_reads_row_index_33_rows_not_a_multiple_of_the_index_lanes() {
    let cfg = Cfg {
        rows: 33,
        outstanding: 15,
        events: 80,
        ..DEFAULTS
    };
    let sh = run_all(with_row_index(cfg), 85, 200);
    assert!(
        sh.idx_lanes > 1 && !33u64.is_multiple_of(sh.idx_lanes),
        "33 rows fill the index beats: {sh:?}"
    );
}

#[test]
fn fetch_reads_row_index_one_beat_bursts_on_every_id() {
    // IDs 0..2 the slots, 3 the index reads: every ID of 2 ID bits
    run_all(
        with_row_index(Cfg {
            outstanding: 3,
            ..BURST_1
        }),
        93,
        7,
    );
}

#[test]
fn fetch_reads_row_index_with_64_bursts_and_64_index_reads_in_flight() {
    run_all(with_row_index(MANY_IN_FLIGHT), 87, 150);
}

#[test]
fn fetch_row_ext_ignores_the_row_memory_image_and_the_load_port() {
    // a wrong row table (each row given the next row's word) as
    // ROW_MEM_FILE and written through the load port: the stream must
    // still follow the region's row index
    let cfg = with_row_index(Cfg {
        events: 60,
        ..FIVE_LANES
    });
    let b = bench(cfg, 88, RowLoad::Decoy);
    assert_ne!(
        b.w.row_image(&cfg, 0),
        b.w.row_image(&cfg, 1),
        "the decoy table equals the real one"
    );
    let m = modes(33);
    for (k, mode) in [m[0], m[1]].iter().enumerate() {
        b.run(mode, None, 88 * 16 + k as u64);
    }
}

#[test]
fn fetch_reads_row_index_and_streams_one_synapse_per_clock_at_latency_100_five_lanes() {
    run_throughput(
        with_row_index(Cfg {
            events: 40,
            long_beats: (30, 90),
            ..FIVE_LANES
        }),
        52,
        100,
    );
}

#[test]
fn fetch_reads_row_index_one_lane_loses_a_clock_per_index_beat_while_streaming_at_latency_95() {
    run_throughput(
        with_row_index(Cfg {
            events: 40,
            long_beats: (30, 90),
            ..ONE_LANE_33
        }),
        52,
        95,
    );
}

#[test]
fn fetch_row_ext_flags_each_memory_and_index_fault_and_keeps_the_stream_five_lanes() {
    // RID 7: neither a slot nor the index reads' ID 5; RID 2: a slot's own
    // ID while it has nothing in flight
    run_faults(
        with_row_index(Cfg {
            events: 50,
            ..FIVE_LANES
        }),
        89,
        &[7, 2],
    );
}

#[test]
fn fetch_row_ext_flags_each_memory_and_index_fault_and_keeps_the_stream_one_id_bit() {
    // RID 0: the only slot, between its bursts (RID 1, the index reads' ID,
    // is among the index faults)
    run_faults(with_row_index(WIDE_1024), 90, &[0]);
}

/// ROW_EXT = 1 masters the bench's checks must reject: (what is broken,
/// the replacements in hdl/snn_syn_fetch.v, text the failure must contain;
/// "" where the first check to fire depends on how the run derails: here
/// the wrong row words send bursts outside the image).
type BrokenIndex = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);
const BROKEN_INDEX: &[BrokenIndex] = &[
    (
        // the stream stays intact: only the index read's timing shows it
        "bursts ahead of pending index reads",
        &[
            (
                "wire                ia_issue  = (ix_toar_q != IX_NONE) & ar_free;",
                "wire                ia_issue  = (ix_toar_q != IX_NONE) & ar_free & ~(q_act_q & slot_free);",
            ),
            (
                "wire                q_issue   = q_act_q & slot_free & ar_free & ~ia_issue;",
                "wire                q_issue   = q_act_q & slot_free & ar_free;",
            ),
        ],
        "which takes it first",
    ),
    (
        "index reads of two beats",
        &[("ar_len_q  <= 8'd0;", "ar_len_q  <= 8'd1;")],
        "index read 0 expected at",
    ),
    (
        "index read at beat `row`, not `row / IDX_LANES`",
        &[(
            "wire [AX_W-1:0] ia_addr  = f_base_x + ((ia_row_x >> IL_SH) << SIZE);",
            "wire [AX_W-1:0] ia_addr  = f_base_x + (ia_row_x << SIZE);",
        )],
        "",
    ),
    (
        "synapse bursts not offset by the index",
        &[(
            "wire [AX_W-1:0] f_addr    = f_base_x + ((IDX_BEATS_X + f_start_x) << SIZE);",
            "wire [AX_W-1:0] f_addr    = f_base_x + (f_start_x << SIZE);",
        )],
        "burst 0 expected at",
    ),
];

#[test]
fn bench_rejects_masters_with_a_broken_row_index_read() {
    let cfg = with_row_index(Cfg {
        events: 50,
        ..FIVE_LANES
    });
    let b = bench(cfg, 72, RowLoad::None);
    let src = fs::read_to_string(spikefab_hdltest::hdl_file("snn_syn_fetch.v"))
        .expect("read snn_syn_fetch.v");
    let mode = modes(9)[0];
    for (k, (what, edits, msg)) in BROKEN_INDEX.iter().enumerate() {
        let mut broken = src.clone();
        for (from, to) in edits.iter() {
            assert_eq!(
                src.matches(from).count(),
                1,
                "`{from}` is not once in hdl/snn_syn_fetch.v"
            );
            broken = broken.replace(from, to);
        }
        let hdl = b.tb.dir.join(format!("broken-index-{k}"));
        fs::create_dir_all(&hdl).expect("create dir");
        fs::write(hdl.join("snn_syn_fetch.v"), broken).expect("write broken copy");
        fs::copy(
            spikefab_hdltest::hdl_file("snn_mem.v"),
            hdl.join("snn_mem.v"),
        )
        .expect("copy snn_mem.v");
        let tb = compile_from(&b, &hdl);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            b.run_on(&tb, &mode, None, 72 + k as u64);
        }));
        let Err(payload) = caught else {
            panic!("a ROW_EXT master with {what} passed the bench ({})", b.desc);
        };
        let text = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(
            text.contains(msg),
            "a ROW_EXT master with {what} was rejected, but not with `{msg}`:\n{text}"
        );
        println!(
            "snn_syn_fetch: bench self-test (ROW_EXT): {what}: {}",
            text.lines().next().unwrap_or_default()
        );
    }
}
