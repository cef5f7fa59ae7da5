`default_nettype none
// snn_pipe_ctrl: the valid/ready control of a STAGES-deep pipeline whose
// stages all move together, shared by the streaming leaf modules (snn_rng,
// snn_lif_update, snn_stdp); they keep only their datapath registers.
//
// The valid bits are one shift register with a common enable
//   adv_o = out_ready_i | ~out_valid_o
// (the output register is empty, or the consumer takes its record). When
// adv_o is high every stage register of the pipeline loads (the caller's
// datapath registers use adv_o as their enable) and in_valid_i enters stage
// 1; otherwise everything holds. in_ready_o = adv_o, combinational from
// out_ready_i. No register loads unless its successor loads too, so nothing
// is lost or duplicated; bubbles are not squeezed out while the output is
// stalled.
//
// out_valid_o is the valid bit of the last stage (the output register);
// busy_o is high while any stage holds a record (accepted, not yet taken).
//
// rst_i (synchronous, active high) clears the valid bits.
module snn_pipe_ctrl #(
  // Register stages from an accepted input to its output record; >= 1.
  parameter integer STAGES = 3
) (
  input  wire clk_i,
  input  wire rst_i,
  input  wire in_valid_i,
  output wire in_ready_o,
  output wire out_valid_o,
  input  wire out_ready_i,
  // stage enable: every stage register loads
  output wire adv_o,
  // a record is in the pipeline
  output wire busy_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (STAGES < 1) begin : g_err_stages
`ifdef VERILATOR
      $error("snn_pipe_ctrl: STAGES (%0d) must be >= 1", STAGES);
`else
      snn_pipe_ctrl__STAGES_must_be_at_least_1 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- valid bits
  // vld_q[k]: stage k+1 holds a record. The shift goes through a vector one
  // bit wider ({vld_q, in_valid_i}, its top bit dropped), so that STAGES = 1
  // needs no special case.
  reg  [STAGES-1:0] vld_q;
  wire [STAGES:0]   vld_shift = {vld_q, in_valid_i};
  wire              adv       = out_ready_i | ~vld_q[STAGES-1];

  always @(posedge clk_i) begin
    if (rst_i) begin
      vld_q <= {STAGES{1'b0}};
    end else if (adv) begin
      vld_q <= vld_shift[STAGES-1:0];
    end
  end

  assign adv_o       = adv;
  assign in_ready_o  = adv;
  assign out_valid_o = vld_q[STAGES-1];
  assign busy_o      = |vld_q;

  wire unused_shift_top = vld_shift[STAGES];
endmodule
`default_nettype wire
