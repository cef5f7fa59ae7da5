//! Bad input and bad tools give clear errors, never a panic or an abort:
//! tool-chain errors keep their text inside `CosimError` (the Verilator
//! lookup itself is tested in `eda/tests/verilator.rs`), cache-root
//! precedence, specs that do not match the RTL, Verilator errors and
//! warnings, damaged libraries, and fatal events inside the simulation
//! ($stop, $readmemh of a missing file, $finish).

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use common::{
    acc_spec, build_in, build_shared, fault_spec, fifo_spec, fresh_cache, fresh_cache_with_runtime,
    tools,
};
use spikefab_cosim::{
    build_with, default_cache_root_with, CosimError, ModelSpec, Port, RandReset, ToolchainError,
};

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cosim-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn tool_chain_errors_keep_their_message_inside_cosim_error() {
    let e = CosimError::from(ToolchainError::VerilatorNotFound);
    assert!(
        matches!(e, CosimError::Toolchain(ToolchainError::VerilatorNotFound)),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "Verilator not found (looked in $VERILATOR_ROOT/bin and PATH): install it with \
         `apt-get install -y verilator` (scripts/setup.sh does this) or set VERILATOR_ROOT"
    );
    let e = CosimError::from(ToolchainError::BuildToolNotFound {
        tool: "g++".into(),
        detail: "No such file or directory (os error 2)".into(),
    });
    assert_eq!(
        e.to_string(),
        "`g++` not found (No such file or directory (os error 2)): install the C++ tool chain \
         with `apt-get install -y g++ make` (scripts/setup.sh does this)"
    );
}

#[test]
fn the_default_cache_root_prefers_spikefab_cache_dir_then_xdg_then_home() {
    let s = Some(OsStr::new("/s/cache"));
    let x = Some(OsStr::new("/x/cache"));
    let h = Some(OsStr::new("/home/u"));
    let root = |a, b, c| default_cache_root_with(a, b, c).unwrap();
    assert_eq!(root(s, x, h), PathBuf::from("/s/cache"));
    assert_eq!(root(None, x, h), PathBuf::from("/x/cache/spikefab/cosim"));
    assert_eq!(
        root(None, None, h),
        PathBuf::from("/home/u/.cache/spikefab/cosim")
    );
    // Empty values count as unset; a relative XDG_CACHE_HOME is ignored (XDG spec).
    let empty = Some(OsStr::new(""));
    assert_eq!(
        root(empty, empty, h),
        PathBuf::from("/home/u/.cache/spikefab/cosim")
    );
    assert_eq!(
        root(None, Some(OsStr::new("rel")), h),
        PathBuf::from("/home/u/.cache/spikefab/cosim")
    );
    let e = default_cache_root_with(None, None, None).unwrap_err();
    assert!(e.to_string().contains("SPIKEFAB_CACHE_DIR"), "{e}");
}

#[test]
fn a_port_list_that_differs_from_the_rtl_names_every_difference() {
    let cache = fresh_cache("port-mismatch");
    let mut spec = acc_spec();
    spec.ports.retain(|p| p.name != "scratch_o");
    spec.ports[2].width = 8; // din_i is 7 bits
    spec.ports.push(Port::output("ghost_o", 4));
    let e = build_with(tools(), &spec, &cache).unwrap_err();
    assert!(matches!(e, CosimError::PortMismatch { .. }), "{e}");
    let text = e.to_string();
    for needle in [
        "`din_i`: the spec says 8-bit input, the top has a 7-bit input",
        "`ghost_o` (output) is not a port of the top",
        "`scratch_o` (32-bit output) is a port of the top but not in the spec's port list",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let mut spec = acc_spec();
    spec.clock = "clock_i".into();
    let text = build_with(tools(), &spec, &cache).unwrap_err().to_string();
    assert!(
        text.contains("the clock `clock_i` is not a port of the top"),
        "{text}"
    );
    assert!(
        text.contains("`clk_i` (1-bit input) is a port of the top but not in the spec"),
        "{text}"
    );
    let left: Vec<_> = fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        left.iter().all(|n| n.to_string_lossy().ends_with(".lock")),
        "a failed build leaves no library and no temporary folder: {left:?}"
    );
}

#[test]
fn verilator_errors_and_warnings_fail_the_build_with_its_message() {
    let dir = scratch("bad-rtl");
    let cache = fresh_cache("bad-rtl-cache");
    let syntax = dir.join("syntax.v");
    fs::write(
        &syntax,
        "module syntax (input wire clk_i, output wire x_o);\n  assign x_o = ;\nendmodule\n",
    )
    .unwrap();
    let spec = ModelSpec::new("syntax", vec![syntax], "clk_i").port(Port::output("x_o", 1));
    let e = build_with(tools(), &spec, &cache).unwrap_err();
    assert!(matches!(e, CosimError::Verilate { .. }), "{e}");
    assert!(e.to_string().contains("syntax.v:2"), "{e}");

    // Warnings are fatal: a width mismatch that -Wall-clean RTL never has.
    let width = dir.join("width.v");
    fs::write(
        &width,
        "module width (input wire clk_i, input wire [7:0] a_i, output wire [3:0] x_o);\n  assign x_o = a_i;\nendmodule\n",
    )
    .unwrap();
    let spec = ModelSpec::new("width", vec![width], "clk_i")
        .port(Port::input("a_i", 8))
        .port(Port::output("x_o", 4));
    let e = build_with(tools(), &spec, &cache).unwrap_err();
    assert!(e.to_string().contains("%Warning-WIDTH"), "{e}");

    let missing = dir.join("missing.v");
    let spec = ModelSpec::new("missing", vec![missing.clone()], "clk_i");
    let e = build_with(tools(), &spec, &cache).unwrap_err();
    assert!(matches!(e, CosimError::SourceRead { .. }), "{e}");
    assert!(
        e.to_string().contains(&missing.display().to_string()),
        "{e}"
    );

    let mut spec = acc_spec();
    spec.top = "no_such_top".into();
    let e = build_with(tools(), &spec, &cache).unwrap_err();
    assert!(matches!(e, CosimError::Verilate { .. }), "{e}");
    assert!(e.to_string().contains("no_such_top"), "{e}");
}

#[test]
fn a_damaged_or_foreign_library_is_a_load_error_not_a_crash() {
    let cache = fresh_cache_with_runtime("damaged");
    let acc = build_in(&acc_spec(), &cache);
    let fifo = build_in(&fifo_spec(), &cache);
    // The FIFO's library in the accumulator's place: the port signature differs.
    fs::copy(fifo.so_path(), acc.so_path()).unwrap();
    let e = acc.instantiate(1, RandReset::Zeros).unwrap_err();
    assert!(matches!(e, CosimError::LibraryMismatch { .. }), "{e}");
    assert!(e.to_string().contains("in:in_valid_i:1"), "{e}");
    // Not a shared object at all: dlopen's own message comes back.
    fs::write(fifo.so_path(), b"this is not an ELF file").unwrap();
    let e = fifo.instantiate(1, RandReset::Zeros).unwrap_err();
    assert!(matches!(e, CosimError::Load { .. }), "{e}");
    assert!(e.to_string().contains("dlopen"), "{e}");
    println!("cosim errors: damaged library -> {e}");
}

#[test]
fn stop_inside_the_simulation_is_an_error_and_the_process_survives() {
    let lib = build_shared(&fault_spec());
    let mut m = lib.instantiate(1, RandReset::Zeros).unwrap();
    let (stop, ticks) = (m.port("stop_i").unwrap(), m.port("ticks_o").unwrap());
    m.ticks(4).unwrap();
    assert_eq!(m.get(ticks).unwrap(), 4);
    m.set(stop, 1).unwrap();
    let e = m.tick().unwrap_err();
    assert!(matches!(e, CosimError::Simulation { cycle: 4, .. }), "{e}");
    assert!(e.to_string().contains("Verilog $stop"), "{e}");
    assert!(e.to_string().contains("cosim_fault.v"), "{e}");
    // The instance stays failed; other instances are unaffected.
    assert!(m.tick().is_err());
    assert!(m.eval().is_err());
    let mut other = lib.instantiate(1, RandReset::Zeros).unwrap();
    other.ticks(2).unwrap();
    assert_eq!(other.get(other.port("ticks_o").unwrap()).unwrap(), 2);
    println!("cosim errors: $stop -> {e}");
}

#[test]
fn finish_is_reported_and_a_second_finish_does_not_exit_the_process() {
    let lib = build_shared(&fault_spec());
    let mut m = lib.instantiate(1, RandReset::Zeros).unwrap();
    let finish = m.port("finish_i").unwrap();
    m.tick().unwrap();
    assert!(!m.finished());
    m.set(finish, 1).unwrap();
    m.tick().unwrap();
    assert!(m.finished());
    m.ticks(3).unwrap(); // three more $finish: Verilator's default would exit(0)
    assert!(m.finished());
    assert_eq!(m.cycles(), 5);
}

#[test]
fn readmemh_of_a_missing_file_fails_the_first_cycle_and_a_present_file_loads() {
    let dir = scratch("readmem");
    let missing = dir.join("missing.hex");
    let lib = build_shared(&fault_spec().param_str("MEM_FILE", &missing.display().to_string()));
    let mut m = lib.instantiate(1, RandReset::Zeros).unwrap();
    let e = m.tick().unwrap_err();
    assert!(matches!(e, CosimError::Simulation { cycle: 0, .. }), "{e}");
    assert!(e.to_string().contains("missing.hex"), "{e}");
    assert!(e.to_string().contains("$readmem file not found"), "{e}");

    let present = dir.join("present.hex");
    fs::write(&present, "beef\n0001\n7fff\n8000\n").unwrap();
    let lib = build_shared(&fault_spec().param_str("MEM_FILE", &present.display().to_string()));
    let mut m = lib.instantiate(1, RandReset::Zeros).unwrap();
    let (addr, word) = (m.port("addr_i").unwrap(), m.port("word_o").unwrap());
    let mut words = Vec::new();
    for a in 0..4 {
        m.set(addr, a).unwrap();
        m.tick().unwrap();
        words.push(m.get(word).unwrap());
    }
    assert_eq!(words, [0xbeef, 0x0001, 0x7fff, 0x8000]);
}

#[test]
fn invalid_specs_are_refused_before_any_tool_runs() {
    let cache = fresh_cache("invalid-spec");
    let spec = acc_spec().port(Port::input("huge_i", 8193));
    let e = build_with(tools(), &spec, &cache).unwrap_err();
    assert!(matches!(e, CosimError::InvalidSpec(_)), "{e}");
    assert!(e.to_string().contains("`huge_i` has width 8193"), "{e}");
    let e = build_with(tools(), &acc_spec().param("MUL", ""), &cache).unwrap_err();
    assert!(e.to_string().contains("parameter `MUL`"), "{e}");
}

/// A library planted in a cache that others can write to would be loaded as
/// a cache hit (the key names a library by its inputs, not its bytes): such
/// a cache is refused before anything in it is looked at, and so is one
/// under a folder others can write to; a private cache is created 0700.
#[cfg(unix)]
#[test]
fn a_cache_others_can_write_is_refused_before_any_library_is_loaded() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("open-cache");
    let open = dir.join("open");
    fs::create_dir_all(&open).unwrap();
    let spec = acc_spec();
    let key = spikefab_cosim::cache_key(tools(), &spec).unwrap();
    // "another user" plants a library under the expected key
    fs::create_dir_all(open.join(&key)).unwrap();
    fs::write(open.join(&key).join(spikefab_cosim::LIB_FILE), b"planted").unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o757)).unwrap();
    let e = build_with(tools(), &spec, &open).unwrap_err();
    assert!(matches!(e, CosimError::UnsafeCache { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("is writable by others (mode 757)") && msg.contains("chmod go-w"),
        "{msg}"
    );
    let under = open.join("sub");
    let e = build_with(tools(), &spec, &under).unwrap_err();
    assert!(
        e.to_string()
            .contains("a folder above it is writable by others"),
        "{e}"
    );
    fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
    let private = dir.join("new").join("cache");
    spikefab_cosim::prepare_cache_root(&private).unwrap();
    let mode = fs::metadata(&private).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700);
}
