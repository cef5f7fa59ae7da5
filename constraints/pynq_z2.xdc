# Constraints of the TUL PYNQ-Z2 (board pynq_z2), part xc7z020clg400-1.
# Facts and their sources: boards/pynq_z2.toml; port and cell names of the board shell:
# docs/boards.md. Checked against the board file by boards/tests/constraints.rs.
# Written for Vivado 2023.2.

# Input clocks
set_property -dict {PACKAGE_PIN H16 IOSTANDARD LVCMOS33} [get_ports {clk_125mhz_i}]
create_clock -period 8.000 -name clk_125mhz [get_ports {clk_125mhz_i}]
# pl_clk0 (FCLK_CLK0) comes from the PS: the PS IP declares it; nothing here.

# Reset
# FCLK_RESET0_N comes from the PS; the shell synchronizes it like a pin reset.
# The shell's reset synchronizer u_rst_sync: its first flip-flop samples an asynchronous reset.
set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]

# Host link: ps
# Through the PS: no fabric pins; the PS IP constrains its AXI ports.

# LEDs
set_property -dict {PACKAGE_PIN R14 IOSTANDARD LVCMOS33} [get_ports {led_o[0]}]
set_property -dict {PACKAGE_PIN P14 IOSTANDARD LVCMOS33} [get_ports {led_o[1]}]
set_property -dict {PACKAGE_PIN N16 IOSTANDARD LVCMOS33} [get_ports {led_o[2]}]
set_property -dict {PACKAGE_PIN M14 IOSTANDARD LVCMOS33} [get_ports {led_o[3]}]
set_false_path -to [get_ports {led_o[*]}]
