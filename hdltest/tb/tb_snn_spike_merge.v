`default_nettype none
// Testbench of snn_spike_merge, driven by hdltest/tests/snn_spike_merge.rs
// (the expected stream and counts come from a model in Rust; this bench only
// drives and records).
//
// Plusargs:
//   +vec=<file>   one line per clock cycle, $readmemh, VEC_W bits, from the
//                 least significant bit: in_neuron_i (LANES * GID_W),
//                 in_step_i (LANES * 32), in_valid_i (LANES), out_ready_i,
//                 clr_i, rst_i; applied between rising edges k - 1 and k
//   +out=<file>   written: one line per cycle, sampled just before rising
//                 edge k (the inputs of that edge and the outputs of the
//                 state before it):
//                 "k out_valid out_ready step neuron level emitted room overflow"
//                 (step and neuron are 0 while out_valid is low)
// The DUT is reset for 3 cycles before line 0.
// Prints "TB_DONE sent=<cycles> recv=<output handshakes>".
module tb_snn_spike_merge #(
  // DUT: lanes.
  parameter integer LANES = 1,
  // DUT: neuron id width.
  parameter integer GID_W = 11,
  // DUT: records per lane.
  parameter integer DEPTH = 5,
  // DUT: free records per lane for room_o.
  parameter integer ROOM = 1,
  // Cycles in +vec.
  parameter integer N = 1
);
  localparam integer VEC_W = 3 + LANES * (33 + GID_W);
  localparam integer NRN_LO = 0;
  localparam integer STEP_LO = LANES * GID_W;
  localparam integer VALID_LO = STEP_LO + LANES * 32;
  localparam integer READY_B = VALID_LO + LANES;

  reg [VEC_W-1:0] vec_mem [0:N-1];
`include "tb_io.vh"

  reg                    clk = 1'b0;
  reg                    rst = 1'b1;
  reg                    clr = 1'b0;
  reg [LANES-1:0]        in_valid = {LANES{1'b0}};
  reg [LANES*32-1:0]     in_step = {(LANES * 32){1'b0}};
  reg [LANES*GID_W-1:0]  in_neuron = {(LANES * GID_W){1'b0}};
  reg                    out_ready = 1'b0;
  wire                   out_valid;
  wire [31:0]            out_step;
  wire [31:0]            out_neuron;
  wire                   room;
  wire [31:0]            level;
  wire [31:0]            emitted;
  wire                   overflow;

  snn_spike_merge #(
    .LANES(LANES),
    .GID_W(GID_W),
    .DEPTH(DEPTH),
    .ROOM (ROOM)
  ) dut (
    .clk_i       (clk),
    .rst_i       (rst),
    .in_valid_i  (in_valid),
    .in_step_i   (in_step),
    .in_neuron_i (in_neuron),
    .out_valid_o (out_valid),
    .out_step_o  (out_step),
    .out_neuron_o(out_neuron),
    .out_ready_i (out_ready),
    .room_o      (room),
    .level_o     (level),
    .emitted_o   (emitted),
    .clr_i       (clr),
    .overflow_o  (overflow)
  );

  integer k;
  integer recv;
  reg [VEC_W-1:0] v;

  initial begin
    load_vec;
    open_out;
    repeat (3) begin
      #5 clk = 1'b1;
      #5 clk = 1'b0;
    end
    recv = 0;
    for (k = 0; k < N; k = k + 1) begin
      v = vec_mem[k];
      in_neuron = v[NRN_LO +: LANES * GID_W];
      in_step   = v[STEP_LO +: LANES * 32];
      in_valid  = v[VALID_LO +: LANES];
      out_ready = v[READY_B];
      clr       = v[READY_B + 1];
      rst       = v[READY_B + 2];
      #4;
      $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d %0d %0d\n", k, out_valid, out_ready,
              out_valid ? out_step : 32'd0, out_valid ? out_neuron : 32'd0,
              level, emitted, room, overflow);
      if (out_valid && out_ready) recv = recv + 1;
      #1 clk = 1'b1;
      #5 clk = 1'b0;
    end
    $display("TB_DONE sent=%0d recv=%0d", N, recv);
    $fclose(fd);
    $finish;
  end
endmodule
`default_nettype wire
