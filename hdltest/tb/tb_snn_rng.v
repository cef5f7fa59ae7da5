`default_nettype none
// Testbench of snn_rng, driven by hdltest/tests/snn_rng.rs (expected values
// come from spikefab_sim::rng in Rust; this bench only drives and records).
//
// Plusargs:
//   +vec=<file>   input records, $readmemh: one line per record, 3 x 64 bits
//                 {step, neuron, key} (field 0 = key in the low 64 bits)
//   +out=<file>   written: one line per output handshake "user u draw" (decimal)
//   +seed, +in_pct, +out_pct: the random stalls (see tb_stream.vh, which
//                 holds the feed/record loop shared by the streaming benches)
// Prints TB_ERROR lines on protocol violations or timeout and, at the end,
// "TB_DONE sent=.. recv=.. first_latency=.. span=..".
module tb_snn_rng #(
  // DUT: user sideband width.
  parameter integer USER_BITS = 32,
  // Number of input records in +vec.
  parameter integer N = 1
);
  localparam integer REC_W = 3 * 64;

  // DUT outputs
  wire [31:0] u;
  wire [63:0] draw;
  wire [USER_BITS-1:0] user_o;

  // every output but out_valid, for the hold check
  localparam integer BUS_W = USER_BITS + 96;
  wire [BUS_W-1:0] out_bus = {user_o, draw, u};

`include "tb_stream.vh"

  // ------------------------------------------------------------------ DUT
  snn_rng #(
    .USER_BITS(USER_BITS)
  ) dut (
    .clk_i      (clk),
    .rst_i      (rst),
    .in_valid_i (in_valid_q),
    .in_ready_o (in_ready),
    .key_i      (rec[63:0]),
    .neuron_i   (rec[64 +: 32]),
    .step_i     (rec[128 +: 32]),
    .user_i     (idx_u[USER_BITS-1:0]),
    .out_valid_o(out_valid),
    .out_ready_i(out_ready_q),
    .u_o        (u),
    .draw_o     (draw),
    .user_o     (user_o)
  );

  // one +out line
  task write_record;
    begin
      $fwrite(fd, "%0d %0d %0d\n", user_o, u, draw);
    end
  endtask
endmodule
`default_nettype wire
