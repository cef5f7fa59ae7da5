`default_nettype none
// Testbench of snn_lif_update, driven by hdltest/tests/snn_lif_update.rs
// (expected values come from spikefab_sim::engine::update_neuron in Rust;
// this bench only drives and records).
//
// Plusargs:
//   +vec=<file>   input records, $readmemh: one line per record of 19 fields
//                 of 64 bits each (two's complement), field 0 in the low bits:
//                 0 v, 1 i_ex, 2 i_in, 3 refr, 4 x_pre, 5 y_post, 6 p22,
//                 7 p21_ex, 8 p21_in, 9 p11_ex, 10 p11_in, 11 dc_term,
//                 12 theta, 13 v_reset, 14 ref_steps, 15 p_plus, 16 p_minus,
//                 17 in_ex, 18 in_in
//   +out=<file>   written: one line per output handshake
//                 "user v i_ex i_in refr x_pre y_post spike" (decimal, signed where signed)
//   +seed, +in_pct, +out_pct: the random stalls (see tb_stream.vh, which
//                 holds the feed/record loop shared by the streaming benches)
// Prints TB_ERROR lines on protocol violations or timeout and, at the end,
// "TB_DONE sent=.. recv=.. first_latency=.. span=..".
module tb_snn_lif_update #(
  // DUT parameters (see snn_lif_update.v).
  parameter integer V_BITS = 24,
  // DUT parameter.
  parameter integer I_BITS = 24,
  // DUT parameter.
  parameter integer COEF_BITS = 20,
  // DUT parameter.
  parameter integer COEF_FRAC = 18,
  // DUT parameter.
  parameter integer REF_BITS = 8,
  // DUT parameter.
  parameter integer TRACE_BITS = 16,
  // DUT parameter.
  parameter integer TRACE_FRAC = 12,
  // DUT parameter.
  parameter integer IN_BITS = 33,
  // DUT parameter.
  parameter integer PLASTIC = 1,
  // DUT parameter.
  parameter integer USER_BITS = 32,
  // Number of input records in +vec.
  parameter integer N = 1
);
  localparam integer NF = 19;
  localparam integer REC_W = NF * 64;

  // DUT outputs
  wire signed [V_BITS-1:0]     v_o;
  wire signed [I_BITS-1:0]     i_ex_o;
  wire signed [I_BITS-1:0]     i_in_o;
  wire        [REF_BITS-1:0]   refr_o;
  wire        [TRACE_BITS-1:0] x_pre_o;
  wire        [TRACE_BITS-1:0] y_post_o;
  wire                         spike_o;
  wire        [USER_BITS-1:0]  user_o;

  // every output but out_valid, for the hold check
  localparam integer BUS_W = USER_BITS + V_BITS + 2 * I_BITS + REF_BITS + 2 * TRACE_BITS + 1;
  wire [BUS_W-1:0] out_bus = {user_o, v_o, i_ex_o, i_in_o, refr_o, x_pre_o, y_post_o, spike_o};

`include "tb_stream.vh"

  // ------------------------------------------------------------------ DUT
  snn_lif_update #(
    .V_BITS    (V_BITS),
    .I_BITS    (I_BITS),
    .COEF_BITS (COEF_BITS),
    .COEF_FRAC (COEF_FRAC),
    .REF_BITS  (REF_BITS),
    .TRACE_BITS(TRACE_BITS),
    .TRACE_FRAC(TRACE_FRAC),
    .IN_BITS   (IN_BITS),
    .PLASTIC   (PLASTIC),
    .USER_BITS (USER_BITS)
  ) dut (
    .clk_i      (clk),
    .rst_i      (rst),
    .in_valid_i (in_valid_q),
    .in_ready_o (in_ready),
    .v_i        (rec[0*64 +: V_BITS]),
    .i_ex_i     (rec[1*64 +: I_BITS]),
    .i_in_i     (rec[2*64 +: I_BITS]),
    .refr_i     (rec[3*64 +: REF_BITS]),
    .x_pre_i    (rec[4*64 +: TRACE_BITS]),
    .y_post_i   (rec[5*64 +: TRACE_BITS]),
    .p22_i      (rec[6*64 +: COEF_BITS]),
    .p21_ex_i   (rec[7*64 +: COEF_BITS]),
    .p21_in_i   (rec[8*64 +: COEF_BITS]),
    .p11_ex_i   (rec[9*64 +: COEF_BITS]),
    .p11_in_i   (rec[10*64 +: COEF_BITS]),
    .dc_term_i  (rec[11*64 +: V_BITS+COEF_FRAC]),
    .theta_i    (rec[12*64 +: V_BITS]),
    .v_reset_i  (rec[13*64 +: V_BITS]),
    .ref_steps_i(rec[14*64 +: REF_BITS]),
    .p_plus_i   (rec[15*64 +: COEF_BITS]),
    .p_minus_i  (rec[16*64 +: COEF_BITS]),
    .trunc_v_i  (1'b0),
    .in_ex_i    (rec[17*64 +: IN_BITS]),
    .in_in_i    (rec[18*64 +: IN_BITS]),
    .user_i     (idx_u[USER_BITS-1:0]),
    .out_valid_o(out_valid),
    .out_ready_i(out_ready_q),
    .v_o        (v_o),
    .i_ex_o     (i_ex_o),
    .i_in_o     (i_in_o),
    .refr_o     (refr_o),
    .x_pre_o    (x_pre_o),
    .y_post_o   (y_post_o),
    .spike_o    (spike_o),
    .user_o     (user_o)
  );

  // one +out line
  task write_record;
    begin
      $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d %0d\n",
              user_o, v_o, i_ex_o, i_in_o, refr_o, x_pre_o, y_post_o, spike_o);
    end
  endtask
endmodule
`default_nettype wire
