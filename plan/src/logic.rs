//! Logic of a design from Yosys: one core (`snn_lif_core` with the design's
//! parameters) and one network-on-chip router (`snn_noc_router`), each
//! synthesized once per parameter set for the part's family and cached on
//! disk (a JSON file per key under the cache directory). The figures are
//! Yosys estimates (`synth_xilinx`), not Vivado's.
//!
//! **Shallow memories.** A full-size core is slow to synthesize: Yosys's
//! front end elaborates a deep memory word by word (the delay accumulators
//! of 63 slots x 512 neurons, 32,256 words, kept it busy for more than 18
//! minutes; 63 x 128 words take about a minute). The core is synthesized with its
//! depths cut to [`SHALLOW_NEURONS`] neurons and rows and
//! [`SHALLOW_SYNAPSES`] synapse words (widths, slots, populations, the
//! external store's bus and every numeric format as designed). A memory's
//! depth changes its block count, which the plan takes from
//! `spikefab_gen::capacity::onchip_memories` and `part_use` instead, and
//! the widths of the counters and addresses that index it (a few LUTs and
//! flip-flops per address bit); the datapath, the controllers and the DSP
//! multiplies do not depend on it. The logic depth can change by a level
//! where a comparison gets wider. A memory the shallow core cuts keeps at
//! least 128 words, so it stays block RAM as at full size (distributed RAM
//! is for 64 words or fewer: cutting to 64 made the state and row memories
//! distributed RAM and added two LUT levels).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use spikefab_eda::parts::Part;
use spikefab_eda::yosys::{synthesize, SynthOptions};
use spikefab_hdl::core::CoreParams;
use thiserror::Error;

/// Neurons and rows of the shallow core.
pub const SHALLOW_NEURONS: u64 = 128;
/// Synapse words (lanes) of the shallow core.
pub const SHALLOW_SYNAPSES: u64 = 4096;

/// Logic of one synthesized block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logic {
    pub luts: u64,
    pub ffs: u64,
    pub dsp: u64,
    /// Most LUTs on one path.
    pub lut_levels: u32,
}

#[derive(Debug, Error)]
pub enum LogicError {
    #[error("yosys on {what}: {source}")]
    Synth {
        what: String,
        #[source]
        source: spikefab_eda::yosys::SynthError,
    },
    #[error("logic cache {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where Yosys results are cached: `$XDG_CACHE_HOME/spikefab/plan`, else
/// `$HOME/.cache/spikefab/plan`, else `spikefab-plan-cache` in the
/// system's temporary directory.
pub fn default_cache() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("spikefab").join("plan");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h)
            .join(".cache")
            .join("spikefab")
            .join("plan");
    }
    std::env::temp_dir().join("spikefab-plan-cache")
}

/// The shallow core of `core` (see the module docs): its depths rounded up
/// to powers of two (the address widths they need, so that cores of similar
/// size share one synthesis), then cut to the shallow sizes.
pub fn shallow(core: &CoreParams) -> CoreParams {
    let n = core.n_neurons.next_power_of_two().min(SHALLOW_NEURONS);
    let syn = core.syn_depth.next_power_of_two().min(SHALLOW_SYNAPSES);
    CoreParams {
        n_neurons: n,
        rows: core.rows.next_power_of_two().min(SHALLOW_NEURONS).max(n),
        syn_depth: syn,
        inc_depth: core.inc_depth.min(syn),
        ..*core
    }
}

fn run(
    what: &str,
    top: &str,
    files: &[spikefab_hdl::sources::Source],
    params: Vec<(String, String)>,
    part: &Part,
    cache: &Path,
) -> Result<(Logic, bool), LogicError> {
    let io = |path: &Path, source| LogicError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut key_text = format!("{top}\n{}\n", part.family);
    for (k, v) in &params {
        key_text.push_str(&format!("{k}={v}\n"));
    }
    for f in files {
        key_text.push_str(f.file);
        key_text.push_str(f.text);
    }
    let key = spikefab_gen::hash::hex64(spikefab_gen::hash::fnv1a64(key_text.as_bytes()));
    let file = cache.join(format!("{top}-{key}.json"));
    if let Ok(text) = std::fs::read_to_string(&file) {
        if let Ok(l) = serde_json::from_str::<Logic>(&text) {
            return Ok((l, true));
        }
    }
    let work = cache.join(format!("work-{top}-{key}"));
    let src = work.join("src");
    std::fs::create_dir_all(&src).map_err(|e| io(&src, e))?;
    for f in files {
        let p = src.join(f.file);
        std::fs::write(&p, f.text).map_err(|e| io(&p, e))?;
    }
    let opts = SynthOptions {
        inputs: vec![src.clone()],
        top: Some(top.to_string()),
        params,
        out_dir: work.join("synth"),
        timeout: Duration::from_secs(1800),
        // the shallow core keeps its memories as written: its figures are
        // the logic of the design, the memories are placed by capacity
        memories: spikefab_eda::yosys_mem::MemoryOptions::keep(),
    };
    let r = synthesize(&opts, part).map_err(|source| LogicError::Synth {
        what: what.to_string(),
        source,
    })?;
    let l = Logic {
        luts: r.resources.luts,
        ffs: r.resources.ffs,
        dsp: r.resources.dsp,
        lut_levels: r.depth.lut_levels,
    };
    let text = serde_json::to_string(&l).unwrap_or_default();
    std::fs::write(&file, text).map_err(|e| io(&file, e))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok((l, false))
}

/// Logic of one core with parameters `core` on `part` (its shallow core,
/// cached in `cache`), and whether it came from the cache.
pub fn core_logic(
    core: &CoreParams,
    part: &Part,
    cache: &Path,
) -> Result<(Logic, bool), LogicError> {
    let s = shallow(core);
    let params = s
        .params()
        .iter()
        .map(|p| (p.name.to_string(), p.value.to_string()))
        .collect();
    run(
        "a core (snn_lif_core, shallow memories)",
        spikefab_hdl::core::MODULE,
        spikefab_hdl::sources::CORE,
        params,
        part,
        cache,
    )
}

/// Logic of one router of a `rows x cols` mesh whose packets carry
/// `data_w` bits of source id, with input FIFOs of `fifo_depth` packets:
/// the router nearest the middle (all its ports in use where the mesh has
/// them; an edge router has fewer FIFOs, so this is an upper bound).
pub fn router_logic(
    rows: u32,
    cols: u32,
    data_w: u32,
    fifo_depth: u32,
    part: &Part,
    cache: &Path,
) -> Result<(Logic, bool), LogicError> {
    let params = vec![
        ("ROWS".to_string(), rows.to_string()),
        ("COLS".to_string(), cols.to_string()),
        ("X".to_string(), (cols / 2).to_string()),
        ("Y".to_string(), (rows / 2).to_string()),
        ("DATA_W".to_string(), data_w.to_string()),
        ("FIFO_DEPTH".to_string(), fifo_depth.to_string()),
    ];
    run(
        "a router (snn_noc_router)",
        "snn_noc_router",
        &spikefab_hdl::sources::NOC[..1],
        params,
        part,
        cache,
    )
}
