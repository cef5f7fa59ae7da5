# Constraints of the AMD/Xilinx ZCU104 Evaluation Kit (board zcu104), part xczu7ev-ffvc1156-2-e.
# Facts and their sources: boards/zcu104.toml; port and cell names of the board shell:
# docs/boards.md. Checked against the board file by boards/tests/constraints.rs.
# Written for Vivado 2023.2.

# Input clocks
set_property -dict {PACKAGE_PIN F23 IOSTANDARD LVDS} [get_ports {clk_125mhz_p_i}]
set_property -dict {PACKAGE_PIN E23 IOSTANDARD LVDS} [get_ports {clk_125mhz_n_i}]
create_clock -period 8.000 -name clk_125mhz [get_ports {clk_125mhz_p_i}]
set_property -dict {PACKAGE_PIN AH18 IOSTANDARD DIFF_SSTL12_DCI} [get_ports {clk_300mhz_p_i}]
set_property -dict {PACKAGE_PIN AH17 IOSTANDARD DIFF_SSTL12_DCI} [get_ports {clk_300mhz_n_i}]
create_clock -period 3.333 -name clk_300mhz [get_ports {clk_300mhz_p_i}]
# pl_clk0 comes from the PS: the PS IP declares it; nothing here.

# Reset
# pl_resetn0 comes from the PS; the shell synchronizes it like a pin reset.
# The shell's reset synchronizer u_rst_sync: its first flip-flop samples an asynchronous reset.
set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]

# Host link: ps
# Through the PS: no fabric pins; the PS IP constrains its AXI ports.

# LEDs
set_property -dict {PACKAGE_PIN D5 IOSTANDARD LVCMOS33} [get_ports {led_o[0]}]
set_property -dict {PACKAGE_PIN D6 IOSTANDARD LVCMOS33} [get_ports {led_o[1]}]
set_property -dict {PACKAGE_PIN A5 IOSTANDARD LVCMOS33} [get_ports {led_o[2]}]
set_property -dict {PACKAGE_PIN B5 IOSTANDARD LVCMOS33} [get_ports {led_o[3]}]
set_false_path -to [get_ports {led_o[*]}]
