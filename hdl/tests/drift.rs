//! The interface written in Rust against the Verilog itself: every block is
//! elaborated by Verilator (`--xml-only`) for several parameter sets, widths
//! that are not powers of two among them, and the port list Verilator
//! reports (names, order, directions, widths, signedness) must equal the
//! description's. A port added to the Verilog only, or to the Rust only,
//! fails here; `drift_check_names_a_port_added_to_the_verilog_only` shows
//! that it does.
//!
//! Verilator is required (`scripts/setup.sh` installs it): a missing tool is
//! a failure that says how to install it, never a skip.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use spikefab_hdl::core::CoreParams;
use spikefab_hdl::mesh::MeshTopParams;
use spikefab_hdl::noc::{NocMeshParams, NocRouterParams};
use spikefab_hdl::sources::{self, Source};
use spikefab_hdl::{Dir, Param, Port};

/// A port as Verilator elaborates it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Elaborated {
    name: String,
    dir: Dir,
    width: u32,
    signed: bool,
}

/// Elaborate `top` from `sources` with `params`; its ports in order.
fn elaborate(sources: &[Source], top: &str, params: &[Param]) -> Result<Vec<Elaborated>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    for s in sources {
        let p = dir.path().join(s.file);
        std::fs::write(&p, s.text).map_err(|e| e.to_string())?;
        files.push(p);
    }
    let xml = dir.path().join("out.xml");
    let mut cmd = Command::new("verilator");
    cmd.arg("--xml-only")
        .arg("--top-module")
        .arg(top)
        .arg("--xml-output")
        .arg(&xml)
        .arg("-Wno-fatal");
    for p in params {
        cmd.arg(format!("-G{}={}", p.name, p.value));
    }
    cmd.args(&files).current_dir(dir.path());
    let out = cmd.output().map_err(|e| {
        format!("cannot run verilator ({e}); install it with `apt-get install verilator` or run scripts/setup.sh")
    })?;
    if !out.status.success() {
        return Err(format!(
            "verilator --xml-only {top} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = std::fs::read_to_string(&xml).map_err(|e| e.to_string())?;
    ports_of(&text, top)
}

/// The ports of the top module in Verilator's XML.
fn ports_of(xml: &str, top: &str) -> Result<Vec<Elaborated>, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let mut types: HashMap<&str, (u32, bool)> = HashMap::new();
    for n in doc.descendants().filter(|n| n.has_tag_name("basicdtype")) {
        let int = |a: &str| n.attribute(a).and_then(|v| v.parse::<i64>().ok());
        let width = match (int("left"), int("right")) {
            (Some(l), Some(r)) => (l - r).unsigned_abs() as u32 + 1,
            _ => 1,
        };
        if let Some(id) = n.attribute("id") {
            types.insert(id, (width, n.attribute("signed") == Some("true")));
        }
    }
    let module = doc
        .descendants()
        .find(|n| n.has_tag_name("module") && n.attribute("topModule") == Some("1"))
        .ok_or_else(|| format!("no top module {top} in the XML"))?;
    let mut ports = Vec::new();
    for v in module.children().filter(|n| n.has_tag_name("var")) {
        let Some(dir) = v.attribute("dir") else {
            continue;
        };
        let name = v.attribute("name").unwrap_or_default().to_string();
        let dtype = v.attribute("dtype_id").unwrap_or_default();
        let &(width, signed) = types
            .get(dtype)
            .ok_or_else(|| format!("port {name}: unknown dtype {dtype}"))?;
        let dir = match dir {
            "input" => Dir::In,
            "output" => Dir::Out,
            d => return Err(format!("port {name}: direction {d} is not input or output")),
        };
        ports.push(Elaborated {
            name,
            dir,
            width,
            signed,
        });
    }
    Ok(ports)
}

/// Every difference between the description and the elaborated module.
fn drift(described: &[Port], elaborated: &[Elaborated]) -> Vec<String> {
    let mut d = Vec::new();
    let want: Vec<Elaborated> = described
        .iter()
        .map(|p| Elaborated {
            name: p.name.clone(),
            dir: p.dir,
            width: p.width,
            signed: p.declared_signed(),
        })
        .collect();
    for e in elaborated {
        match want.iter().find(|w| w.name == e.name) {
            None => d.push(format!(
                "port {} ({} {} bits) is in the Verilog but not in the Rust description",
                e.name,
                e.dir.as_str(),
                e.width
            )),
            Some(w) if w != e => d.push(format!(
                "port {}: Rust says {} {} bits{}, Verilog says {} {} bits{}",
                e.name,
                w.dir.as_str(),
                w.width,
                if w.signed { " signed" } else { "" },
                e.dir.as_str(),
                e.width,
                if e.signed { " signed" } else { "" }
            )),
            Some(_) => {}
        }
    }
    for w in &want {
        if !elaborated.iter().any(|e| e.name == w.name) {
            d.push(format!(
                "port {} is in the Rust description but not in the Verilog",
                w.name
            ));
        }
    }
    if d.is_empty() {
        let a: Vec<&str> = want.iter().map(|p| p.name.as_str()).collect();
        let b: Vec<&str> = elaborated.iter().map(|p| p.name.as_str()).collect();
        if a != b {
            d.push(format!(
                "port order differs:\n  Rust:    {a:?}\n  Verilog: {b:?}"
            ));
        }
    }
    d
}

fn check(sources: &[Source], top: &str, params: &[Param], ports: &[Port]) {
    let got = elaborate(sources, top, params).unwrap_or_else(|e| panic!("{e}"));
    let d = drift(ports, &got);
    assert!(
        d.is_empty(),
        "{top} with {}: the Rust description (hdl/src/) and the Verilog disagree:\n  {}",
        params
            .iter()
            .map(|p| format!("{}={}", p.name, p.value))
            .collect::<Vec<_>>()
            .join(" "),
        d.join("\n  ")
    );
}

/// Odd single-core parameters (hw config `odd`), and a plastic mesh core
/// with widths of 7, 15 and 33 entries.
fn cores() -> Vec<CoreParams> {
    let odd = CoreParams {
        n_neurons: 100,
        n_pops: 3,
        slots: 13,
        v_bits: 21,
        i_bits: 19,
        coef_bits: 19,
        coef_frac: 17,
        ref_bits: 5,
        acc_bits: 17,
        w_bits: 11,
        w_shift: 2,
        table_len: 13,
        syn_depth: 3000,
        plastic: false,
        trace_bits: 13,
        trace_frac: 9,
        mesh: false,
        rows: 100,
        n_rules: 1,
        inc_depth: 1,
        ext: None,
        fault: 0,
        fault_step: 0,
    };
    let plastic_mesh = CoreParams {
        n_neurons: 33,
        n_pops: 7,
        syn_depth: 1500,
        plastic: true,
        mesh: true,
        rows: 333,
        n_rules: 7,
        inc_depth: 15,
        v_bits: 15,
        w_bits: 7,
        ..odd
    };
    // an external-store core: 128-bit beats of 5 synapse words of 22 bits
    // (weight 11, delay 4, target 7), bursts of 7, 5 in flight
    let ext = CoreParams {
        ext: Some(spikefab_hdl::core::AxiParams {
            data_w: 128,
            addr_w: 33,
            id_w: 3,
            burst: 7,
            outstanding: 5,
            row_ext: false,
        }),
        ..odd
    };
    // the same with its row index in external memory (SYN_EXT = 2)
    let ext_idx = CoreParams {
        ext: ext
            .ext
            .map(|a| spikefab_hdl::core::AxiParams { row_ext: true, ..a }),
        ..ext
    };
    vec![odd, plastic_mesh, ext, ext_idx]
}

#[test]
fn core_ports_match_the_verilog() {
    for c in cores() {
        check(sources::CORE, "snn_lif_core", &c.params(), &c.ports());
    }
}

#[test]
fn mesh_top_ports_match_the_verilog() {
    let mut core = cores()[1];
    core.plastic = false;
    let ext_core = CoreParams {
        mesh: true,
        rows: 333,
        ..cores()[2]
    };
    let grouped = CoreParams {
        slots: 5,
        rows: 3 * 333,
        ..ext_core
    };
    for (mrows, mcols, core, delay_groups) in [
        (3, 2, core, 1),
        (1, 7, core, 1),
        (1, 1, core, 1),
        (1, 3, ext_core, 1),
        (3, 1, grouped, 3),
    ] {
        let m = MeshTopParams {
            mrows,
            mcols,
            fifo_depth: 3,
            core,
            delay_groups,
        };
        check(&sources::mesh(), "snn_mesh_top", &m.params(), &m.ports());
    }
}

#[test]
fn noc_ports_match_the_verilog() {
    let noc: Vec<Source> = sources::NOC.to_vec();
    for (rows, cols) in [(3, 2), (1, 5)] {
        let m = NocMeshParams {
            rows,
            cols,
            data_w: 15,
            fifo_depth: 3,
        };
        check(&noc, "snn_noc_mesh", &m.params(), &m.ports());
        let r = NocRouterParams {
            rows,
            cols,
            x: cols - 1,
            y: 0,
            data_w: 33,
            fifo_depth: 7,
        };
        check(&noc, "snn_noc_router", &r.params(), &r.ports());
    }
}

#[test]
fn drift_check_names_a_port_added_to_the_verilog_only() {
    let m = NocMeshParams {
        rows: 2,
        cols: 3,
        data_w: 7,
        fifo_depth: 2,
    };
    let mesh = sources::get("snn_noc_mesh.v").expect("embedded");
    let anchor = "output wire                                busy_o,";
    assert!(mesh.text.contains(anchor), "anchor moved: update this test");
    let text = mesh.text.replace(
        anchor,
        &format!("{anchor}\n  output wire [2:0]                          extra_o,"),
    );
    let text: &'static str = Box::leak(text.into_boxed_str());
    let sources = [
        sources::get("snn_noc_router.v").expect("embedded"),
        Source {
            file: "snn_noc_mesh.v",
            text,
        },
    ];
    let got = elaborate(&sources, "snn_noc_mesh", &m.params()).expect("elaborates");
    let d = drift(&m.ports(), &got);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].contains("extra_o") && d[0].contains("not in the Rust description"),
        "{d:?}"
    );
}

#[test]
fn every_hdl_file_is_embedded_once() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("read hdl/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".v"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = sources::all().iter().map(|s| s.file.to_string()).collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "hdl/src/sources.rs must embed every hdl/*.v exactly once"
    );
    for s in sources::all() {
        let disk = std::fs::read_to_string(dir.join(s.file)).expect("read");
        assert_eq!(disk, s.text, "{} differs from its embedded copy", s.file);
    }
}

#[test]
fn the_network_interface_history_width_matches_the_mesh_top() {
    let top = sources::get("snn_mesh_top.v").expect("embedded");
    let want = format!(
        "localparam integer HIST_W = {};",
        spikefab_hdl::mesh::NI_HIST_W
    );
    assert!(
        top.text.contains(&want),
        "snn_mesh_top.v must declare `{want}` (spikefab_hdl::mesh::NI_HIST_W)"
    );
}
