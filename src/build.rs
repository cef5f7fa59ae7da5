//! `spikefab build`: the accelerator of a network on a board as a
//! self-contained Vivado build directory (`spikefab_build::build`), and
//! with `--run` the Vivado run itself and its reports read back
//! (`spikefab_build::vivado`).

use std::path::{Path, PathBuf};

use spikefab_build::{BuildManifest, BuildOptions};
use spikefab_gen::HwConfig;
use spikefab_sim::memory::Job;

use crate::cli::BuildArgs;
use crate::error::CliError;
use crate::gen::check_hw_memory;
use crate::model::{self, Length};
use crate::util;

pub fn build(a: &BuildArgs) -> Result<(), CliError> {
    if a.board.ends_with(".toml") || a.board.contains('/') {
        return Err(CliError::Usage(format!(
            "--board {}: spikefab build takes a built-in board (its XDC comes from constraints/); \
             `spikefab boards` lists them",
            a.board
        )));
    }
    if a.saif_strip.is_some() && a.saif.is_none() {
        return Err(CliError::Usage(
            "--saif-strip names the instance path of a SAIF file: give the file with --saif".into(),
        ));
    }
    let board = spikefab_boards::lookup(&a.board)?;
    let hw = match &a.hw {
        Some(spec) => {
            let hw = HwConfig::resolve(spec)?;
            // the fit and the shells' limits first: they need no network
            spikefab_build::fit(&hw, &board)?;
            hw
        }
        None => {
            let r = model::resolve(&a.net, &a.model, Length::Default)?;
            spikefab_gen::build::sized_config(&r.net, &HwConfig::default(), a.threads as usize)?
        }
    };
    let r = model::resolve(&a.net, &a.model, Length::Default)?;
    check_hw_memory(
        &r.net,
        &hw,
        None,
        Job::Generate { mesh: false },
        a.threads as usize,
        a.max_memory,
    )?;
    let opts = BuildOptions {
        threads: a.threads as usize,
        saif: a.saif.clone(),
        saif_strip: a.saif_strip.clone(),
        baud: a.baud,
    };
    let m = spikefab_build::build(&r.net, &hw, &board, &a.output, &opts)?;
    print(&summary(&m, &r.source.describe(), &a.output, a.run))?;
    if a.run {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let res = spikefab_build::vivado::run(&a.output, &m.board, &m.part, &m.vivado, &path)?;
        let u = &res.utilization;
        let mut s = format!(
            "Vivado ({}): LUT {} of {}, FF {} of {}, BRAM36 {} of {}, DSP {} of {}",
            res.vivado_version.as_deref().unwrap_or("version unknown"),
            u.lut.used,
            u.lut.available,
            u.ff.used,
            u.ff.available,
            u.bram36.used,
            u.bram36.available,
            u.dsp.used,
            u.dsp.available
        );
        if let Some(x) = &u.uram {
            s.push_str(&format!(", URAM {} of {}", x.used, x.available));
        }
        s.push_str(&format!(
            "\ntiming: WNS {} ns, TNS {} ns, WHS {} ns ({})\npower (vectorless): {} W on chip, {} W dynamic, {} W static\n",
            res.timing.wns_ns,
            res.timing.tns_ns,
            res.timing.whs_ns,
            if res.timing.met { "met" } else { "NOT met" },
            res.power.total_w,
            res.power.dynamic_w,
            res.power.static_w
        ));
        if let Some(p) = &res.power_saif {
            s.push_str(&format!(
                "power (SAIF): {} W on chip, {} W dynamic, {} W static\n",
                p.total_w, p.dynamic_w, p.static_w
            ));
        }
        s.push_str(&format!(
            "written to {}\n",
            a.output.join(spikefab_build::vivado::RUN_JSON).display()
        ));
        print(&s)?;
    }
    Ok(())
}

fn print(text: &str) -> Result<(), CliError> {
    util::out(text).map_err(|e| CliError::io("cannot write", &PathBuf::from("<stdout>"), e))
}

fn summary(m: &BuildManifest, source: &str, out: &Path, run: bool) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "spikefab-build {}: network '{}' ({source}) on hw config '{}', board {} ({}), part {}\n",
        m.version, m.network, m.hw_config, m.board, m.board_title, m.part
    ));
    s.push_str(&format!(
        "config hash {}, accelerator config hash {}, network hash {}\n",
        m.config_hash, m.accelerator_config_hash, m.network_hash
    ));
    s.push_str(&format!(
        "clock: {} MHz from {} ({}); a network step every {} cycles (real time)\n",
        m.clock.mhz, m.clock.from, m.clock.source, m.step_cycles
    ));
    s.push_str(&format!("fit: {}\n", m.fit));
    s.push_str(&format!(
        "wrote {} files to {} (scripts for Vivado {}; Vivado was not run{})\n",
        m.files.len(),
        out.display(),
        m.vivado,
        if run { " yet" } else { "" }
    ));
    if !run {
        s.push_str(&format!(
            "next: cd {} && vivado -mode batch -source build.tcl   (or spikefab build ... --run)\n",
            out.display()
        ));
    }
    s
}
