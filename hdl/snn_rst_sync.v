`default_nettype none
// snn_rst_sync: the reset synchronizer of a board shell. It turns a reset
// request that may be asynchronous to clk_i (a push button, PCIe PERST#, the
// PS's fabric reset) into the synchronous, active-high reset rst_o that every
// other module of the project expects.
//
// The request passes through a chain of STAGES flip-flops, sync_q[0] first:
//   sync_q <= {sync_q[STAGES-2:0], rst_i}      rst_o = sync_q[STAGES-1]
// Neither edge of rst_o is asynchronous: rst_o rises STAGES cycles after the
// request is first sampled high and falls STAGES cycles after it is first
// sampled low, so every flip-flop it resets leaves reset on the same edge.
// No flip-flop of the chain has an asynchronous set or reset.
//
// sync_q[0] may go metastable (its D input is asynchronous); the flip-flops
// behind it give it STAGES - 1 cycles to settle. All of them carry ASYNC_REG
// (Vivado places them close together and keeps them out of shift-register
// extraction). The board XDC adds, on the instance u_rst_sync:
//   set_property ASYNC_REG TRUE [get_cells {u_rst_sync/sync_q_reg[*]}]
//   set_false_path -to [get_cells {u_rst_sync/sync_q_reg[0]}]
//
// Power-up: the chain starts all ones (the flip-flops' initial value after
// configuration), so rst_o is high from the first cycle and stays high for
// STAGES cycles after the request is low. A request shorter than one clock
// period may be missed; board resets are far longer.
module snn_rst_sync #(
  // Flip-flops in the chain; >= 2 (the first may go metastable).
  parameter integer STAGES = 3
) (
  input  wire clk_i,
  // reset request, active high, asynchronous to clk_i
  input  wire rst_i,
  // synchronous reset, active high
  output wire rst_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (STAGES < 2) begin : g_err_stages
`ifdef VERILATOR
      $error("snn_rst_sync: STAGES (%0d) must be >= 2", STAGES);
`else
      snn_rst_sync__STAGES_must_be_at_least_2 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- chain
  // The shift goes through a vector one bit wider ({sync_q, rst_i}, its top
  // bit dropped), like snn_pipe_ctrl's valid bits.
  (* ASYNC_REG = "TRUE" *) reg [STAGES-1:0] sync_q = {STAGES{1'b1}};
  wire [STAGES:0] sync_shift = {sync_q, rst_i};

  always @(posedge clk_i) begin
    sync_q <= sync_shift[STAGES-1:0];
  end

  assign rst_o = sync_q[STAGES-1];

  wire unused_shift_top = sync_shift[STAGES];
endmodule
`default_nettype wire
