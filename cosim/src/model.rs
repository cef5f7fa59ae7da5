//! A running model instance: the safe Rust side of the cxx bridge to
//! `src/shim.cc`, which calls the C ABI of a model library.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::error::CosimError;
use crate::libinfo::LibInfo;
use crate::spec::{Dir, Port};
use crate::wrapper::WRAPPER_ABI;

#[cxx::bridge(namespace = "spikefab_cosim")]
mod ffi {
    unsafe extern "C++" {
        include!("spikefab-cosim/include/shim.h");

        type Model;

        fn open_model(
            so_path: &[u8],
            abi: u32,
            seed: u32,
            rand_reset: u32,
        ) -> Result<UniquePtr<Model>>;
        fn set(self: Pin<&mut Model>, port: u32, value: u64);
        fn get(self: &Model, port: u32) -> u64;
        fn set_wide(self: Pin<&mut Model>, port: u32, words: &[u64]) -> Result<()>;
        fn get_wide(self: &Model, port: u32, words: &mut [u64]) -> Result<()>;
        fn eval(self: Pin<&mut Model>) -> Result<()>;
        fn tick(self: Pin<&mut Model>) -> Result<()>;
        fn ticks(self: Pin<&mut Model>, n: u64) -> Result<()>;
        fn cycles(self: &Model) -> u64;
        fn finished(self: &Model) -> bool;
        fn failed(self: &Model) -> bool;
        fn signature(self: &Model) -> String;
        fn trace_open(self: Pin<&mut Model>, path: &[u8]) -> Result<()>;
        fn trace_close(self: Pin<&mut Model>);
    }
}

// SAFETY: an instance owns its VerilatedContext and model, and every entry
// point of the wrapper first makes that context the calling thread's current
// one (Verilated::threadContextp), so an instance may move between threads.
// It is not Sync: all mutation goes through `&mut self`/`Pin<&mut>`, and
// `&self` methods only read plain members.
unsafe impl Send for ffi::Model {}

/// Serialises instance construction: Verilator's per-library random-seed
/// epoch is process-global, so a concurrent `randSeed` in another thread
/// could reseed the generator in the middle of a constructor's
/// `--x-initial` draws and make the initial values irreproducible.
static CREATE: Mutex<()> = Mutex::new(());

/// Verilator's reset value of signals that the design does not initialise
/// (`--x-initial unique`) and of X assignments (`--x-assign unique`), i.e.
/// `VerilatedContext::randReset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandReset {
    /// All zeros.
    Zeros = 0,
    /// All ones.
    Ones = 1,
    /// Pseudo-random, a function of the seed.
    Random = 2,
}

/// A port of one model library, resolved once by [`Model::port`]; valid for
/// every instance of that library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortId {
    index: u32,
    tag: u64,
}

impl PortId {
    /// The port's index in the spec's port list.
    pub fn index(self) -> u32 {
        self.index
    }
}

/// One instance of a verilated model (its own Verilator context and state).
///
/// Inputs start at 0 (the clock too); outputs reflect the last
/// [`eval`](Model::eval) or [`tick`](Model::tick). One clock cycle
/// (`tick`) is: clock low, evaluate, clock high, evaluate, two time units of
/// the design's precision (so cycle `k` starts at time `2k` in a VCD).
/// Inputs set between ticks are therefore sampled at the next rising edge.
pub struct Model {
    inner: cxx::UniquePtr<ffi::Model>,
    lib: Arc<LibInfo>,
    seed: u32,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("top", &self.lib.top)
            .field("library", &self.lib.so_path)
            .field("seed", &self.seed)
            .field("cycles", &self.cycles())
            .finish()
    }
}

impl Model {
    pub(crate) fn open(
        lib: Arc<LibInfo>,
        seed: u32,
        rand_reset: RandReset,
    ) -> Result<Model, CosimError> {
        if seed == 0 {
            return Err(CosimError::ZeroSeed);
        }
        let path = lib.so_path.as_os_str().as_encoded_bytes();
        let inner = {
            let _guard = CREATE.lock().unwrap_or_else(|e| e.into_inner());
            ffi::open_model(path, WRAPPER_ABI, seed, rand_reset as u32).map_err(|e| {
                CosimError::Load {
                    path: lib.so_path.clone(),
                    message: e.what().to_string(),
                }
            })?
        };
        let model = Model { inner, lib, seed };
        let found = model.pinned_ref().signature();
        if found != model.lib.signature {
            return Err(CosimError::LibraryMismatch {
                path: model.lib.so_path.clone(),
                expected: model.lib.signature.clone(),
                found,
            });
        }
        Ok(model)
    }

    fn pinned_ref(&self) -> &ffi::Model {
        self.inner
            .as_ref()
            .expect("open_model never returns a null instance")
    }

    fn pinned_mut(&mut self) -> std::pin::Pin<&mut ffi::Model> {
        self.inner
            .as_mut()
            .expect("open_model never returns a null instance")
    }

    /// The top module.
    pub fn top(&self) -> &str {
        &self.lib.top
    }

    /// The seed this instance was created with.
    pub fn seed(&self) -> u32 {
        self.seed
    }

    /// The ports, in port-index order (the clock is not among them).
    pub fn ports(&self) -> &[Port] {
        &self.lib.ports
    }

    /// Resolves a port name once; use the id for every `set`/`get`.
    pub fn port(&self, name: &str) -> Result<PortId, CosimError> {
        match self.lib.ports.iter().position(|p| p.name == name) {
            Some(i) => Ok(PortId {
                index: i as u32,
                tag: self.lib.tag,
            }),
            None => {
                let mut known: Vec<String> = self
                    .lib
                    .ports
                    .iter()
                    .map(|p| format!("{} ({} {})", p.name, p.dir.as_str(), p.width))
                    .collect();
                known.push(format!("{} (clock, driven by tick)", self.lib.clock));
                Err(CosimError::UnknownPort {
                    top: self.lib.top.clone(),
                    name: name.to_string(),
                    known: known.join(", "),
                })
            }
        }
    }

    /// The port behind an id.
    pub fn port_info(&self, id: PortId) -> Result<&Port, CosimError> {
        let foreign = || CosimError::ForeignPort {
            top: self.lib.top.clone(),
            index: id.index,
        };
        if id.tag != self.lib.tag {
            return Err(foreign());
        }
        self.lib.ports.get(id.index as usize).ok_or_else(foreign)
    }

    fn input(&self, id: PortId) -> Result<&Port, CosimError> {
        let p = self.port_info(id)?;
        if p.dir != Dir::In {
            return Err(CosimError::NotAnInput {
                port: p.name.clone(),
            });
        }
        Ok(p)
    }

    /// The port behind `id`, refused when it is wider than 64 bits (`what`
    /// names the call).
    fn narrow(&self, id: PortId, what: &'static str) -> Result<&Port, CosimError> {
        let p = self.port_info(id)?;
        if p.is_wide() {
            return Err(CosimError::WidePort {
                port: p.name.clone(),
                width: p.width,
                call: what,
            });
        }
        Ok(p)
    }

    fn word_count(p: &Port, got: usize) -> Result<(), CosimError> {
        if got != p.words() {
            return Err(CosimError::WordCount {
                port: p.name.clone(),
                width: p.width,
                expected: p.words(),
                got,
            });
        }
        Ok(())
    }

    /// Drives an input with the raw bit pattern `value`, which must fit the
    /// port's width (for a signed port: its two's-complement bits, or use
    /// [`set_signed`](Model::set_signed)).
    /// A port wider than 64 bits is an error: use
    /// [`set_wide`](Model::set_wide).
    pub fn set(&mut self, id: PortId, value: u64) -> Result<(), CosimError> {
        self.narrow(id, "set")?;
        let p = self.input(id)?;
        if value & !p.mask() != 0 {
            return Err(CosimError::ValueOutOfRange {
                port: p.name.clone(),
                width: p.width,
                kind: "unsigned",
                value: format!("{value:#x}"),
            });
        }
        self.pinned_mut().set(id.index, value);
        Ok(())
    }

    /// Drives an input with a two's-complement value that must lie in the
    /// port's signed range `-2^(w-1) ..= 2^(w-1)-1`.
    pub fn set_signed(&mut self, id: PortId, value: i64) -> Result<(), CosimError> {
        self.narrow(id, "set_signed")?;
        let p = self.input(id)?;
        let w = p.width;
        let (lo, hi) = if w >= 64 {
            (i64::MIN, i64::MAX)
        } else {
            (-(1i64 << (w - 1)), (1i64 << (w - 1)) - 1)
        };
        if !(lo..=hi).contains(&value) {
            return Err(CosimError::ValueOutOfRange {
                port: p.name.clone(),
                width: w,
                kind: "signed",
                value: value.to_string(),
            });
        }
        let bits = value as u64 & p.mask();
        self.pinned_mut().set(id.index, bits);
        Ok(())
    }

    /// The current value of a port (outputs: as of the last eval/tick),
    /// zero-extended. A port wider than 64 bits is an error: use
    /// [`get_wide`](Model::get_wide).
    pub fn get(&self, id: PortId) -> Result<u64, CosimError> {
        self.narrow(id, "get")?;
        Ok(self.pinned_ref().get(id.index))
    }

    /// The current value of a port, sign-extended from its width.
    pub fn get_signed(&self, id: PortId) -> Result<i64, CosimError> {
        let w = self.narrow(id, "get_signed")?.width;
        let raw = self.pinned_ref().get(id.index);
        let shift = 64 - w;
        Ok(((raw << shift) as i64) >> shift)
    }

    /// Drives an input of any width with its bits as little-endian 64-bit
    /// words (`words[0]` = bits 63..0), exactly [`Port::words`] of them;
    /// the bits above the width must be 0.
    pub fn set_wide(&mut self, id: PortId, words: &[u64]) -> Result<(), CosimError> {
        let p = self.input(id)?;
        Self::word_count(p, words.len())?;
        let top = words[words.len() - 1];
        if top & !p.top_word_mask() != 0 {
            return Err(CosimError::ValueOutOfRange {
                port: p.name.clone(),
                width: p.width,
                kind: "unsigned",
                value: format!(
                    "with word {} = {top:#x} (bits above the width set)",
                    words.len() - 1
                ),
            });
        }
        let name = p.name.clone();
        self.pinned_mut()
            .set_wide(id.index, words)
            .map_err(|e| CosimError::Wrapper {
                port: name,
                message: e.what().to_string(),
            })
    }

    /// Reads a port of any width into `words` (exactly [`Port::words`] of
    /// them, little-endian; the bits above the width are 0). No
    /// allocation: for per-cycle reads.
    pub fn get_wide_into(&self, id: PortId, words: &mut [u64]) -> Result<(), CosimError> {
        let p = self.port_info(id)?;
        Self::word_count(p, words.len())?;
        self.pinned_ref()
            .get_wide(id.index, words)
            .map_err(|e| CosimError::Wrapper {
                port: p.name.clone(),
                message: e.what().to_string(),
            })
    }

    /// The value of a port of any width as little-endian 64-bit words
    /// ([`Port::words`] of them).
    pub fn get_wide(&self, id: PortId) -> Result<Vec<u64>, CosimError> {
        let mut words = vec![0; self.port_info(id)?.words()];
        self.get_wide_into(id, &mut words)?;
        Ok(words)
    }

    fn sim_err(&self, e: cxx::Exception) -> CosimError {
        CosimError::Simulation {
            top: self.lib.top.clone(),
            cycle: self.cycles(),
            message: e.what().to_string(),
        }
    }

    /// Evaluates the model without a clock edge (combinational outputs
    /// follow the inputs set since the last evaluation). No time passes.
    pub fn eval(&mut self) -> Result<(), CosimError> {
        self.pinned_mut().eval().map_err(|e| self.sim_err(e))
    }

    /// One clock cycle. An error ($stop, $fatal, an assertion, a runtime
    /// error of Verilator) leaves the instance unusable.
    pub fn tick(&mut self) -> Result<(), CosimError> {
        self.pinned_mut().tick().map_err(|e| self.sim_err(e))
    }

    /// `n` clock cycles in one call, with the inputs held.
    pub fn ticks(&mut self, n: u64) -> Result<(), CosimError> {
        self.pinned_mut().ticks(n).map_err(|e| self.sim_err(e))
    }

    /// Completed clock cycles.
    pub fn cycles(&self) -> u64 {
        self.pinned_ref().cycles()
    }

    /// Whether the design executed `$finish` (the model keeps running if
    /// ticked; the caller decides).
    pub fn finished(&self) -> bool {
        self.pinned_ref().finished()
    }

    /// Starts writing a VCD of every signal to `path`; every half cycle
    /// until [`trace_close`](Model::trace_close) is dumped. One trace at a
    /// time; a later trace may go to another file.
    pub fn trace_open(&mut self, path: &Path) -> Result<(), CosimError> {
        let bytes = path.as_os_str().as_encoded_bytes().to_vec();
        self.pinned_mut().trace_open(&bytes).map_err(|e| {
            if self.pinned_ref().failed() {
                self.sim_err(e)
            } else {
                CosimError::Trace {
                    top: self.lib.top.clone(),
                    path: path.to_path_buf(),
                    message: e.what().to_string(),
                }
            }
        })
    }

    /// Flushes and closes the open VCD (no-op when none is open).
    pub fn trace_close(&mut self) {
        self.pinned_mut().trace_close();
    }
}
