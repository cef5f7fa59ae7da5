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
//   +seed=<n>     seed of the xorshift32 that draws the stalls (nonzero)
//   +in_pct=<p>   percent of cycles the source offers a new record
//   +out_pct=<p>  percent of cycles the sink is ready
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

  integer idx;                       // next record to offer
  wire [REC_W-1:0] rec = vec_mem[(idx < N) ? idx : (N - 1)];
  wire [31:0] idx_u = idx;

  wire signed [V_BITS-1:0]     v_o;
  wire signed [I_BITS-1:0]     i_ex_o;
  wire signed [I_BITS-1:0]     i_in_o;
  wire        [REF_BITS-1:0]   refr_o;
  wire        [TRACE_BITS-1:0] x_pre_o;
  wire        [TRACE_BITS-1:0] y_post_o;
  wire                         spike_o;
  wire        [USER_BITS-1:0]  user_o;

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
  localparam integer BUS_W = USER_BITS + V_BITS + 2 * I_BITS + REF_BITS + 2 * TRACE_BITS + 1;
  reg prev_stall;
  reg [BUS_W-1:0] prev_bus;
  wire [BUS_W-1:0] out_bus = {user_o, v_o, i_ex_o, i_in_o, refr_o, x_pre_o, y_post_o, spike_o};

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
        $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d %0d\n",
                user_o, v_o, i_ex_o, i_in_o, refr_o, x_pre_o, y_post_o, spike_o);
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
