//! `snn_mesh_top`: `MROWS x MCOLS` cores on the network-on-chip, with a
//! network interface per core and the timestep barrier. Its parameters and
//! ports, written once.

use serde::Serialize;

use crate::core::CoreParams;
use crate::iface::{index_width, Param, Port, Role};

/// The module name.
pub const MODULE: &str = "snn_mesh_top";

/// `HIST_W` of `snn_mesh_top`'s network interfaces (a localparam there):
/// the width of a spike-history word with delay groups.
pub const NI_HIST_W: u32 = 32;

/// The parameters of one `snn_mesh_top`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct MeshTopParams {
    /// `MROWS`: mesh rows.
    pub mrows: u32,
    /// `MCOLS`: mesh columns.
    pub mcols: u32,
    /// `FIFO_DEPTH`: router input FIFO depth (packets).
    pub fifo_depth: u32,
    /// Every core's parameters (`mesh` set, `rows` the row memory depth:
    /// `DELAY_GROUPS * ROWS`, each group's rows of every source; the mesh
    /// passes `N_NEURONS` .. `INC_DEPTH` on to each core, no fault).
    pub core: CoreParams,
    /// `DELAY_GROUPS`: delay groups (1: none; the network interfaces replay
    /// spikes to group `g`'s rows `g * (SLOTS - 1)` steps later).
    pub delay_groups: u32,
}

impl MeshTopParams {
    /// Cores, `MROWS * MCOLS`.
    pub fn cores(&self) -> u32 {
        self.mrows * self.mcols
    }

    /// Core index width `CORE_W`.
    pub fn core_w(&self) -> u32 {
        index_width(self.cores().into())
    }

    /// `ROWS` of the mesh: the network's source rows (the core's row
    /// memory holds `DELAY_GROUPS` times as many).
    pub fn source_rows(&self) -> u64 {
        self.core.rows / u64::from(self.delay_groups.max(1))
    }

    /// Width of a global source id (`spk_gid_o`): `ROW_W` of
    /// [`Self::source_rows`].
    pub fn gid_w(&self) -> u32 {
        index_width(self.source_rows())
    }

    /// The parameters in declaration order: `MROWS`, `MCOLS`,
    /// `FIFO_DEPTH`, then the core's ([`CoreParams::params`]) that the
    /// mesh passes on, `ROWS` (the source rows) right after `N_NEURONS`
    /// and `DELAY_GROUPS` right after `SLOTS` (`MESH` is always 1 inside, a
    /// mesh core has no fault).
    pub fn params(&self) -> Vec<Param> {
        let mut v = vec![
            Param::int("MROWS", self.mrows.into()),
            Param::int("MCOLS", self.mcols.into()),
            Param::int("FIFO_DEPTH", self.fifo_depth.into()),
        ];
        for p in self.core.params() {
            match p.name {
                "MESH" | "FAULT" | "FAULT_STEP" | "ROWS" => {}
                "N_NEURONS" => {
                    v.push(p);
                    v.push(Param::int("ROWS", self.source_rows()));
                }
                "SLOTS" => {
                    v.push(p);
                    v.push(Param::int("DELAY_GROUPS", self.delay_groups.into()));
                }
                _ => v.push(p),
            }
        }
        v
    }

    /// The module's ports in declaration order; per-core vectors are
    /// flattened with [`Port::lanes`] (core `k` in lane `k`): the core's
    /// observation ports, then its spike-out handshake as `spk_valid_o` and
    /// `spk_gid_o` (the global id, `ROW_W` bits), then two more observation
    /// vectors, `spk_step_o` (the step of each spike, the core's
    /// `spk_step_o`) and `core_phase_o` (each core's `phase_o`), then the
    /// mesh's `phase_o` (core 0's).
    pub fn ports(&self) -> Vec<Port> {
        use Role::*;
        let c = &self.core;
        let n = self.cores();
        let i = Port::input;
        let o = Port::output;
        let mut v = vec![
            i("clk_i", 1, Clock),
            i("rst_i", 1, Reset),
            i("start_i", 1, Control),
            o("busy_o", 1, Control),
            o("done_o", 1, Control),
            o("step_o", 32, Control),
            i("ld_valid_i", 1, Load),
            o("ld_ready_o", 1, Load),
            i("ld_last_i", 1, Load),
            i("ld_core_i", self.core_w(), Load),
            i("ld_mem_i", 4, Load),
            i("ld_addr_i", 32, Load),
            i("ld_data_i", 32, Load),
        ];
        v.extend(
            c.ports()
                .into_iter()
                .filter(|p| p.role == Observe)
                .map(|p| p.lanes(n)),
        );
        v.extend([
            o("spk_valid_o", 1, Spike).lanes(n),
            o("spk_gid_o", self.gid_w(), Spike).lanes(n),
            o("spk_step_o", 32, Observe).lanes(n),
            o("core_phase_o", 3, Observe).lanes(n),
            o("phase_o", 3, Control),
        ]);
        v.extend(c.memory_ports().into_iter().map(|p| p.lanes(n)));
        v
    }
}
