//! hdl/snn_rng.v against spikefab_sim::rng::{draw, neuron_step_u32}.

use spikefab_hdltest::{compile_tb, hex_record, mask, run_streaming, scratch_dir, Gen};
use spikefab_sim::rng::{self, Stream};

/// Register stages of snn_rng (its LATENCY localparam, docs/hdl-leaf-modules.md).
const LATENCY: i64 = 6;
const N: usize = 5000;

#[derive(Debug, Clone, Copy)]
struct Rec {
    key: u64,
    neuron: u32,
    step: u32,
}

fn vectors(seed: u64) -> Vec<Rec> {
    let mut g = Gen::new(seed);
    let mut v = Vec::with_capacity(N);
    // Corners: keys, neurons and steps at 0 and all-ones, and the contract's
    // known value draw(0, 1) (neuron 0, step 1).
    for key in [0u64, u64::MAX, 1, rng::key(0, Stream::Background, 0)] {
        for neuron in [0u32, u32::MAX, 1] {
            for step in [0u32, u32::MAX, 1] {
                v.push(Rec { key, neuron, step });
            }
        }
    }
    let real_keys: Vec<u64> = (0..8u64)
        .map(|s| rng::key(s, Stream::Background, 0))
        .collect();
    while v.len() < N {
        let key = match g.below(4) {
            0 => g.pick(&real_keys),
            1 => g.pick(&[0, u64::MAX, 1 << 63, (1 << 63) - 1]),
            _ => g.u64(),
        };
        let word = |g: &mut Gen| -> u32 {
            match g.below(4) {
                0 => g.pick(&[0, 1, u32::MAX, u32::MAX - 1, 1 << 31]),
                1 => g.below(1 << 20) as u32,
                _ => g.u32(),
            }
        };
        let neuron = word(&mut g);
        let step = word(&mut g);
        v.push(Rec { key, neuron, step });
    }
    v
}

fn run(user_bits: u32, seed: u64) {
    let recs = vectors(seed);
    let dir = scratch_dir(
        env!("CARGO_TARGET_TMPDIR").as_ref(),
        &format!("snn_rng-u{user_bits}"),
    );
    let tb = compile_tb(
        &dir,
        "tb_snn_rng",
        &["snn_pipe_ctrl.v", "snn_rng.v"],
        &[("USER_BITS", user_bits as i64), ("N", N as i64)],
    );
    // field 0 = key, 1 = neuron, 2 = step (64-bit slots)
    let lines: Vec<String> = recs
        .iter()
        .map(|r| hex_record(&[r.key, r.neuron as u64, r.step as u64], 64))
        .collect();
    let check = |i: usize, got: &[i128]| -> Result<(), String> {
        let r = recs[i];
        let exp_u = rng::neuron_step_u32(r.key, r.neuron, r.step) as i128;
        let exp_draw = rng::draw(r.key, ((r.neuron as u64) << 32) | r.step as u64) as i128;
        let exp_user = mask(i as i64, user_bits) as i128;
        let exp = [exp_user, exp_u, exp_draw];
        if got != exp {
            return Err(format!(
                "inputs: key {:#018x} neuron {:#010x} step {:#010x}\n  expected (user, u, draw) = ({exp_user}, {exp_u:#x}, {exp_draw:#x})\n  got      {:?}",
                r.key,
                r.neuron,
                r.step,
                got.iter().map(|x| format!("{x:#x}")).collect::<Vec<_>>()
            ));
        }
        Ok(())
    };
    let matched = run_streaming(&tb, &lines, LATENCY, seed, &check);
    println!(
        "snn_rng: matched {matched} of {N} records (USER_BITS={user_bits}; each of {} stall patterns)",
        spikefab_hdltest::STALLS.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snn_rng_matches_reference_user_bits_32() {
    run(32, 1);
}

#[test]
fn snn_rng_matches_reference_user_bits_13() {
    run(13, 2);
}
