//! hdl/snn_uart_tx.v and hdl/snn_uart_rx.v (the host link's 8N1 UART)
//! against bit-level models in Rust, through hdltest/tb/tb_snn_uart.v.
//!
//! - The transmitter's line and ready_o are checked cycle by cycle against a
//!   model of the frame: a byte taken at edge k is sent from edge k on, start
//!   bit low, data LSB first, stop bit high, CLKS_PER_BIT cycles each, with
//!   ready_o low for those 10 * CLKS_PER_BIT cycles and high otherwise.
//! - Loopback (tx into rx) of random bytes with random gaps between offers:
//!   every byte is received once, in order, at a fixed delay after its
//!   handshake, and no framing error.
//! - The receiver alone, on a line drawn by a Rust sender whose bit period
//!   is CLKS_PER_BIT * (1 + e) cycles (e = -2%, 0, +2%, frames at fractional
//!   start times): every frame decodes, exactly
//!   3 + CLKS_PER_BIT / 2 + 9 * CLKS_PER_BIT records after the first record
//!   in which its start bit is on the pin; low pulses of up to
//!   CLKS_PER_BIT / 2 cycles on an idle line are ignored; a frame whose stop
//!   bit is low (and a long break) gives one err_o pulse, no byte, and the
//!   next frame decodes.
//! - CLKS_PER_BIT = 3 fails elaboration in Icarus and Verilator.

use std::path::Path;
use std::process::Command;

use spikefab_hdltest::{compile_tb, hdl_file, require_tool, scratch_dir, Gen, TbOutput};

/// One recorded cycle (sampled just before rising edge k).
#[derive(Debug, Clone, Copy)]
struct Cyc {
    valid: bool,
    data: u8,
    ready: bool,
    txd: bool,
    rx_valid: bool,
    rx_data: u8,
    rx_err: bool,
}

fn parse(out: &TbOutput) -> Vec<Cyc> {
    out.records
        .iter()
        .enumerate()
        .map(|(k, r)| {
            assert_eq!(r.len(), 8, "record {k}: {r:?}");
            assert_eq!(r[0], k as i128, "record order");
            Cyc {
                valid: r[1] != 0,
                data: r[2] as u8,
                ready: r[3] != 0,
                txd: r[4] != 0,
                rx_valid: r[5] != 0,
                rx_data: r[6] as u8,
                rx_err: r[7] != 0,
            }
        })
        .collect()
}

/// What the receiver reports in one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Byte(u8),
    FramingError,
}

/// The receiver's events: (record, event).
fn rx_events(cyc: &[Cyc]) -> Vec<(usize, Ev)> {
    let mut v = Vec::new();
    for (k, c) in cyc.iter().enumerate() {
        assert!(
            !(c.rx_valid && c.rx_err),
            "record {k}: valid_o and err_o together"
        );
        if c.rx_valid {
            v.push((k, Ev::Byte(c.rx_data)));
        }
        if c.rx_err {
            v.push((k, Ev::FramingError));
        }
    }
    v
}

/// Records from the first record of a start bit on the pin to the
/// receiver's valid_o / err_o for that frame: two synchronizer flip-flops,
/// the start edge seen, the stop bit sampled at position
/// CLKS_PER_BIT / 2 + 9 * CLKS_PER_BIT, the result registered.
fn rx_delay(c: u32) -> usize {
    (3 + c / 2 + 9 * c) as usize
}

fn compare_events(what: &str, got: &[(usize, Ev)], want: &[(usize, Ev)]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            g, w,
            "{what}: receiver event {i} (record, event) is {g:?}, expected {w:?}\n\
             got {got:?}\nwant {want:?}"
        );
    }
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: {} receiver events, expected {}\ngot {got:?}\nwant {want:?}",
        got.len(),
        want.len()
    );
}

// ---------------------------------------------------------------- transmitter

/// Bytes with the cycles the source waits (valid low) before offering each:
/// often 0 (offered while the transmitter is busy), sometimes a few cycles,
/// sometimes longer than a frame.
fn draw_bytes(c: u32, n: usize, seed: u64) -> Vec<(u16, u8)> {
    let mut g = Gen::new(seed);
    (0..n)
        .map(|i| {
            let gap = match g.below(6) {
                0..=2 => 0,
                3 => g.range(1, 3),
                4 => g.range(1, 2 * c as i64),
                _ => g.range(10 * c as i64 - 2, 14 * c as i64),
            } as u16;
            // the first bytes: the rails and alternating bits
            let d = match i {
                0 => 0x00,
                1 => 0xFF,
                2 => 0x55,
                3 => 0xAA,
                4 => 0x01,
                5 => 0x80,
                _ => g.below(256) as u8,
            };
            (gap, d)
        })
        .collect()
}

/// Runs the loopback bench: (the records, the bytes offered).
fn run_loopback(c: u32, n: usize, seed: u64) -> (Vec<Cyc>, Vec<u8>) {
    let bytes = draw_bytes(c, n, seed);
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_uart-loop-c{c}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_uart",
        &["snn_uart_tx.v", "snn_uart_rx.v"],
        &[
            ("CLKS_PER_BIT", c as i64),
            ("MODE", 0),
            ("N", bytes.len() as i64),
        ],
    );
    let lines: Vec<String> = bytes
        .iter()
        .map(|&(gap, d)| format!("{gap:04x}{d:02x}"))
        .collect();
    let out = tb.run(&format!("loop-c{c}"), &lines, &[]);
    let done = out.done.expect("checked by run");
    assert_eq!(
        done.sent as usize, n,
        "C={c}: bytes taken by the transmitter"
    );
    let cyc = parse(&out);
    let _ = std::fs::remove_dir_all(&dir);
    (cyc, bytes.iter().map(|b| b.1).collect())
}

/// Checks txd_o and ready_o of every record against the frame model and
/// returns the handshakes (record, byte).
fn check_tx(c: u32, cyc: &[Cyc]) -> Vec<(usize, u8)> {
    let c = c as usize;
    let mut hs = Vec::new();
    let mut frame: Option<(usize, u8)> = None;
    let mut sending_records = 0usize;
    for (k, x) in cyc.iter().enumerate() {
        let (ready, txd) = match frame {
            Some((k0, d)) if k > k0 && k <= k0 + 10 * c => {
                let bit = (k - k0 - 1) / c;
                let level = match bit {
                    0 => false,
                    1..=8 => (d >> (bit - 1)) & 1 == 1,
                    _ => true,
                };
                (false, level)
            }
            _ => (true, true),
        };
        assert_eq!(
            (x.ready, x.txd),
            (ready, txd),
            "C={c}: record {k}: (ready_o, txd_o) is ({}, {}), the model says ({}, {}) (frame {frame:?})",
            x.ready as u8,
            x.txd as u8,
            ready as u8,
            txd as u8
        );
        if !ready {
            sending_records += 1;
        }
        if x.valid && x.ready {
            hs.push((k, x.data));
            frame = Some((k, x.data));
        }
    }
    assert_eq!(
        sending_records,
        10 * c * hs.len(),
        "C={c}: ready_o low for exactly the frames"
    );
    hs
}

#[test]
fn tx_line_and_ready_match_the_frame_model_cycle_by_cycle() {
    for (c, n, seed) in [(4u32, 120usize, 11u64), (7, 80, 12), (33, 30, 13)] {
        let (cyc, bytes) = run_loopback(c, n, seed);
        let hs = check_tx(c, &cyc);
        let sent: Vec<u8> = hs.iter().map(|h| h.1).collect();
        assert_eq!(sent, bytes, "C={c}: bytes in offer order");
        // back-to-back offers go out every 10 C + 1 cycles (ready_o is low
        // while sending: the next handshake is one cycle after the stop bit)
        let gaps: Vec<usize> = hs.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(
            gaps.iter().all(|&g| g > 10 * c as usize),
            "C={c}: a frame was cut short"
        );
        assert!(
            gaps.contains(&(10 * c as usize + 1)),
            "C={c}: no back-to-back bytes (the test draws them)"
        );
    }
}

#[test]
fn loopback_of_random_bytes_with_random_gaps_at_4_7_and_33_cycles_per_bit() {
    for (c, n, seed) in [(4u32, 300usize, 21u64), (7, 250, 22), (33, 120, 23)] {
        let (cyc, bytes) = run_loopback(c, n, seed);
        let hs = check_tx(c, &cyc);
        let want: Vec<(usize, Ev)> = hs
            .iter()
            .map(|&(k, d)| (k + 1 + rx_delay(c), Ev::Byte(d)))
            .collect();
        compare_events(&format!("loopback C={c}"), &rx_events(&cyc), &want);
        assert_eq!(want.len(), bytes.len());
    }
}

// ---------------------------------------------------------------- receiver alone

/// A line drawn by a sender with its own bit period, sampled once per clock
/// cycle (record k sees the level at time k), and the receiver's expected
/// events.
struct Line {
    c: u32,
    /// The sender's bit period in cycles.
    period: f64,
    /// (start, end, level) of the driven intervals, ascending; high elsewhere.
    spans: Vec<(f64, f64, bool)>,
    /// The sender's time: the end of the last frame.
    t: f64,
    want: Vec<(usize, Ev)>,
    glitches: usize,
}

impl Line {
    fn new(c: u32, mismatch: f64) -> Line {
        Line {
            c,
            period: c as f64 * (1.0 + mismatch),
            spans: Vec::new(),
            // a few idle bit periods after reset
            t: 3.0 * c as f64 + 0.37,
            want: Vec::new(),
            glitches: 0,
        }
    }
    /// The first record at or after time `t`.
    fn first_record(t: f64) -> usize {
        t.ceil() as usize
    }
    /// Idle (high) for `bits` of the sender's bit periods.
    fn idle(&mut self, bits: f64) {
        self.t += bits * self.period;
    }
    /// A frame: start bit, `d` LSB first, the stop bit `stop`.
    fn frame(&mut self, d: u8, stop: bool) {
        let t0 = self.t;
        for b in 0..10 {
            let level = match b {
                0 => false,
                1..=8 => (d >> (b - 1)) & 1 == 1,
                _ => stop,
            };
            let s = t0 + b as f64 * self.period;
            self.spans.push((s, s + self.period, level));
        }
        self.t = t0 + 10.0 * self.period;
        let ev = if stop { Ev::Byte(d) } else { Ev::FramingError };
        self.want
            .push((Self::first_record(t0) + rx_delay(self.c), ev));
    }
    /// A break: low for `bits` bit periods (>= 10): one framing error.
    fn brk(&mut self, bits: f64) {
        assert!(bits >= 10.0);
        let t0 = self.t;
        self.t = t0 + bits * self.period;
        self.spans.push((t0, self.t, false));
        self.want
            .push((Self::first_record(t0) + rx_delay(self.c), Ev::FramingError));
    }
    /// A low pulse of `len` records (1 ..= C / 2) on the idle line, then
    /// enough idle for the receiver to reject it before the next frame.
    fn glitch(&mut self, len: usize, g: &mut Gen) {
        assert!(len >= 1 && len as u32 <= self.c / 2);
        // one idle record at least after the last frame ends
        let at = Self::first_record(self.t) + 1 + g.below(self.c as u64) as usize;
        self.spans.push((at as f64, (at + len) as f64 - 0.5, false));
        self.glitches += 1;
        // the next start bit's first record is at least C + 1 records after
        // the pulse's end
        self.t = (at + len + self.c as usize + 1) as f64 + g.below(1000) as f64 / 1000.0;
    }
    /// The level of every record up to the end (plus a tail).
    fn levels(&self) -> Vec<bool> {
        let n = self.t.ceil() as usize + 12 * self.c as usize + 20;
        let mut v = vec![true; n];
        let mut i = 0;
        for (k, lv) in v.iter_mut().enumerate() {
            let t = k as f64;
            while i < self.spans.len() && self.spans[i].1 <= t {
                i += 1;
            }
            if i < self.spans.len() && self.spans[i].0 <= t {
                *lv = self.spans[i].2;
            }
        }
        v
    }
}

/// Runs the receiver on `line`'s levels and compares its events.
fn run_rx(line: &Line, what: &str) {
    let c = line.c;
    let levels = line.levels();
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_uart-rx-c{c}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_uart",
        &["snn_uart_tx.v", "snn_uart_rx.v"],
        &[
            ("CLKS_PER_BIT", c as i64),
            ("MODE", 1),
            ("N", levels.len() as i64),
        ],
    );
    let lines: Vec<String> = levels.iter().map(|&l| format!("{}", l as u8)).collect();
    let out = tb.run(&format!("rx-c{c}"), &lines, &[]);
    let cyc = parse(&out);
    assert_eq!(cyc.len(), levels.len(), "{what}: one record per cycle");
    compare_events(what, &rx_events(&cyc), &line.want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Idle between frames: often none (back to back), else up to 3 bit periods
/// at a fractional offset.
fn draw_idle(g: &mut Gen) -> f64 {
    if g.chance(40) {
        0.0
    } else {
        g.below(3000) as f64 / 1000.0
    }
}

#[test]
fn rx_decodes_a_sender_whose_clock_is_2_percent_off_either_way() {
    for (c, n) in [(4u32, 150usize), (7, 120), (16, 60), (33, 40), (868, 6)] {
        for (j, e) in [-0.02f64, 0.0, 0.02].into_iter().enumerate() {
            let mut g = Gen::new(100 + c as u64 * 7 + j as u64);
            let mut line = Line::new(c, e);
            for i in 0..n {
                let d = match i {
                    0 => 0x00,
                    1 => 0xFF,
                    2 => 0x55,
                    3 => 0xAA,
                    _ => g.below(256) as u8,
                };
                line.frame(d, true);
                line.idle(draw_idle(&mut g));
            }
            run_rx(&line, &format!("rx C={c} mismatch {e:+}"));
        }
    }
}

#[test]
fn rx_ignores_low_pulses_up_to_half_a_bit_on_an_idle_line() {
    for (c, n) in [(4u32, 120usize), (7, 100), (33, 40)] {
        let mut g = Gen::new(200 + c as u64);
        let mut line = Line::new(c, 0.0);
        // a lone 1-cycle pulse first, then frames with pulses between them
        line.glitch(1, &mut g);
        for i in 0..n {
            line.frame(g.below(256) as u8, true);
            if i % 2 == 0 {
                let len = if g.chance(50) {
                    1
                } else {
                    g.range(1, (c / 2) as i64) as usize
                };
                line.glitch(len, &mut g);
            } else {
                line.idle(draw_idle(&mut g));
            }
        }
        assert!(line.glitches > n / 2);
        run_rx(&line, &format!("rx glitches C={c}"));
    }
}

#[test]
fn rx_framing_error_pulses_err_drops_the_byte_and_the_next_byte_decodes() {
    for (c, n) in [(4u32, 80usize), (7, 60), (33, 30)] {
        for (j, e) in [-0.02f64, 0.0, 0.02].into_iter().enumerate() {
            let mut g = Gen::new(300 + c as u64 * 3 + j as u64);
            let mut line = Line::new(c, e);
            let mut errors = 0;
            for i in 0..n {
                let d = g.below(256) as u8;
                match (i % 4, g.below(3)) {
                    // a good frame
                    (0 | 1, _) => {
                        line.frame(d, true);
                        line.idle(draw_idle(&mut g));
                    }
                    // a low stop bit, then the line idle for a bit or more
                    (2, _) | (3, 0 | 1) => {
                        line.frame(d, false);
                        line.idle(1.0 + g.below(2000) as f64 / 1000.0);
                        errors += 1;
                    }
                    // a break of 1 to 4 frames
                    _ => {
                        line.brk(g.range(10, 40) as f64 + 0.5);
                        line.idle(1.0 + g.below(2000) as f64 / 1000.0);
                        errors += 1;
                    }
                }
            }
            // the last frames are good
            line.frame(0x5A, true);
            line.frame(0xC3, true);
            assert!(errors >= n / 4);
            run_rx(&line, &format!("rx framing C={c} mismatch {e:+}"));
        }
    }
}

// ---------------------------------------------------------------- parameters

#[test]
fn clks_per_bit_3_fails_elaboration_and_4_elaborates() {
    require_tool("iverilog", "iverilog");
    require_tool("verilator", "verilator");
    let dir = scratch_dir(env!("CARGO_TARGET_TMPDIR").as_ref(), "snn_uart-elab");
    for module in ["snn_uart_tx", "snn_uart_rx"] {
        for (c, legal) in [(3, false), (4, true)] {
            let (iv_ok, iv_log) = iverilog_elaborate(&dir, module, c);
            let (vl_ok, vl_log) = verilator_lint(module, c);
            if legal {
                assert!(
                    iv_ok && iv_log.trim().is_empty(),
                    "{module} C={c}:\n{iv_log}"
                );
                assert!(
                    vl_ok && vl_log.trim().is_empty(),
                    "{module} C={c}:\n{vl_log}"
                );
            } else {
                assert!(!iv_ok, "iverilog accepted {module} CLKS_PER_BIT={c}");
                assert!(
                    iv_log.contains(&format!(
                        "Unknown module type: {module}__CLKS_PER_BIT_must_be_at_least_4"
                    )),
                    "{module}: {iv_log}"
                );
                assert!(!vl_ok, "verilator accepted {module} CLKS_PER_BIT={c}");
                assert!(
                    vl_log.contains(&format!("{module}: CLKS_PER_BIT (3) must be >= 4")),
                    "{module}: {vl_log}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn iverilog_elaborate(dir: &Path, module: &str, c: i64) -> (bool, String) {
    let out = Command::new("iverilog")
        .arg("-g2005")
        .arg("-Wall")
        .arg("-o")
        .arg(dir.join(format!("{module}.vvp")))
        .arg("-s")
        .arg(module)
        .arg(format!("-P{module}.CLKS_PER_BIT={c}"))
        .arg(hdl_file(&format!("{module}.v")))
        .output()
        .expect("run iverilog");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn verilator_lint(module: &str, c: i64) -> (bool, String) {
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .arg(format!("-GCLKS_PER_BIT={c}"))
        .arg(hdl_file(&format!("{module}.v")))
        .output()
        .expect("run verilator");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
