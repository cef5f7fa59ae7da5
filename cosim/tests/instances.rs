//! Several instances in one process: two instances of one library keep
//! separate state, models of different libraries run side by side, a model
//! moves to another thread, and `--x-initial unique` initial values follow
//! the seed.

mod common;

use common::{acc_spec, build_shared, fifo_spec, AccModel, Rng};
use spikefab_cosim::{CosimError, Model, PortId, RandReset};

struct AccPorts {
    rst: PortId,
    en: PortId,
    din: PortId,
    acc: PortId,
    wide: PortId,
    count: PortId,
    scratch: PortId,
}

impl AccPorts {
    fn of(m: &Model) -> Self {
        AccPorts {
            rst: m.port("rst_i").unwrap(),
            en: m.port("en_i").unwrap(),
            din: m.port("din_i").unwrap(),
            acc: m.port("acc_o").unwrap(),
            wide: m.port("wide_o").unwrap(),
            count: m.port("count_o").unwrap(),
            scratch: m.port("scratch_o").unwrap(),
        }
    }
}

fn step(m: &mut Model, p: &AccPorts, model: &mut AccModel, rst: bool, en: bool, din: u64) {
    m.set(p.rst, rst as u64).unwrap();
    m.set(p.en, en as u64).unwrap();
    m.set(p.din, din).unwrap();
    m.tick().unwrap();
    model.clock(rst, en, din);
}

fn check(m: &Model, p: &AccPorts, model: &AccModel, what: &str) {
    assert_eq!(m.get_signed(p.acc).unwrap(), model.acc, "{what}: acc_o");
    assert_eq!(m.get(p.wide).unwrap(), model.wide, "{what}: wide_o");
    assert_eq!(
        m.get(p.count).unwrap(),
        model.count as u64,
        "{what}: count_o"
    );
}

#[test]
fn two_instances_of_one_library_keep_separate_state() {
    let lib = build_shared(&acc_spec());
    let mut a = lib.instantiate(11, RandReset::Random).unwrap();
    let mut b = lib.instantiate(11, RandReset::Random).unwrap();
    let p = AccPorts::of(&a);
    let (mut ma, mut mb) = (AccModel::default(), AccModel::default());
    step(&mut a, &p, &mut ma, true, false, 0);
    step(&mut b, &p, &mut mb, true, false, 0);
    let mut rng = Rng::new(99);
    let mut b_ticks = 0u64;
    for cycle in 0..3000 {
        // Different stimuli, interleaved calls, and b sometimes skips cycles.
        let d = rng.below(128);
        step(&mut a, &p, &mut ma, false, true, d);
        if rng.chance(2, 3) {
            step(&mut b, &p, &mut mb, false, rng.chance(1, 2), 127 - d);
            b_ticks += 1;
        }
        check(&a, &p, &ma, &format!("instance a, cycle {cycle}"));
        check(&b, &p, &mb, &format!("instance b, cycle {cycle}"));
    }
    assert_ne!(ma, mb, "the two instances really diverged");
    assert_eq!(a.cycles(), 3001);
    assert_eq!(b.cycles(), b_ticks + 1);
    println!(
        "cosim fixture: two instances of one library matched 3000 + {b_ticks} cycles independently"
    );
}

#[test]
fn instances_of_different_libraries_run_side_by_side_and_move_between_threads() {
    let acc_lib = build_shared(&acc_spec());
    let fifo_lib = build_shared(&fifo_spec());
    let mut acc = acc_lib.instantiate(1, RandReset::Random).unwrap();
    let mut fifo = fifo_lib.instantiate(1, RandReset::Random).unwrap();
    let p = AccPorts::of(&acc);
    let mut model = AccModel::default();
    step(&mut acc, &p, &mut model, true, false, 0);

    // A port id of one library is refused by a model of another.
    let e = fifo.get(p.acc).unwrap_err();
    assert!(matches!(e, CosimError::ForeignPort { .. }), "{e}");
    assert!(e.to_string().contains("not `cosim_fifo`"), "{e}");

    // Push 3 records through the FIFO while the accumulator counts them.
    let (rst, iv, id, ov, or, od) = (
        fifo.port("rst_i").unwrap(),
        fifo.port("in_valid_i").unwrap(),
        fifo.port("in_data_i").unwrap(),
        fifo.port("out_valid_o").unwrap(),
        fifo.port("out_ready_i").unwrap(),
        fifo.port("out_data_o").unwrap(),
    );
    fifo.set(rst, 1).unwrap();
    fifo.tick().unwrap();
    fifo.set(rst, 0).unwrap();
    for d in [0x111u64, 0x222, 0x333] {
        fifo.set(iv, 1).unwrap();
        fifo.set(id, d).unwrap();
        fifo.tick().unwrap();
        step(&mut acc, &p, &mut model, false, true, d & 0x7f);
    }
    fifo.set(iv, 0).unwrap();
    check(&acc, &p, &model, "accumulator beside the FIFO");

    // Both models move to another thread and keep going there.
    let handle = std::thread::spawn(move || {
        fifo.set(or, 1).unwrap();
        let mut out = Vec::new();
        for _ in 0..3 {
            fifo.eval().unwrap();
            assert_eq!(fifo.get(ov).unwrap(), 1);
            out.push(fifo.get(od).unwrap());
            fifo.tick().unwrap();
        }
        fifo.eval().unwrap();
        assert_eq!(fifo.get(ov).unwrap(), 0, "the FIFO is empty again");
        step(&mut acc, &p, &mut model, false, true, 5);
        check(&acc, &p, &model, "accumulator in another thread");
        out
    });
    let out = handle.join().unwrap();
    assert_eq!(out, [0x111 ^ 0xA5C, 0x222 ^ 0xA5C, 0x333 ^ 0xA5C]);
    println!(
        "cosim fixture: 2 libraries side by side, {} records through the FIFO in a second thread",
        out.len()
    );
}

fn scratch_after_reset(lib: &spikefab_cosim::ModelLib, seed: u32, mode: RandReset) -> u64 {
    let mut m = lib.instantiate(seed, mode).unwrap();
    let p = AccPorts::of(&m);
    // Reset clears acc/wide/count but not scratch_o (en_i = 0: not loaded).
    m.set(p.rst, 1).unwrap();
    m.tick().unwrap();
    m.set(p.rst, 0).unwrap();
    m.ticks(3).unwrap();
    assert_eq!(m.get(p.acc).unwrap(), 0);
    assert_eq!(m.get(p.count).unwrap(), 0);
    m.get(p.scratch).unwrap()
}

#[test]
fn x_initial_values_depend_on_the_seed_and_repeat_for_the_same_seed() {
    let lib = build_shared(&acc_spec());
    let seeds = [1u32, 2, 3, 0xDEAD_BEEF];
    let values: Vec<u64> = seeds
        .iter()
        .map(|&s| scratch_after_reset(&lib, s, RandReset::Random))
        .collect();
    for (i, &s) in seeds.iter().enumerate() {
        assert_eq!(
            scratch_after_reset(&lib, s, RandReset::Random),
            values[i],
            "seed {s} gives the same initial value again"
        );
        for j in 0..i {
            assert_ne!(values[i], values[j], "seeds {} and {s} differ", seeds[j]);
        }
    }
    assert_eq!(scratch_after_reset(&lib, 1, RandReset::Zeros), 0);
    assert_eq!(scratch_after_reset(&lib, 1, RandReset::Ones), 0xFFFF_FFFF);
    let e = lib.instantiate(0, RandReset::Random).unwrap_err();
    assert!(matches!(e, CosimError::ZeroSeed), "{e}");
    println!(
        "cosim fixture: {} seeds gave {} distinct uncleared register values: {values:x?}",
        seeds.len(),
        seeds.len()
    );
}
