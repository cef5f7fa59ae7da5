//! spikefab command-line tool: simulate, benchmark, export, check and compare
//! spiking networks with the bit-exact reference engine of `spikefab-sim`.

mod bench;
mod board_run;
mod boards;
mod build;
mod cli;
mod commands;
mod cosim;
mod error;
mod gen;
mod model;
mod plan;
mod plot;
mod rates;
mod run;
mod synth;
mod util;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{BenchCommand, Cli, Command};
use crate::error::CliError;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Sim(a) => run::sim(a).map(|_| true),
        Command::Bench(BenchCommand::Sim(a)) => bench::bench_sim(a).map(|_| true),
        Command::Bench(BenchCommand::Cosim(a)) => cosim::bench_cosim(a).map(|_| true),
        Command::Bench(BenchCommand::Noc(a)) => bench::bench_noc(a),
        Command::Export(a) => commands::export(a).map(|_| true),
        Command::Check(a) => commands::check(a).map(|_| true),
        Command::Compare(a) => commands::compare(a),
        Command::Synth(a) => synth::synth(a).map(|_| true),
        Command::Gen(a) => gen::gen(a).map(|_| true),
        Command::Cosim(a) => cosim::cosim(a).map(|_| true),
        Command::Boards(a) => boards::boards(a).map(|_| true),
        Command::Plan(a) => plan::plan(a).map(|_| true),
        Command::Build(a) => build::build(a).map(|_| true),
        Command::Run(a) => board_run::run(a),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => report(&e),
    }
}

fn report(e: &CliError) -> ExitCode {
    let msg = e.to_string();
    eprintln!("error: {}", msg.trim_end());
    if let CliError::Usage(_) = e {
        eprintln!("\nFor more information, try '--help'.");
    }
    ExitCode::from(e.exit_code())
}
