// Lint-only black box of the Xilinx BUFG (global clock buffer). Not a model.
/* verilator lint_off UNUSEDSIGNAL */
module BUFG (
  input  wire I,
  output wire O
);
  assign O = 1'b0;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
