//! The valid/ready FIFO fixture under random stalls on both sides, cycle
//! exact against a Rust model, and every record delivered once, in order.

mod common;

use std::collections::VecDeque;

use common::{build_shared, fifo_spec, Rng};
use spikefab_cosim::RandReset;

const DEPTH: usize = 4;
const KEY: u64 = 0xA5C;
const CYCLES: u64 = 6000;

#[test]
fn records_cross_the_fifo_in_order_under_random_stalls_cycle_exact() {
    let lib = build_shared(&fifo_spec());
    let mut m = lib.instantiate(21, RandReset::Random).unwrap();
    let [rst, in_valid, in_ready, in_data, out_valid, out_ready, out_data] = [
        "rst_i",
        "in_valid_i",
        "in_ready_o",
        "in_data_i",
        "out_valid_o",
        "out_ready_i",
        "out_data_o",
    ]
    .map(|n| m.port(n).unwrap());

    m.set(rst, 1).unwrap();
    m.tick().unwrap();
    m.set(rst, 0).unwrap();

    let mut rng = Rng::new(0xF1F0);
    let mut queue: VecDeque<u64> = VecDeque::new();
    let mut next_in = 0u64;
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let mut full_cycles = 0u64;
    for cycle in 0..CYCLES {
        // Bursty producer and consumer: each side's probability changes every 500 cycles.
        let phase = cycle / 500;
        let v = rng.chance(1 + phase % 4, 4);
        let r = rng.chance(1 + (phase / 2) % 4, 4);
        let data = (next_in * 37 + 5) & 0xFFF;
        m.set(in_valid, v as u64).unwrap();
        m.set(in_data, data).unwrap();
        m.set(out_ready, r as u64).unwrap();
        m.eval().unwrap();

        // The combinational side before the edge, against the model.
        let ready = queue.len() < DEPTH;
        assert_eq!(
            m.get(in_ready).unwrap(),
            ready as u64,
            "in_ready_o, cycle {cycle}"
        );
        assert_eq!(
            m.get(out_valid).unwrap(),
            !queue.is_empty() as u64,
            "out_valid_o, cycle {cycle}"
        );
        if let Some(&head) = queue.front() {
            assert_eq!(
                m.get(out_data).unwrap(),
                head ^ KEY,
                "out_data_o, cycle {cycle}"
            );
        }
        full_cycles += !ready as u64;

        let pop = r && !queue.is_empty();
        let push = v && ready;
        if pop {
            received.push(m.get(out_data).unwrap() ^ KEY);
            queue.pop_front();
        }
        if push {
            queue.push_back(data);
            sent.push(data);
            next_in += 1;
        }
        m.tick().unwrap();
    }
    assert_eq!(
        received[..],
        sent[..received.len()],
        "in order, none lost or repeated"
    );
    assert!(received.len() > 1000, "enough traffic: {}", received.len());
    assert!(
        full_cycles > 100,
        "the FIFO was full sometimes: {full_cycles}"
    );
    println!(
        "cosim fixture: matched {CYCLES} cycles of cosim_fifo, {} records through, full in {full_cycles} cycles",
        received.len()
    );
}
