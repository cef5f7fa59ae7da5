// Lint-only black box of the wrapper Vivado generates for the block design
// spikefab_psu (ps_bd.tcl on a Zynq UltraScale+ board): the PS's fabric
// clock and reset as the block design's ports. Not a model.
module spikefab_psu_wrapper (
  output wire pl_clk0,
  output wire pl_resetn0
);
  assign pl_clk0 = 1'b0;
  assign pl_resetn0 = 1'b0;
endmodule
