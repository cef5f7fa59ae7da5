//! Shared helpers of the spikefab-cosim integration tests: fixture specs,
//! cache folders under cargo's per-target tmp dir (never $HOME), the tool
//! chain (a missing Verilator or C++ compiler fails the test with the install
//! hint, never skips it), and a small deterministic random generator.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use spikefab_cosim::{build_with, ModelLib, ModelSpec, Port, Toolchain};

/// `cosim/tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The accumulator fixture: 7-bit signed input, 33-bit signed output,
/// 64-bit output, 16-bit counter, 32-bit register that reset does not clear.
pub fn acc_spec() -> ModelSpec {
    acc_spec_from(fixture("cosim_acc.v"))
}

/// [`acc_spec`] with the source taken from `source`.
pub fn acc_spec_from(source: PathBuf) -> ModelSpec {
    ModelSpec::new("cosim_acc", vec![source], "clk_i")
        .port(Port::input("rst_i", 1))
        .port(Port::input("en_i", 1))
        .port(Port::input("din_i", 7).signed())
        .port(Port::output("acc_o", 33).signed())
        .port(Port::output("wide_o", 64))
        .port(Port::output("count_o", 16))
        .port(Port::output("scratch_o", 32))
}

/// The multiplier parameter of the accumulator fixture (its default).
pub const ACC_MUL: u64 = 0x9E37_79B9_7F4A_7C15;

/// The FIFO fixture with its default parameters.
pub fn fifo_spec() -> ModelSpec {
    ModelSpec::new("cosim_fifo", vec![fixture("cosim_fifo.v")], "clk_i")
        .port(Port::input("rst_i", 1))
        .port(Port::input("in_valid_i", 1))
        .port(Port::output("in_ready_o", 1))
        .port(Port::input("in_data_i", 12))
        .port(Port::output("out_valid_o", 1))
        .port(Port::input("out_ready_i", 1))
        .port(Port::output("out_data_o", 12))
}

/// The wide-port fixture: 100-, 257- and 33-bit inputs, registered
/// outputs of 100, 257, 33 and 133 bits.
pub fn wide_spec() -> ModelSpec {
    ModelSpec::new("cosim_wide", vec![fixture("cosim_wide.v")], "clk_i")
        .port(Port::input("a_i", 100))
        .port(Port::input("b_i", 257))
        .port(Port::input("c_i", 33))
        .port(Port::output("a_o", 100))
        .port(Port::output("nb_o", 257))
        .port(Port::output("c_o", 33))
        .port(Port::output("cat_o", 133))
}

/// Lanes, data, address and ID bits per lane of the AXI master fixture.
pub const AXI_LANES: u32 = 3;
pub const AXI_DATA_W: u32 = 128;
pub const AXI_ADDR_W: u32 = 34;
pub const AXI_ID_W: u32 = 2;

/// The AXI master fixture: 3 lanes of 128-bit data, 34-bit addresses,
/// 2-bit IDs, flattened like a mesh top's memory ports; `bad_lane`: the
/// lane whose burst 1 crosses a 4 KiB boundary.
pub fn axi_master_spec(bad_lane: Option<u32>) -> ModelSpec {
    let l = AXI_LANES;
    let mut spec = ModelSpec::new(
        "cosim_axi_master",
        vec![fixture("cosim_axi_master.v")],
        "clk_i",
    )
    .port(Port::input("rst_i", 1))
    .port(Port::output("m_axi_arvalid_o", l))
    .port(Port::input("m_axi_arready_i", l))
    .port(Port::output("m_axi_araddr_o", l * AXI_ADDR_W))
    .port(Port::output("m_axi_arlen_o", l * 8))
    .port(Port::output("m_axi_arsize_o", l * 3))
    .port(Port::output("m_axi_arburst_o", l * 2))
    .port(Port::output("m_axi_arid_o", l * AXI_ID_W))
    .port(Port::output("m_axi_arcache_o", l * 4))
    .port(Port::output("m_axi_arprot_o", l * 3))
    .port(Port::input("m_axi_rvalid_i", l))
    .port(Port::output("m_axi_rready_o", l))
    .port(Port::input("m_axi_rdata_i", l * AXI_DATA_W))
    .port(Port::input("m_axi_rid_i", l * AXI_ID_W))
    .port(Port::input("m_axi_rresp_i", l * 2))
    .port(Port::input("m_axi_rlast_i", l))
    .port(Port::output("sum_o", l * 64))
    .port(Port::output("err_o", l))
    .port(Port::output("done_o", l));
    if let Some(b) = bad_lane {
        spec = spec.param("BAD_LANE", b.to_string());
    }
    spec
}

/// The fault fixture ($stop, $finish, $readmemh).
pub fn fault_spec() -> ModelSpec {
    ModelSpec::new("cosim_fault", vec![fixture("cosim_fault.v")], "clk_i")
        .port(Port::input("stop_i", 1))
        .port(Port::input("finish_i", 1))
        .port(Port::input("addr_i", 2))
        .port(Port::output("word_o", 16))
        .port(Port::output("ticks_o", 8))
}

/// The tool chain, detected once per test binary; panics with the install
/// hint when Verilator, the C++ compiler or make is missing.
pub fn tools() -> &'static Toolchain {
    static TOOLS: OnceLock<Toolchain> = OnceLock::new();
    TOOLS.get_or_init(|| {
        Toolchain::detect().unwrap_or_else(|e| panic!("the co-simulation tests need it: {e}"))
    })
}

/// The cache shared by the tests that only need a model (kept between runs,
/// under cargo's per-target tmp dir).
pub fn shared_cache() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("cosim-shared-cache")
}

/// A fresh, empty cache root for one test.
pub fn fresh_cache(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cosim-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test's cache root");
    dir
}

/// A fresh cache root for one test that starts with the Verilator runtime
/// archive(s) of the shared cache when there are any (`runtime-*/`, see the
/// cache layout in `src/library.rs`), so the test compiles only its models.
pub fn fresh_cache_with_runtime(test: &str) -> PathBuf {
    let dir = fresh_cache(test);
    if let Ok(rd) = std::fs::read_dir(shared_cache()) {
        for e in rd.flatten() {
            let name = e.file_name();
            if e.path().is_dir() && name.to_string_lossy().starts_with("runtime-") {
                let to = dir.join(&name);
                std::fs::create_dir_all(&to).unwrap();
                for f in std::fs::read_dir(e.path()).unwrap().flatten() {
                    std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
                }
            }
        }
    }
    dir
}

/// Builds `spec` in `cache` and prints how (built with timings, or cached).
pub fn build_in(spec: &ModelSpec, cache: &Path) -> ModelLib {
    let lib = build_with(tools(), spec, cache)
        .unwrap_or_else(|e| panic!("building `{}` failed: {e}", spec.top));
    println!("cosim build: {}", lib.describe());
    lib
}

/// Builds `spec` in the shared cache.
pub fn build_shared(spec: &ModelSpec) -> ModelLib {
    build_in(spec, &shared_cache())
}

/// SplitMix64: a tiny deterministic generator for stimuli.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
}

/// The Rust model of `cosim_acc` (after a reset; `scratch` only once loaded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccModel {
    pub acc: i64,
    pub wide: u64,
    pub count: u16,
    pub scratch: Option<u32>,
}

impl AccModel {
    /// One rising edge with the given inputs (`din` is the 7-bit pattern).
    pub fn clock(&mut self, rst: bool, en: bool, din: u64) {
        if rst {
            self.acc = 0;
            self.wide = 0;
            self.count = 0;
        } else if en {
            let sx = ((din << 57) as i64) >> 57;
            // 33-bit two's-complement wrap.
            let sum = self.acc.wrapping_add(sx);
            self.acc = (sum << 31) >> 31;
            self.wide = self.wide.wrapping_add(din.wrapping_mul(ACC_MUL));
            self.count = self.count.wrapping_add(1);
        }
        if en {
            self.scratch = Some(din as u32);
        }
    }
}
