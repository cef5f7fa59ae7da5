//! Resolving a NET argument (a TOML file or a built-in model name) plus the
//! command-line overrides into one validated [`Network`].

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use spikefab_sim::load;
use spikefab_sim::models::{balanced, pd14, BalancedParams, Pd14Drive, Pd14Params};
use spikefab_sim::{Diagnostics, Network};

use crate::cli::{DriveArg, ModelArgs};
use crate::error::CliError;

/// Names of the built-in models.
pub const BUILTINS: [&str; 2] = ["balanced", "pd14"];

/// How long to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    /// Keep the network's (or the model's default) duration.
    Default,
    /// Biological time in ms.
    Ms(f64),
    /// Whole steps.
    Steps(u64),
}

impl Length {
    /// Override `duration_ms` (a run of steps of `dt_ms`) as requested.
    pub fn apply(self, duration_ms: &mut f64, dt_ms: f64) {
        match self {
            Length::Default => {}
            Length::Ms(ms) => *duration_ms = ms,
            Length::Steps(s) => *duration_ms = s as f64 * dt_ms,
        }
    }
}

/// Where a network came from.
#[derive(Debug, Clone)]
pub enum Source {
    Builtin(&'static str),
    File { path: PathBuf, text: String },
}

impl Source {
    /// Locate diagnostics in the source file (no-op for built-in models).
    pub fn locate(&self, diags: &mut Diagnostics) {
        if let Source::File { path, text } = self {
            load::locate(text, &path.display().to_string(), diags);
        }
    }

    /// Text for reports: the file path or `builtin:<name>`.
    pub fn describe(&self) -> String {
        match self {
            Source::Builtin(n) => format!("builtin:{n}"),
            Source::File { path, .. } => path.display().to_string(),
        }
    }
}

/// A network ready to run.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub net: Network,
    /// Model name (network name, file stem or built-in name).
    pub model: String,
    pub source: Source,
    /// The scale parameters of a built-in model (JSON object), `null` for files.
    pub scale: Value,
}

/// Resolve `spec` with the model options and the run length.
pub fn resolve(spec: &str, m: &ModelArgs, length: Length) -> Result<Resolved, CliError> {
    let builtin = BUILTINS.iter().find(|b| **b == spec).copied();
    let path = Path::new(spec);
    let mut r = match builtin {
        Some(name) if !path.is_file() => build_builtin(name, m, length)?,
        _ => load_network_file(path, m, length)?,
    };
    if let Some(seed) = m.seed {
        r.net.simulation.seed = seed;
    }
    // The resolved network carries its model name, so that a re-run of the
    // emitted network.toml produces an identical trace header.
    if r.net.name.is_none() {
        r.net.name = Some(r.model.clone());
    }
    if let Err(mut diags) = load::validate(&r.net) {
        r.source.locate(&mut diags);
        return Err(CliError::Diagnostics(diags));
    }
    Ok(r)
}

fn no_builtin_options(m: &ModelArgs, what: &str) -> Result<(), CliError> {
    let mut bad = Vec::new();
    if m.n_scale.is_some() {
        bad.push("--n-scale");
    }
    if m.k_scale.is_some() {
        bad.push("--k-scale");
    }
    if m.drive.is_some() {
        bad.push("--drive");
    }
    if m.n.is_some() {
        bad.push("--n");
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} cannot be used with {what} (--n-scale, --k-scale and --drive are options of `pd14`, --n of `balanced`)",
            bad.join(", ")
        )))
    }
}

/// Read, parse and validate a network file and apply the run length.
pub fn load_network_file(path: &Path, m: &ModelArgs, length: Length) -> Result<Resolved, CliError> {
    no_builtin_options(m, "a network file")?;
    let display = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let hint = if path.exists() {
                String::new()
            } else {
                format!(
                    " (NET must be a network TOML file or a built-in model: {})",
                    BUILTINS.join(", ")
                )
            };
            return Err(CliError::Read {
                path: display,
                source: e,
                hint,
            });
        }
    };
    let mut net = load::load_str(&text, &display)?;
    let dt = net.simulation.dt_ms;
    length.apply(&mut net.simulation.duration_ms, dt);
    let model = net.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "network".into())
    });
    Ok(Resolved {
        net,
        model,
        source: Source::File {
            path: path.to_path_buf(),
            text,
        },
        scale: Value::Null,
    })
}

fn build_builtin(name: &'static str, m: &ModelArgs, length: Length) -> Result<Resolved, CliError> {
    let model_err = |message: String| CliError::Model {
        model: name.to_string(),
        message,
    };
    let (net, scale) = match name {
        "balanced" => {
            if m.n_scale.is_some() || m.k_scale.is_some() || m.drive.is_some() {
                return Err(CliError::Usage(
                    "--n-scale, --k-scale and --drive are options of `pd14`; `balanced` takes --n (total neurons)".into(),
                ));
            }
            let mut p = BalancedParams::default();
            if let Some(n) = m.n {
                p.n = n;
            }
            if let Some(s) = m.seed {
                p.seed = s;
            }
            length.apply(&mut p.duration_ms, p.dt_ms);
            let net = balanced(&p).map_err(model_err)?;
            (net, json!({ "n": p.n }))
        }
        _ => {
            if m.n.is_some() {
                return Err(CliError::Usage(
                    "--n is an option of `balanced`; scale `pd14` with --n-scale / --k-scale"
                        .into(),
                ));
            }
            let mut p = Pd14Params::default();
            if let Some(x) = m.n_scale {
                p.n_scale = x;
            }
            if let Some(x) = m.k_scale {
                p.k_scale = x;
            }
            // Without --drive: DC where it keeps the model active, Poisson
            // where the downscaled DC would leave it nearly silent.
            p.drive = match m.drive {
                Some(DriveArg::Dc) => Pd14Drive::Dc,
                Some(DriveArg::Poisson) => Pd14Drive::Poisson,
                None => Pd14Drive::default_for(p.k_scale),
            };
            if let Some(s) = m.seed {
                p.seed = s;
            }
            length.apply(&mut p.duration_ms, p.dt_ms);
            let net = pd14(&p).map_err(model_err)?;
            let drive = match p.drive {
                Pd14Drive::Dc => "dc",
                Pd14Drive::Poisson => "poisson",
            };
            (
                net,
                json!({ "n_scale": p.n_scale, "k_scale": p.k_scale, "drive": drive }),
            )
        }
    };
    Ok(Resolved {
        net,
        model: name.to_string(),
        source: Source::Builtin(name),
        scale,
    })
}
