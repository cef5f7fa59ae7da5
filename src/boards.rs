//! `spikefab boards`: the supported boards with their part, clocks, host
//! link, external memory and the part's capacity (parts table), or one board
//! in full with the sources of its facts.

use std::path::Path;

use serde::Serialize;
use spikefab_boards::{
    Board, Clock, ClockFact, ClockKind, HostLink, HostLinkKind, Memory, PinFact, Provenance,
    ResetKind,
};
use spikefab_eda::parts::Part;

use crate::cli::BoardsArgs;
use crate::error::CliError;
use crate::util;

/// The part's programmable-logic resources, from the parts table.
#[derive(Debug, Serialize)]
struct Capacity {
    part: &'static str,
    device_family: &'static str,
    luts: u64,
    ffs: u64,
    bram36: u64,
    uram: u64,
    dsp: u64,
    source: &'static str,
}

impl Capacity {
    fn of(p: &'static Part) -> Capacity {
        Capacity {
            part: p.part,
            device_family: p.device_family,
            luts: p.luts,
            ffs: p.ffs,
            bram36: p.bram36,
            uram: p.uram,
            dsp: p.dsp,
            source: p.source,
        }
    }
}

/// One line of the list (`--json` without a board).
#[derive(Debug, Serialize)]
struct Summary<'a> {
    name: &'a str,
    aliases: &'a [String],
    title: &'a str,
    part: &'a str,
    family: &'a str,
    vivado: &'a str,
    main_clock: Option<&'a str>,
    clocks: &'a [Clock],
    host_link: &'a HostLink,
    memory: Vec<MemoryJson<'a>>,
    capacity: Capacity,
}

/// A memory with its sizes in bytes.
#[derive(Debug, Serialize)]
struct MemoryJson<'a> {
    #[serde(flatten)]
    memory: &'a Memory,
    channel_bytes: u64,
    total_bytes: u64,
}

impl<'a> MemoryJson<'a> {
    fn of(memory: &'a Memory) -> MemoryJson<'a> {
        MemoryJson {
            memory,
            channel_bytes: memory.channel_bytes(),
            total_bytes: memory.total_bytes(),
        }
    }
}

/// One board in full (`--json` with a board).
#[derive(Debug, Serialize)]
struct Full<'a> {
    board: &'a Board,
    memory: Vec<MemoryJson<'a>>,
    capacity: Capacity,
    ports: Vec<PinFact>,
    input_clocks: Vec<ClockFact>,
    constraints: Option<String>,
}

/// `spikefab boards [BOARD] [--json]`.
pub fn boards(a: &BoardsArgs) -> Result<(), CliError> {
    let text = match &a.board {
        None => {
            let all = spikefab_boards::builtin()?;
            let mut rows = Vec::with_capacity(all.len());
            for b in &all {
                rows.push((b, Capacity::of(b.part()?)));
            }
            if a.json {
                let v: Vec<Summary> = rows.into_iter().map(|(b, c)| summary(b, c)).collect();
                json(&v)?
            } else {
                list(&rows)
            }
        }
        Some(name) => {
            let b = spikefab_boards::lookup(name)?;
            let cap = Capacity::of(b.part()?);
            let builtin = spikefab_boards::builtin_xdc(&b.name).is_some()
                && !(name.ends_with(".toml") || name.contains('/'));
            let constraints = builtin.then(|| format!("constraints/{}.xdc", b.name));
            if a.json {
                json(&Full {
                    board: &b,
                    memory: b.memory.iter().map(MemoryJson::of).collect(),
                    capacity: cap,
                    ports: b.pin_facts(),
                    input_clocks: b.clock_facts(),
                    constraints,
                })?
            } else {
                full(&b, &cap, constraints.as_deref())
            }
        }
    };
    util::out(&text).map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
}

fn json<T: Serialize>(v: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| CliError::Serialize {
        what: "the board list",
        message: e.to_string(),
    })?;
    s.push('\n');
    Ok(s)
}

fn mhz(f: f64) -> String {
    let s = format!("{f:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} MHz")
}

fn clock_line(c: &Clock) -> String {
    let at = match c.kind {
        ClockKind::Single => format!(
            "on {} ({})",
            c.pin.as_deref().unwrap_or("?"),
            c.iostandard.as_deref().unwrap_or("?")
        ),
        ClockKind::Differential => format!(
            "on {}/{} ({})",
            c.pin_p.as_deref().unwrap_or("?"),
            c.pin_n.as_deref().unwrap_or("?"),
            c.iostandard.as_deref().unwrap_or("?")
        ),
        ClockKind::Ps => format!("from the PS ({})", c.ps_clock.as_deref().unwrap_or("?")),
    };
    format!(
        "{} {} {at}{}",
        c.name,
        mhz(c.frequency_mhz),
        if c.main { " [main]" } else { "" }
    )
}

fn host_line(h: &HostLink) -> String {
    match h.kind {
        HostLinkKind::Uart => format!(
            "UART: FPGA TX on {}, RX on {} ({})",
            h.tx_pin.as_deref().unwrap_or("?"),
            h.rx_pin.as_deref().unwrap_or("?"),
            h.iostandard.as_deref().unwrap_or("?")
        ),
        HostLinkKind::Ps => "through the PS (AXI between PS and fabric)".to_string(),
        HostLinkKind::Pcie => format!(
            "PCIe Gen{} x{}, {} (reference clock {} on {}/{})",
            h.generation.unwrap_or(0),
            h.lanes.unwrap_or(0),
            h.dma.as_deref().unwrap_or("?").to_uppercase(),
            mhz(h.refclk_mhz.unwrap_or(0.0)),
            h.refclk_p.as_deref().unwrap_or("?"),
            h.refclk_n.as_deref().unwrap_or("?")
        ),
    }
}

fn size(mib: u64) -> String {
    if mib >= 1024 && mib.is_multiple_of(1024) {
        format!("{} GiB", mib / 1024)
    } else {
        format!("{mib} MiB")
    }
}

fn memory_line(m: &Memory) -> String {
    let total_mib = m.channel_mib.saturating_mul(u64::from(m.channels));
    format!(
        "{} {} {} ({} x {}, {}-bit, {} GB/s; {})",
        m.name,
        m.kind,
        size(total_mib),
        m.channels,
        size(m.channel_mib),
        m.data_width_bits,
        m.bandwidth_gb_s,
        m.access
    )
}

fn capacity_line(c: &Capacity) -> String {
    format!(
        "{} LUT, {} FF, {} BRAM36, {} URAM, {} DSP",
        c.luts, c.ffs, c.bram36, c.uram, c.dsp
    )
}

fn summary(b: &Board, capacity: Capacity) -> Summary<'_> {
    Summary {
        name: &b.name,
        aliases: &b.aliases,
        title: &b.title,
        part: &b.device.part,
        family: &b.device.family,
        vivado: &b.vivado,
        main_clock: b.main_clock().map(|c| c.name.as_str()),
        clocks: &b.clocks,
        host_link: &b.host_link,
        memory: b.memory.iter().map(MemoryJson::of).collect(),
        capacity,
    }
}

fn head(b: &Board) -> String {
    if b.aliases.is_empty() {
        format!("{}: {}\n", b.name, b.title)
    } else {
        format!("{} ({}): {}\n", b.name, b.aliases.join(", "), b.title)
    }
}

fn list(rows: &[(&Board, Capacity)]) -> String {
    let mut s = String::new();
    for (k, (b, cap)) in rows.iter().enumerate() {
        if k > 0 {
            s.push('\n');
        }
        s.push_str(&head(b));
        s.push_str(&format!(
            "  part       {} ({})\n  capacity   {}\n",
            b.device.part,
            b.device.family,
            capacity_line(cap)
        ));
        for (i, c) in b.clocks.iter().enumerate() {
            let label = if i == 0 { "clocks" } else { "" };
            s.push_str(&format!("  {label:<10} {}\n", clock_line(c)));
        }
        s.push_str(&format!("  host link  {}\n", host_line(&b.host_link)));
        if b.memory.is_empty() {
            s.push_str("  memory     none\n");
        }
        for (i, m) in b.memory.iter().enumerate() {
            let label = if i == 0 { "memory" } else { "" };
            s.push_str(&format!("  {label:<10} {}\n", memory_line(m)));
        }
    }
    s.push_str(
        "\nspikefab boards NAME: one board in full, with the source of each fact (docs/boards.md)\n",
    );
    s
}

fn provenance(p: &Provenance<'_>) -> String {
    let mut s = format!("    source: {}", p.source.join(", "));
    if !p.verified {
        s.push_str("; NOT verified");
    } else if !p.unverified.is_empty() {
        s.push_str(&format!("; verified except {}", p.unverified.join(", ")));
    } else {
        s.push_str("; verified");
    }
    s.push('\n');
    if let Some(n) = p.note {
        s.push_str(&format!("    note: {n}\n"));
    }
    s
}

fn full(b: &Board, cap: &Capacity, constraints: Option<&str>) -> String {
    let mut s = head(b);
    s.push_str(&format!(
        "  part: {} ({})\n",
        b.device.part, b.device.family
    ));
    s.push_str(&provenance(&b.device.provenance()));
    s.push_str(&format!(
        "  capacity: {}\n    source: parts table: {}\n",
        capacity_line(cap),
        cap.source
    ));
    s.push_str(&format!(
        "  constraints: {}, written for Vivado {}\n",
        constraints.unwrap_or("(none: not a built-in board)"),
        b.vivado
    ));
    s.push_str("clocks:\n");
    for c in &b.clocks {
        s.push_str(&format!("  {}: {}\n", clock_line(c), c.purpose));
        s.push_str(&provenance(&c.provenance()));
    }
    let r = &b.reset;
    let polarity = if r.active_low {
        "active low"
    } else {
        "active high"
    };
    let where_ = match r.kind {
        ResetKind::Pin => format!(
            "port {} on {} ({}), {polarity}",
            r.port().unwrap_or_default(),
            r.pin.as_deref().unwrap_or("?"),
            r.iostandard.as_deref().unwrap_or("?")
        ),
        ResetKind::Ps => format!(
            "from the PS ({}), {polarity}",
            r.ps_reset.as_deref().unwrap_or("?")
        ),
    };
    s.push_str(&format!("reset: {where_}: {}\n", r.purpose));
    s.push_str(&provenance(&r.provenance()));
    let h = &b.host_link;
    s.push_str(&format!(
        "host link: {}\n  {}\n",
        host_line(h),
        h.description
    ));
    s.push_str(&provenance(&h.provenance()));
    match &b.leds {
        Some(l) => {
            s.push_str(&format!(
                "LEDs: led_o[0..={}] on {} ({})\n",
                l.pins.len().saturating_sub(1),
                l.pins.join(" "),
                l.iostandard
            ));
            s.push_str(&provenance(&l.provenance()));
        }
        None => s.push_str("LEDs: none on fabric pins\n"),
    }
    for a in &b.aux {
        s.push_str(&format!(
            "other pin: {} on {} ({}){}: {}\n",
            a.port(),
            a.pin,
            a.iostandard,
            a.value
                .map(|v| format!(", held at {v}"))
                .unwrap_or_default(),
            a.purpose
        ));
        s.push_str(&provenance(&a.provenance()));
    }
    if b.memory.is_empty() {
        s.push_str("memory: none\n");
    }
    for m in &b.memory {
        s.push_str(&format!("memory: {}", memory_line(m)));
        if let Some(c) = &m.ref_clock {
            s.push_str(&format!(", reference clock {c}"));
        }
        s.push('\n');
        s.push_str(&provenance(&m.provenance()));
    }
    let ports = b.pin_facts();
    s.push_str(&format!("shell ports on pins ({}):\n", ports.len()));
    for p in &ports {
        s.push_str(&format!(
            "  {:<20} {:<6} {:<5} {}\n",
            p.port,
            match p.dir {
                spikefab_boards::PortDir::Input => "input",
                spikefab_boards::PortDir::Output => "output",
            },
            p.pin,
            p.iostandard
                .as_deref()
                .unwrap_or("(GT reference, no I/O standard)")
        ));
    }
    s.push_str("sources:\n");
    for (id, doc) in &b.sources {
        s.push_str(&format!("  {id}: {doc}\n"));
    }
    s
}
