//! `mutate`: mutation testing of the hand-written Verilog.
//!
//! ```text
//! cargo run --release -p spikefab-hdltest --bin mutate -- [--module M]... [--limit N] [--seed S]
//!     [--jobs J] [--mutant FILE#K]... [--max-tests N] [--check-equivalents] [--list] [--keep]
//!     [--json FILE | --no-json] [--report FILE] [--doc FILE] [--equivalents FILE] [--quiet]
//! ```
//!
//! For each module (default: every one of `spikefab_hdltest::mutation::suite::SUITES`),
//! enumerates the mutants of its file, runs each against the module's suite
//! and prints the table; appends one JSON line to `results/mutation.jsonl`
//! (`--json`), writes the Markdown report (`--report`) and updates the
//! marked section of a document (`--doc docs/verification.md`): the rows and
//! blocks of this run's modules replace theirs, the other modules' stay (so
//! modules run at different times and commits share one table). `--mutant`
//! runs the named mutants whatever `--limit` says (and only their modules
//! when `--module` is not given); `--doc` takes whole-module runs only.
//! `--list` only prints the mutants.

use std::fs;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

use spikefab_hdltest::mutation::campaign::{run_module, Binaries, Options};
use spikefab_hdltest::mutation::report::{json_line, markdown, update_doc, RunInfo};
use spikefab_hdltest::mutation::suite::{find, SUITES};
use spikefab_hdltest::mutation::{equivalent, sample, MutationError};
use spikefab_hdltest::repo_root;

struct Args {
    modules: Vec<String>,
    opts: Options,
    list: bool,
    json: Option<PathBuf>,
    report: Option<PathBuf>,
    doc: Option<PathBuf>,
    equivalents: PathBuf,
}

const USAGE: &str =
    "usage: mutate [--module M]... [--limit N] [--seed S] [--jobs J] [--mutant FILE#K]... \
[--max-tests N] [--check-equivalents] [--list] [--keep] [--json FILE | --no-json] [--report FILE] \
[--doc FILE] [--equivalents FILE] [--quiet]";

fn parse(argv: &[String]) -> Result<Args, MutationError> {
    let root = repo_root();
    let mut a = Args {
        modules: Vec::new(),
        opts: Options::default(),
        list: false,
        json: Some(root.join("results").join("mutation.jsonl")),
        report: None,
        doc: None,
        equivalents: equivalent::default_path(),
    };
    let mut it = argv.iter();
    let usage = |m: String| MutationError::Usage(format!("{m}\n{USAGE}"));
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| usage(format!("{name} needs a value")))
        };
        let num = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| usage(format!("{name}: `{v}` is not a number")))
        };
        match arg.as_str() {
            "--module" => a
                .modules
                .extend(value("--module")?.split(',').map(str::to_string)),
            "--limit" => a.opts.limit = Some(num("--limit", value("--limit")?)? as usize),
            "--seed" => a.opts.seed = num("--seed", value("--seed")?)?,
            "--jobs" => a.opts.jobs = num("--jobs", value("--jobs")?)?.max(1) as usize,
            "--mutant" => a.opts.only.push(value("--mutant")?),
            "--max-tests" => {
                a.opts.max_tests = Some(num("--max-tests", value("--max-tests")?)? as usize)
            }
            "--check-equivalents" => a.opts.check_equivalents = true,
            "--list" => a.list = true,
            "--keep" => a.opts.keep = true,
            "--quiet" => a.opts.verbose = false,
            "--json" => a.json = Some(PathBuf::from(value("--json")?)),
            "--no-json" => a.json = None,
            "--report" => a.report = Some(PathBuf::from(value("--report")?)),
            "--doc" => a.doc = Some(PathBuf::from(value("--doc")?)),
            "--equivalents" => a.equivalents = PathBuf::from(value("--equivalents")?),
            "-h" | "--help" => return Err(MutationError::Usage(USAGE.into())),
            other => return Err(usage(format!("unknown argument `{other}`"))),
        }
    }
    if a.modules.is_empty() {
        // with --mutant FILE#K, the modules of the files named (all when
        // one is named by #K alone)
        let named: Vec<&str> = a
            .opts
            .only
            .iter()
            .map(|o| o.split_once('#').map_or(o.as_str(), |(f, _)| f))
            .collect();
        a.modules = SUITES
            .iter()
            .filter(|s| named.is_empty() || named.iter().any(|f| f.is_empty() || *f == s.file))
            .map(|s| s.module.to_string())
            .collect();
    }
    if a.doc.is_some() && (!a.opts.only.is_empty() || a.opts.max_tests.is_some()) {
        return Err(usage(
            "--doc records whole-module runs: not with --mutant or --max-tests".into(),
        ));
    }
    for o in &a.opts.only {
        let file = o.split_once('#').map_or(o.as_str(), |(f, _)| f);
        let known = a
            .modules
            .iter()
            .filter_map(|m| find(m))
            .any(|s| s.file == file);
        if !file.is_empty() && !known {
            return Err(usage(format!(
                "--mutant {o}: {file} is not the file of a module of this run ({})",
                a.modules.join(", ")
            )));
        }
    }
    Ok(a)
}

fn load_avg() -> [f64; 3] {
    let t = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let v: Vec<f64> = t
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    [0, 1, 2].map(|i| v.get(i).copied().unwrap_or(f64::NAN))
}

fn output(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .current_dir(repo_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The machine, as scripts/measure.py records it (results/README.md).
fn machine() -> serde_json::Value {
    let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown".to_string(), |(_, v)| v.trim().to_string());
    let meminfo = read("/proc/meminfo");
    let memory_bytes = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<u64>().ok())
        .map(|k| k * 1024);
    serde_json::json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "memory_bytes": memory_bytes,
        "os": output("uname", &["-srm"]),
    })
}

fn commit() -> String {
    let head = output("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = output(
        "git",
        &[
            "status",
            "--porcelain",
            "--",
            "hdl",
            "hdltest",
            "cosim/tests",
        ],
    );
    if dirty.is_empty() || dirty == "unknown" {
        head
    } else {
        format!("{head}+dirty")
    }
}

fn run(argv: &[String]) -> Result<(), MutationError> {
    let args = parse(argv)?;
    let t0 = Instant::now();
    let load_start = load_avg();
    // the commit of the sources as the run starts (a commit made during a
    // long run must not be credited with it)
    let commit = commit();
    let date = output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]);
    let mut suites = Vec::new();
    for m in &args.modules {
        let known = SUITES
            .iter()
            .map(|s| s.module)
            .collect::<Vec<_>>()
            .join(", ");
        suites.push(find(m).ok_or_else(|| MutationError::UnknownModule(m.clone(), known))?);
    }
    let mut opts = args.opts.clone();
    (opts.equivalents, opts.gaps) = equivalent::load_both(&args.equivalents)?;

    if args.list {
        // a closed pipe (`mutate --list | head`) ends the listing, not a panic
        let mut out = std::io::stdout().lock();
        for s in &suites {
            let path = repo_root().join("hdl").join(s.file);
            let src = fs::read_to_string(&path).map_err(|source| MutationError::Io {
                context: format!("cannot read {}", path.display()),
                source,
            })?;
            let all = s.mutants(&src)?;
            let (eq, _) = equivalent::classify(&opts.equivalents, &src, &all);
            let picked = sample(all.len(), opts.limit.unwrap_or(usize::MAX), opts.seed);
            if writeln!(
                out,
                "{}: {} mutants ({} listed)",
                s.file,
                all.len(),
                picked.len()
            )
            .is_err()
            {
                return Ok(());
            }
            for i in picked {
                let m = &all[i];
                let (b, a) = m.diff(&src);
                if writeln!(
                    out,
                    "{}\tline {}\t{}\t{}\t=>\t{}{}",
                    m.id(),
                    m.line,
                    m.op,
                    b,
                    a,
                    if eq[i].is_some() {
                        "\t(equivalent)"
                    } else {
                        ""
                    }
                )
                .is_err()
                {
                    return Ok(());
                }
            }
        }
        return Ok(());
    }

    let tests: Vec<_> = suites
        .iter()
        .flat_map(|s| s.tests.iter().take(opts.max_tests.unwrap_or(usize::MAX)))
        .copied()
        .collect();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let work = target.join("mutation");
    let bin_dir = work.join(format!("bin-{}", std::process::id()));
    let bins = Binaries::build(&tests, &bin_dir)?;
    let mut results = Vec::new();
    for s in suites {
        eprintln!("mutate: {} ({})", s.module, s.what);
        let r = run_module(s, &bins, &work, &opts);
        if r.is_err() {
            let _ = fs::remove_dir_all(&bin_dir);
        }
        results.push(r?);
    }
    let _ = fs::remove_dir_all(&bin_dir);
    let info = RunInfo {
        commit,
        revision: output("git", &["rev-parse", "HEAD"]),
        machine: machine(),
        date,
        command: format!("mutate {}", argv.join(" ")).trim().to_string(),
        load_start,
        load_end: load_avg(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        seconds: t0.elapsed().as_secs_f64(),
    };
    let md = markdown(&info, &results);
    println!("{md}");
    let io = |p: &PathBuf| {
        let p = p.clone();
        move |source| MutationError::Io {
            context: format!("cannot write {}", p.display()),
            source,
        }
    };
    if let Some(p) = &args.json {
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).map_err(io(p))?;
        }
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .map_err(io(p))?;
        writeln!(f, "{}", json_line(&info, &results)).map_err(io(p))?;
    }
    if let Some(p) = &args.report {
        fs::write(p, &md).map_err(io(p))?;
    }
    if let Some(p) = &args.doc {
        let order: Vec<&str> = SUITES.iter().map(|s| s.module).collect();
        update_doc(p, &info, &results, &order)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mutate: {e}");
            ExitCode::FAILURE
        }
    }
}
