//! The vocabulary of a hardware interface: ports, parameters and their
//! values, and the two width functions every block uses.

use std::fmt;

use serde::Serialize;

/// Smallest `b` with `2^b >= x` (Verilog's `$clog2`).
pub fn clog2(x: u64) -> u32 {
    let mut b = 0;
    while b < 64 && (1u64 << b) < x {
        b += 1;
    }
    b
}

/// Width of an index into `n` entries, as the RTL declares it:
/// `(n > 1) ? $clog2(n) : 1`.
pub fn index_width(n: u64) -> u32 {
    if n > 1 {
        clog2(n)
    } else {
        1
    }
}

/// Direction of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Driven into the module.
    In,
    /// Driven by the module.
    Out,
}

impl Dir {
    /// `"input"` or `"output"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::In => "input",
            Dir::Out => "output",
        }
    }
}

/// What a port is for: generators decide by role which ports a top exposes
/// (observation ports only with `observe`, a core's mesh link only on a
/// mesh) and how an unexposed one is tied off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The clock (`clk_i`).
    Clock,
    /// The synchronous, active-high reset (`rst_i`).
    Reset,
    /// Step control and status (`start_i`, `busy_o`, `done_o`, `step_o`, `phase_o`).
    Control,
    /// The load port (`ld_*`).
    Load,
    /// Observation records, valid-only (`obs_*`, `wobs_*`): verification
    /// ports, present on a generated top only with `observe`.
    Observe,
    /// Spikes leaving the block (`spk_*`).
    Spike,
    /// A core's link to the mesh (`ev_*`, `sent_o`, `syn_busy_o`,
    /// `step_done_i`, `base_o`): tied off on a single core.
    MeshLink,
    /// Packet streams and status of the network-on-chip.
    Noc,
    /// A core's AXI4 read master to its synapse rows in external memory
    /// (`m_axi_*`) and its memory-error flag (`mem_err_o`): exposed on a
    /// top only with an external synapse store, tied off otherwise.
    Memory,
}

/// One port of a module, its width resolved for one parameter set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Port {
    /// The Verilog name (`obs_v_o`).
    pub name: String,
    pub dir: Dir,
    /// Width in bits (all lanes together).
    pub width: u32,
    /// Two's complement values. For a flattened port this is the
    /// signedness of each lane's value; the vector itself is declared
    /// unsigned (see [`Port::declared_signed`]).
    pub signed: bool,
    pub role: Role,
    /// For a flattened per-core vector, its lanes (core `k` in bits
    /// `[k*w +: w]`, `w = width / lanes`; one lane on a 1x1 mesh); `None`
    /// for an ordinary port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lanes: Option<u32>,
}

impl Port {
    fn new(name: &str, dir: Dir, width: u32, role: Role) -> Port {
        Port {
            name: name.to_string(),
            dir,
            width,
            signed: false,
            role,
            lanes: None,
        }
    }

    /// An unsigned input.
    pub fn input(name: &str, width: u32, role: Role) -> Port {
        Port::new(name, Dir::In, width, role)
    }

    /// An unsigned output.
    pub fn output(name: &str, width: u32, role: Role) -> Port {
        Port::new(name, Dir::Out, width, role)
    }

    /// The same port carrying two's complement values.
    pub fn signed(mut self) -> Port {
        self.signed = true;
        self
    }

    /// The same port as `lanes` lanes of its current width, flattened.
    pub fn lanes(mut self, lanes: u32) -> Port {
        self.width *= lanes;
        self.lanes = Some(lanes);
        self
    }

    /// Width of one lane (the whole port for an ordinary one).
    pub fn lane_width(&self) -> u32 {
        self.width / self.lanes.unwrap_or(1).max(1)
    }

    /// Whether the Verilog declares the port `signed` (a flattened vector
    /// never is).
    pub fn declared_signed(&self) -> bool {
        self.signed && self.lanes.is_none()
    }

    /// The declaration without the name, as in an ANSI port list:
    /// `input  wire`, `output wire signed [20:0]`.
    pub fn decl(&self) -> String {
        let dir = match self.dir {
            Dir::In => "input ",
            Dir::Out => "output",
        };
        format!("{dir} {}", self.net_decl())
    }

    /// The declaration of a wire of the port's type: `wire`,
    /// `wire signed [20:0]`.
    pub fn net_decl(&self) -> String {
        let s = if self.declared_signed() {
            " signed"
        } else {
            ""
        };
        if self.width == 1 && !self.declared_signed() {
            "wire".to_string()
        } else {
            format!("wire{s} [{}:0]", self.width - 1)
        }
    }

    /// The name without its direction suffix (`obs_v_o` -> `obs_v`).
    pub fn stem(&self) -> &str {
        self.name
            .strip_suffix("_o")
            .or_else(|| self.name.strip_suffix("_i"))
            .unwrap_or(&self.name)
    }

    /// A constant zero of the port's width (`1'b0`, `7'd0`): how an unused
    /// input is tied off.
    pub fn zero(&self) -> String {
        if self.width == 1 {
            "1'b0".to_string()
        } else {
            format!("{}'d0", self.width)
        }
    }
}

/// A parameter value, rendered as Verilog by [`fmt::Display`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// A plain decimal integer (`integer` parameters).
    Int(u64),
    /// A sized decimal constant, `{bits}'d{value}`.
    Dec { bits: u32, value: u64 },
    /// A sized hexadecimal constant, `{bits}'h{value}` with every digit.
    Hex { bits: u32, value: u64 },
    /// A string (`"core_state.hex"`).
    Str(String),
}

impl Value {
    /// The integer, for `Int`, `Dec` and `Hex`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Int(v) | Value::Dec { value: v, .. } | Value::Hex { value: v, .. } => Some(*v),
            Value::Str(_) => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Dec { bits, value } => write!(f, "{bits}'d{value}"),
            Value::Hex { bits, value } => {
                let digits = (*bits as usize).div_ceil(4).max(1);
                write!(f, "{bits}'h{value:0digits$x}")
            }
            Value::Str(s) => write!(f, "\"{s}\""),
        }
    }
}

/// One parameter of a module instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Param {
    pub name: &'static str,
    pub value: Value,
}

impl Param {
    /// A plain integer parameter.
    pub fn int(name: &'static str, value: u64) -> Param {
        Param {
            name,
            value: Value::Int(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clog2_and_index_width_match_verilog() {
        assert_eq!(clog2(0), 0);
        assert_eq!(clog2(1), 0);
        assert_eq!(clog2(2), 1);
        assert_eq!(clog2(3), 2);
        assert_eq!(clog2(1024), 10);
        assert_eq!(clog2(1025), 11);
        assert_eq!(index_width(1), 1);
        assert_eq!(index_width(33), 6);
    }

    #[test]
    fn declarations_render_like_an_ansi_port_list() {
        let p = Port::output("obs_v_o", 21, Role::Observe).signed();
        assert_eq!(p.decl(), "output wire signed [20:0]");
        assert_eq!(Port::input("clk_i", 1, Role::Clock).decl(), "input  wire");
        let v = Port::output("obs_v_o", 7, Role::Observe).signed().lanes(3);
        assert_eq!(v.decl(), "output wire [20:0]");
        assert_eq!(v.lane_width(), 7);
        assert_eq!(v.stem(), "obs_v");
        assert_eq!(Port::input("ev_row_i", 7, Role::MeshLink).zero(), "7'd0");
    }

    #[test]
    fn values_render_as_verilog_constants() {
        assert_eq!(Value::Int(33).to_string(), "33");
        assert_eq!(Value::Dec { bits: 19, value: 5 }.to_string(), "19'd5");
        assert_eq!(
            Value::Hex {
                bits: 64,
                value: 0xabc
            }
            .to_string(),
            "64'h0000000000000abc"
        );
        assert_eq!(Value::Str("a.hex".into()).to_string(), "\"a.hex\"");
    }
}
