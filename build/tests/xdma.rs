//! The PCIe DMA endpoint of the Alveo shells (U250, U55C): the XDMA IP's
//! script `xdma_ip.tcl`, the shell around it, `build.json`, the refusal of a
//! PCIe link the setting does not cover, and the host link's path through
//! the stream adapters simulated with the generated core.
//!
//! The IP, its script, the `IBUFDS_GTE4` and the `xpm_fifo_axis` clock
//! crossings have not been through Vivado: these tests check what the
//! generator writes and that the shell lints against the stubs of
//! build/lint/vendor/, not that Vivado accepts it.

use std::fs;
use std::path::{Path, PathBuf};

use spikefab_boards::{lookup, Board};
use spikefab_build::shell::{
    self, LINK_MAX_PAYLOAD, LINK_SYNC_RESP, USER_BAR_VALUE, XDMA_IP, XDMA_TCL,
};
use spikefab_build::{build, BuildError, BuildOptions, BUILD_JSON};
use spikefab_host::proto::{
    read_payload, request, spike_records, words, write_payload, Cmd, Reg, Scan, Scanner, MAGIC,
    MAX_PAYLOAD, SYNC_RESP, VERSION,
};

mod common;
use common::{root, small, tiny};

fn alveo() -> Vec<Board> {
    ["u250", "u55c"]
        .iter()
        .map(|n| lookup(n).unwrap())
        .collect()
}

#[test]
fn the_shell_constants_are_the_protocols() {
    assert_eq!(USER_BAR_VALUE, MAGIC);
    assert_eq!(LINK_SYNC_RESP, SYNC_RESP);
    assert_eq!(LINK_MAX_PAYLOAD as usize, MAX_PAYLOAD);
}

#[test]
fn an_alveo_build_has_the_xdma_endpoint_and_no_tie_off() {
    for b in alveo() {
        let tmp = tempfile::tempdir().unwrap();
        let m = build(&tiny(), &small(), &b, tmp.path(), &BuildOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert!(m.files.iter().any(|f| f == XDMA_TCL), "{}", b.name);
        for f in [
            "snn_axis_to_bytes.v",
            "snn_bytes_to_axis.v",
            "snn_axil_const.v",
        ] {
            assert!(m.files.iter().any(|x| x == f), "{}: no {f}", b.name);
        }
        // the IP script: AXI-Stream, one channel each way, the link and the
        // streams of the XDMA setting, the user BAR, generated in the run
        let t = fs::read_to_string(tmp.path().join(XDMA_TCL)).unwrap();
        for want in [
            "create_ip -name xdma -vendor xilinx.com -library ip -version 4.1 -module_name spikefab_xdma -dir ip",
            "CONFIG.pl_link_cap_max_link_width {X16}",
            "CONFIG.pl_link_cap_max_link_speed {8.0_GT/s}",
            "CONFIG.ref_clk_freq {100_MHz}",
            "CONFIG.axi_data_width {512_bit}",
            "CONFIG.axisten_freq {250}",
            "CONFIG.xdma_axi_intf_mm {AXI_Stream}",
            "CONFIG.xdma_rnum_chnl {1}",
            "CONFIG.xdma_wnum_chnl {1}",
            "CONFIG.axilite_master_en {true}",
            "] [get_ips spikefab_xdma]",
            "set_property generate_synth_checkpoint false [get_files spikefab_xdma.xci]",
            "generate_target all [get_ips spikefab_xdma]",
            "not run through Vivado",
        ] {
            assert!(t.contains(want), "{}: {XDMA_TCL} has no {want:?}:\n{t}", b.name);
        }
        // build.tcl creates the IP before it reads the sources
        let bt = fs::read_to_string(tmp.path().join("build.tcl")).unwrap();
        let src = bt
            .find("source xdma_ip.tcl")
            .expect("build.tcl sources the IP");
        assert!(src < bt.find("read_verilog {").unwrap());
        assert!(src > bt.find("create_project -in_memory").unwrap());
        // the shell: the lanes, the IP, the clock crossings, the adapters,
        // the user BAR; no tie-off
        let s = fs::read_to_string(tmp.path().join("spikefab_shell.v")).unwrap();
        for want in [
            "output wire [15:0] pcie_tx_p_o,",
            "input  wire [15:0] pcie_rx_n_i,",
            "IBUFDS_GTE4 #(",
            ".I    (pcie_refclk_p_i),",
            &format!("{XDMA_IP} u_xdma ("),
            ".sys_rst_n           (pcie_perst_ni),",
            ") u_h2c_fifo (",
            ") u_c2h_fifo (",
            ".CLOCKING_MODE   (\"independent_clock\"),",
            ".s_aclk             (xdma_clk),",
            ".m_aclk             (xdma_clk),",
            ") u_h2c_bytes (",
            ") u_c2h_axis (",
            ".SYNC   (8'h5A),",
            ".MAX_LEN(240)",
            ".READ_VALUE(32'h464B5053)",
            "assign rst_req = board_rst | ~mmcm_locked | ~xdma_rst_n;",
        ] {
            assert!(s.contains(want), "{}: the shell has no {want:?}", b.name);
        }
        assert!(!s.contains("tied off"), "{}: a tie-off is left", b.name);
        assert!(!s.contains("assign link_tx_ready = 1'b1"), "{}", b.name);
        // the lint-only stub of the IP has the setting's widths
        let stub = shell_stub("spikefab_xdma.v");
        let x = shell::xdma(&b).unwrap();
        assert!(stub.contains(&format!("[{}:0]  pci_exp_txp", x.lanes - 1)));
        assert!(stub.contains(&format!("[{}:0] s_axis_c2h_tdata_0", x.data_w - 1)));
        assert!(stub.contains(&format!("[{}:0]  m_axis_h2c_tkeep_0", x.data_w / 8 - 1)));
        // build.json
        let j: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(tmp.path().join(BUILD_JSON)).unwrap())
                .unwrap();
        assert_eq!(j["link"]["kind"], "pcie");
        assert_eq!(j["link"]["pcie"]["ip"], "spikefab_xdma");
        assert_eq!(j["link"]["pcie"]["lanes"], 16);
        assert_eq!(j["link"]["pcie"]["generation"], 3);
        assert_eq!(j["link"]["pcie"]["stream_bits"], 512);
        assert_eq!(j["link"]["pcie"]["axi_mhz"], 250);
        assert!(j["link"]["host_side"]
            .as_str()
            .unwrap()
            .contains("/dev/xdma<N>_h2c_0"));
        let readme = fs::read_to_string(tmp.path().join("README.txt")).unwrap();
        assert!(readme.contains("--xdma 0"), "{readme}");
    }
}

fn shell_stub(name: &str) -> String {
    spikefab_build::lint::VENDOR_STUBS
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| panic!("no stub {name}"))
}

#[test]
fn a_pcie_link_the_xdma_setting_does_not_cover_is_refused_before_anything_is_written() {
    let text = fs::read_to_string(root().join("../boards/alveo_u250.toml")).unwrap();
    for (from, to, says) in [
        ("lanes = 16", "lanes = 8", "Gen3 x8"),
        ("generation = 3", "generation = 2", "Gen2 x16"),
        ("refclk_mhz = 100.0", "refclk_mhz = 250.0", "250 MHz"),
        ("dma = \"xdma\"", "dma = \"qdma\"", "XDMA IP only"),
    ] {
        let changed = text.replace(from, to);
        assert_ne!(changed, text, "{from}");
        let b = spikefab_boards::parse("alveo_u250.toml", &changed).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("x");
        let e = build(&tiny(), &small(), &b, &out, &BuildOptions::default()).unwrap_err();
        assert!(matches!(e, BuildError::HostLink { .. }), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("board alveo_u250: its host link") && msg.contains(says),
            "{msg}"
        );
        assert!(!out.exists(), "nothing may be written");
    }
}

/// One c2h beat: the kept bytes and TLAST.
#[derive(Debug, Clone, PartialEq)]
struct Beat {
    bytes: Vec<u8>,
    last: bool,
}

/// The bytes of a `%h` number, least significant first; `None` for a byte
/// with x or z bits (TDATA bytes marked low by TKEEP may be uninitialized).
fn hex_bytes_le(hex: &str) -> Vec<Option<u8>> {
    // the most significant byte first in the text
    let mut v: Vec<Option<u8>> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect();
    v.reverse();
    v
}

/// Simulates the host-link path of an Alveo build directory
/// (build/tests/tb_xdma_path.v): `beats` (TKEEP bytes, TDATA bytes) into
/// the h2c side for `cycles` cycles; the c2h beats out.
fn simulate_path(
    dir: &Path,
    beats: &[(Vec<bool>, Vec<u8>)],
    cycles: u64,
    in_pct: u32,
    out_pct: u32,
) -> Vec<Beat> {
    let keep_w = 64;
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .filter(|p| !p.ends_with("spikefab_shell.v"))
        .collect();
    files.sort();
    let hex: String = beats
        .iter()
        .map(|(keep, data)| {
            let mut k = String::new();
            for c in keep.chunks(4).rev() {
                let v = c
                    .iter()
                    .enumerate()
                    .fold(0u32, |a, (i, &b)| a | ((b as u32) << i));
                k.push(char::from_digit(v, 16).unwrap());
            }
            let d: String = data.iter().rev().map(|b| format!("{b:02x}")).collect();
            format!("{k}{d}\n")
        })
        .collect();
    fs::write(dir.join("h2c.hex"), hex).unwrap();
    let vvp = dir.join("xdma_tb.vvp");
    let out = std::process::Command::new("iverilog")
        .args(["-g2005", "-Wall", "-s", "tb_xdma_path", "-o"])
        .arg(&vvp)
        .arg(format!("-Ptb_xdma_path.CYCLES={cycles}"))
        .arg(format!("-Ptb_xdma_path.N_BEATS={}", beats.len()))
        .arg(format!("-Ptb_xdma_path.IN_PCT={in_pct}"))
        .arg(format!("-Ptb_xdma_path.OUT_PCT={out_pct}"))
        .arg("-Ptb_xdma_path.SEED=12345")
        .args(&files)
        .arg(root().join("tests/tb_xdma_path.v"))
        .output()
        .expect("run iverilog (apt-get install iverilog)");
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "iverilog:\n{log}");
    let out = std::process::Command::new("vvp")
        .arg("-n")
        .arg(&vvp)
        .current_dir(dir)
        .output()
        .expect("run vvp");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.contains("TB_ERROR"), "{text}");
    let done = text
        .lines()
        .find(|l| l.starts_with("TB_DONE"))
        .unwrap_or_else(|| panic!("no TB_DONE:\n{text}"));
    assert!(
        done.contains(&format!("beats_taken={} ", beats.len())),
        "the path took every h2c beat: {done}"
    );
    text.lines()
        .filter_map(|l| l.strip_prefix("C2H "))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let keep: Vec<u8> = hex_bytes_le(f[2])
                .into_iter()
                .map(|b| b.unwrap_or_else(|| panic!("TKEEP {} has x bits", f[2])))
                .collect();
            let keep: Vec<bool> = (0..keep_w)
                .map(|i| keep[i / 8] >> (i % 8) & 1 == 1)
                .collect();
            let n = keep.iter().take_while(|&&k| k).count();
            assert!(
                n > 0 && keep[n..].iter().all(|&k| !k),
                "TKEEP {} is not set from bit 0 up",
                f[2]
            );
            let data = hex_bytes_le(f[3]);
            Beat {
                bytes: data[..n]
                    .iter()
                    .map(|b| b.unwrap_or_else(|| panic!("a kept byte has x bits: {}", f[3])))
                    .collect(),
                last: f[1] == "1",
            }
        })
        .collect()
}

/// Steps the path test runs: all done, and their spikes all read, before
/// the last of its polls.
const RUN_STEPS: u32 = 8;

#[test]
fn requests_as_xdma_transfers_get_one_tlast_packet_per_response_frame() {
    let b = lookup("u250").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    build(&tiny(), &small(), &b, tmp.path(), &BuildOptions::default()).unwrap();
    // requests back to back on the h2c stream (the stream waits while the
    // link executes and answers): each one transfer, as a write() of its
    // bytes gives, TKEEP all set but in its last beat
    let mut reqs: Vec<(Cmd, Vec<u8>)> = vec![
        (Cmd::Hello, vec![]),
        (Cmd::Read, read_payload(0, Reg::READABLE)),
        (Cmd::Write, write_payload(Reg::Pace.addr(), 0)),
        (Cmd::Write, write_payload(Reg::Run.addr(), RUN_STEPS)),
    ];
    for _ in 0..14 {
        reqs.push((Cmd::Spikes, vec![30]));
        reqs.push((Cmd::Read, read_payload(Reg::StepsDone.addr(), 1)));
    }
    let mut beats = Vec::new();
    for (k, (c, p)) in reqs.iter().enumerate() {
        let f = request(k as u8 + 1, *c, p).unwrap();
        for chunk in f.chunks(64) {
            let mut keep = vec![false; 64];
            let mut data = vec![0xEEu8; 64];
            for (i, &x) in chunk.iter().enumerate() {
                keep[i] = true;
                data[i] = x;
            }
            beats.push((keep, data));
        }
    }
    for (in_pct, out_pct) in [(100, 100), (40, 30)] {
        let got = simulate_path(tmp.path(), &beats, 60_000, in_pct, out_pct);
        // cut at TLAST: each packet exactly one response frame
        let mut packets: Vec<Vec<u8>> = Vec::new();
        let mut cur = Vec::new();
        for bt in &got {
            assert!(
                bt.last || bt.bytes.len() == 64,
                "a short beat without TLAST"
            );
            cur.extend_from_slice(&bt.bytes);
            if bt.last {
                packets.push(std::mem::take(&mut cur));
            }
        }
        assert!(cur.is_empty(), "bytes after the last TLAST: {cur:?}");
        assert_eq!(packets.len(), reqs.len(), "one packet per request");
        let mut spikes = Vec::new();
        let mut done = 0;
        for (k, (p, (c, _))) in packets.iter().zip(&reqs).enumerate() {
            let scans = Scanner::new(SYNC_RESP).push(p);
            let f = match scans.as_slice() {
                [Scan::Frame(f)] => f.clone(),
                other => panic!("packet {k} is not exactly one frame: {other:?}"),
            };
            assert_eq!((f.seq, f.cmd, f.status), (k as u8 + 1, *c as u8, 0), "{k}");
            match c {
                Cmd::Hello => {
                    let w = words(&f.payload).unwrap();
                    assert_eq!(w[..2], [MAGIC, VERSION]);
                }
                Cmd::Spikes => spikes.extend(spike_records(&f.payload).unwrap()),
                Cmd::Read if f.payload.len() == 4 => done = words(&f.payload).unwrap()[0],
                _ => {}
            }
        }
        assert_eq!(
            done, RUN_STEPS,
            "the run's steps, all done by the last poll"
        );
        // the spikes are the reference's
        let mut e = spikefab_gen::build_core_model(&tiny(), &small(), 1)
            .unwrap()
            .into_engine();
        let mut want = Vec::new();
        for t in 0..done {
            want.extend(
                e.step()
                    .iter()
                    .map(|&n| spikefab_host::proto::SpikeRecord { step: t, neuron: n }),
            );
        }
        spikes.sort_unstable();
        want.sort_unstable();
        assert!(
            !want.is_empty(),
            "the tiny network spikes in {RUN_STEPS} steps"
        );
        assert_eq!(
            spikes, want,
            "valid {in_pct}%, ready {out_pct}%: the spikes of {RUN_STEPS} steps"
        );
        println!(
            "xdma path (valid {in_pct}%, ready {out_pct}%): {} requests, {} c2h beats, {} steps, {} spikes",
            reqs.len(),
            got.len(),
            done,
            spikes.len()
        );
    }
}
