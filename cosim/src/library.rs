//! Building model libraries: verilate, compile, link, cache.
//!
//! Layout of a cache root:
//!
//! ```text
//! <root>/<key>/libspikefab_model.so     one model library (immutable once there)
//! <root>/<key>/build.txt                what it was built from, and how long it took
//! <root>/<key>/spikefab_cosim_wrapper.cpp   the generated C ABI wrapper (for reading)
//! <root>/<key>.lock                     flock(2) lock file of builders of <key>
//! <root>/runtime-<rkey>/libverilated.a  the Verilator runtime, compiled once per tool chain
//! <root>/.tmp-<key>-<pid>-<n>/          a build in progress (renamed to <key> when done)
//! ```
//!
//! `<key>` is a SHA-256 (first 128 bits, hex) over the wrapper ABI version,
//! the Verilator and compiler version lines, the fixed flags, the spec's top,
//! clock, ports, parameters and defines, and the name and contents of every
//! source file and of the Verilog files in the include folders. A build
//! happens in a temporary sibling folder and is published with one
//! `rename(2)`, so a key folder is always complete; builders of the same key
//! serialise on the lock file (other processes and other threads alike), and
//! whoever comes second finds the finished folder.
//!
//! A cache root that anyone but the current user (or root) could write to
//! is refused before anything in it is loaded
//! ([`crate::cache::prepare_cache_root`]): the key names a library by its
//! inputs, not its bytes, so a planted library would pass for a cached one.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use spikefab_eda::verilator::{Toolchain, ToolchainError};

use crate::cache::prepare_cache_root;
use crate::error::CosimError;
use crate::libinfo::LibInfo;
use crate::model::{Model, RandReset};
use crate::spec::{ModelSpec, Port};
use crate::wrapper;

/// File name of a model library inside its cache folder.
pub const LIB_FILE: &str = "libspikefab_model.so";

/// Verilator flags of every model (part of the cache key).
const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--trace",
    "--x-assign",
    "unique",
    "--x-initial",
    "unique",
    "-O3",
];

/// Optimisation of the model's per-cycle code, its construction code and the
/// Verilator runtime (`make` variables; part of the cache key).
const OPT_FAST: &str = "-O2";
const OPT_SLOW: &str = "-O1";
const OPT_GLOBAL: &str = "-O2";

/// Preprocessor flags of all C++ (the wrapper defines vl_fatal, vl_finish
/// and vl_warn).
const CPPFLAGS: &str = "-fPIC -DVL_USER_FATAL -DVL_USER_FINISH -DVL_USER_WARN";

/// Libraries the Verilator runtime needs (from verilated.mk).
const LINK_LIBS: &[&str] = &["-pthread", "-lpthread", "-latomic"];

/// Extensions of the include-folder files that enter the cache key.
const INCLUDE_EXTENSIONS: &[&str] = &["v", "vh", "sv", "svh", "vlt", "inc"];

/// How a [`ModelLib`] came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildOrigin {
    /// Found complete in the cache; no tool ran.
    Cached,
    /// Built by this call.
    Built {
        /// Time spent in Verilator.
        verilate: Duration,
        /// Time spent compiling and linking the C++.
        compile: Duration,
        /// Whether the Verilator runtime library was compiled too (first
        /// build with this tool chain in this cache root).
        runtime_built: bool,
    },
}

/// A built model library: a shared object plus the port table of its spec.
/// Cheap to clone; open instances with [`ModelLib::instantiate`].
#[derive(Debug, Clone)]
pub struct ModelLib {
    pub(crate) inner: Arc<LibInfo>,
    origin: BuildOrigin,
}

impl ModelLib {
    /// Whether this call built the library (false: cache hit).
    pub fn was_built(&self) -> bool {
        matches!(self.origin, BuildOrigin::Built { .. })
    }

    /// Built now (with timings) or found in the cache.
    pub fn origin(&self) -> BuildOrigin {
        self.origin
    }

    /// The cache key (32 hex digits).
    pub fn key(&self) -> &str {
        &self.inner.key
    }

    /// The shared object.
    pub fn so_path(&self) -> &Path {
        &self.inner.so_path
    }

    /// The cache folder of this library.
    pub fn dir(&self) -> &Path {
        self.inner
            .so_path
            .parent()
            .expect("a library path always has its key folder as parent")
    }

    /// The top module.
    pub fn top(&self) -> &str {
        &self.inner.top
    }

    /// The ports, in port-index order.
    pub fn ports(&self) -> &[Port] {
        &self.inner.ports
    }

    /// A one-line description for logs: cache hit, or build times.
    pub fn describe(&self) -> String {
        match self.origin {
            BuildOrigin::Cached => format!("`{}` found in cache ({})", self.top(), self.key()),
            BuildOrigin::Built {
                verilate,
                compile,
                runtime_built,
            } => format!(
                "`{}` built ({}): verilate {:.2} s, compile {:.2} s{}",
                self.top(),
                self.key(),
                verilate.as_secs_f64(),
                compile.as_secs_f64(),
                if runtime_built {
                    " (including the Verilator runtime)"
                } else {
                    ""
                }
            ),
        }
    }

    /// Loads the library (once per process; instances share it) and creates
    /// one model instance with its own Verilator context. `seed` (nonzero)
    /// chooses the `--x-initial unique` values when `rand_reset` is
    /// [`RandReset::Random`].
    pub fn instantiate(&self, seed: u32, rand_reset: RandReset) -> Result<Model, CosimError> {
        Model::open(Arc::clone(&self.inner), seed, rand_reset)
    }
}

/// Builds (or finds in `cache_root`) the model library of `spec`, detecting
/// the tool chain first. See [`build_with`].
pub fn build(spec: &ModelSpec, cache_root: &Path) -> Result<ModelLib, CosimError> {
    build_with(&Toolchain::detect()?, spec, cache_root)
}

/// Builds (or finds in `cache_root`) the model library of `spec` with the
/// given tool chain.
pub fn build_with(
    tools: &Toolchain,
    spec: &ModelSpec,
    cache_root: &Path,
) -> Result<ModelLib, CosimError> {
    spec.validate()?;
    let cache_root = prepare_cache_root(cache_root)?;
    let key = model_key(tools, spec)?;
    let dir = cache_root.join(&key);
    let info = |dir: &Path| {
        Arc::new(LibInfo {
            so_path: dir.join(LIB_FILE),
            tag: u64::from_str_radix(&key[..16], 16).expect("the key is hex"),
            key: key.clone(),
            top: spec.top.clone(),
            clock: spec.clock.clone(),
            ports: spec.ports.clone(),
            signature: wrapper::signature(spec),
        })
    };
    if dir.join(LIB_FILE).is_file() {
        return Ok(ModelLib {
            inner: info(&dir),
            origin: BuildOrigin::Cached,
        });
    }
    let _lock = lock(&cache_root.join(format!("{key}.lock")))?;
    if dir.join(LIB_FILE).is_file() {
        return Ok(ModelLib {
            inner: info(&dir),
            origin: BuildOrigin::Cached,
        });
    }
    remove_stale_temps(&cache_root, &key);
    if dir.exists() {
        // A key folder without its library was damaged by hand: rebuild it.
        fs::remove_dir_all(&dir)
            .map_err(|e| io_err(format!("removing damaged {}", dir.display()), e))?;
    }
    let tmp = temp_dir(&cache_root, &key)?;
    let result = build_into(tools, spec, &cache_root, &tmp, &key);
    let origin = match result {
        Ok(origin) => origin,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    publish(&tmp, &dir)?;
    Ok(ModelLib {
        inner: info(&dir),
        origin,
    })
}

/// The whole build of one library into `tmp` (not yet published).
fn build_into(
    tools: &Toolchain,
    spec: &ModelSpec,
    cache_root: &Path,
    tmp: &Path,
    key: &str,
) -> Result<BuildOrigin, CosimError> {
    let obj = tmp.join("obj");
    // Verilate.
    let t0 = Instant::now();
    let mut cmd = Command::new(&tools.verilator.path);
    cmd.args(VERILATOR_FLAGS).arg("--Mdir").arg(&obj).args([
        "--prefix",
        wrapper::PREFIX,
        "--top-module",
        &spec.top,
    ]);
    for d in &spec.include_dirs {
        let mut a = std::ffi::OsString::from("+incdir+");
        a.push(d);
        cmd.arg(a);
    }
    for (name, value) in &spec.params {
        cmd.arg(format!("-G{name}={value}"));
    }
    for (name, value) in &spec.defines {
        if value.is_empty() {
            cmd.arg(format!("-D{name}"));
        } else {
            cmd.arg(format!("-D{name}={value}"));
        }
    }
    cmd.args(&spec.sources);
    let out = run(&mut cmd, "verilator")?;
    if !out.status.success() {
        return Err(CosimError::Verilate {
            top: spec.top.clone(),
            status: out.status.to_string(),
            log: log_tail(&out),
        });
    }
    let verilate = t0.elapsed();

    // Check the ports against the verilated header, then generate the wrapper.
    let header_path = obj.join(format!("{}.h", wrapper::PREFIX));
    let header = fs::read_to_string(&header_path)
        .map_err(|e| io_err(format!("reading {}", header_path.display()), e))?;
    check_ports(spec, &parse_header_ports(&header))?;
    let wrapper_src = wrapper::generate(spec);
    write(&obj.join(wrapper::WRAPPER_CPP), &wrapper_src)?;
    write(&obj.join("exports.map"), &wrapper::version_script())?;

    // Compile (the runtime too, when this cache root lacks it).
    let t1 = Instant::now();
    let classes_path = obj.join(format!("{}_classes.mk", wrapper::PREFIX));
    let classes = fs::read_to_string(&classes_path)
        .map_err(|e| io_err(format!("reading {}", classes_path.display()), e))?;
    let runtime_objs = runtime_objects(&classes);
    let rkey = runtime_key(tools, &runtime_objs);
    let runtime_dir = cache_root.join(format!("runtime-{rkey}"));
    let runtime_lib = runtime_dir.join("libverilated.a");
    let runtime_lock = if runtime_lib.is_file() {
        None
    } else {
        let l = lock(&cache_root.join(format!("runtime-{rkey}.lock")))?;
        if runtime_lib.is_file() {
            drop(l);
            None
        } else {
            remove_stale_temps(cache_root, &format!("runtime-{rkey}"));
            if runtime_dir.exists() {
                fs::remove_dir_all(&runtime_dir).map_err(|e| {
                    io_err(format!("removing damaged {}", runtime_dir.display()), e)
                })?;
            }
            Some(l)
        }
    };
    let runtime_built = runtime_lock.is_some();
    let mut make = Command::new("make");
    make.arg("-C")
        .arg(&obj)
        .args(["-f", &format!("{}.mk", wrapper::PREFIX)])
        .arg(format!("-j{}", tools.jobs.max(1)))
        .arg("--no-print-directory")
        .arg("CXX=".to_string() + &tools.cxx.command.to_string_lossy())
        .arg(format!("OPT_FAST={OPT_FAST}"))
        .arg(format!("OPT_SLOW={OPT_SLOW}"))
        .arg(format!("OPT_GLOBAL={OPT_GLOBAL}"))
        .arg(format!("USER_CPPFLAGS={CPPFLAGS}"))
        .arg(format!("{}__ALL.a", wrapper::PREFIX))
        .arg(wrapper::WRAPPER_CPP.replace(".cpp", ".o"));
    if runtime_built {
        make.args(runtime_objs.iter().map(|o| format!("{o}.o")));
    }
    // A parent make's jobserver must not leak into ours.
    make.env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL");
    let out = run(&mut make, "make")?;
    if !out.status.success() {
        return Err(CosimError::Compile {
            top: spec.top.clone(),
            step: "make".into(),
            status: out.status.to_string(),
            log: log_tail(&out),
        });
    }
    if let Some(lock) = runtime_lock {
        let rtmp = temp_dir(cache_root, &format!("runtime-{rkey}"))?;
        let mut ar = Command::new("ar");
        ar.arg("rcs").arg(rtmp.join("libverilated.a"));
        ar.args(runtime_objs.iter().map(|o| obj.join(format!("{o}.o"))));
        let out = run(&mut ar, "ar")?;
        if !out.status.success() {
            let _ = fs::remove_dir_all(&rtmp);
            return Err(CosimError::Compile {
                top: spec.top.clone(),
                step: "ar (Verilator runtime)".into(),
                status: out.status.to_string(),
                log: log_tail(&out),
            });
        }
        publish(&rtmp, &runtime_dir)?;
        drop(lock);
    }
    let mut link = Command::new(&tools.cxx.command);
    link.arg("-shared")
        .arg("-o")
        .arg(tmp.join(LIB_FILE))
        .arg(obj.join(wrapper::WRAPPER_CPP.replace(".cpp", ".o")))
        .arg(obj.join(format!("{}__ALL.a", wrapper::PREFIX)))
        .arg(&runtime_lib)
        .arg(format!(
            "-Wl,--version-script={}",
            obj.join("exports.map").display()
        ))
        .args(["-Wl,-Bsymbolic", "-Wl,--no-undefined"])
        .args(LINK_LIBS);
    let out = run(&mut link, "c++ (link)")?;
    if !out.status.success() {
        return Err(CosimError::Compile {
            top: spec.top.clone(),
            step: "link".into(),
            status: out.status.to_string(),
            log: log_tail(&out),
        });
    }
    let compile = t1.elapsed();

    write(&tmp.join(wrapper::WRAPPER_CPP), &wrapper_src)?;
    write(
        &tmp.join("build.txt"),
        &build_record(tools, spec, key, verilate, compile),
    )?;
    fs::remove_dir_all(&obj).map_err(|e| io_err(format!("removing {}", obj.display()), e))?;
    Ok(BuildOrigin::Built {
        verilate,
        compile,
        runtime_built,
    })
}

/// The cache key of `spec`'s library with these tools (the name of its
/// folder in any cache root), without building anything. Reads the sources.
pub fn cache_key(tools: &Toolchain, spec: &ModelSpec) -> Result<String, CosimError> {
    spec.validate()?;
    model_key(tools, spec)
}

/// The cache key of a model library.
fn model_key(tools: &Toolchain, spec: &ModelSpec) -> Result<String, CosimError> {
    let mut h = Sha256::new();
    let mut field = |name: &str, value: &[u8]| {
        h.update(name.as_bytes());
        h.update((value.len() as u64).to_le_bytes());
        h.update(value);
    };
    field("abi", &wrapper::WRAPPER_ABI.to_le_bytes());
    field("verilator", tools.verilator.version.as_bytes());
    field("cxx", tools.cxx.version.as_bytes());
    field("vflags", VERILATOR_FLAGS.join(" ").as_bytes());
    field(
        "cflags",
        format!(
            "{OPT_FAST} {OPT_SLOW} {OPT_GLOBAL} {CPPFLAGS} {}",
            LINK_LIBS.join(" ")
        )
        .as_bytes(),
    );
    field("top", spec.top.as_bytes());
    field("clock", spec.clock.as_bytes());
    for p in &spec.ports {
        field(
            "port",
            format!("{}:{}:{}:{}", p.name, p.width, p.dir.as_str(), p.signed).as_bytes(),
        );
    }
    for (n, v) in &spec.params {
        field("param", format!("{n}={v}").as_bytes());
    }
    for (n, v) in &spec.defines {
        field("define", format!("{n}={v}").as_bytes());
    }
    for src in &spec.sources {
        let text = fs::read(src).map_err(|e| CosimError::SourceRead {
            path: src.clone(),
            source: e,
        })?;
        field("source-name", file_name(src).as_bytes());
        field("source", &text);
    }
    for dir in &spec.include_dirs {
        field("incdir", file_name(dir).as_bytes());
        let rd = fs::read_dir(dir).map_err(|e| CosimError::SourceRead {
            path: dir.clone(),
            source: e,
        })?;
        let mut files: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| INCLUDE_EXTENSIONS.contains(&x))
            })
            .collect();
        files.sort();
        for f in files {
            let text = fs::read(&f).map_err(|e| CosimError::SourceRead {
                path: f.clone(),
                source: e,
            })?;
            field("include-name", file_name(&f).as_bytes());
            field("include", &text);
        }
    }
    Ok(hex(&h.finalize()[..16]))
}

/// The cache key of the Verilator runtime archive.
fn runtime_key(tools: &Toolchain, objs: &[String]) -> String {
    let mut h = Sha256::new();
    let parts: [&str; 7] = [
        &wrapper::WRAPPER_ABI.to_string(),
        &tools.verilator.version,
        &tools.cxx.version,
        &tools.cxx.command.to_string_lossy(),
        OPT_GLOBAL,
        CPPFLAGS,
        &objs.join(","),
    ];
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The runtime objects a verilated model needs (`VM_GLOBAL_FAST` and
/// `VM_GLOBAL_SLOW` of `<prefix>_classes.mk`).
fn runtime_objects(classes_mk: &str) -> Vec<String> {
    let mut objs = Vec::new();
    let mut in_list = false;
    for line in classes_mk.lines() {
        let t = line.trim();
        if t.starts_with("VM_GLOBAL_FAST +=") || t.starts_with("VM_GLOBAL_SLOW +=") {
            in_list = true;
            continue;
        }
        if in_list {
            let name = t.trim_end_matches('\\').trim();
            if name.is_empty() {
                in_list = false;
            } else {
                objs.push(name.to_string());
            }
        }
    }
    objs
}

/// A port as Verilator declared it in the model header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderPort {
    pub name: String,
    /// `input`, `output` or `inout`.
    pub dir: &'static str,
    pub width: u32,
}

/// The `VL_IN*/VL_OUT*/VL_INOUT*` declarations of a verilated top header.
pub(crate) fn parse_header_ports(header: &str) -> Vec<HeaderPort> {
    let mut ports = Vec::new();
    for line in header.lines() {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("VL_") else {
            continue;
        };
        let dir = if rest.starts_with("INOUT") {
            "inout"
        } else if rest.starts_with("IN") {
            "input"
        } else if rest.starts_with("OUT") {
            "output"
        } else {
            continue;
        };
        let (Some(open), Some(close)) = (rest.find('('), rest.rfind(')')) else {
            continue;
        };
        let args: Vec<&str> = rest[open + 1..close].split(',').map(str::trim).collect();
        if args.len() < 3 {
            continue;
        }
        let name = args[0].trim_start_matches('&').to_string();
        let (Ok(msb), Ok(lsb)) = (args[1].parse::<i64>(), args[2].parse::<i64>()) else {
            continue;
        };
        let width = u32::try_from((msb - lsb).abs() + 1).unwrap_or(u32::MAX);
        ports.push(HeaderPort { name, dir, width });
    }
    ports
}

/// Every difference between the spec's ports (plus clock) and the header's.
fn check_ports(spec: &ModelSpec, header: &[HeaderPort]) -> Result<(), CosimError> {
    let mut problems = Vec::new();
    match header.iter().find(|h| h.name == spec.clock) {
        None => problems.push(format!(
            "the clock `{}` is not a port of the top",
            spec.clock
        )),
        Some(h) if h.dir != "input" || h.width != 1 => problems.push(format!(
            "the clock `{}` must be a 1-bit input, the top has a {}-bit {}",
            spec.clock, h.width, h.dir
        )),
        Some(_) => {}
    }
    for p in &spec.ports {
        match header.iter().find(|h| h.name == p.name) {
            None => problems.push(format!(
                "`{}` ({}) is not a port of the top",
                p.name,
                p.dir.as_str()
            )),
            Some(h) if h.dir != p.dir.as_str() || h.width != p.width => problems.push(format!(
                "`{}`: the spec says {}-bit {}, the top has a {}-bit {}",
                p.name,
                p.width,
                p.dir.as_str(),
                h.width,
                h.dir
            )),
            Some(_) => {}
        }
    }
    for h in header {
        if h.name != spec.clock && !spec.ports.iter().any(|p| p.name == h.name) {
            problems.push(format!(
                "`{}` ({}-bit {}) is a port of the top but not in the spec's port list",
                h.name, h.width, h.dir
            ));
        }
        if h.dir == "inout" {
            problems.push(format!(
                "`{}` is an inout port; only inputs and outputs are supported",
                h.name
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CosimError::PortMismatch {
            top: spec.top.clone(),
            problems,
        })
    }
}

fn build_record(
    tools: &Toolchain,
    spec: &ModelSpec,
    key: &str,
    verilate: Duration,
    compile: Duration,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "key: {key}");
    let _ = writeln!(s, "top: {}", spec.top);
    let _ = writeln!(s, "clock: {}", spec.clock);
    let _ = writeln!(s, "signature: {}", wrapper::signature(spec));
    for src in &spec.sources {
        let _ = writeln!(s, "source: {}", src.display());
    }
    for d in &spec.include_dirs {
        let _ = writeln!(s, "include_dir: {}", d.display());
    }
    for (n, v) in &spec.params {
        let _ = writeln!(s, "param: {n}={v}");
    }
    for (n, v) in &spec.defines {
        let _ = writeln!(s, "define: {n}={v}");
    }
    let _ = writeln!(
        s,
        "verilator: {} ({})",
        tools.verilator.version,
        tools.verilator.path.display()
    );
    let _ = writeln!(s, "verilator flags: {}", VERILATOR_FLAGS.join(" "));
    let _ = writeln!(
        s,
        "cxx: {} ({})",
        tools.cxx.version,
        tools.cxx.command.to_string_lossy()
    );
    let _ = writeln!(
        s,
        "cxx flags: OPT_FAST={OPT_FAST} OPT_SLOW={OPT_SLOW} OPT_GLOBAL={OPT_GLOBAL} {CPPFLAGS}"
    );
    let _ = writeln!(s, "verilate_s: {:.3}", verilate.as_secs_f64());
    let _ = writeln!(s, "compile_s: {:.3}", compile.as_secs_f64());
    s
}

fn run(cmd: &mut Command, tool: &str) -> Result<Output, CosimError> {
    cmd.output().map_err(|e| {
        let tool = tool.to_string();
        let detail = e.to_string();
        CosimError::Toolchain(if e.kind() == std::io::ErrorKind::NotFound {
            ToolchainError::BuildToolNotFound { tool, detail }
        } else {
            ToolchainError::ToolUnusable { tool, detail }
        })
    })
}

/// The last lines of a tool's stdout and stderr.
fn log_tail(out: &Output) -> String {
    const LINES: usize = 60;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(LINES);
    let mut tail = String::new();
    if skip > 0 {
        let _ = writeln!(tail, "[... {skip} earlier lines ...]");
    }
    tail.push_str(&lines[skip..].join("\n"));
    tail
}

fn io_err(context: String, source: std::io::Error) -> CosimError {
    CosimError::Io { context, source }
}

fn write(path: &Path, text: &str) -> Result<(), CosimError> {
    fs::write(path, text).map_err(|e| io_err(format!("writing {}", path.display()), e))
}

/// An exclusive flock(2) on `path`, held until the file is dropped.
fn lock(path: &Path) -> Result<fs::File, CosimError> {
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| io_err(format!("opening lock file {}", path.display()), e))?;
    f.lock()
        .map_err(|e| io_err(format!("locking {}", path.display()), e))?;
    Ok(f)
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_dir(root: &Path, key: &str) -> Result<PathBuf, CosimError> {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = root.join(format!(".tmp-{key}-{}-{n}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| io_err(format!("creating {}", dir.display()), e))?;
    Ok(dir)
}

/// Removes `.tmp-<key>-*` folders left by interrupted builds (called with
/// the key's lock held, so none of them is in use).
fn remove_stale_temps(root: &Path, key: &str) {
    let prefix = format!(".tmp-{key}-");
    if let Ok(rd) = fs::read_dir(root) {
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Renames a finished build folder to its final name. When the final name
/// exists already (built by someone who did not take the lock), the finished
/// folder there wins and ours is removed.
fn publish(tmp: &Path, dir: &Path) -> Result<(), CosimError> {
    match fs::rename(tmp, dir) {
        Ok(()) => Ok(()),
        Err(_) if dir.is_dir() => {
            let _ = fs::remove_dir_all(tmp);
            Ok(())
        }
        Err(e) => Err(io_err(
            format!("moving {} to {}", tmp.display(), dir.display()),
            e,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "
class alignas(VL_CACHE_LINE_BYTES) Vmodel VL_NOT_FINAL : public VerilatedModel {
  public:
    VL_IN8(&clk_i,0,0);
    VL_IN8(&din_i,6,0);
    VL_OUT16(&count_o,15,0);
    VL_OUT(&scratch_o,31,0);
    VL_OUT64(&acc_o,32,0);
    VL_INW(&big_i,99,0,4);
    VL_INOUT8(&pad_io,0,0);
";

    #[test]
    fn header_ports_are_parsed_with_direction_and_width() {
        let ports = parse_header_ports(HEADER);
        let got: Vec<(&str, &str, u32)> = ports
            .iter()
            .map(|p| (p.name.as_str(), p.dir, p.width))
            .collect();
        assert_eq!(
            got,
            [
                ("clk_i", "input", 1),
                ("din_i", "input", 7),
                ("count_o", "output", 16),
                ("scratch_o", "output", 32),
                ("acc_o", "output", 33),
                ("big_i", "input", 100),
                ("pad_io", "inout", 1),
            ]
        );
    }

    #[test]
    fn port_check_lists_every_difference() {
        let header = parse_header_ports(HEADER);
        let spec = ModelSpec::new("t", vec![PathBuf::from("t.v")], "clk_i")
            .port(Port::input("din_i", 8))
            .port(Port::output("count_o", 16))
            .port(Port::input("scratch_o", 32))
            .port(Port::output("ghost_o", 3));
        let e = check_ports(&spec, &header).unwrap_err().to_string();
        for needle in [
            "`din_i`: the spec says 8-bit input, the top has a 7-bit input",
            "`scratch_o`: the spec says 32-bit input, the top has a 32-bit output",
            "`ghost_o` (output) is not a port of the top",
            "`acc_o` (33-bit output) is a port of the top but not in the spec's port list",
            "`big_i` (100-bit input)",
            "`pad_io` is an inout port",
        ] {
            assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
        }
        assert!(!e.contains("`count_o`"), "{e}");
    }

    #[test]
    fn a_clock_that_is_missing_or_wide_is_reported() {
        let header = parse_header_ports("VL_IN8(&clk_i,1,0);\n");
        let spec = ModelSpec::new("t", vec![PathBuf::from("t.v")], "clk_i");
        let e = check_ports(&spec, &header).unwrap_err().to_string();
        assert!(
            e.contains("must be a 1-bit input, the top has a 2-bit input"),
            "{e}"
        );
        let spec = ModelSpec::new("t", vec![PathBuf::from("t.v")], "clock");
        let e = check_ports(&spec, &header).unwrap_err().to_string();
        assert!(
            e.contains("the clock `clock` is not a port of the top"),
            "{e}"
        );
    }

    #[test]
    fn runtime_objects_come_from_the_classes_makefile() {
        let mk = "VM_SUPPORT_SLOW += \\\n\tVmodel__Syms \\\n\nVM_GLOBAL_FAST += \\\n\tverilated \\\n\tverilated_vcd_c \\\n\tverilated_threads \\\n\nVM_GLOBAL_SLOW += \\\n\n";
        assert_eq!(
            runtime_objects(mk),
            ["verilated", "verilated_vcd_c", "verilated_threads"]
        );
    }
}
