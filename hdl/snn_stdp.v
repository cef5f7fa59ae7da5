`default_nettype none
// snn_stdp: the STDP weight update of docs/numerics.md (Phase B, "STDP: which
// pairs count"), bit-identical to spikefab_sim::engine::stdp_delta followed by
// the clamp of engine::stdp_write:
//
//   depression   (potentiate = 0): w' = clamp(w - rnd(A * trace, TRACE_FRAC), w_min, w_max)
//   potentiation (potentiate = 1): w' = clamp(w + rnd(A * trace, TRACE_FRAC), w_min, w_max)
//
// with A = A- and trace = y_post of the target for depression (pre pass), and
// A = A+ and trace = x_pre of the source for potentiation (post pass).
// rnd(x, s) = (x + 2^(s-1)) >> s (round half up; x = A * trace >= 0 here, so
// the logical shift is the contract's floor), rnd(x, 0) = x. The product is
// exact and rounded once; the sum w -/+ delta is exact and clamped once.
// clamp(x, lo, hi) = x < lo ? lo : (x > hi ? hi : x), Rust's i64::clamp; the
// contract has w_min <= w_max (the loader rejects anything else).
//
// One request in, one record out, always (also when the clamp leaves the
// weight unchanged): the record carries the new weight, the old weight, the
// operation and the sideband (the synapse address), which is what the core
// needs for the write-back port and the observation record (step, synapse,
// old, new).
//
// Pipeline: LATENCY = 3 register stages, initiation interval 1.
//   stage 1: the exact product A * trace (unsigned)
//   stage 2: rounding, w - delta or w + delta (exact, signed)
//   stage 3: clamp to [w_min, w_max] (output register)
//
// Backpressure (snn_pipe_ctrl): the whole pipeline advances when the output
// register is empty or the consumer takes its record
// (adv = out_ready_i | ~out_valid_o); in_ready_o = adv (combinational from
// out_ready_i). No register loads unless its successor loads too, so nothing
// is lost or duplicated.
//
// busy_o is high while any accepted record has not yet left through the
// output handshake; the core can wait for !busy_o (and its own write-back) to
// drain the unit between the pre and the post pass (read-after-write hazard,
// see docs/hdl-leaf-modules.md). The unit does not forward results between
// records: each request must carry the weight as last written back.
//
// The rule parameters (A, w_min, w_max) travel with every record, so requests
// of different rules can follow each other at full rate.
//
// rst_i (synchronous, active high) clears the valid bits only.
module snn_stdp #(
  // Synaptic weight width, signed (numerics.w_bits); 2..16 (the contract stores 16-bit weights).
  parameter integer W_BITS = 16,
  // STDP trace width, unsigned (numerics.trace_bits); 2..24.
  parameter integer TRACE_BITS = 16,
  // Fractional bits of the traces (numerics.trace_frac); 0..TRACE_BITS-1.
  parameter integer TRACE_FRAC = 12,
  // Width of the user sideband carried unchanged with each record (e.g. the synapse address); >= 1.
  parameter integer USER_BITS = 32
) (
  input  wire                         clk_i,
  input  wire                         rst_i,
  // input stream (one update request)
  input  wire                         in_valid_i,
  output wire                         in_ready_o,
  //   1: potentiation (w + rnd(A+ x_pre)); 0: depression (w - rnd(A- y_post))
  input  wire                         potentiate_i,
  //   current weight
  input  wire signed [W_BITS-1:0]     w_i,
  //   partner trace (y_post of the target for depression, x_pre of the source for potentiation)
  input  wire        [TRACE_BITS-1:0] trace_i,
  //   amplitude A- or A+ (>= 0, weight LSBs at trace 1.0)
  input  wire        [W_BITS-2:0]     amp_i,
  //   bounds of the rule
  input  wire signed [W_BITS-1:0]     w_min_i,
  input  wire signed [W_BITS-1:0]     w_max_i,
  input  wire        [USER_BITS-1:0]  user_i,
  // output stream (one weight write)
  output wire                         out_valid_o,
  input  wire                         out_ready_i,
  output wire signed [W_BITS-1:0]     w_new_o,
  output wire signed [W_BITS-1:0]     w_old_o,
  output wire                         potentiate_o,
  output wire        [USER_BITS-1:0]  user_o,
  // a record is inside the unit (accepted, not yet taken at the output)
  output wire                         busy_o
);
  // Register stages from an accepted input to its output record.
  localparam integer LATENCY = 3;

  // Exact product A * trace (unsigned).
  localparam integer P_W = W_BITS - 1 + TRACE_BITS;
  // Product plus the rounding half (one carry bit); the rounded delta keeps this width.
  localparam integer D_W = P_W + 1;
  // Signed sum w -/+ delta: |w| <= 2^(W_BITS-1) <= 2^D_W and delta < 2^D_W, so
  // |sum| < 2^(D_W+1): D_W + 2 bits hold it exactly.
  localparam integer S_W = D_W + 2;

  // ---------------------------------------------------------------- checks
  // Ranges are those of spikefab_sim::NumericsConfig::check (the contract).
  generate
    if (W_BITS < 2 || W_BITS > 16) begin : g_err_w_bits
`ifdef VERILATOR
      $error("snn_stdp: W_BITS (%0d) must be in 2..16", W_BITS);
`else
      snn_stdp__W_BITS_must_be_in_2_to_16 param_error ();
`endif
    end
    if (TRACE_BITS < 2 || TRACE_BITS > 24) begin : g_err_trace_bits
`ifdef VERILATOR
      $error("snn_stdp: TRACE_BITS (%0d) must be in 2..24", TRACE_BITS);
`else
      snn_stdp__TRACE_BITS_must_be_in_2_to_24 param_error ();
`endif
    end
    if (TRACE_FRAC < 0 || TRACE_FRAC >= TRACE_BITS) begin : g_err_trace_frac
`ifdef VERILATOR
      $error("snn_stdp: TRACE_FRAC (%0d) must be in 0..TRACE_BITS-1 (TRACE_BITS = %0d)", TRACE_FRAC, TRACE_BITS);
`else
      snn_stdp__TRACE_FRAC_must_be_below_TRACE_BITS param_error ();
`endif
    end
    if (USER_BITS < 1) begin : g_err_user_bits
`ifdef VERILATOR
      $error("snn_stdp: USER_BITS (%0d) must be >= 1", USER_BITS);
`else
      snn_stdp__USER_BITS_must_be_at_least_1 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- control
  // The valid bits and the common stage enable adv (snn_pipe_ctrl): every
  // stage register below loads when adv is high.
  wire adv;

  snn_pipe_ctrl #(
    .STAGES(LATENCY)
  ) u_pipe (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .in_valid_i (in_valid_i),
    .in_ready_o (in_ready_o),
    .out_valid_o(out_valid_o),
    .out_ready_i(out_ready_i),
    .adv_o      (adv),
    .busy_o     (busy_o)
  );

  // ======================================================== stage 1: product
  wire [P_W-1:0] s1_prod_d = amp_i * trace_i;

  reg        [P_W-1:0]       s1_prod_q;
  reg                        s1_pot_q;
  reg signed [W_BITS-1:0]    s1_w_q;
  reg signed [W_BITS-1:0]    s1_w_min_q;
  reg signed [W_BITS-1:0]    s1_w_max_q;
  reg        [USER_BITS-1:0] s1_user_q;

  always @(posedge clk_i) begin
    if (adv) begin
      s1_prod_q  <= s1_prod_d;
      s1_pot_q   <= potentiate_i;
      s1_w_q     <= w_i;
      s1_w_min_q <= w_min_i;
      s1_w_max_q <= w_max_i;
      s1_user_q  <= user_i;
    end
  end

  // ======================================================== stage 2: round, add
  wire [D_W-1:0] s2_prod_x = {1'b0, s1_prod_q};
  wire [D_W-1:0] s2_delta;

  generate
    if (TRACE_FRAC == 0) begin : g_rnd_none
      // rnd(x, 0) = x
      assign s2_delta = s2_prod_x;
    end else begin : g_rnd_half_up
      // rnd(x, s) = (x + 2^(s-1)) >> s (x >= 0, so >> is the floor)
      localparam [D_W-1:0] HALF = {{(D_W-1){1'b0}}, 1'b1} << (TRACE_FRAC - 1);
      assign s2_delta = (s2_prod_x + HALF) >> TRACE_FRAC;
    end
  endgenerate

  wire signed [S_W-1:0] s2_w_x     = {{(S_W-W_BITS){s1_w_q[W_BITS-1]}}, s1_w_q};
  wire signed [S_W-1:0] s2_delta_x = {2'b00, s2_delta};
  wire signed [S_W-1:0] s2_sum_d   = s1_pot_q ? (s2_w_x + s2_delta_x) : (s2_w_x - s2_delta_x);

  reg signed [S_W-1:0]       s2_sum_q;
  reg                        s2_pot_q;
  reg signed [W_BITS-1:0]    s2_w_q;
  reg signed [W_BITS-1:0]    s2_w_min_q;
  reg signed [W_BITS-1:0]    s2_w_max_q;
  reg        [USER_BITS-1:0] s2_user_q;

  always @(posedge clk_i) begin
    if (adv) begin
      s2_sum_q   <= s2_sum_d;
      s2_pot_q   <= s1_pot_q;
      s2_w_q     <= s1_w_q;
      s2_w_min_q <= s1_w_min_q;
      s2_w_max_q <= s1_w_max_q;
      s2_user_q  <= s1_user_q;
    end
  end

  // ======================================================== stage 3: clamp
  wire signed [S_W-1:0] s3_lo_x = {{(S_W-W_BITS){s2_w_min_q[W_BITS-1]}}, s2_w_min_q};
  wire signed [S_W-1:0] s3_hi_x = {{(S_W-W_BITS){s2_w_max_q[W_BITS-1]}}, s2_w_max_q};
  wire                  s3_below = (s2_sum_q < s3_lo_x);
  wire                  s3_above = (s2_sum_q > s3_hi_x);
  // In range of [w_min, w_max], the sum fits W_BITS: its low bits are the value.
  wire signed [W_BITS-1:0] s3_w_new_d =
      s3_below ? s2_w_min_q : (s3_above ? s2_w_max_q : s2_sum_q[W_BITS-1:0]);

  reg signed [W_BITS-1:0]    s3_w_new_q;
  reg signed [W_BITS-1:0]    s3_w_old_q;
  reg                        s3_pot_q;
  reg        [USER_BITS-1:0] s3_user_q;

  always @(posedge clk_i) begin
    if (adv) begin
      s3_w_new_q <= s3_w_new_d;
      s3_w_old_q <= s2_w_q;
      s3_pot_q   <= s2_pot_q;
      s3_user_q  <= s2_user_q;
    end
  end

  assign w_new_o      = s3_w_new_q;
  assign w_old_o      = s3_w_old_q;
  assign potentiate_o = s3_pot_q;
  assign user_o       = s3_user_q;
endmodule
`default_nettype wire
