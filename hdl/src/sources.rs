//! The Verilog text of every `hdl/` module, embedded at build time, and the
//! sets of files each block needs (in an order any tool can read them in:
//! leaves first).

/// One Verilog file of `hdl/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The file name in `hdl/` (`snn_lif_core.v`).
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
}

macro_rules! source {
    ($f:literal) => {
        Source {
            file: $f,
            text: include_str!(concat!("../", $f)),
        }
    };
}

/// The neuron core `snn_lif_core` and the modules it instantiates.
pub const CORE: &[Source] = &[
    source!("snn_pipe_ctrl.v"),
    source!("snn_mem.v"),
    source!("snn_rng.v"),
    source!("snn_poisson.v"),
    source!("snn_lif_update.v"),
    source!("snn_syn_fetch.v"),
    source!("snn_syn_event.v"),
    source!("snn_stdp.v"),
    source!("snn_core_ctrl.v"),
    source!("snn_core_load.v"),
    source!("snn_core_fault.v"),
    source!("snn_core_stdp.v"),
    source!("snn_lif_core.v"),
];

/// The network-on-chip: `snn_noc_mesh` and its router.
pub const NOC: &[Source] = &[source!("snn_noc_router.v"), source!("snn_noc_mesh.v")];

/// The mesh of cores, `snn_mesh_top`, and its network interface (needs
/// [`CORE`] and [`NOC`]).
pub const MESH_TOP: &[Source] = &[source!("snn_noc_ni.v"), source!("snn_mesh_top.v")];

/// The board-shell modules: the reset synchronizer, the heartbeat LED, the
/// host link (docs/runtime.md), its UART, its AXI4-Stream adapters and the
/// user BAR's AXI4-Lite slave for the XDMA IP of the Alveo shells, and its
/// spike buffer (used by the generated FPGA core and shells of `spikefab
/// build`).
pub const BOARD: &[Source] = &[
    source!("snn_rst_sync.v"),
    source!("snn_heartbeat.v"),
    source!("snn_host_link.v"),
    source!("snn_uart_rx.v"),
    source!("snn_uart_tx.v"),
    source!("snn_axis_to_bytes.v"),
    source!("snn_bytes_to_axis.v"),
    source!("snn_axil_const.v"),
    source!("snn_spike_merge.v"),
    source!("snn_ext_write.v"),
];

/// Every file a mesh of cores needs: [`CORE`], [`NOC`], [`MESH_TOP`].
pub fn mesh() -> Vec<Source> {
    CORE.iter().chain(NOC).chain(MESH_TOP).copied().collect()
}

/// Every embedded file (each once).
pub fn all() -> Vec<Source> {
    let mut v = mesh();
    v.extend_from_slice(BOARD);
    v
}

/// The embedded file called `file`.
pub fn get(file: &str) -> Option<Source> {
    all().into_iter().find(|s| s.file == file)
}
