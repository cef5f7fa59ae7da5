`default_nettype none
// Testbench of snn_stdp, driven by hdltest/tests/snn_stdp.rs (expected values
// come from spikefab_sim::engine::stdp_delta and the contract's clamp in Rust;
// this bench only drives and records).
//
// Plusargs:
//   +vec=<file>   input records, $readmemh: one line per record of 6 fields
//                 of 64 bits each (two's complement), field 0 in the low bits:
//                 0 potentiate, 1 w, 2 trace, 3 amp, 4 w_min, 5 w_max
//   +out=<file>   written: one line per output handshake
//                 "user w_new w_old potentiate" (decimal, signed where signed)
//   +seed, +in_pct, +out_pct: the random stalls (see tb_stream.vh, which
//                 holds the feed/record loop shared by the streaming benches)
// Prints TB_ERROR lines on protocol violations (output changed while stalled,
// busy_o not equal to "a record is in flight") or timeout and, at the end,
// "TB_DONE sent=.. recv=.. first_latency=.. span=..".
module tb_snn_stdp #(
  // DUT parameters (see snn_stdp.v).
  parameter integer W_BITS = 16,
  // DUT parameter.
  parameter integer TRACE_BITS = 16,
  // DUT parameter.
  parameter integer TRACE_FRAC = 12,
  // DUT parameter.
  parameter integer USER_BITS = 32,
  // Number of input records in +vec.
  parameter integer N = 1
);
  localparam integer NF = 6;
  localparam integer REC_W = NF * 64;

  // DUT outputs
  wire signed [W_BITS-1:0]    w_new_o;
  wire signed [W_BITS-1:0]    w_old_o;
  wire                        potentiate_o;
  wire        [USER_BITS-1:0] user_o;
  wire                        busy_o;

  // every output but out_valid, for the hold check
  localparam integer BUS_W = USER_BITS + 2 * W_BITS + 1;
  wire [BUS_W-1:0] out_bus = {user_o, w_new_o, w_old_o, potentiate_o};

`include "tb_stream.vh"

  // ------------------------------------------------------------------ DUT
  snn_stdp #(
    .W_BITS    (W_BITS),
    .TRACE_BITS(TRACE_BITS),
    .TRACE_FRAC(TRACE_FRAC),
    .USER_BITS (USER_BITS)
  ) dut (
    .clk_i       (clk),
    .rst_i       (rst),
    .in_valid_i  (in_valid_q),
    .in_ready_o  (in_ready),
    .potentiate_i(rec[0*64]),
    .w_i         (rec[1*64 +: W_BITS]),
    .trace_i     (rec[2*64 +: TRACE_BITS]),
    .amp_i       (rec[3*64 +: W_BITS-1]),
    .w_min_i     (rec[4*64 +: W_BITS]),
    .w_max_i     (rec[5*64 +: W_BITS]),
    .user_i      (idx_u[USER_BITS-1:0]),
    .out_valid_o (out_valid),
    .out_ready_i (out_ready_q),
    .w_new_o     (w_new_o),
    .w_old_o     (w_old_o),
    .potentiate_o(potentiate_o),
    .user_o      (user_o),
    .busy_o      (busy_o)
  );

  // one +out line
  task write_record;
    begin
      $fwrite(fd, "%0d %0d %0d %0d\n", user_o, w_new_o, w_old_o, potentiate_o);
    end
  endtask

  // busy_o: high iff some accepted record has not been taken yet. Checked
  // between clock edges, where idx and recv count the handshakes of every
  // edge so far (the cycle number is that of the coming edge).
  always @(negedge clk) begin
    if (!rst && busy_o !== (idx != recv)) begin
      $display("TB_ERROR busy_o = %b with %0d accepted and %0d taken at cycle %0d",
               busy_o, idx, recv, cycle + 1);
    end
  end
endmodule
`default_nettype wire
