//! The generated C++ wrapper that gives a verilated model a small C ABI.
//!
//! The wrapper is compiled into the model's shared library, which exports
//! only the `spikefab_cosim_*` functions below (a linker version script hides
//! everything else, and `-Bsymbolic` binds the library's own references
//! inside it, so several model libraries, each with its own copy of the
//! Verilator runtime, coexist in one process).
//!
//! ```c
//! uint32_t    spikefab_cosim_abi(void);            // == WRAPPER_ABI
//! const char* spikefab_cosim_signature(void);      // port signature, see signature()
//! void*       spikefab_cosim_create(uint32_t seed, uint32_t rand_reset);
//! void        spikefab_cosim_destroy(void* h);     // runs final blocks, closes the trace
//! const char* spikefab_cosim_error(void* h);       // "" unless a call failed
//! void        spikefab_cosim_set(void* h, uint32_t port, uint64_t value);   // ports of 1..=64 bits
//! uint64_t    spikefab_cosim_get(void* h, uint32_t port);                   // ports of 1..=64 bits
//! // any port, as n = ceil(width/64) little-endian 64-bit words (word 0 = bits 63..0);
//! // inputs masked to their width, outputs read with the bits above it 0;
//! // 0 ok, 2 an unknown port or a wrong n (error() says which)
//! int         spikefab_cosim_set_wide(void* h, uint32_t port, const uint64_t* words, uint32_t n);
//! int         spikefab_cosim_get_wide(void* h, uint32_t port, uint64_t* words, uint32_t n);
//! int         spikefab_cosim_eval(void* h);        // 0 ok, else see error()
//! int         spikefab_cosim_tick(void* h);
//! int         spikefab_cosim_ticks(void* h, uint64_t n);
//! uint64_t    spikefab_cosim_cycles(void* h);
//! int         spikefab_cosim_finished(void* h);    // $finish seen
//! int         spikefab_cosim_trace_open(void* h, const char* path);
//! void        spikefab_cosim_trace_close(void* h);
//! ```

use std::fmt::Write as _;

use crate::spec::{width_mask, Dir, ModelSpec};

/// ABI version of the exported C functions; the shim refuses other values.
/// 2: `spikefab_cosim_set_wide/get_wide` and ports wider than 64 bits.
pub const WRAPPER_ABI: u32 = 2;

/// The C++ class prefix given to Verilator (`--prefix`).
pub const PREFIX: &str = "Vmodel";

/// Name of the generated wrapper source (in the Verilator object folder).
pub const WRAPPER_CPP: &str = "spikefab_cosim_wrapper.cpp";

/// The exported symbols (for the linker version script).
pub const EXPORTS: &[&str] = &[
    "spikefab_cosim_abi",
    "spikefab_cosim_signature",
    "spikefab_cosim_create",
    "spikefab_cosim_destroy",
    "spikefab_cosim_error",
    "spikefab_cosim_set",
    "spikefab_cosim_get",
    "spikefab_cosim_set_wide",
    "spikefab_cosim_get_wide",
    "spikefab_cosim_eval",
    "spikefab_cosim_tick",
    "spikefab_cosim_ticks",
    "spikefab_cosim_cycles",
    "spikefab_cosim_finished",
    "spikefab_cosim_trace_open",
    "spikefab_cosim_trace_close",
];

/// The port signature compiled into the library and compared on load:
/// `clock=<clk>;<in|out>:<name>:<width>;...` in port-index order.
pub fn signature(spec: &ModelSpec) -> String {
    let mut s = format!("clock={}", spec.clock);
    for p in &spec.ports {
        let dir = match p.dir {
            Dir::In => "in",
            Dir::Out => "out",
        };
        let _ = write!(s, ";{dir}:{}:{}", p.name, p.width);
    }
    s
}

/// The linker version script that exports only [`EXPORTS`].
pub fn version_script() -> String {
    let mut s = String::from("{\n  global:\n");
    for e in EXPORTS {
        let _ = writeln!(s, "    {e};");
    }
    s.push_str("  local:\n    *;\n};\n");
    s
}

/// The wrapper C++ source for `spec` (ports already checked against the
/// verilated header, so every member named here exists).
pub fn generate(spec: &ModelSpec) -> String {
    let mut set_cases = String::new();
    let mut get_cases = String::new();
    let mut set_wide_cases = String::new();
    let mut get_wide_cases = String::new();
    let mut zero_inputs = String::new();
    for (i, p) in spec.ports.iter().enumerate() {
        let n = p.name.as_str();
        let nw = p.words();
        let top_mask = p.top_word_mask();
        if p.is_wide() {
            // Verilator keeps a port wider than 64 bits as VlWide: 32-bit
            // words, least significant first, ceil(width/32) of them.
            let n32 = p.width.div_ceil(32);
            let top32 = width_mask(p.width - 32 * (n32 - 1));
            if p.dir == Dir::In {
                let _ = writeln!(
                    set_wide_cases,
                    "        case {i}:\n            if (n != {nw}) return bad_count(in, \"{n}\", {nw}, n);\n            \
                     for (uint32_t k = 0; k < {n32}; ++k) top->{n}[k] = static_cast<EData>(words[k >> 1] >> ((k & 1) * 32));\n            \
                     top->{n}[{last}] &= 0x{top32:x}U;\n            return 0;",
                    last = n32 - 1
                );
                let _ = writeln!(
                    zero_inputs,
                    "    for (uint32_t k = 0; k < {n32}; ++k) top->{n}[k] = 0;"
                );
            }
            let _ = writeln!(
                get_wide_cases,
                "        case {i}:\n            if (n != {nw}) return bad_count(in, \"{n}\", {nw}, n);\n            \
                 for (uint32_t k = 0; k < {nw}; ++k) words[k] = 0;\n            \
                 for (uint32_t k = 0; k < {n32}; ++k) words[k >> 1] |= static_cast<uint64_t>(top->{n}[k]) << ((k & 1) * 32);\n            \
                 words[{last}] &= 0x{top_mask:x}ULL;\n            return 0;",
                last = nw - 1
            );
            continue;
        }
        let ctype = match p.width {
            1..=8 => "CData",
            9..=16 => "SData",
            17..=32 => "IData",
            _ => "QData",
        };
        if p.dir == Dir::In {
            let _ = writeln!(
                set_cases,
                "        case {i}: top->{n} = static_cast<{ctype}>(value & 0x{top_mask:x}ULL); break;"
            );
            let _ = writeln!(
                set_wide_cases,
                "        case {i}:\n            if (n != 1) return bad_count(in, \"{n}\", 1, n);\n            \
                 top->{n} = static_cast<{ctype}>(words[0] & 0x{top_mask:x}ULL);\n            return 0;"
            );
            let _ = writeln!(zero_inputs, "    top->{n} = 0;");
        }
        let _ = writeln!(
            get_cases,
            "        case {i}: return static_cast<uint64_t>(top->{n}) & 0x{top_mask:x}ULL;"
        );
        let _ = writeln!(
            get_wide_cases,
            "        case {i}:\n            if (n != 1) return bad_count(in, \"{n}\", 1, n);\n            \
             words[0] = static_cast<uint64_t>(top->{n}) & 0x{top_mask:x}ULL;\n            return 0;"
        );
    }
    let signature = signature(spec);
    format!(
        r#"// Generated by spikefab-cosim (wrapper ABI {abi}) for top `{top}`; do not edit.
// A C ABI around the verilated model {prefix}: one VerilatedContext per instance.
#include <cstdint>
#include <exception>
#include <new>
#include <string>

#include "verilated.h"
#include "verilated_vcd_c.h"
#include "{prefix}.h"

namespace {{

// Thrown by vl_fatal (compiled with -DVL_USER_FATAL) so that $stop, $fatal,
// failed assertions and runtime errors unwind to the C ABI instead of
// aborting the host process.
struct SpikefabFatal {{
    std::string message;
}};

struct Instance {{
    VerilatedContext* ctx = nullptr;
    {prefix}* top = nullptr;
    VerilatedVcdC* vcd = nullptr;
    uint64_t cycles = 0;
    bool failed = false;
    std::string error;
}};

void fail(Instance* in, const std::string& message) {{
    in->failed = true;
    in->error = message;
}}

// One half period: drive the clock, evaluate, dump, advance time by one unit.
inline void half_cycle(Instance* in, CData level) {{
    in->top->{clock} = level;
    in->top->eval();
    if (in->vcd) in->vcd->dump(in->ctx->time());
    in->ctx->timeInc(1);
}}

inline Instance* inst(void* h) {{ return static_cast<Instance*>(h); }}

// A word count that does not match the port (the Rust side checks first;
// this keeps a wrong call from reading or writing past the words).
int bad_count(Instance* in, const char* port, uint32_t expected, uint32_t n) {{
    if (!in->failed) {{
        in->error = std::string("port `") + port + "` takes " + std::to_string(expected) +
                    " 64-bit words, not " + std::to_string(n);
    }}
    return 2;
}}

int bad_port(Instance* in, uint32_t port, const char* what) {{
    if (!in->failed) {{
        in->error = "port index " + std::to_string(port) + " is not " + what + " of the model";
    }}
    return 2;
}}

}}  // namespace

void vl_fatal(const char* filename, int linenum, const char* hier, const char* msg) {{
    (void)hier;
    Verilated::threadContextp()->gotError(true);
    Verilated::threadContextp()->gotFinish(true);
    std::string text;
    if (filename && filename[0]) {{
        text += filename;
        text += ':';
        text += std::to_string(linenum);
        text += ": ";
    }}
    text += msg ? msg : "(no message)";
    throw SpikefabFatal{{text}};
}}

// Runtime warnings of Verilator ($readmem of a missing file, or of a file that
// ends before its final address) leave memories silently unloaded: they are
// errors here (compiled with -DVL_USER_WARN).
void vl_warn(const char* filename, int linenum, const char* hier, const char* msg) {{
    vl_fatal(filename, linenum, hier, (std::string("(a Verilator runtime warning, an error here) ") + (msg ? msg : "")).c_str());
}}

// $finish: remember it (see spikefab_cosim_finished); never exit the process.
void vl_finish(const char* filename, int linenum, const char* hier) {{
    (void)filename;
    (void)linenum;
    (void)hier;
    Verilated::threadContextp()->gotFinish(true);
}}

#define SPIKEFAB_API extern "C" __attribute__((visibility("default")))

#define SPIKEFAB_GUARD(in, body)                                  \
    do {{                                                          \
        if ((in)->failed) return 1;                               \
        try {{                                                     \
            Verilated::threadContextp((in)->ctx);                 \
            body;                                                 \
            return 0;                                             \
        }} catch (const SpikefabFatal& f) {{                        \
            fail((in), f.message);                                \
        }} catch (const std::exception& e) {{                       \
            fail((in), e.what());                                 \
        }} catch (...) {{                                           \
            fail((in), "unknown C++ exception");                  \
        }}                                                         \
        return 1;                                                 \
    }} while (0)

SPIKEFAB_API uint32_t spikefab_cosim_abi(void) {{ return {abi}; }}

SPIKEFAB_API const char* spikefab_cosim_signature(void) {{ return "{signature}"; }}

SPIKEFAB_API void* spikefab_cosim_create(uint32_t seed, uint32_t rand_reset) {{
    Instance* in = new (std::nothrow) Instance();
    if (!in) return nullptr;
    try {{
        in->ctx = new VerilatedContext;
        Verilated::threadContextp(in->ctx);
        in->ctx->randReset(static_cast<int>(rand_reset));
        // Before the model exists: the constructor draws the --x-initial values.
        in->ctx->randSeed(static_cast<int>(seed));
        in->ctx->traceEverOn(true);
        in->ctx->fatalOnError(true);
        in->top = new {prefix}(in->ctx, "TOP");
        {prefix}* top = in->top;
        top->{clock} = 0;
{zero_inputs}    }} catch (const SpikefabFatal& f) {{
        fail(in, f.message);
    }} catch (const std::exception& e) {{
        fail(in, e.what());
    }} catch (...) {{
        fail(in, "unknown C++ exception while constructing the model");
    }}
    return in;
}}

SPIKEFAB_API void spikefab_cosim_destroy(void* h) {{
    Instance* in = inst(h);
    if (!in) return;
    try {{
        if (in->ctx) Verilated::threadContextp(in->ctx);
        if (in->vcd) in->vcd->close();
        if (in->top && !in->failed) in->top->final();
    }} catch (...) {{
    }}
    delete in->vcd;
    delete in->top;
    delete in->ctx;
    delete in;
}}

SPIKEFAB_API const char* spikefab_cosim_error(void* h) {{ return inst(h)->error.c_str(); }}

SPIKEFAB_API void spikefab_cosim_set(void* h, uint32_t port, uint64_t value) {{
    Instance* in = inst(h);
    if (!in->top) return;
    {prefix}* top = in->top;
    switch (port) {{
{set_cases}        default: break;
    }}
}}

SPIKEFAB_API uint64_t spikefab_cosim_get(void* h, uint32_t port) {{
    Instance* in = inst(h);
    if (!in->top) return 0;
    {prefix}* top = in->top;
    switch (port) {{
{get_cases}        default: return 0;
    }}
}}

SPIKEFAB_API int spikefab_cosim_set_wide(void* h, uint32_t port, const uint64_t* words, uint32_t n) {{
    Instance* in = inst(h);
    if (!in->top) return bad_port(in, port, "an input");
    {prefix}* top = in->top;
    switch (port) {{
{set_wide_cases}        default: return bad_port(in, port, "an input");
    }}
}}

SPIKEFAB_API int spikefab_cosim_get_wide(void* h, uint32_t port, uint64_t* words, uint32_t n) {{
    Instance* in = inst(h);
    if (!in->top) return bad_port(in, port, "a port");
    {prefix}* top = in->top;
    switch (port) {{
{get_wide_cases}        default: return bad_port(in, port, "a port");
    }}
}}

SPIKEFAB_API int spikefab_cosim_eval(void* h) {{
    Instance* in = inst(h);
    SPIKEFAB_GUARD(in, in->top->eval());
}}

SPIKEFAB_API int spikefab_cosim_tick(void* h) {{
    Instance* in = inst(h);
    SPIKEFAB_GUARD(in, {{
        half_cycle(in, 0);
        half_cycle(in, 1);
        ++in->cycles;
    }});
}}

SPIKEFAB_API int spikefab_cosim_ticks(void* h, uint64_t n) {{
    Instance* in = inst(h);
    SPIKEFAB_GUARD(in, {{
        for (uint64_t i = 0; i < n; ++i) {{
            half_cycle(in, 0);
            half_cycle(in, 1);
            ++in->cycles;
        }}
    }});
}}

SPIKEFAB_API uint64_t spikefab_cosim_cycles(void* h) {{ return inst(h)->cycles; }}

SPIKEFAB_API int spikefab_cosim_finished(void* h) {{
    Instance* in = inst(h);
    return in->ctx && in->ctx->gotFinish() ? 1 : 0;
}}

SPIKEFAB_API int spikefab_cosim_trace_open(void* h, const char* path) {{
    Instance* in = inst(h);
    if (in->failed) return 1;
    if (in->vcd) {{
        in->error = "a trace is already open; close it first";
        return 2;
    }}
    SPIKEFAB_GUARD(in, {{
        VerilatedVcdC* vcd = new VerilatedVcdC;
        in->top->trace(vcd, 99);
        vcd->open(path);
        if (!vcd->isOpen()) {{
            delete vcd;
            in->error = "the VCD file could not be created";
            return 2;
        }}
        in->vcd = vcd;
    }});
}}

SPIKEFAB_API void spikefab_cosim_trace_close(void* h) {{
    Instance* in = inst(h);
    if (!in->vcd) return;
    try {{
        Verilated::threadContextp(in->ctx);
        in->vcd->close();
    }} catch (...) {{
    }}
    delete in->vcd;
    in->vcd = nullptr;
}}
"#,
        abi = WRAPPER_ABI,
        top = spec.top,
        prefix = PREFIX,
        clock = spec.clock,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Port;
    use std::path::PathBuf;

    #[test]
    fn inputs_are_masked_to_their_width_and_outputs_are_read_by_index() {
        let spec = ModelSpec::new("t", vec![PathBuf::from("t.v")], "clk_i")
            .port(Port::input("a_i", 7))
            .port(Port::output("b_o", 33).signed())
            .port(Port::output("c_o", 64));
        let cpp = generate(&spec);
        assert!(cpp.contains("case 0: top->a_i = static_cast<CData>(value & 0x7fULL);"));
        assert!(cpp.contains("case 1: return static_cast<uint64_t>(top->b_o) & 0x1ffffffffULL;"));
        assert!(
            cpp.contains("case 2: return static_cast<uint64_t>(top->c_o) & 0xffffffffffffffffULL;")
        );
        assert!(!cpp.contains("top->b_o = "), "outputs are never assigned");
        assert_eq!(
            signature(&spec),
            "clock=clk_i;in:a_i:7;out:b_o:33;out:c_o:64"
        );
    }

    #[test]
    fn wide_ports_move_as_32_bit_verilator_words_with_the_top_word_masked() {
        let spec = ModelSpec::new("t", vec![PathBuf::from("t.v")], "clk_i")
            .port(Port::input("a_i", 100))
            .port(Port::output("b_o", 257))
            .port(Port::input("c_i", 33));
        let cpp = generate(&spec);
        // 100 bits: 4 Verilator words, the top one holding 4 bits; 2 u64 words.
        assert!(
            cpp.contains("case 0:\n            if (n != 2) return bad_count(in, \"a_i\", 2, n);")
        );
        assert!(cpp.contains("for (uint32_t k = 0; k < 4; ++k) top->a_i[k] = static_cast<EData>(words[k >> 1] >> ((k & 1) * 32));"));
        assert!(cpp.contains("top->a_i[3] &= 0xfU;"));
        assert!(cpp.contains("for (uint32_t k = 0; k < 4; ++k) top->a_i[k] = 0;"));
        // 257 bits: 9 Verilator words, 5 u64 words, 1 bit in the top one.
        assert!(cpp.contains("if (n != 5) return bad_count(in, \"b_o\", 5, n);"));
        assert!(cpp.contains("words[4] &= 0x1ULL;"));
        assert!(!cpp.contains("top->b_o[k] ="), "outputs are never assigned");
        // Plain set/get have no case for a wide port; a narrow one has both forms.
        assert!(!cpp.contains("case 0: top->a_i ="));
        assert!(!cpp.contains("case 1: return"));
        assert!(
            cpp.contains("case 2: top->c_i = static_cast<QData>(value & 0x1ffffffffULL); break;")
        );
        assert!(cpp.contains("top->c_i = static_cast<QData>(words[0] & 0x1ffffffffULL);"));
    }

    #[test]
    fn version_script_exports_exactly_the_c_abi() {
        let s = version_script();
        for e in EXPORTS {
            assert!(s.contains(&format!("{e};")));
        }
        assert!(s.contains("local:\n    *;"));
    }
}
