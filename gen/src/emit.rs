//! The one Verilog emitter: every generated top (`spikefab_top`,
//! `spikefab_net`, `spikefab_mesh_top`) and every co-simulation wrapper is
//! written from the typed port and parameter lists of `spikefab_hdl` through
//! these functions, so a port or parameter is spelled in one place only.
//!
//! The pieces, each returning complete lines:
//! - [`module_head`]: `module NAME #(params) (ports);` with a comment above
//!   each parameter and an aligned ANSI port list;
//! - [`instance`]: an instance with named parameters and connections;
//! - [`unused_nets`]: wires for outputs a top does not expose, and the one
//!   reduction that marks them used (lint clean under `-Wall`);
//! - [`lane_wrapper`]: a module that exposes each lane of a flattened
//!   per-core vector as its own port (the co-simulation's models take ports
//!   of at most 64 bits).

use std::fmt::Write as _;

use spikefab_hdl::{Dir, Param, Port, Role};

/// A parameter declaration of a generated module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamDecl {
    /// The comment line above it (without `// `).
    pub comment: String,
    /// `parameter integer N_ACTIVE = 100`.
    pub decl: String,
}

/// The line before a generated module: no implicit nets.
pub const NETTYPE_NONE: &str = "`default_nettype none\n";

/// The end of a generated module, restoring the default net type.
pub const MODULE_END: &str = "endmodule\n`default_nettype wire\n";

/// The aligned ANSI port list of `ports` (one line each, comma-separated).
pub fn port_list(ports: &[&Port]) -> String {
    let width = ports.iter().map(|p| p.decl().len()).max().unwrap_or(0);
    let mut s = String::new();
    for (k, p) in ports.iter().enumerate() {
        let comma = if k + 1 < ports.len() { "," } else { "" };
        let _ = writeln!(s, "  {:<width$} {}{comma}", p.decl(), p.name);
    }
    s
}

/// `module NAME #(...) (...);`, the parameter list only when `params` is
/// not empty.
pub fn module_head(name: &str, params: &[ParamDecl], ports: &[&Port]) -> String {
    let mut s = String::new();
    if params.is_empty() {
        let _ = writeln!(s, "module {name} (");
    } else {
        let _ = writeln!(s, "module {name} #(");
        let decls: Vec<String> = params
            .iter()
            .map(|p| format!("  // {}\n  {}", p.comment, p.decl))
            .collect();
        let _ = writeln!(s, "{}", decls.join(",\n"));
        let _ = writeln!(s, ") (");
    }
    s.push_str(&port_list(ports));
    let _ = writeln!(s, ");");
    s
}

/// An instance of `module` called `name` with named parameters and
/// connections (`(formal, actual)`), both in the order given.
pub fn instance(
    module: &str,
    name: &str,
    params: &[(String, String)],
    conns: &[(String, String)],
) -> String {
    let mut s = String::new();
    let named = |v: &[(String, String)]| {
        v.iter()
            .map(|(f, a)| format!("    .{f}({a})"))
            .collect::<Vec<_>>()
            .join(",\n")
    };
    if params.is_empty() {
        let _ = writeln!(s, "  {module} {name} (");
    } else {
        let _ = writeln!(s, "  {module} #(");
        let _ = writeln!(s, "{}", named(params));
        let _ = writeln!(s, "  ) {name} (");
    }
    let _ = writeln!(s, "{}", named(conns));
    let _ = writeln!(s, "  );");
    s
}

/// `(NAME, value)` of each parameter, for [`instance`].
pub fn param_args(params: &[Param]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|p| (p.name.to_string(), p.value.to_string()))
        .collect()
}

/// `(name, name)` of each port: a port connected to a net of its own name.
pub fn same_name(ports: &[&Port]) -> Vec<(String, String)> {
    ports
        .iter()
        .map(|p| (p.name.clone(), p.name.clone()))
        .collect()
}

/// Wires for unused outputs (`(port, wire name)`) under `comment`, aligned,
/// then `wire SINK = &{1'b0, ...};` so that lint sees them used.
pub fn unused_nets(comment: &str, nets: &[(&Port, String)], sink: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "  // {comment}");
    let width = nets
        .iter()
        .map(|(p, _)| p.net_decl().len())
        .max()
        .unwrap_or(0);
    for (p, name) in nets {
        let _ = writeln!(s, "  {:<width$} {name};", p.net_decl());
    }
    let names: Vec<&str> = nets.iter().map(|(_, n)| n.as_str()).collect();
    let _ = writeln!(s, "  wire {sink} = &{{1'b0, {}}};", names.join(", "));
    s
}

/// Connections `(formal, actual)` and the `(port, wire)` list of the wires
/// [`unused_nets`] declares.
pub type TiedOff<'a> = (Vec<(String, String)>, Vec<(&'a Port, String)>);

/// The connections of ports a top does not expose (`ports`, in order):
/// each input tied to zero, each output to a wire `unused_<stem>`; and the
/// `(port, wire)` list of those wires for [`unused_nets`].
pub fn tie_off<'a>(ports: &[&'a Port]) -> TiedOff<'a> {
    let mut conns = Vec::new();
    let mut unused = Vec::new();
    for p in ports {
        match p.dir {
            Dir::In => conns.push((p.name.clone(), p.zero())),
            Dir::Out => {
                let n = format!("unused_{}", p.stem());
                conns.push((p.name.clone(), n.clone()));
                unused.push((*p, n));
            }
        }
    }
    (conns, unused)
}

/// The comment above the wires of a top's tied-off memory ports.
pub const MEMORY_TIED_OFF: &str =
    "External-memory ports (AXI4 read master, mem_err_o): the synapses are on chip here, so they are tied off.";

/// What a top that may hide its observation ports connects them to: the
/// port itself with `observe`, else a wire named by its stem
/// ([`hidden_observation`] declares them).
pub fn observed_conn(p: &Port, observe: bool) -> (String, String) {
    let actual = if p.role == Role::Observe && !observe {
        p.stem().to_string()
    } else {
        p.name.clone()
    };
    (p.name.clone(), actual)
}

/// The wires of the observation ports of `ports` that a top without
/// `observe` hides (named by stem; see [`observed_conn`]), under a comment
/// naming `of` (`the core`, `the cores`).
pub fn hidden_observation(of: &str, ports: &[Port]) -> String {
    let obs: Vec<(&Port, String)> = ports
        .iter()
        .filter(|p| p.role == Role::Observe)
        .map(|p| (p, p.stem().to_string()))
        .collect();
    unused_nets(
        &format!("Observation outputs of {of}, unused (observe = false): synthesis removes them."),
        &obs,
        "unused_obs",
    )
}

/// The name of lane `k` of a flattened port (`obs_v_o` -> `obs_v_3_o`).
pub fn lane_name(p: &Port, k: u32) -> String {
    let suffix = match p.dir {
        Dir::In => "i",
        Dir::Out => "o",
    };
    format!("{}_{k}_{suffix}", p.stem())
}

/// The ports of a [`lane_wrapper`] around a module with `ports`: the
/// ordinary ports as they are, each flattened port as one port per lane
/// (lane width, lane signedness; also a single lane), lanes in order.
pub fn lane_ports(ports: &[Port]) -> Vec<Port> {
    let mut out = Vec::new();
    for p in ports {
        let Some(lanes) = p.lanes else {
            out.push(p.clone());
            continue;
        };
        for k in 0..lanes {
            out.push(Port {
                name: lane_name(p, k),
                width: p.lane_width(),
                lanes: None,
                ..p.clone()
            });
        }
    }
    out
}

/// A module `name` that instantiates `module` (with `params`, whose ports
/// are `ports`) and exposes every lane of its flattened per-core ports as a
/// port of its own ([`lane_ports`]). `head` is the comment block above it.
pub fn lane_wrapper(
    name: &str,
    head: &str,
    module: &str,
    params: &[Param],
    ports: &[Port],
) -> String {
    let outer = lane_ports(ports);
    let refs: Vec<&Port> = outer.iter().collect();
    let mut s = String::new();
    s.push_str(head);
    s.push_str(NETTYPE_NONE);
    s.push_str(&module_head(name, &[], &refs));
    let flat: Vec<&Port> = ports.iter().filter(|p| p.lanes.is_some()).collect();
    for p in &flat {
        let _ = writeln!(s, "  wire [{}:0] {}_v;", p.width - 1, p.stem());
    }
    let conns: Vec<(String, String)> = ports
        .iter()
        .map(|p| {
            let actual = if p.lanes.is_some() {
                format!("{}_v", p.stem())
            } else {
                p.name.clone()
            };
            (p.name.clone(), actual)
        })
        .collect();
    s.push_str(&instance(module, "u_dut", &param_args(params), &conns));
    for p in &flat {
        let w = p.lane_width();
        for k in 0..p.lanes.unwrap_or(1) {
            let slice = format!("{}_v[{}:{}]", p.stem(), (k + 1) * w - 1, k * w);
            let lane = lane_name(p, k);
            match p.dir {
                Dir::Out => {
                    let _ = writeln!(s, "  assign {lane} = {slice};");
                }
                Dir::In => {
                    let _ = writeln!(s, "  assign {slice} = {lane};");
                }
            }
        }
    }
    s.push_str(MODULE_END);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_list_aligns_names() {
        let a = Port::input("clk_i", 1, Role::Clock);
        let b = Port::output("obs_v_o", 21, Role::Observe).signed();
        assert_eq!(
            port_list(&[&a, &b]),
            "  input  wire               clk_i,\n  output wire signed [20:0] obs_v_o\n"
        );
    }

    #[test]
    fn lane_ports_split_flattened_vectors_in_lane_order() {
        let v = Port::output("obs_v_o", 7, Role::Observe).signed().lanes(3);
        let m = Port::input("inj_mask_i", 6, Role::Noc).lanes(6);
        let p = lane_ports(&[v, m]);
        assert_eq!(p.len(), 9);
        assert_eq!(p[2].name, "obs_v_2_o");
        assert_eq!(p[2].width, 7);
        assert!(p[2].declared_signed());
        assert_eq!(p[3].name, "inj_mask_0_i");
        assert_eq!(p[3].width, 6);
        let one = lane_ports(&[Port::output("obs_v_o", 7, Role::Observe).lanes(1)]);
        assert_eq!(one[0].name, "obs_v_0_o");
    }
}
