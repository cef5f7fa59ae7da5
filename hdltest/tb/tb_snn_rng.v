`default_nettype none
// Testbench of snn_rng, driven by hdltest/tests/snn_rng.rs (expected values
// come from spikefab_sim::rng in Rust; this bench only drives and records).
//
// Plusargs:
//   +vec=<file>   input records, $readmemh: one line per record, 3 x 64 bits
//                 {step, neuron, key} (field 0 = key in the low 64 bits)
//   +out=<file>   written: one line per output handshake "user u draw" (decimal)
//   +seed=<n>     seed of the xorshift32 that draws the stalls (nonzero)
//   +in_pct=<p>   percent of cycles the source offers a new record
//   +out_pct=<p>  percent of cycles the sink is ready
// Prints TB_ERROR lines on protocol violations or timeout and, at the end,
// "TB_DONE sent=.. recv=.. first_latency=.. span=..".
module tb_snn_rng #(
  // DUT: user sideband width.
  parameter integer USER_BITS = 32,
  // Number of input records in +vec.
  parameter integer N = 1
);
  localparam integer REC_W = 3 * 64;

  reg [REC_W-1:0] vec_mem [0:N-1];
  reg [8*1024-1:0] vec_path;
  reg [8*1024-1:0] out_path;
  integer fd;
  integer seed;
  integer in_pct;
  integer out_pct;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  // ------------------------------------------------------------------ DUT
  reg  in_valid_q;
  wire in_ready;
  wire out_valid;
  reg  out_ready_q;
  wire [31:0] u;
  wire [63:0] draw;
  wire [USER_BITS-1:0] user_o;

  integer idx;                       // next record to offer
  wire [REC_W-1:0] rec = vec_mem[(idx < N) ? idx : (N - 1)];
  wire [31:0] idx_u = idx;

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

  // ------------------------------------------------------------------ stimulus
  function [31:0] xorshift32;
    input [31:0] x;
    reg [31:0] y;
    begin
      y = x ^ (x << 13);
      y = y ^ (y >> 17);
      xorshift32 = y ^ (y << 5);
    end
  endfunction

  reg [31:0] rnd_q;
  reg [31:0] r;
  integer recv;
  integer cycle;
  integer first_in;
  integer first_out;
  integer last_out;
  integer tail;
  integer idx_n;
  // previous cycle's output, for the hold check
  reg prev_stall;
  reg [USER_BITS+96-1:0] prev_bus;
  wire [USER_BITS+96-1:0] out_bus = {user_o, draw, u};

  initial begin
    if (!$value$plusargs("vec=%s", vec_path)) begin
      $display("TB_ERROR missing +vec");
      $finish;
    end
    if (!$value$plusargs("out=%s", out_path)) begin
      $display("TB_ERROR missing +out");
      $finish;
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("in_pct=%d", in_pct)) in_pct = 100;
    if (!$value$plusargs("out_pct=%d", out_pct)) out_pct = 100;
    $readmemh(vec_path, vec_mem);
    fd = $fopen(out_path, "w");
    rnd_q = (seed == 0) ? 32'h1 : seed;
    idx = 0;
    recv = 0;
    cycle = 0;
    first_in = -1;
    first_out = -1;
    last_out = -1;
    tail = 0;
    in_valid_q = 1'b0;
    out_ready_q = 1'b0;
    prev_stall = 1'b0;
    prev_bus = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
  end

  always @(posedge clk) begin
    if (!rst) begin
      cycle = cycle + 1;
      // output side: hold check, then record the handshake
      if (prev_stall && (!out_valid || out_bus !== prev_bus)) begin
        $display("TB_ERROR output changed while stalled at cycle %0d", cycle);
      end
      prev_stall = out_valid && !out_ready_q;
      prev_bus = out_bus;
      if (out_valid && out_ready_q) begin
        $fwrite(fd, "%0d %0d %0d\n", user_o, u, draw);
        if (recv == 0) first_out = cycle;
        last_out = cycle;
        recv = recv + 1;
      end
      // input side
      idx_n = idx;
      if (in_valid_q && in_ready) begin
        if (idx == 0) first_in = cycle;
        idx_n = idx + 1;
      end
      r = xorshift32(rnd_q);
      rnd_q <= r;
      if (in_valid_q && !in_ready) begin
        in_valid_q <= 1'b1;          // a valid offer is held until taken
      end else begin
        in_valid_q <= (idx_n < N) && ((r[15:0] % 100) < in_pct);
      end
      out_ready_q <= (r[31:16] % 100) < out_pct;
      idx <= idx_n;
      // end: all records received, then a quiet tail to catch duplicates
      if (recv >= N) begin
        tail = tail + 1;
        if (tail > 40) begin
          $display("TB_DONE sent=%0d recv=%0d first_latency=%0d span=%0d",
                   idx_n, recv, first_out - first_in, last_out - first_in);
          $fclose(fd);
          $finish;
        end
      end
      if (cycle > 200 * N + 1000) begin
        $display("TB_ERROR timeout: sent=%0d recv=%0d", idx_n, recv);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
