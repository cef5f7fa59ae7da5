//! The spike-routing network-on-chip: `snn_noc_mesh` (an `ROWS x COLS`
//! mesh of routers) and `snn_noc_router`. Their parameters and ports,
//! written once.

use serde::Serialize;

use crate::iface::{Param, Port, Role};

/// The mesh module's name.
pub const MESH_MODULE: &str = "snn_noc_mesh";
/// The router module's name.
pub const ROUTER_MODULE: &str = "snn_noc_router";
/// Router ports: 0 local, 1 north, 2 east, 3 south, 4 west.
pub const ROUTER_PORTS: u32 = 5;

/// The parameters of one `snn_noc_mesh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct NocMeshParams {
    /// `ROWS`.
    pub rows: u32,
    /// `COLS`.
    pub cols: u32,
    /// `DATA_W`: payload bits per packet.
    pub data_w: u32,
    /// `FIFO_DEPTH`: router input FIFO depth (packets).
    pub fifo_depth: u32,
}

impl NocMeshParams {
    /// Routers (cores), `ROWS * COLS`.
    pub fn nodes(&self) -> u32 {
        self.rows * self.cols
    }

    /// The parameters in declaration order.
    pub fn params(&self) -> Vec<Param> {
        vec![
            Param::int("ROWS", self.rows.into()),
            Param::int("COLS", self.cols.into()),
            Param::int("DATA_W", self.data_w.into()),
            Param::int("FIFO_DEPTH", self.fifo_depth.into()),
        ]
    }

    /// The module's ports in declaration order; per-node vectors flattened
    /// (node `k` in lane `k`).
    pub fn ports(&self) -> Vec<Port> {
        use Role::*;
        let n = self.nodes();
        let i = Port::input;
        let o = Port::output;
        vec![
            i("clk_i", 1, Clock),
            i("rst_i", 1, Reset),
            i("inj_valid_i", 1, Noc).lanes(n),
            o("inj_ready_o", 1, Noc).lanes(n),
            i("inj_mask_i", n, Noc).lanes(n),
            i("inj_data_i", self.data_w, Noc).lanes(n),
            o("ej_valid_o", 1, Noc).lanes(n),
            i("ej_ready_i", 1, Noc).lanes(n),
            o("ej_data_o", self.data_w, Noc).lanes(n),
            o("busy_o", 1, Noc),
            o("pending_o", ROUTER_PORTS, Noc).lanes(n),
        ]
    }
}

/// The parameters of one `snn_noc_router`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct NocRouterParams {
    /// `ROWS`, `COLS`: the mesh it is part of.
    pub rows: u32,
    pub cols: u32,
    /// `X`, `Y`: its column and row.
    pub x: u32,
    pub y: u32,
    /// `DATA_W`.
    pub data_w: u32,
    /// `FIFO_DEPTH`.
    pub fifo_depth: u32,
}

impl NocRouterParams {
    /// The parameters in declaration order.
    pub fn params(&self) -> Vec<Param> {
        vec![
            Param::int("ROWS", self.rows.into()),
            Param::int("COLS", self.cols.into()),
            Param::int("X", self.x.into()),
            Param::int("Y", self.y.into()),
            Param::int("DATA_W", self.data_w.into()),
            Param::int("FIFO_DEPTH", self.fifo_depth.into()),
        ]
    }

    /// The module's ports in declaration order; per-port vectors flattened
    /// (router port `p` in lane `p`).
    pub fn ports(&self) -> Vec<Port> {
        use Role::*;
        let n = self.rows * self.cols;
        let p = ROUTER_PORTS;
        let i = Port::input;
        let o = Port::output;
        vec![
            i("clk_i", 1, Clock),
            i("rst_i", 1, Reset),
            i("in_valid_i", 1, Noc).lanes(p),
            o("in_ready_o", 1, Noc).lanes(p),
            i("in_mask_i", n, Noc).lanes(p),
            i("in_data_i", self.data_w, Noc).lanes(p),
            o("out_valid_o", 1, Noc).lanes(p),
            i("out_ready_i", 1, Noc).lanes(p),
            o("out_mask_o", n, Noc).lanes(p),
            o("out_data_o", self.data_w, Noc).lanes(p),
            o("pending_o", 1, Noc).lanes(p),
            o("busy_o", 1, Noc),
        ]
    }
}
