//! The AXI memory model bound to a verilated master through its ports
//! (`spikefab_cosim::axi::AxiSlave`): three masters whose ports are
//! flattened like a mesh top's (128-bit data, so RDATA is one 384-bit
//! vector and ARADDR a 102-bit one), each lane served by its own model
//! with its own timing from one shared image, every beat checked by the
//! fixture's checksum; and the violations and binding errors it reports.

mod common;

use std::sync::Arc;

use common::{axi_master_spec, build_shared, wide_spec, Rng, AXI_DATA_W, AXI_ID_W, AXI_LANES};
use spikefab_cosim::axi::{AxiError, AxiMem, AxiMemConfig, AxiRule, AxiSlave, MemImage};
use spikefab_cosim::{Model, RandReset};

const BASE: u64 = 0x1_0000_0000;
const STRIDE: u64 = 0x10_0000;
const NB: u64 = 40;
/// Bytes of a lane's region: burst i at 512 i, at most 8 beats of 16 bytes.
const REGION: u64 = NB * 512;

/// Lane `k`'s bursts as the fixture asks for them: (address, ARLEN).
fn lane_bursts(k: u64) -> Vec<(u64, u64)> {
    (0..NB)
        .map(|i| (BASE + k * STRIDE + 512 * i, (3 * i + k) % 8))
        .collect()
}

/// The fixture's checksum of lane `k`'s beats, from the image.
fn expected_sum(img: &MemImage, k: u64) -> u64 {
    let mut sum = 0u64;
    for (addr, len) in lane_bursts(k) {
        for b in 0..=len {
            let mut bytes = [0u8; 16];
            img.read(addr + 16 * b, &mut bytes).unwrap();
            for j in 0..2 {
                let w = u64::from_le_bytes(bytes[8 * j..8 * j + 8].try_into().unwrap());
                sum = sum.wrapping_add(w.rotate_left(j as u32));
            }
        }
    }
    sum
}

/// An image with random bytes in the regions of `lanes`.
fn image(lanes: &[u64]) -> Arc<MemImage> {
    let mut img = MemImage::new();
    let mut rng = Rng::new(0xA11);
    for &k in lanes {
        let bytes: Vec<u8> = (0..REGION).map(|_| rng.next_u64() as u8).collect();
        img.write(BASE + k * STRIDE, &bytes).unwrap();
    }
    Arc::new(img)
}

/// Three different memories: ideal; long random latency, reordering and
/// backpressure; a bandwidth of 5 bytes per cycle with RVALID gaps.
fn configs() -> Vec<AxiMemConfig> {
    let base = AxiMemConfig::new(AXI_DATA_W, AXI_ID_W, 8);
    vec![
        base.clone(),
        AxiMemConfig {
            latency: 50,
            jitter: 30,
            reorder: true,
            ar_ready_pct: 40,
            r_valid_pct: 70,
            seed: 2,
            ..base.clone()
        },
        AxiMemConfig {
            latency: 12,
            bytes_per_cycle: Some(5.0),
            r_valid_pct: 60,
            reorder: true,
            jitter: 9,
            seed: 3,
            ..base
        },
    ]
}

/// Resets the master (the bus idle) and runs it with `slave` until every
/// lane is done (or `limit` cycles); returns the cycles after the reset.
fn run(m: &mut Model, slave: &mut AxiSlave, limit: u64) -> Result<u64, AxiError> {
    let (rst, done) = (m.port("rst_i")?, m.port("done_o")?);
    m.set(rst, 1)?;
    slave.drive_idle(m)?;
    m.ticks(2)?;
    m.set(rst, 0)?;
    for cycle in 0..limit {
        slave.drive(m)?;
        m.eval()?;
        slave.sample(m)?;
        m.tick()?;
        if m.get(done)? == (1 << AXI_LANES) - 1 {
            return Ok(cycle);
        }
    }
    panic!("the masters did not finish in {limit} cycles");
}

#[test]
fn three_lanes_with_different_timings_deliver_every_beat_of_the_shared_image() {
    let lib = build_shared(&axi_master_spec(None));
    let mut m = lib.instantiate(3, RandReset::Random).unwrap();
    let img = image(&[0, 1, 2]);
    let mems = configs()
        .into_iter()
        .map(|c| AxiMem::with_image(c, Arc::clone(&img)).unwrap())
        .collect();
    let mut slave = AxiSlave::new(&m, mems).unwrap();
    assert_eq!(
        (
            slave.bus().lanes(),
            slave.bus().data_bits(),
            slave.bus().id_bits(),
            slave.bus().addr_bits()
        ),
        (3, 128, 2, 34)
    );
    let cycles = run(&mut m, &mut slave, 50_000).unwrap();

    let sums = m.get_wide(m.port("sum_o").unwrap()).unwrap();
    assert_eq!(
        m.get(m.port("err_o").unwrap()).unwrap(),
        0,
        "RID and RLAST as the masters expect"
    );
    for k in 0..3u64 {
        assert_eq!(
            sums[k as usize],
            expected_sum(&img, k),
            "lane {k}: checksum of the beats"
        );
        let s = slave.mems()[k as usize].stats();
        let beats: u64 = lane_bursts(k).iter().map(|&(_, len)| len + 1).sum();
        assert_eq!(
            (s.bursts_done, s.beats, s.bytes),
            (NB, beats, 16 * beats),
            "lane {k}"
        );
        assert!(s.r_stall_cycles > 0, "lane {k}: the master's RREADY stalls");
        println!("lane {k}: {s:?}");
    }
    assert!(slave.idle());
    // The slow lanes set the pace: lane 2 moves at most 5 bytes per cycle.
    let bytes2 = slave.mems()[2].stats().bytes;
    assert!(
        cycles as f64 >= bytes2 as f64 / 5.0 - 4.0,
        "{cycles} cycles for {bytes2} bytes"
    );
    // Lanes 1 and 2 answered out of order (the masters take it: their
    // checksums match, RID and RLAST as they expect); lane 0 in order.
    // Lane 1's first beats took at least its 50 cycles of latency.
    let st = |k: usize| *slave.mems()[k].stats();
    assert_eq!(st(0).reordered_beats, 0);
    assert!(st(1).reordered_beats > 0 && st(2).reordered_beats > 0);
    assert!(st(1).first_beat_min >= 50);
}

#[test]
fn a_burst_across_4_kib_on_lane_1_is_reported_with_its_lane_and_rule() {
    let lib = build_shared(&axi_master_spec(Some(1)));
    let mut m = lib.instantiate(4, RandReset::Random).unwrap();
    let img = image(&[0, 1, 2]);
    let mems = configs()
        .into_iter()
        .map(|c| AxiMem::with_image(c, Arc::clone(&img)).unwrap())
        .collect();
    let mut slave = AxiSlave::new(&m, mems).unwrap();
    let e = run(&mut m, &mut slave, 50_000).unwrap_err();
    let AxiError::Violation { lane, violation } = &e else {
        panic!("{e}");
    };
    assert_eq!((*lane, violation.rule), (1, AxiRule::Boundary4K), "{e}");
    let msg = e.to_string();
    assert!(
        msg.starts_with("AXI memory lane 1: AXI rule `4 KiB boundary` broken at memory cycle")
            && msg.contains("(burst id 1, addr 0x100100ff0, len 1)"),
        "{msg}"
    );
}

#[test]
fn a_lane_reading_outside_the_image_is_reported_as_unwritten_memory() {
    let lib = build_shared(&axi_master_spec(None));
    let mut m = lib.instantiate(5, RandReset::Random).unwrap();
    let img = image(&[0, 1]); // nothing for lane 2
    let mems = configs()
        .into_iter()
        .map(|c| AxiMem::with_image(c, Arc::clone(&img)).unwrap())
        .collect();
    let mut slave = AxiSlave::new(&m, mems).unwrap();
    let e = run(&mut m, &mut slave, 50_000).unwrap_err().to_string();
    assert!(
        e.contains("lane 2: AXI rule `unwritten memory`")
            && e.contains(
                "read of unwritten memory at 0x100200000 (burst id 0, addr 0x100200000, len 2)"
            ),
        "{e}"
    );
}

#[test]
fn binding_a_bus_refuses_missing_ports_wrong_lane_counts_and_widths() {
    let lib = build_shared(&axi_master_spec(None));
    let m = lib.instantiate(6, RandReset::Zeros).unwrap();
    let mem = |c: AxiMemConfig| AxiMem::new(c).unwrap();
    let ok = AxiMemConfig::new(AXI_DATA_W, AXI_ID_W, 8);

    let e = AxiSlave::new(&m, vec![mem(ok.clone()), mem(ok.clone())])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("port `m_axi_arvalid_o` is 3 bits wide, not a multiple of 2 lanes"),
        "{e}"
    );
    let e = AxiSlave::new(
        &m,
        vec![
            mem(ok.clone()),
            mem(AxiMemConfig::new(256, AXI_ID_W, 8)),
            mem(ok.clone()),
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("lane 1: the memory model's data_bits is 256, the port's is 128"),
        "{e}"
    );
    let e = AxiSlave::new(
        &m,
        vec![
            mem(ok.clone()),
            mem(ok.clone()),
            mem(AxiMemConfig::new(128, 3, 8)),
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("lane 2: the memory model's id_bits is 3, the port's is 2"),
        "{e}"
    );

    let wide = build_shared(&wide_spec())
        .instantiate(1, RandReset::Zeros)
        .unwrap();
    let e = AxiSlave::new(&wide, vec![mem(ok)]).unwrap_err().to_string();
    assert!(
        e.contains("AXI bus of `cosim_wide`: port `m_axi_arvalid_o` is not a port of the model"),
        "{e}"
    );
}
