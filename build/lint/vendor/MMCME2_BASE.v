// Lint-only black box of the Xilinx MMCME2_BASE (mixed-mode clock manager): the
// ports and the parameters the board shells set. Not a model.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module MMCME2_BASE #(
  parameter BANDWIDTH = "OPTIMIZED",
  parameter real CLKFBOUT_MULT_F = 5.000,
  parameter real CLKFBOUT_PHASE = 0.000,
  parameter real CLKIN1_PERIOD = 0.000,
  parameter real CLKOUT0_DIVIDE_F = 1.000,
  parameter real CLKOUT0_DUTY_CYCLE = 0.500,
  parameter real CLKOUT0_PHASE = 0.000,
  parameter integer DIVCLK_DIVIDE = 1,
  parameter real REF_JITTER1 = 0.010,
  parameter STARTUP_WAIT = "FALSE"
) (
  output wire CLKFBOUT,
  output wire CLKFBOUTB,
  output wire CLKOUT0,
  output wire CLKOUT0B,
  output wire CLKOUT1,
  output wire CLKOUT1B,
  output wire CLKOUT2,
  output wire CLKOUT2B,
  output wire CLKOUT3,
  output wire CLKOUT3B,
  output wire CLKOUT4,
  output wire CLKOUT5,
  output wire CLKOUT6,
  output wire LOCKED,
  input  wire CLKFBIN,
  input  wire CLKIN1,
  input  wire PWRDWN,
  input  wire RST
);
  assign {CLKFBOUT, CLKFBOUTB, CLKOUT0, CLKOUT0B, CLKOUT1, CLKOUT1B, CLKOUT2, CLKOUT2B,
          CLKOUT3, CLKOUT3B, CLKOUT4, CLKOUT5, CLKOUT6, LOCKED} = 14'd0;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
