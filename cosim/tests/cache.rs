//! The model cache: hits, misses on changed sources and parameters, one
//! build for concurrent builders of a key, and clean-up of interrupted builds.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{
    acc_spec_from, build_in, fifo_spec, fixture, fresh_cache, fresh_cache_with_runtime, tools,
    AccModel,
};
use spikefab_cosim::{cache_key, BuildOrigin, RandReset, LIB_FILE};

/// A private copy of the accumulator source that the test may change.
fn private_source(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cosim-{test}-src"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let src = dir.join("cosim_acc.v");
    fs::copy(fixture("cosim_acc.v"), &src).unwrap();
    src
}

fn entries(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_second_build_is_a_cache_hit_and_changed_sources_or_parameters_are_misses() {
    let cache = fresh_cache("hit-miss");
    let src = private_source("hit-miss");
    let spec = acc_spec_from(src.clone());

    let first = build_in(&spec, &cache);
    let BuildOrigin::Built {
        verilate,
        compile,
        runtime_built,
    } = first.origin()
    else {
        panic!("the first build in a fresh cache must build");
    };
    assert!(
        runtime_built,
        "a fresh cache root compiles the Verilator runtime"
    );
    println!(
        "cosim build times (fresh cache, runtime included): verilate {:.2} s, compile {:.2} s",
        verilate.as_secs_f64(),
        compile.as_secs_f64()
    );
    assert!(first.so_path().is_file());
    assert!(first.dir().join("build.txt").is_file());

    let second = build_in(&spec, &cache);
    assert!(!second.was_built(), "same spec, same sources: no tool runs");
    assert_eq!(second.origin(), BuildOrigin::Cached);
    assert_eq!(second.key(), first.key());
    assert_eq!(second.so_path(), first.so_path());
    second
        .instantiate(1, RandReset::Zeros)
        .unwrap()
        .tick()
        .unwrap();

    // A changed source (even a comment) is a miss; the runtime is reused.
    let original = fs::read_to_string(&src).unwrap();
    fs::write(&src, format!("{original}// changed\n")).unwrap();
    let third = build_in(&spec, &cache);
    assert!(third.was_built());
    assert_ne!(third.key(), first.key());
    assert!(matches!(
        third.origin(),
        BuildOrigin::Built {
            runtime_built: false,
            ..
        }
    ));
    if let BuildOrigin::Built {
        verilate, compile, ..
    } = third.origin()
    {
        println!(
            "cosim build times (runtime cached): verilate {:.2} s, compile {:.2} s",
            verilate.as_secs_f64(),
            compile.as_secs_f64()
        );
    }

    // Back to the original text: the first library is found again.
    fs::write(&src, &original).unwrap();
    assert_eq!(build_in(&spec, &cache).origin(), BuildOrigin::Cached);

    // A parameter override is a miss, and reaches the RTL.
    let spec3 = spec.clone().param("MUL", "64'd3");
    let lib3 = build_in(&spec3, &cache);
    assert!(lib3.was_built());
    let mut m = lib3.instantiate(1, RandReset::Random).unwrap();
    let (rst, en, din, wide) = (
        m.port("rst_i").unwrap(),
        m.port("en_i").unwrap(),
        m.port("din_i").unwrap(),
        m.port("wide_o").unwrap(),
    );
    m.set(rst, 1).unwrap();
    m.tick().unwrap();
    m.set(rst, 0).unwrap();
    m.set(en, 1).unwrap();
    m.set(din, 10).unwrap();
    m.ticks(4).unwrap();
    assert_eq!(m.get(wide).unwrap(), 4 * 10 * 3);
    // The default multiplier for comparison.
    let mut model = AccModel::default();
    model.clock(true, false, 0);
    model.clock(false, true, 10);
    assert_ne!(model.wide, 30);

    let names = entries(&cache);
    assert!(
        !names.iter().any(|n| n.starts_with(".tmp-")),
        "no temporary folders left: {names:?}"
    );
    let libs = names
        .iter()
        .filter(|n| cache.join(n).join(LIB_FILE).is_file())
        .count();
    assert_eq!(libs, 3, "three distinct libraries: {names:?}");
    println!("cosim cache: 1 hit after build, 3 misses (source, parameter), {libs} libraries in the cache");
}

#[test]
fn concurrent_builders_of_one_key_build_it_once() {
    let cache = fresh_cache_with_runtime("concurrent");
    let spec = fifo_spec().param("KEY", "12'h123");
    let libs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| build_in(&spec, &cache)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let built = libs.iter().filter(|l| l.was_built()).count();
    assert_eq!(built, 1, "exactly one of 3 concurrent builders built");
    for lib in &libs {
        assert_eq!(lib.so_path(), libs[0].so_path());
        let mut m = lib.instantiate(2, RandReset::Random).unwrap();
        m.tick().unwrap();
    }
    let names = entries(&cache);
    assert!(!names.iter().any(|n| n.starts_with(".tmp-")), "{names:?}");
    println!(
        "cosim cache: 3 concurrent builders, {built} build, {} cache hits",
        3 - built
    );
}

#[test]
fn interrupted_or_damaged_builds_of_a_key_are_cleaned_up_by_the_next_build() {
    let spec = fifo_spec().param("DEPTH", "8");
    let key = cache_key(tools(), &spec).unwrap();
    let cache = fresh_cache_with_runtime("interrupted");
    let stale = cache.join(format!(".tmp-{key}-999999-0"));
    fs::create_dir_all(stale.join("obj")).unwrap();
    fs::write(stale.join("obj").join("half.o"), b"junk").unwrap();
    let lib = build_in(&spec, &cache);
    assert!(lib.was_built());
    assert_eq!(lib.key(), key);
    assert!(!stale.exists(), "the stale temporary folder was removed");
    lib.instantiate(1, RandReset::Zeros)
        .unwrap()
        .ticks(10)
        .unwrap();

    // A key folder whose library was deleted by hand is rebuilt, not trusted.
    fs::remove_file(lib.so_path()).unwrap();
    let again = build_in(&spec, &cache);
    assert!(again.was_built());
    assert!(again.so_path().is_file());
    again
        .instantiate(1, RandReset::Zeros)
        .unwrap()
        .ticks(10)
        .unwrap();
}
