# Constraints of the AMD/Xilinx Alveo U250 (board alveo_u250), part xcu250-figd2104-2L-e.
# Facts and their sources: boards/alveo_u250.toml; port and cell names of the board shell:
# docs/boards.md. Checked against the board file by boards/tests/constraints.rs.
# Written for Vivado 2023.2.

# Input clocks
set_property -dict {PACKAGE_PIN AY37 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_0_p_i}]
set_property -dict {PACKAGE_PIN AY38 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_0_n_i}]
create_clock -period 3.333 -name clk_300mhz_0 [get_ports {clk_300mhz_0_p_i}]
set_property -dict {PACKAGE_PIN AW20 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_1_p_i}]
set_property -dict {PACKAGE_PIN AW19 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_1_n_i}]
create_clock -period 3.333 -name clk_300mhz_1 [get_ports {clk_300mhz_1_p_i}]
set_property -dict {PACKAGE_PIN F32 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_2_p_i}]
set_property -dict {PACKAGE_PIN E32 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_2_n_i}]
create_clock -period 3.333 -name clk_300mhz_2 [get_ports {clk_300mhz_2_p_i}]
set_property -dict {PACKAGE_PIN J16 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_3_p_i}]
set_property -dict {PACKAGE_PIN H16 IOSTANDARD DIFF_SSTL12} [get_ports {clk_300mhz_3_n_i}]
create_clock -period 3.333 -name clk_300mhz_3 [get_ports {clk_300mhz_3_p_i}]

# Reset
set_property -dict {PACKAGE_PIN BD21 IOSTANDARD LVCMOS12} [get_ports {pcie_perst_ni}]
set_false_path -from [get_ports {pcie_perst_ni}]
# The shell's reset synchronizer u_rst_sync: its first flip-flop samples an asynchronous reset.
set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]

# Host link: pcie
# GT reference clock pins: no I/O standard; the XDMA IP places the lanes and derives its clocks.
set_property PACKAGE_PIN AM11 [get_ports {pcie_refclk_p_i}]
set_property PACKAGE_PIN AM10 [get_ports {pcie_refclk_n_i}]
create_clock -period 10.000 -name pcie_refclk [get_ports {pcie_refclk_p_i}]

# LEDs
set_property -dict {PACKAGE_PIN BC21 IOSTANDARD LVCMOS12} [get_ports {led_o[0]}]
set_property -dict {PACKAGE_PIN BB21 IOSTANDARD LVCMOS12} [get_ports {led_o[1]}]
set_property -dict {PACKAGE_PIN BA20 IOSTANDARD LVCMOS12} [get_ports {led_o[2]}]
set_false_path -to [get_ports {led_o[*]}]
