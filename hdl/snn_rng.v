`default_nettype none
// snn_rng: the counter-based random draw of docs/numerics.md ("Random numbers").
//
//   draw(key, c) = mix64(key + c * GAMMA)   (all mod 2^64), c = neuron << 32 | step
//   mix64(z)     = z ^= z >> 30; z *= M1; z ^= z >> 27; z *= M2; z ^ (z >> 31)
//   u_o          = draw >> 32  (= rng::neuron_step_u32(key, neuron, step))
//   draw_o       = the full 64-bit draw (= rng::draw(key, neuron << 32 | step))
//
// Pipeline: LATENCY = 6 register stages, initiation interval 1. Each 64x64
// multiplication mod 2^64 is split over two stages: a*b mod 2^64 =
// a_lo*b_lo + ((a_hi*b_lo + a_lo*b_hi) mod 2^32) << 32, i.e. one 32x32->64
// and two 32x32->32 products in the first stage, one 64-bit add in the second.
//
//   stage 1: step*GAMMA_lo, (neuron*GAMMA_lo + step*GAMMA_hi) mod 2^32
//   stage 2: z0 = key + c*GAMMA; z1 = z0 ^ (z0 >> 30)
//   stage 3: partial products of z1 * M1
//   stage 4: z2 = z1 * M1; z3 = z2 ^ (z2 >> 27)
//   stage 5: partial products of z3 * M2
//   stage 6: z4 = z3 * M2; draw = z4 ^ (z4 >> 31)          (output register)
//
// Backpressure (snn_pipe_ctrl): the whole pipeline advances (every stage
// register loads) when the output register is empty or the consumer takes
// its record (adv = out_ready_i | ~out_valid_o); in_ready_o = adv. Nothing is
// dropped or duplicated because no register loads unless its successor loads
// too. The ready path is combinational from out_ready_i to in_ready_o.
//
// rst_i (synchronous, active high) clears the valid bits only.
module snn_rng #(
  // Width of the user sideband carried unchanged alongside each draw (e.g. the neuron index); >= 1.
  parameter integer USER_BITS = 32
) (
  input  wire                 clk_i,
  input  wire                 rst_i,
  // input stream
  input  wire                 in_valid_i,
  output wire                 in_ready_o,
  input  wire [63:0]          key_i,
  input  wire [31:0]          neuron_i,
  input  wire [31:0]          step_i,
  input  wire [USER_BITS-1:0] user_i,
  // output stream
  output wire                 out_valid_o,
  input  wire                 out_ready_i,
  output wire [31:0]          u_o,
  output wire [63:0]          draw_o,
  output wire [USER_BITS-1:0] user_o
);
  // Register stages from an accepted input to its output record.
  localparam integer LATENCY = 6;

  // SplitMix64 constants (docs/numerics.md).
  localparam [63:0] GAMMA = 64'h9E37_79B9_7F4A_7C15;
  localparam [63:0] M1    = 64'hBF58_476D_1CE4_E5B9;
  localparam [63:0] M2    = 64'h94D0_49BB_1331_11EB;

  // ---------------------------------------------------------------- checks
  generate
    if (USER_BITS < 1) begin : g_err_user_bits
`ifdef VERILATOR
      $error("snn_rng: USER_BITS (%0d) must be >= 1", USER_BITS);
`else
      snn_rng__USER_BITS_must_be_at_least_1 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- control
  // The valid bits and the common stage enable adv (snn_pipe_ctrl): every
  // stage register below loads when adv is high.
  wire adv;
  wire unused_busy;

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
    .busy_o     (unused_busy)
  );

  // ---------------------------------------------------------------- datapath
  // stage 1: c * GAMMA split into partial products (c_hi = neuron, c_lo = step)
  wire [63:0] s1_plo_d   = step_i * GAMMA[31:0];
  wire [31:0] s1_cross_d = neuron_i * GAMMA[31:0] + step_i * GAMMA[63:32];

  reg  [63:0]          s1_key_q;
  reg  [63:0]          s1_plo_q;
  reg  [31:0]          s1_cross_q;
  reg  [USER_BITS-1:0] s1_user_q;

  // stage 2: z0 = key + c * GAMMA, z1 = z0 ^ (z0 >> 30)
  wire [63:0] s2_z0_d = s1_key_q + s1_plo_q + {s1_cross_q, 32'h0000_0000};
  wire [63:0] s2_z1_d = s2_z0_d ^ (s2_z0_d >> 30);

  reg  [63:0]          s2_z1_q;
  reg  [USER_BITS-1:0] s2_user_q;

  // stage 3: partial products of z1 * M1
  wire [63:0] s3_plo_d   = s2_z1_q[31:0] * M1[31:0];
  wire [31:0] s3_cross_d = s2_z1_q[63:32] * M1[31:0] + s2_z1_q[31:0] * M1[63:32];

  reg  [63:0]          s3_plo_q;
  reg  [31:0]          s3_cross_q;
  reg  [USER_BITS-1:0] s3_user_q;

  // stage 4: z2 = z1 * M1, z3 = z2 ^ (z2 >> 27)
  wire [63:0] s4_z2_d = s3_plo_q + {s3_cross_q, 32'h0000_0000};
  wire [63:0] s4_z3_d = s4_z2_d ^ (s4_z2_d >> 27);

  reg  [63:0]          s4_z3_q;
  reg  [USER_BITS-1:0] s4_user_q;

  // stage 5: partial products of z3 * M2
  wire [63:0] s5_plo_d   = s4_z3_q[31:0] * M2[31:0];
  wire [31:0] s5_cross_d = s4_z3_q[63:32] * M2[31:0] + s4_z3_q[31:0] * M2[63:32];

  reg  [63:0]          s5_plo_q;
  reg  [31:0]          s5_cross_q;
  reg  [USER_BITS-1:0] s5_user_q;

  // stage 6: z4 = z3 * M2, draw = z4 ^ (z4 >> 31)
  wire [63:0] s6_z4_d   = s5_plo_q + {s5_cross_q, 32'h0000_0000};
  wire [63:0] s6_draw_d = s6_z4_d ^ (s6_z4_d >> 31);

  reg  [63:0]          s6_draw_q;
  reg  [USER_BITS-1:0] s6_user_q;

  // Data registers have no reset: only vld_q says whether they hold a record.
  always @(posedge clk_i) begin
    if (adv) begin
      s1_key_q   <= key_i;
      s1_plo_q   <= s1_plo_d;
      s1_cross_q <= s1_cross_d;
      s1_user_q  <= user_i;

      s2_z1_q    <= s2_z1_d;
      s2_user_q  <= s1_user_q;

      s3_plo_q   <= s3_plo_d;
      s3_cross_q <= s3_cross_d;
      s3_user_q  <= s2_user_q;

      s4_z3_q    <= s4_z3_d;
      s4_user_q  <= s3_user_q;

      s5_plo_q   <= s5_plo_d;
      s5_cross_q <= s5_cross_d;
      s5_user_q  <= s4_user_q;

      s6_draw_q  <= s6_draw_d;
      s6_user_q  <= s5_user_q;
    end
  end

  assign draw_o = s6_draw_q;
  assign u_o    = s6_draw_q[63:32];
  assign user_o = s6_user_q;
endmodule
`default_nettype wire
