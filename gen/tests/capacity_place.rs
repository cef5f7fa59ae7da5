//! The placement rule of the capacity report, for single memories of odd
//! shapes (what `spikefab synth --memories blackbox` counts).

use spikefab_eda::parts::lookup;
use spikefab_gen::capacity::{
    bram36_blocks, part_use, place_memories, uram_blocks, OnChipMem, Placed,
};

fn placed(lutram: bool, uram: u64, bram36: u64) -> Placed {
    Placed {
        lutram,
        uram_copies: u64::from(uram > 0),
        uram,
        bram36,
    }
}

#[test]
fn odd_shapes_go_to_lutram_or_their_cheapest_block_ram_aspect() {
    // 15 x 33: distributed RAM; 4097 x 7: 4096 x 9 twice; 33 x 7: LUTRAM
    assert_eq!(bram36_blocks(4097, 7), 2);
    assert_eq!(bram36_blocks(15, 33), 1);
    let a7 = lookup("xc7a100t").unwrap();
    assert_eq!(
        place_memories(&[(15, 33), (4097, 7), (65, 7)], a7),
        vec![placed(true, 0, 0), placed(false, 0, 2), placed(false, 0, 1)]
    );
}

#[test]
fn deep_memories_take_ultraram_largest_first_while_the_part_has_some() {
    let zu = lookup("xczu7ev").unwrap();
    // 4097 x 7: 2 UltraRAMs are not fewer than 2 BRAM36, so block RAM
    assert_eq!(uram_blocks(4097, 7), 2);
    // 156,250 x 33: 39 UltraRAMs instead of 153 BRAM36
    assert_eq!(bram36_blocks(156_250, 33), 153);
    assert_eq!(
        place_memories(&[(4097, 7), (156_250, 33)], zu),
        vec![placed(false, 0, 2), placed(false, 39, 0)]
    );
    // no UltraRAM on an Artix-7: the same shapes in block RAM
    let a7 = lookup("xc7a100t").unwrap();
    assert_eq!(
        place_memories(&[(4097, 7), (156_250, 33)], a7),
        vec![placed(false, 0, 2), placed(false, 0, 153)]
    );
}

#[test]
fn place_memories_agrees_with_part_use_for_one_core() {
    let zu = lookup("xczu7ev").unwrap();
    let mems = [
        OnChipMem {
            name: "a",
            depth: 15,
            width: 33,
        },
        OnChipMem {
            name: "b",
            depth: 4097,
            width: 7,
        },
        OnChipMem {
            name: "c",
            depth: 80_000,
            width: 64,
        },
        OnChipMem {
            name: "d",
            depth: 156_250,
            width: 33,
        },
    ];
    let u = part_use(&mems, 1, None, zu);
    let shapes: Vec<(u64, u32)> = mems.iter().map(|m| (m.depth, m.width)).collect();
    let p = place_memories(&shapes, zu);
    assert_eq!(p.iter().map(|x| x.bram36).sum::<u64>(), u.bram36);
    assert_eq!(p.iter().map(|x| x.uram).sum::<u64>(), u.uram);
}
