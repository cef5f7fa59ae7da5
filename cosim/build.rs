//! Compiles the C++ side of the cxx bridge (src/shim.cc), which dlopens the
//! per-configuration model libraries at run time. Verilator itself is not
//! needed to build this crate: models are verilated when a program asks.

fn main() {
    cxx_build::bridge("src/model.rs")
        .file("src/shim.cc")
        .std("c++17")
        .warnings(true)
        .extra_warnings(true)
        .flag_if_supported("-Wall")
        .compile("spikefab_cosim_shim");
    println!("cargo:rustc-link-lib=dl");
    println!("cargo:rerun-if-changed=src/model.rs");
    println!("cargo:rerun-if-changed=src/shim.cc");
    println!("cargo:rerun-if-changed=include/shim.h");
}
