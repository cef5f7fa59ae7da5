# Constraints of the Digilent Arty A7-100T (board arty_a7_100t), part xc7a100tcsg324-1.
# Facts and their sources: boards/arty_a7_100t.toml; port and cell names of the board shell:
# docs/boards.md. Checked against the board file by boards/tests/constraints.rs.
# Written for Vivado 2023.2.

# Input clocks
set_property -dict {PACKAGE_PIN E3 IOSTANDARD LVCMOS33} [get_ports {clk_100mhz_i}]
create_clock -period 10.000 -name clk_100mhz [get_ports {clk_100mhz_i}]

# Reset
set_property -dict {PACKAGE_PIN C2 IOSTANDARD LVCMOS33} [get_ports {rst_ni}]
set_false_path -from [get_ports {rst_ni}]
# The shell's reset synchronizer u_rst_sync: its first flip-flop samples an asynchronous reset.
set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]

# Host link: uart
set_property -dict {PACKAGE_PIN D10 IOSTANDARD LVCMOS33} [get_ports {uart_tx_o}]
set_property -dict {PACKAGE_PIN A9 IOSTANDARD LVCMOS33} [get_ports {uart_rx_i}]
# Asynchronous to every clock: the shell's UART samples rx through a synchronizer.
set_false_path -from [get_ports {uart_rx_i}]
set_false_path -to [get_ports {uart_tx_o}]

# LEDs
set_property -dict {PACKAGE_PIN H5 IOSTANDARD LVCMOS33} [get_ports {led_o[0]}]
set_property -dict {PACKAGE_PIN J5 IOSTANDARD LVCMOS33} [get_ports {led_o[1]}]
set_property -dict {PACKAGE_PIN T9 IOSTANDARD LVCMOS33} [get_ports {led_o[2]}]
set_property -dict {PACKAGE_PIN T10 IOSTANDARD LVCMOS33} [get_ports {led_o[3]}]
set_false_path -to [get_ports {led_o[*]}]
