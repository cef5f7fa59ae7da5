# Constraints of the AMD Kria KV260 Vision AI Starter Kit (board kv260), part xck26-sfvc784-2LV-c.
# Facts and their sources: boards/kv260.toml; port and cell names of the board shell:
# docs/boards.md. Checked against the board file by boards/tests/constraints.rs.
# Written for Vivado 2023.2.

# Input clocks
# pl_clk0 comes from the PS: the PS IP declares it; nothing here.

# Reset
# pl_resetn0 comes from the PS; the shell synchronizes it like a pin reset.
# The shell's reset synchronizer u_rst_sync: its first flip-flop samples an asynchronous reset.
set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]

# Host link: ps
# Through the PS: no fabric pins; the PS IP constrains its AXI ports.
