//! hdl/snn_axis_to_bytes.v and hdl/snn_bytes_to_axis.v (the host link's
//! AXI4-Stream adapters for the XDMA IP, docs/runtime.md) through
//! hdltest/tb/tb_snn_axis_bytes.v, with TDATA 8, 24, 56, 64 and 512 bits
//! wide, each under the four stall settings of `STALLS` (none, random on both
//! sides, a slow source, a slow sink). The frames are made by
//! `spikefab_host::proto`: random payloads of 0 to 240 bytes, the empty and
//! the 240-byte payload always among them, and lengths that put a frame's
//! end on, just before and just after a beat boundary.
//!
//! - AXI4-Stream to bytes: request frames cut into beats three ways (one
//!   transfer per frame with TKEEP all set but in its last beat, as the XDMA
//!   h2c stream delivers a write(); random sparse TKEEP masks with garbage
//!   in the bytes marked low; the same with empty beats and single bytes
//!   among them): the bytes out are the kept bytes in order (none lost,
//!   added, duplicated or reordered), and without stalls one byte leaves
//!   per clock across beats.
//! - Bytes to AXI4-Stream: response frames back to back: every beat's TKEEP
//!   is set from bit 0 up, every beat but a packet's last is full, the
//!   packets (cut at TLAST) are exactly the frames, and the beats are
//!   exactly the model's; without stalls one byte is taken per clock. Bytes
//!   that are no frame (a stray byte, a length above 240) make the packets
//!   the model says, and the frames after them come out whole.
//! - The comparators fail on a lost, duplicated or reordered byte and on a
//!   missing or extra TLAST (mutated records of a real run).
//! - Illegal parameters are in hdltest/tests/lint.rs (`ILLEGAL`).

use spikefab_hdltest::{compile_tb, scratch_dir, Gen, TbOutput, Testbench, STALLS};
use spikefab_host::proto::{encode, request, Cmd, MAX_PAYLOAD, SYNC_RESP};

/// The widths tested: one byte, odd byte counts (3 and 7 bytes), the
/// XDMA's 64 bits and the Alveo shells' 512.
const WIDTHS: [u32; 5] = [8, 24, 56, 64, 512];

/// Payload lengths: the empty and the largest first, then lengths whose
/// frame (10 + len bytes) ends on a beat boundary or one byte either side,
/// then random ones.
fn payload_lens(keep_w: usize, n: usize, g: &mut Gen) -> Vec<usize> {
    let mut v = vec![0, MAX_PAYLOAD, 1, MAX_PAYLOAD - 1];
    for m in 1..=4usize {
        let f = m * keep_w.max(11);
        for d in [f.wrapping_sub(1), f, f + 1] {
            if (10..=10 + MAX_PAYLOAD).contains(&d) {
                v.push(d - 10);
            }
        }
    }
    while v.len() < n {
        v.push(g.below(MAX_PAYLOAD as u64 + 1) as usize);
    }
    // shuffle, keeping the empty payload first
    for i in (2..v.len()).rev() {
        let j = 1 + g.below(i as u64) as usize;
        v.swap(i, j);
    }
    v
}

fn payload(len: usize, g: &mut Gen) -> Vec<u8> {
    (0..len).map(|_| g.below(256) as u8).collect()
}

fn request_frames(keep_w: usize, n: usize, g: &mut Gen) -> Vec<Vec<u8>> {
    payload_lens(keep_w, n, g)
        .into_iter()
        .enumerate()
        .map(|(k, len)| {
            let cmd = Cmd::ALL[k % Cmd::ALL.len()];
            request(k as u8, cmd, &payload(len, g)).unwrap()
        })
        .collect()
}

fn response_frames(keep_w: usize, n: usize, g: &mut Gen) -> Vec<Vec<u8>> {
    payload_lens(keep_w, n, g)
        .into_iter()
        .enumerate()
        .map(|(k, len)| {
            encode(
                SYNC_RESP,
                k as u8,
                g.below(5) as u8,
                g.below(5) as u8,
                &payload(len, g),
            )
            .unwrap()
        })
        .collect()
}

/// Runs the bench of `mode` at `data_w` on `lines` under every stall
/// setting; the outputs, in `STALLS` order.
fn run_all(data_w: u32, mode: u32, lines: &[String], seed: u64, tag: &str) -> Vec<TbOutput> {
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_axis_bytes-{tag}-w{data_w}"),
    );
    let tb: Testbench = compile_tb(
        &dir,
        "tb_snn_axis_bytes",
        &["snn_axis_to_bytes.v", "snn_bytes_to_axis.v"],
        &[
            ("DATA_W", i64::from(data_w)),
            ("MODE", i64::from(mode)),
            ("N", lines.len() as i64),
        ],
    );
    let outs = STALLS
        .iter()
        .enumerate()
        .map(|(k, (name, in_pct, out_pct))| {
            let s = (seed.wrapping_mul(0x9E37_79B9).wrapping_add(k as u64 * 7919) as u32) | 1;
            tb.run(
                &format!("{tag}-{name}"),
                lines,
                &[
                    format!("seed={s}"),
                    format!("in_pct={in_pct}"),
                    format!("out_pct={out_pct}"),
                ],
            )
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    outs
}

// ---------------------------------------------------------------- AXI4-Stream to bytes

/// One input beat: TKEEP, and the bytes of TDATA (lane 0 first).
#[derive(Debug, Clone)]
struct InBeat {
    keep: Vec<bool>,
    data: Vec<u8>,
}

impl InBeat {
    /// `{tkeep, tdata}` in hex, as `$readmemh` reads a wide word.
    fn hex(&self) -> String {
        let keep_w = self.keep.len();
        let mut bits = vec![false; keep_w * 9];
        for (k, &b) in self.data.iter().enumerate() {
            for i in 0..8 {
                bits[8 * k + i] = (b >> i) & 1 == 1;
            }
        }
        for (k, &kp) in self.keep.iter().enumerate() {
            bits[8 * keep_w + k] = kp;
        }
        let nd = bits.len().div_ceil(4);
        (0..nd)
            .rev()
            .map(|d| {
                let v = (0..4)
                    .map(|i| bits.get(4 * d + i).copied().unwrap_or(false) as u32)
                    .enumerate()
                    .fold(0, |a, (i, b)| a | (b << i));
                char::from_digit(v, 16).unwrap()
            })
            .collect()
    }
    fn kept(&self) -> impl Iterator<Item = u8> + '_ {
        self.data
            .iter()
            .zip(&self.keep)
            .filter(|(_, &k)| k)
            .map(|(&d, _)| d)
    }
}

/// How the bytes are cut into beats.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cut {
    /// One transfer per frame: TKEEP all set but in its last beat, set from
    /// bit 0 up there (the XDMA h2c stream).
    Xdma,
    /// Random masks (never empty), garbage in the bytes marked low.
    Sparse,
    /// Random masks with empty beats and single bytes among them.
    SparseWithEmpty,
}

fn cut(frames: &[Vec<u8>], keep_w: usize, how: Cut, g: &mut Gen) -> Vec<InBeat> {
    let mut beats = Vec::new();
    let garbage = |g: &mut Gen| g.below(256) as u8;
    match how {
        Cut::Xdma => {
            for f in frames {
                for chunk in f.chunks(keep_w) {
                    let mut b = InBeat {
                        keep: vec![false; keep_w],
                        data: (0..keep_w).map(|_| garbage(g)).collect(),
                    };
                    for (k, &d) in chunk.iter().enumerate() {
                        b.keep[k] = true;
                        b.data[k] = d;
                    }
                    beats.push(b);
                }
            }
        }
        Cut::Sparse | Cut::SparseWithEmpty => {
            let bytes: Vec<u8> = frames.concat();
            let mut at = 0;
            while at < bytes.len() {
                let mut b = InBeat {
                    keep: vec![false; keep_w],
                    data: (0..keep_w).map(|_| garbage(g)).collect(),
                };
                let kind = g.below(8);
                if how == Cut::SparseWithEmpty && kind == 0 {
                    beats.push(b); // empty: TKEEP all low
                    continue;
                }
                let single = how == Cut::SparseWithEmpty && kind == 1;
                loop {
                    for k in 0..keep_w {
                        let set = if single { false } else { g.chance(60) };
                        if set && at < bytes.len() {
                            b.keep[k] = true;
                            b.data[k] = bytes[at];
                            at += 1;
                        }
                    }
                    if single || b.keep.iter().any(|&k| k) {
                        break;
                    }
                }
                if single {
                    let k = g.below(keep_w as u64) as usize;
                    b.keep[k] = true;
                    b.data[k] = bytes[at];
                    at += 1;
                }
                beats.push(b);
            }
        }
    }
    beats
}

/// The bytes a run recorded: (cycle, byte).
fn bytes_out(out: &TbOutput) -> Vec<(i64, u8)> {
    out.records
        .iter()
        .map(|r| {
            assert_eq!(r.len(), 2, "{r:?}");
            (r[0] as i64, r[1] as u8)
        })
        .collect()
}

/// The byte stream out against the one expected: `Err` names the first
/// difference (a lost, added, duplicated or reordered byte).
fn check_bytes(got: &[u8], want: &[u8]) -> Result<(), String> {
    if let Some(i) = got.iter().zip(want).position(|(g, w)| g != w) {
        let lo = i.saturating_sub(3);
        return Err(format!(
            "byte {i} is {:#04x}, expected {:#04x} (got {:02x?} .., expected {:02x?} .. from byte {lo})",
            got[i],
            want[i],
            &got[lo..(i + 4).min(got.len())],
            &want[lo..(i + 4).min(want.len())]
        ));
    }
    if got.len() != want.len() {
        return Err(format!(
            "{} bytes out, expected {} (bytes lost or added at the end)",
            got.len(),
            want.len()
        ));
    }
    Ok(())
}

#[test]
fn axis_to_bytes_sends_every_kept_byte_once_in_order_under_random_backpressure() {
    for (wi, &w) in WIDTHS.iter().enumerate() {
        let keep_w = (w / 8) as usize;
        for (ci, how) in [Cut::Xdma, Cut::Sparse, Cut::SparseWithEmpty]
            .into_iter()
            .enumerate()
        {
            let seed = 1000 + wi as u64 * 10 + ci as u64;
            let mut g = Gen::new(seed);
            let n_frames = if w >= 512 { 24 } else { 18 };
            let frames = request_frames(keep_w, n_frames, &mut g);
            let beats = cut(&frames, keep_w, how, &mut g);
            let want: Vec<u8> = beats.iter().flat_map(|b| b.kept()).collect();
            assert_eq!(want, frames.concat(), "the cut keeps every byte");
            let lines: Vec<String> = beats.iter().map(InBeat::hex).collect();
            let outs = run_all(w, 0, &lines, seed, &format!("h2c-{how:?}"));
            for (out, (name, _, _)) in outs.iter().zip(STALLS) {
                let what = format!("DATA_W={w} {how:?} {name}");
                let done = out.done.expect("checked by run");
                assert_eq!(done.sent as usize, beats.len(), "{what}: beats taken");
                let got = bytes_out(out);
                let bytes: Vec<u8> = got.iter().map(|x| x.1).collect();
                check_bytes(&bytes, &want).unwrap_or_else(|e| panic!("{what}: {e}"));
                if name == "no-stalls" {
                    // the first byte in the output register at the edge after
                    // its beat is taken, out at the next, then one byte per
                    // clock (an empty beat costs one clock)
                    let lead = beats.iter().take_while(|b| !b.keep.contains(&true)).count();
                    assert_eq!(done.first_latency, 2 + lead as i64, "{what}: latency");
                    let empty = beats.iter().filter(|b| !b.keep.contains(&true)).count() as i64;
                    let span = got.last().unwrap().0 - got[0].0 + 1;
                    assert!(
                        span <= want.len() as i64 + empty,
                        "{what}: {} bytes took {span} clocks ({empty} empty beats)",
                        want.len()
                    );
                    if empty == 0 {
                        assert_eq!(span, want.len() as i64, "{what}: one byte per clock");
                    }
                }
            }
            println!(
                "snn_axis_to_bytes DATA_W={w} {how:?}: {} beats, {} bytes, 4 stall settings",
                beats.len(),
                want.len()
            );
        }
    }
}

// ---------------------------------------------------------------- bytes to AXI4-Stream

/// One output beat: the kept bytes (TKEEP from bit 0 up) and TLAST.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Beat {
    bytes: Vec<u8>,
    last: bool,
}

/// The beats a run recorded: (cycle, beat). Panics on a TKEEP that is not
/// set from bit 0 up (a gap, or a byte marked above an unmarked one).
fn beats_out(out: &TbOutput, keep_w: usize, what: &str) -> Vec<(i64, Beat)> {
    out.records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            assert_eq!(r.len(), 2 + 2 * keep_w, "{what}: record {i}: {r:?}");
            let keep: Vec<bool> = (0..keep_w).map(|k| r[2 + 2 * k] != 0).collect();
            let n = keep.iter().take_while(|&&k| k).count();
            assert!(
                n > 0 && keep[n..].iter().all(|&k| !k),
                "{what}: beat {i}: TKEEP {keep:?} is not set from bit 0 up (or is empty)"
            );
            let bytes = (0..n).map(|k| r[3 + 2 * k] as u8).collect();
            (
                r[0] as i64,
                Beat {
                    bytes,
                    last: r[1] != 0,
                },
            )
        })
        .collect()
}

/// The model: the packets a byte stream makes (the parser of
/// snn_bytes_to_axis: a header's first byte other than `sync` alone, a
/// length above `max_len` ends the packet at the header, else 10 + len
/// bytes), each cut into beats of `keep_w` bytes, TLAST on the last.
fn model_beats(bytes: &[u8], keep_w: usize, sync: u8, max_len: usize) -> Vec<Beat> {
    let mut packets: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let n = if rest[0] != sync {
            1
        } else if rest.len() < 6 {
            rest.len()
        } else {
            let len = usize::from(u16::from_le_bytes([rest[4], rest[5]]));
            if len > max_len {
                6
            } else {
                (10 + len).min(rest.len())
            }
        };
        packets.push(&rest[..n]);
        at += n;
    }
    let mut v = Vec::new();
    for p in packets {
        let chunks: Vec<&[u8]> = p.chunks(keep_w).collect();
        for (k, c) in chunks.iter().enumerate() {
            v.push(Beat {
                bytes: c.to_vec(),
                last: k + 1 == chunks.len(),
            });
        }
    }
    v
}

/// The beats out against the ones expected: `Err` names the first
/// difference (a lost, added, duplicated or reordered byte, a missing or
/// extra TLAST, a beat cut short).
fn check_beats(got: &[Beat], want: &[Beat]) -> Result<(), String> {
    let flat = |bs: &[Beat]| -> Vec<u8> { bs.iter().flat_map(|b| b.bytes.clone()).collect() };
    check_bytes(&flat(got), &flat(want)).map_err(|e| format!("the bytes: {e}"))?;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g != w {
            return Err(format!("beat {i} is {g:?}, expected {w:?}"));
        }
    }
    if got.len() != want.len() {
        return Err(format!("{} beats, expected {}", got.len(), want.len()));
    }
    Ok(())
}

/// Packets cut at TLAST (a model-free view of the beats).
fn packets(beats: &[Beat]) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    let mut cur = Vec::new();
    for b in beats {
        cur.extend_from_slice(&b.bytes);
        if b.last {
            v.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        v.push(cur);
    }
    v
}

/// Runs the bytes-to-AXI4-Stream bench on `bytes`; per stall setting, the
/// beats out. Checks what holds for any byte stream: the beats against the
/// model, TKEEP from bit 0 up, every beat full but a packet's last, and,
/// without stalls, one byte taken per clock.
fn run_c2h(w: u32, bytes: &[u8], seed: u64, tag: &str) -> Vec<Vec<Beat>> {
    let keep_w = (w / 8) as usize;
    let lines: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let want = model_beats(bytes, keep_w, SYNC_RESP, MAX_PAYLOAD);
    let outs = run_all(w, 1, &lines, seed, tag);
    let mut all = Vec::new();
    for (out, (name, _, _)) in outs.iter().zip(STALLS) {
        let what = format!("DATA_W={w} {tag} {name}");
        let done = out.done.expect("checked by run");
        assert_eq!(done.sent as usize, bytes.len(), "{what}: bytes taken");
        let got = beats_out(out, keep_w, &what);
        for (i, (_, b)) in got.iter().enumerate() {
            assert!(
                b.last || b.bytes.len() == keep_w,
                "{what}: beat {i} has {} bytes and no TLAST",
                b.bytes.len()
            );
        }
        let beats: Vec<Beat> = got.iter().map(|x| x.1.clone()).collect();
        check_beats(&beats, &want).unwrap_or_else(|e| panic!("{what}: {e}"));
        if name == "no-stalls" {
            // a byte a clock: the last beat leaves one clock after the last
            // byte is taken
            assert_eq!(
                done.span,
                bytes.len() as i64,
                "{what}: {} bytes in, last beat out {} clocks after the first byte",
                bytes.len(),
                done.span
            );
        }
        all.push(beats);
    }
    all
}

#[test]
fn bytes_to_axis_ends_every_frame_with_tlast_under_random_backpressure() {
    for (wi, &w) in WIDTHS.iter().enumerate() {
        let keep_w = (w / 8) as usize;
        let seed = 2000 + wi as u64;
        let mut g = Gen::new(seed);
        let n_frames = if w >= 512 { 30 } else { 22 };
        let frames = response_frames(keep_w, n_frames, &mut g);
        let bytes = frames.concat();
        for beats in run_c2h(w, &bytes, seed, "c2h") {
            // model-free: the packets are the frames
            assert_eq!(
                packets(&beats),
                frames,
                "DATA_W={w}: the packets cut at TLAST are not the frames"
            );
        }
        println!(
            "snn_bytes_to_axis DATA_W={w}: {} frames, {} bytes, 4 stall settings",
            frames.len(),
            bytes.len()
        );
    }
}

#[test]
fn bytes_to_axis_resynchronizes_after_bytes_that_are_no_frame() {
    for (wi, &w) in [8u32, 56, 512].iter().enumerate() {
        let keep_w = (w / 8) as usize;
        let seed = 3000 + wi as u64;
        let mut g = Gen::new(seed);
        let frames = response_frames(keep_w, 12, &mut g);
        let mut bytes = Vec::new();
        let mut whole = Vec::new();
        for (k, f) in frames.iter().enumerate() {
            match k % 4 {
                // stray bytes that are not the sync byte
                1 => bytes.extend_from_slice(&[0x00, 0xA5, 0xFF]),
                // a header whose length is above 240: ends at the header
                2 => bytes.extend_from_slice(&[SYNC_RESP, 7, 1, 0, 241, 0]),
                3 => bytes.extend_from_slice(&[SYNC_RESP, 7, 1, 0, 0xFF, 0xFF]),
                _ => {}
            }
            bytes.extend_from_slice(f);
            whole.push(f.clone());
        }
        for beats in run_c2h(w, &bytes, seed, "c2h-garbage") {
            let p = packets(&beats);
            for f in &whole {
                assert!(
                    p.contains(f),
                    "DATA_W={w}: a frame after garbage is not a packet of its own"
                );
            }
        }
    }
}

// ---------------------------------------------------------------- the comparators fail

#[test]
fn the_comparators_fail_on_a_lost_duplicated_or_reordered_byte_and_a_wrong_tlast() {
    let w = 64u32;
    let keep_w = 8;
    let mut g = Gen::new(4000);
    let frames = response_frames(keep_w, 6, &mut g);
    let bytes = frames.concat();
    let beats = run_c2h(w, &bytes, 4000, "c2h-mut").swap_remove(1);
    let want = model_beats(&bytes, keep_w, SYNC_RESP, MAX_PAYLOAD);
    assert_eq!(check_beats(&beats, &want), Ok(()));
    // a beat that is full and not a frame's last, to mutate
    let i = beats
        .iter()
        .position(|b| !b.last && b.bytes.len() == keep_w && b.bytes[2] != b.bytes[3])
        .expect("a full inner beat");
    let last = beats.iter().position(|b| b.last).unwrap();
    type Mutation = (&'static str, Box<dyn Fn(&mut Vec<Beat>)>);
    let mutations: Vec<Mutation> = vec![
        (
            "lost byte",
            Box::new(move |b: &mut Vec<Beat>| {
                b[i].bytes.remove(3);
            }),
        ),
        (
            "duplicated byte",
            Box::new(move |b: &mut Vec<Beat>| {
                let x = b[i].bytes[3];
                b[i].bytes.insert(3, x);
            }),
        ),
        (
            "reordered bytes",
            Box::new(move |b: &mut Vec<Beat>| b[i].bytes.swap(2, 3)),
        ),
        (
            "missing TLAST",
            Box::new(move |b: &mut Vec<Beat>| b[last].last = false),
        ),
        (
            "extra TLAST",
            Box::new(move |b: &mut Vec<Beat>| b[i].last = true),
        ),
        (
            "lost beat",
            Box::new(move |b: &mut Vec<Beat>| {
                b.remove(i);
            }),
        ),
        (
            "duplicated beat",
            Box::new(move |b: &mut Vec<Beat>| {
                let x = b[i].clone();
                b.insert(i, x);
            }),
        ),
    ];
    for (name, m) in &mutations {
        let mut bad = beats.clone();
        m(&mut bad);
        let e = check_beats(&bad, &want);
        assert!(e.is_err(), "{name}: the comparator accepted it");
        println!("{name}: {}", e.unwrap_err());
    }
    // the byte comparator of the other direction
    let good: Vec<u8> = bytes.clone();
    let mut lost = good.clone();
    lost.remove(17);
    let mut dup = good.clone();
    dup.insert(17, good[17]);
    let mut swapped = good.clone();
    let j = (17..good.len() - 1)
        .find(|&j| good[j] != good[j + 1])
        .unwrap();
    swapped.swap(j, j + 1);
    for (name, bad) in [("lost", lost), ("duplicated", dup), ("reordered", swapped)] {
        assert!(check_bytes(&bad, &good).is_err(), "{name} byte accepted");
    }
    assert_eq!(check_bytes(&good, &good), Ok(()));
}
