//! What the build tests share: the crate's folder, the generator tests'
//! tiny network and the `small` hardware config.

use std::fs;
use std::path::{Path, PathBuf};

use spikefab_gen::HwConfig;
use spikefab_sim::load::load_str;
use spikefab_sim::Network;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The generator tests' tiny network (33 neurons, 330 synapses).
pub fn tiny() -> Network {
    let p = root().join("../gen/tests/nets/tiny.toml");
    let text = fs::read_to_string(&p).unwrap();
    load_str(&text, &p.display().to_string()).unwrap()
}

pub fn small() -> HwConfig {
    HwConfig::named("small").unwrap()
}
