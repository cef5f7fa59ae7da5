//! `snn_lif_core`: one time-multiplexed neuron core (static or STDP, single
//! or one of a mesh). Its parameters, ports, load-port memory map and
//! configuration registers, written once.

use serde::Serialize;

use crate::iface::{index_width, Param, Port, Role, Value};

/// The module name.
pub const MODULE: &str = "snn_lif_core";

/// The network-independent parameters of one `snn_lif_core` (everything but
/// its initial values [`CoreInit`] and `$readmemh` file names), in the
/// module's declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CoreParams {
    /// `N_NEURONS`: neurons the core holds.
    pub n_neurons: u64,
    /// `N_POPS`: population table entries.
    pub n_pops: u64,
    /// `SLOTS`: delay-ring slots (`max_delay_steps + 1`).
    pub slots: u64,
    /// `V_BITS`.
    pub v_bits: u32,
    /// `I_BITS`.
    pub i_bits: u32,
    /// `COEF_BITS`.
    pub coef_bits: u32,
    /// `COEF_FRAC`.
    pub coef_frac: u32,
    /// `REF_BITS`.
    pub ref_bits: u32,
    /// `ACC_BITS`.
    pub acc_bits: u32,
    /// `W_BITS`.
    pub w_bits: u32,
    /// `W_SHIFT`.
    pub w_shift: u32,
    /// `TABLE_LEN`: Poisson table entries.
    pub table_len: u32,
    /// `SYN_DEPTH`: synapse memory words.
    pub syn_depth: u64,
    /// `PLASTIC`: the STDP machinery.
    pub plastic: bool,
    /// `TRACE_BITS`.
    pub trace_bits: u32,
    /// `TRACE_FRAC`.
    pub trace_frac: u32,
    /// `MESH`: one core of a mesh.
    pub mesh: bool,
    /// `ROWS`: row memory words (source neurons); `N_NEURONS` on a single core.
    pub rows: u64,
    /// `N_RULES`: STDP rule table entries.
    pub n_rules: u64,
    /// `INC_DEPTH`: incoming-list words.
    pub inc_depth: u64,
    /// `SYN_EXT` and the `AXI_*` parameters: where the synapse rows live
    /// (`None`: on chip, the `syn` memory; `Some`: external memory read
    /// through the AXI4 master port `m_axi_*`).
    pub ext: Option<AxiParams>,
    /// `FAULT`: the injected fault's code (0: none; a verification aid).
    pub fault: u32,
    /// `FAULT_STEP`: the step the fault acts in or is armed from.
    pub fault_step: u32,
}

/// The AXI4 read master of a core whose synapse rows are in external
/// memory (`SYN_EXT = 1`), and the layout of its rows there
/// (docs/hardware.md, "External synapse memory").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct AxiParams {
    /// `AXI_DATA_W`: data bus width in bits, a power of two in 32..=1024,
    /// at least one synapse word.
    pub data_w: u32,
    /// `AXI_ADDR_W`: byte address width, 12..=64.
    pub addr_w: u32,
    /// `AXI_ID_W`: read ID width, 1..=8.
    pub id_w: u32,
    /// `AXI_BURST`: most beats per burst, 1..=256 (any value).
    pub burst: u32,
    /// `AXI_OUTSTANDING`: bursts in flight, 1..=min(64, 2^AXI_ID_W)
    /// (below 2^AXI_ID_W with `row_ext`: the index reads take ID
    /// `AXI_OUTSTANDING`).
    pub outstanding: u32,
    /// `SYN_EXT = 2`: the row index is in external memory too, in front of
    /// the synapse beats (no row memory on chip); `false`: `SYN_EXT = 1`,
    /// the row words in the on-chip row memory.
    pub row_ext: bool,
}

impl AxiParams {
    /// The RTL's defaults (the widths of a core's `m_axi_*` ports when its
    /// synapses are on chip and the ports are tied off).
    pub const DEFAULT: AxiParams = AxiParams {
        data_w: 256,
        addr_w: 34,
        id_w: 4,
        burst: 16,
        outstanding: 16,
        row_ext: false,
    };

    /// The write channels of an external-store board core's AXI4 port
    /// (`snn_ext_write`, which writes the host's synapse image; the read
    /// channels are the cores' [`CoreParams::memory_ports`]): AW, W and B,
    /// with this port's widths.
    pub fn write_ports(&self) -> Vec<Port> {
        use Role::Memory;
        let a = self;
        let i = Port::input;
        let o = Port::output;
        vec![
            o("m_axi_awvalid_o", 1, Memory),
            i("m_axi_awready_i", 1, Memory),
            o("m_axi_awaddr_o", a.addr_w, Memory),
            o("m_axi_awlen_o", 8, Memory),
            o("m_axi_awsize_o", 3, Memory),
            o("m_axi_awburst_o", 2, Memory),
            o("m_axi_awid_o", a.id_w, Memory),
            o("m_axi_awcache_o", 4, Memory),
            o("m_axi_awprot_o", 3, Memory),
            o("m_axi_wvalid_o", 1, Memory),
            i("m_axi_wready_i", 1, Memory),
            o("m_axi_wdata_o", a.data_w, Memory),
            o("m_axi_wstrb_o", a.data_w / 8, Memory),
            o("m_axi_wlast_o", 1, Memory),
            i("m_axi_bvalid_i", 1, Memory),
            o("m_axi_bready_o", 1, Memory),
            i("m_axi_bresp_i", 2, Memory),
            i("m_axi_bid_i", a.id_w, Memory),
        ]
    }

    /// Bytes per beat (`AXI_DATA_W / 8`).
    pub fn beat_bytes(&self) -> u64 {
        u64::from(self.data_w / 8)
    }

    /// `ARSIZE`: log2 of the bytes per beat.
    pub fn arsize(&self) -> u32 {
        crate::iface::clog2(self.beat_bytes())
    }
}

impl CoreParams {
    /// The AXI4 port's parameters: the external store's, or the RTL's
    /// defaults on an on-chip core.
    pub fn axi(&self) -> AxiParams {
        self.ext.unwrap_or(AxiParams::DEFAULT)
    }

    /// Delay (slot index) width `SLOT_W`.
    pub fn slot_w(&self) -> u32 {
        crate::iface::clog2(self.slots)
    }

    /// Synapse word width `SYN_W`: `{weight, delay, target}`.
    pub fn syn_w(&self) -> u32 {
        self.w_bits + self.slot_w() + self.nrn_w()
    }

    /// Row pointer / count width `PTR_W` (`0..=SYN_DEPTH`).
    pub fn ptr_w(&self) -> u32 {
        crate::iface::clog2(self.syn_depth.max(1) + 1)
    }

    /// Synapse words per bus word of the external layout (`LANES =
    /// AXI_DATA_W / SYN_W`, rounded down; no word straddles two beats).
    pub fn ext_lanes(&self) -> u64 {
        u64::from((self.axi().data_w / self.syn_w()).max(1))
    }

    /// Beats of the external region (`EXT_BEATS = ceil(SYN_DEPTH /
    /// LANES)`): on an external core `SYN_DEPTH` counts lanes, the padding
    /// of each row's last beat included.
    pub fn ext_beats(&self) -> u64 {
        self.syn_depth.div_ceil(self.ext_lanes())
    }

    /// Beat index width `BEAT_AW` of the external row words.
    pub fn beat_aw(&self) -> u32 {
        index_width(self.ext_beats())
    }

    /// Width of an external row word's beat count `BCNT_W` (`0..=EXT_BEATS`).
    pub fn bcnt_w(&self) -> u32 {
        crate::iface::clog2(self.ext_beats() + 1)
    }

    /// Width of an external row word's last-beat lane count `LCNT_W`
    /// (`0..=LANES`).
    pub fn lcnt_w(&self) -> u32 {
        crate::iface::clog2(self.ext_lanes() + 1)
    }

    /// Whether the row index is in external memory (`SYN_EXT = 2`).
    pub fn row_ext(&self) -> bool {
        self.ext.is_some_and(|a| a.row_ext)
    }

    /// `SYN_EXT`: 0 on chip, 1 external synapse rows, 2 external rows and
    /// row index.
    pub fn syn_ext(&self) -> u64 {
        match self.ext {
            None => 0,
            Some(a) if a.row_ext => 2,
            Some(_) => 1,
        }
    }

    /// `IDX_W`: the lane of a row word in the external row index (the row
    /// word's width rounded up to a power of two bits).
    pub fn idx_w(&self) -> u32 {
        self.row_word_w().next_power_of_two()
    }

    /// `IDX_LANES`: row words per beat of the external row index.
    pub fn idx_lanes(&self) -> u64 {
        u64::from((self.axi().data_w / self.idx_w()).max(1))
    }

    /// `IDX_BEATS`: beats of the external row index in front of the
    /// synapse beats (`ceil(ROWS / IDX_LANES)`; 0 without `row_ext`).
    pub fn idx_beats(&self) -> u64 {
        if self.row_ext() {
            self.rows.max(1).div_ceil(self.idx_lanes())
        } else {
            0
        }
    }

    /// Width of a row-memory word: `{end, start}` (`2 PTR_W`) on chip;
    /// `{beats, last, start_beat}` (`BCNT_W + LCNT_W + BEAT_AW`, the first
    /// beat in the low bits) on an external core: the row's beats, the
    /// synapses in its last beat (`1..=LANES`; 0 for an empty row) and its
    /// first beat.
    pub fn row_word_w(&self) -> u32 {
        if self.ext.is_some() {
            self.bcnt_w() + self.lcnt_w() + self.beat_aw()
        } else {
            2 * self.ptr_w()
        }
    }

    /// Neuron index width `NRN_W`.
    pub fn nrn_w(&self) -> u32 {
        index_width(self.n_neurons)
    }

    /// Row (source neuron) index width `ROW_W`.
    pub fn row_w(&self) -> u32 {
        index_width(self.rows)
    }

    /// Synapse address width `SYN_AW`.
    pub fn syn_aw(&self) -> u32 {
        index_width(self.syn_depth)
    }

    /// Every parameter this description sets, in declaration order
    /// (`MESH` and `ROWS` included).
    pub fn params(&self) -> Vec<Param> {
        let mut v = self.config_params();
        let at = v
            .iter()
            .position(|p| p.name == "TRACE_FRAC")
            .expect("TRACE_FRAC is a core parameter")
            + 1;
        v.splice(
            at..at,
            [
                Param::int("MESH", self.mesh.into()),
                Param::int("ROWS", self.rows),
            ],
        );
        v
    }

    /// The parameters a hardware config sets on a single core, in the order
    /// a generated single-core top passes them (and its manifest lists
    /// them): [`CoreParams::params`] without `MESH` and `ROWS` (at their
    /// defaults, 0 and `N_NEURONS`), `SYN_EXT` and the `AXI_*` parameters
    /// only on an external core (on chip they keep the RTL's defaults),
    /// `FAULT` and `FAULT_STEP` last.
    pub fn config_params(&self) -> Vec<Param> {
        let i = Param::int;
        let mut v = vec![
            i("N_NEURONS", self.n_neurons),
            i("N_POPS", self.n_pops),
            i("SLOTS", self.slots),
            i("V_BITS", self.v_bits.into()),
            i("I_BITS", self.i_bits.into()),
            i("COEF_BITS", self.coef_bits.into()),
            i("COEF_FRAC", self.coef_frac.into()),
            i("REF_BITS", self.ref_bits.into()),
            i("ACC_BITS", self.acc_bits.into()),
            i("W_BITS", self.w_bits.into()),
            i("W_SHIFT", self.w_shift.into()),
            i("TABLE_LEN", self.table_len.into()),
            i("SYN_DEPTH", self.syn_depth),
            i("PLASTIC", self.plastic.into()),
            i("TRACE_BITS", self.trace_bits.into()),
            i("TRACE_FRAC", self.trace_frac.into()),
            i("N_RULES", self.n_rules),
            i("INC_DEPTH", self.inc_depth),
        ];
        if let Some(a) = self.ext {
            v.extend([
                i("SYN_EXT", self.syn_ext()),
                i("AXI_DATA_W", a.data_w.into()),
                i("AXI_ADDR_W", a.addr_w.into()),
                i("AXI_ID_W", a.id_w.into()),
                i("AXI_BURST", a.burst.into()),
                i("AXI_OUTSTANDING", a.outstanding.into()),
            ]);
        }
        v.extend([
            i("FAULT", self.fault.into()),
            i("FAULT_STEP", self.fault_step.into()),
        ]);
        v
    }

    /// The module's ports, in declaration order.
    pub fn ports(&self) -> Vec<Port> {
        use Role::*;
        let (nw, rw, sw) = (self.nrn_w(), self.row_w(), self.syn_aw());
        let i = Port::input;
        let o = Port::output;
        let mut v = vec![
            i("clk_i", 1, Clock),
            i("rst_i", 1, Reset),
            i("start_i", 1, Control),
            o("busy_o", 1, Control),
            o("done_o", 1, Control),
            o("step_o", 32, Control),
            o("phase_o", 3, Control),
            i("ev_valid_i", 1, MeshLink),
            o("ev_ready_o", 1, MeshLink),
            i("ev_row_i", rw, MeshLink),
            o("sent_o", 1, MeshLink),
            o("syn_busy_o", 1, MeshLink),
            i("step_done_i", 1, MeshLink),
            o("base_o", 32, MeshLink),
            i("ld_valid_i", 1, Load),
            o("ld_ready_o", 1, Load),
            i("ld_last_i", 1, Load),
            i("ld_mem_i", 4, Load),
            i("ld_addr_i", 32, Load),
            i("ld_data_i", 32, Load),
            o("obs_valid_o", 1, Observe),
            o("obs_step_o", 32, Observe),
            o("obs_neuron_o", nw, Observe),
            o("obs_v_o", self.v_bits, Observe).signed(),
            o("obs_i_ex_o", self.i_bits, Observe).signed(),
            o("obs_i_in_o", self.i_bits, Observe).signed(),
            o("obs_refr_o", self.ref_bits, Observe),
            o("obs_spike_o", 1, Observe),
            o("wobs_valid_o", 1, Observe),
            o("wobs_step_o", 32, Observe),
            o("wobs_syn_o", sw, Observe),
            o("wobs_old_o", self.w_bits, Observe).signed(),
            o("wobs_new_o", self.w_bits, Observe).signed(),
            o("spk_valid_o", 1, Spike),
            i("spk_ready_i", 1, Spike),
            o("spk_step_o", 32, Spike),
            o("spk_neuron_o", nw, Spike),
        ];
        v.extend(self.memory_ports());
        v
    }

    /// The AXI4 read master and the memory-error flag (role
    /// [`Role::Memory`]), in declaration order: present on every core (an
    /// on-chip core never drives a request and has them tied off on its
    /// top).
    pub fn memory_ports(&self) -> Vec<Port> {
        use Role::Memory;
        let a = self.axi();
        let i = Port::input;
        let o = Port::output;
        vec![
            o("m_axi_arvalid_o", 1, Memory),
            i("m_axi_arready_i", 1, Memory),
            o("m_axi_araddr_o", a.addr_w, Memory),
            o("m_axi_arlen_o", 8, Memory),
            o("m_axi_arsize_o", 3, Memory),
            o("m_axi_arburst_o", 2, Memory),
            o("m_axi_arid_o", a.id_w, Memory),
            o("m_axi_arcache_o", 4, Memory),
            o("m_axi_arprot_o", 3, Memory),
            i("m_axi_rvalid_i", 1, Memory),
            o("m_axi_rready_o", 1, Memory),
            i("m_axi_rdata_i", a.data_w, Memory),
            i("m_axi_rid_i", a.id_w, Memory),
            i("m_axi_rresp_i", 2, Memory),
            i("m_axi_rlast_i", 1, Memory),
            o("mem_err_o", 1, Memory),
        ]
    }

    /// The `$readmemh` file-name parameters that load a memory of the core,
    /// in declaration order: the STDP memories only when plastic, no
    /// synapse memory on an external-store core, no row memory when its
    /// row index is external too.
    pub fn mem_files(&self) -> Vec<Mem> {
        Mem::ALL
            .into_iter()
            .filter(|m| m.file_param().is_some() && (self.plastic || !m.plastic_only()))
            .filter(|m| *m != Mem::Syn || self.ext.is_none())
            .filter(|m| *m != Mem::Row || !self.row_ext())
            .collect()
    }
}

/// The core's initial values: parameters of the module and configuration
/// registers of its load port ([`CfgReg`]), which a network sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct CoreInit {
    /// `N_ACTIVE` (register `n_active`): neurons in use.
    pub n_active: u64,
    /// `P_PLUS` (register `p_plus`): presynaptic trace decay, `COEF_BITS` wide.
    pub p_plus: u64,
    /// `P_MINUS` (register `p_minus`): postsynaptic trace decay.
    pub p_minus: u64,
    /// `BG_KEY` (registers `bg_key_lo`, `bg_key_hi`): the background key.
    pub bg_key: u64,
    /// Register `base` of a mesh core: the global id of its local neuron 0
    /// (no parameter; 0 on a single core).
    pub base: u64,
    /// Registers `ext_base_lo`, `ext_base_hi` of an external-store core:
    /// the byte address of its synapse region (no parameter; 0 on chip).
    pub ext_base: u64,
}

impl CoreInit {
    /// The initial-value parameters in declaration order, sized like the
    /// module declares them (`P_PLUS`, `P_MINUS` `coef_bits` wide, `BG_KEY`
    /// 64 bits).
    pub fn params(&self, coef_bits: u32) -> Vec<Param> {
        vec![
            Param::int("N_ACTIVE", self.n_active),
            Param {
                name: "P_PLUS",
                value: Value::Dec {
                    bits: coef_bits,
                    value: self.p_plus,
                },
            },
            Param {
                name: "P_MINUS",
                value: Value::Dec {
                    bits: coef_bits,
                    value: self.p_minus,
                },
            },
            Param {
                name: "BG_KEY",
                value: Value::Hex {
                    bits: 64,
                    value: self.bg_key,
                },
            },
        ]
    }

    /// The configuration-register writes that set these values, in
    /// register order (`base` only when `mesh`, the external region's base
    /// only when `ext`).
    pub fn registers(&self, mesh: bool, ext: bool) -> Vec<(CfgReg, u32)> {
        let mut v = vec![
            (CfgReg::NActive, self.n_active as u32),
            (CfgReg::PPlus, self.p_plus as u32),
            (CfgReg::PMinus, self.p_minus as u32),
            (CfgReg::BgKeyLo, self.bg_key as u32),
            (CfgReg::BgKeyHi, (self.bg_key >> 32) as u32),
        ];
        if mesh {
            v.push((CfgReg::Base, self.base as u32));
        }
        if ext {
            v.push((CfgReg::ExtBaseLo, self.ext_base as u32));
            v.push((CfgReg::ExtBaseHi, (self.ext_base >> 32) as u32));
        }
        v
    }
}

/// The load-port memory id of external memory: a board core
/// (`spikefab_fpga_core`) routes the words of this id to `snn_ext_write`,
/// which writes them to the external synapse store, one AXI beat per image
/// word (least significant 32 bits first, the address a beat index). No
/// core memory has it ([`Mem::load_id`]).
pub const EXT_LOAD_ID: u8 = 14;

/// The memories behind the load port (`ld_mem_i`): the core's, the
/// configuration registers, and the route memory of a mesh core's network
/// interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mem {
    State,
    Pop,
    Param,
    Cdf,
    Syn,
    Row,
    Rule,
    Stdp,
    IncRow,
    Inc,
    Trace,
    /// The route memory of a mesh core's network interface (`snn_mesh_top`).
    Route,
    /// The configuration registers ([`CfgReg`]).
    Cfg,
}

impl Mem {
    /// Every memory, in load-id order.
    pub const ALL: [Mem; 13] = [
        Mem::State,
        Mem::Pop,
        Mem::Param,
        Mem::Cdf,
        Mem::Syn,
        Mem::Row,
        Mem::Rule,
        Mem::Stdp,
        Mem::IncRow,
        Mem::Inc,
        Mem::Trace,
        Mem::Route,
        Mem::Cfg,
    ];

    /// The load-port id (`ld_mem_i`; the RTL's `LD_*` localparams). Id
    /// [`EXT_LOAD_ID`] is no memory of a core: a board core sends it to
    /// external memory.
    pub fn load_id(self) -> u8 {
        match self {
            Mem::State => 0,
            Mem::Pop => 1,
            Mem::Param => 2,
            Mem::Cdf => 3,
            Mem::Syn => 4,
            Mem::Row => 5,
            Mem::Rule => 6,
            Mem::Stdp => 7,
            Mem::IncRow => 8,
            Mem::Inc => 9,
            Mem::Trace => 10,
            Mem::Route => 11,
            Mem::Cfg => 15,
        }
    }

    /// The short name of its image (`state`, `inc_row`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Mem::State => "state",
            Mem::Pop => "pop",
            Mem::Param => "param",
            Mem::Cdf => "cdf",
            Mem::Syn => "syn",
            Mem::Row => "row",
            Mem::Rule => "rule",
            Mem::Stdp => "stdp",
            Mem::IncRow => "inc_row",
            Mem::Inc => "inc",
            Mem::Trace => "trace",
            Mem::Route => "route",
            Mem::Cfg => "cfg",
        }
    }

    /// The core's `$readmemh` file-name parameter, if the memory has one.
    pub fn file_param(self) -> Option<&'static str> {
        Some(match self {
            Mem::State => "STATE_MEM_FILE",
            Mem::Pop => "POP_MEM_FILE",
            Mem::Param => "PARAM_MEM_FILE",
            Mem::Cdf => "CDF_MEM_FILE",
            Mem::Syn => "SYN_MEM_FILE",
            Mem::Row => "ROW_MEM_FILE",
            Mem::Rule => "RULE_MEM_FILE",
            Mem::Stdp => "STDP_MEM_FILE",
            Mem::IncRow => "INC_ROW_MEM_FILE",
            Mem::Inc => "INC_MEM_FILE",
            Mem::Trace | Mem::Route | Mem::Cfg => return None,
        })
    }

    /// Whether the memory exists only in an STDP core.
    pub fn plastic_only(self) -> bool {
        matches!(
            self,
            Mem::Rule | Mem::Stdp | Mem::IncRow | Mem::Inc | Mem::Trace
        )
    }

    /// The memory whose image is called `name`.
    pub fn from_name(name: &str) -> Option<Mem> {
        Mem::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The configuration registers (load-port memory [`Mem::Cfg`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CfgReg {
    /// 0: neurons in use.
    NActive,
    /// 1: presynaptic trace decay.
    PPlus,
    /// 2: postsynaptic trace decay.
    PMinus,
    /// 3: background key, low 32 bits.
    BgKeyLo,
    /// 4: background key, high 32 bits.
    BgKeyHi,
    /// 5: a mesh core's base (global id of local neuron 0).
    Base,
    /// 6: an external-store core's synapse region, byte address, low 32 bits.
    ExtBaseLo,
    /// 7: the same, high 32 bits.
    ExtBaseHi,
}

impl CfgReg {
    /// The register's address (`ld_addr_i`).
    pub fn addr(self) -> u32 {
        match self {
            CfgReg::NActive => 0,
            CfgReg::PPlus => 1,
            CfgReg::PMinus => 2,
            CfgReg::BgKeyLo => 3,
            CfgReg::BgKeyHi => 4,
            CfgReg::Base => 5,
            CfgReg::ExtBaseLo => 6,
            CfgReg::ExtBaseHi => 7,
        }
    }
}

/// The names of `phase_o`'s values.
pub fn phase_name(p: u64) -> &'static str {
    match p {
        0 => "idle",
        1 => "phase A (neuron updates)",
        2 => "phase B pre pass (spike delivery, depression)",
        3 => "phase B pre-pass drain",
        4 => "phase B post pass (potentiation)",
        5 => "phase B post-pass drain",
        6 => "spikes sent, waiting at the mesh barrier",
        7 => "presynaptic trace pass (mesh, STDP)",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn odd() -> CoreParams {
        CoreParams {
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
        }
    }

    #[test]
    fn params_are_the_config_params_with_mesh_and_rows_in_declaration_order() {
        let p = odd();
        let names: Vec<&str> = p.params().iter().map(|p| p.name).collect();
        assert_eq!(names[15..18], ["TRACE_FRAC", "MESH", "ROWS"]);
        assert_eq!(names.len(), p.config_params().len() + 2);
    }

    #[test]
    fn static_core_has_six_memory_files_and_plastic_ten() {
        let mut p = odd();
        assert_eq!(p.mem_files().len(), 6);
        p.plastic = true;
        assert_eq!(p.mem_files().len(), 10);
        assert_eq!(p.mem_files()[9].file_param(), Some("INC_MEM_FILE"));
    }

    #[test]
    fn external_core_loads_no_synapse_memory_and_no_row_memory_with_an_external_index() {
        let mut p = odd();
        p.ext = Some(AxiParams {
            data_w: 128,
            id_w: 3,
            outstanding: 5,
            burst: 7,
            ..AxiParams::DEFAULT
        });
        assert!(!p.mem_files().contains(&Mem::Syn));
        assert!(p.mem_files().contains(&Mem::Row));
        assert_eq!(p.syn_ext(), 1);
        assert_eq!(p.idx_beats(), 0);
        p.ext = p.ext.map(|a| AxiParams { row_ext: true, ..a });
        assert_eq!(p.mem_files().len(), 4);
        assert_eq!(p.syn_ext(), 2);
        // a row word of w bits takes a lane of the next power of two
        let w = p.row_word_w();
        assert!(p.idx_w() >= w && p.idx_w() < 2 * w && p.idx_w().is_power_of_two());
        assert_eq!(p.idx_lanes(), u64::from(128 / p.idx_w()));
        assert_eq!(p.idx_beats(), p.rows.div_ceil(p.idx_lanes()));
    }

    #[test]
    fn load_ids_are_distinct_and_named_back() {
        assert!(Mem::ALL.iter().all(|m| m.load_id() != EXT_LOAD_ID));
        let mut ids: Vec<u8> = Mem::ALL.iter().map(|m| m.load_id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), Mem::ALL.len());
        for m in Mem::ALL {
            assert_eq!(Mem::from_name(m.name()), Some(m));
        }
    }
}
