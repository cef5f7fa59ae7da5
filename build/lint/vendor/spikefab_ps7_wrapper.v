// Lint-only black box of the wrapper Vivado generates for the block design
// spikefab_ps7 (ps_bd.tcl on a Zynq-7000 board): the PS's fabric clock and
// reset, and its DDR and fixed MIO pins made external. Not a model.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNDRIVEN */
module spikefab_ps7_wrapper (
  inout  wire [14:0] DDR_addr,
  inout  wire [2:0] DDR_ba,
  inout  wire DDR_cas_n,
  inout  wire DDR_ck_n,
  inout  wire DDR_ck_p,
  inout  wire DDR_cke,
  inout  wire DDR_cs_n,
  inout  wire [3:0] DDR_dm,
  inout  wire [31:0] DDR_dq,
  inout  wire [3:0] DDR_dqs_n,
  inout  wire [3:0] DDR_dqs_p,
  inout  wire DDR_odt,
  inout  wire DDR_ras_n,
  inout  wire DDR_reset_n,
  inout  wire DDR_we_n,
  inout  wire FIXED_IO_ddr_vrn,
  inout  wire FIXED_IO_ddr_vrp,
  inout  wire [53:0] FIXED_IO_mio,
  inout  wire FIXED_IO_ps_clk,
  inout  wire FIXED_IO_ps_porb,
  inout  wire FIXED_IO_ps_srstb,
  output wire FCLK_CLK0,
  output wire FCLK_RESET0_N,
  // the PS's UART1 on EMIO (the host link)
  output wire uart1_txd,
  input  wire uart1_rxd
);
  assign FCLK_CLK0 = 1'b0;
  assign FCLK_RESET0_N = 1'b0;
  assign uart1_txd = 1'b1;
  wire unused_uart1_rxd = uart1_rxd;
endmodule
/* verilator lint_on UNDRIVEN */
/* verilator lint_on UNUSEDSIGNAL */
