// Lint-only black box of the wrapper Vivado generates for the block design
// spikefab_psu (ps_bd.tcl on a Zynq UltraScale+ board): the PS's fabric
// clock and reset, and its UART1 on EMIO, as the
// block design's ports. Not a model.
module spikefab_psu_wrapper (
  output wire pl_clk0,
  output wire pl_resetn0,
  // the PS's UART1 on EMIO (the host link)
  output wire uart1_txd,
  input  wire uart1_rxd
);
  assign pl_clk0 = 1'b0;
  assign pl_resetn0 = 1'b0;
  assign uart1_txd = 1'b1;
  wire unused_uart1_rxd = uart1_rxd;
endmodule
