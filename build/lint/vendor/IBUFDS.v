// Lint-only black box of the Xilinx IBUFDS (differential input buffer). Not a model.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module IBUFDS #(
  parameter DIFF_TERM = "FALSE",
  parameter IBUF_LOW_PWR = "TRUE",
  parameter IOSTANDARD = "DEFAULT"
) (
  input  wire I,
  input  wire IB,
  output wire O
);
  assign O = 1'b0;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
