# Constraints of the AMD/Xilinx Alveo U55C (board alveo_u55c), part xcu55c-fsvh2892-2L-e.
# Facts and their sources: boards/alveo_u55c.toml; port and cell names of the board shell:
# docs/boards.md. Checked against the board file by boards/tests/constraints.rs.
# Written for Vivado 2023.2.

# Input clocks
set_property -dict {PACKAGE_PIN BK10 IOSTANDARD LVDS} [get_ports {clk_100mhz_0_p_i}]
set_property -dict {PACKAGE_PIN BL10 IOSTANDARD LVDS} [get_ports {clk_100mhz_0_n_i}]
create_clock -period 10.000 -name clk_100mhz_0 [get_ports {clk_100mhz_0_p_i}]
set_property -dict {PACKAGE_PIN BK43 IOSTANDARD LVDS} [get_ports {clk_100mhz_1_p_i}]
set_property -dict {PACKAGE_PIN BK44 IOSTANDARD LVDS} [get_ports {clk_100mhz_1_n_i}]
create_clock -period 10.000 -name clk_100mhz_1 [get_ports {clk_100mhz_1_p_i}]
set_property -dict {PACKAGE_PIN F24 IOSTANDARD LVDS} [get_ports {clk_100mhz_2_p_i}]
set_property -dict {PACKAGE_PIN F23 IOSTANDARD LVDS} [get_ports {clk_100mhz_2_n_i}]
create_clock -period 10.000 -name clk_100mhz_2 [get_ports {clk_100mhz_2_p_i}]

# Reset
set_property -dict {PACKAGE_PIN BF41 IOSTANDARD LVCMOS18} [get_ports {pcie_perst_ni}]
set_false_path -from [get_ports {pcie_perst_ni}]
# The shell's reset synchronizer u_rst_sync: its first flip-flop samples an asynchronous reset.
set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]

# Host link: pcie
# GT reference clock pins: no I/O standard; the XDMA IP places the lanes and derives its clocks.
set_property PACKAGE_PIN AR15 [get_ports {pcie_refclk_p_i}]
set_property PACKAGE_PIN AR14 [get_ports {pcie_refclk_n_i}]
create_clock -period 10.000 -name pcie_refclk [get_ports {pcie_refclk_p_i}]

# hbm_cattrip: held at 0 by the shell
set_property -dict {PACKAGE_PIN BE45 IOSTANDARD LVCMOS18} [get_ports {hbm_cattrip_o}]
set_false_path -to [get_ports {hbm_cattrip_o}]
