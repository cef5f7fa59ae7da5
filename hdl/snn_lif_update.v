`default_nettype none
// snn_lif_update: the phase-A neuron update of docs/numerics.md ("One time
// step", items 2-5), bit-identical to spikefab_sim::engine::update_neuron.
//
//   2. if refr == 0: V = sat_s(rnd(V*P22 + I_ex*P21ex + I_in*P21in + dc, COEF_FRAC), V_BITS)
//      else:         refr = refr - 1 (V unchanged)
//   3. I_x = sat_s(rnd(I_x*P11x, COEF_FRAC) + in_x, I_BITS)        (currents before this step's input)
//   4. if V >= theta: spike, V = v_reset, refr = ref_steps
//   5. (PLASTIC) x = sat_u(rnd(x*P+, COEF_FRAC) + spike*2^TRACE_FRAC, TRACE_BITS), y likewise with P-
//
// rnd(x, s) = (x + 2^(s-1)) >>> s (round half up, ties toward +inf, also for
// negative x), rnd(x, 0) = x. Every product is formed exactly and rounded once.
//
// Pipeline: LATENCY = 3 register stages, initiation interval 1.
//   stage 1: the eight exact products (V*P22, I_ex*P21ex, I_in*P21in,
//            I_ex*P11ex, I_in*P11in, x*P+, y*P-)
//   stage 2: membrane sum of products + dc, rounded; currents rounded + input;
//            trace decays rounded
//   stage 3: saturation, refractory mux, threshold, reset, trace increment
//            and saturation (output register)
//
// Backpressure (snn_pipe_ctrl): the whole pipeline advances when the output
// register is empty or the consumer takes its record
// (adv = out_ready_i | ~out_valid_o); in_ready_o = adv (combinational from
// out_ready_i). No register loads unless its successor loads too, so nothing
// is lost or duplicated.
//
// Input width: in_ex_i/in_in_i are signed IN_BITS. They carry the delay-ring
// accumulator (signed ACC_BITS) plus the Poisson background term
// k * (w_bg << w_shift) with k <= poisson_table_len, so
//   IN_BITS >= max(ACC_BITS, W_BITS + W_SHIFT + clog2(poisson_table_len + 1)) + 1
// is always enough; the default 33 covers the default numerics (ACC_BITS 32,
// W_BITS 16, W_SHIFT 0, table 32: max(32, 22) + 1).
//
// Parameter ports (per population, sampled with each record): the propagators
// are unsigned COEF_BITS, dc_term_i is signed V_BITS+COEF_FRAC (the contract's
// format of `dc`), theta_i/v_reset_i are signed V_BITS.
//
// PLASTIC = 0: the traces are carried through unchanged (the reference leaves
// them untouched without plasticity) and p_plus_i/p_minus_i are unused.
//
// rst_i (synchronous, active high) clears the valid bits only.
module snn_lif_update #(
  // Membrane potential width, signed (numerics.v_bits); 4..32.
  parameter integer V_BITS = 24,
  // Synaptic current width, signed (numerics.i_bits); 4..32.
  parameter integer I_BITS = 24,
  // Propagator width, unsigned (numerics.coef_bits); 2..28.
  parameter integer COEF_BITS = 20,
  // Fractional bits of the propagators (numerics.coef_frac); 0..COEF_BITS.
  parameter integer COEF_FRAC = 18,
  // Refractory counter width, unsigned (numerics.ref_bits); 1..16.
  parameter integer REF_BITS = 8,
  // STDP trace width, unsigned (numerics.trace_bits); 2..24.
  parameter integer TRACE_BITS = 16,
  // Fractional bits of the traces (numerics.trace_frac); 0..TRACE_BITS-1.
  parameter integer TRACE_FRAC = 12,
  // Width of the step's input in_ex_i/in_in_i, signed; 2..48 (see the header for the bound).
  parameter integer IN_BITS = 33,
  // 1: update the STDP traces (step 5); 0: carry them through unchanged.
  parameter integer PLASTIC = 1,
  // Width of the user sideband carried unchanged with each record (e.g. the neuron index); >= 1.
  parameter integer USER_BITS = 32
) (
  input  wire                              clk_i,
  input  wire                              rst_i,
  // input stream
  input  wire                              in_valid_i,
  output wire                              in_ready_o,
  //   state
  input  wire signed [V_BITS-1:0]          v_i,
  input  wire signed [I_BITS-1:0]          i_ex_i,
  input  wire signed [I_BITS-1:0]          i_in_i,
  input  wire        [REF_BITS-1:0]        refr_i,
  input  wire        [TRACE_BITS-1:0]      x_pre_i,
  input  wire        [TRACE_BITS-1:0]      y_post_i,
  //   population parameters
  input  wire        [COEF_BITS-1:0]       p22_i,
  input  wire        [COEF_BITS-1:0]       p21_ex_i,
  input  wire        [COEF_BITS-1:0]       p21_in_i,
  input  wire        [COEF_BITS-1:0]       p11_ex_i,
  input  wire        [COEF_BITS-1:0]       p11_in_i,
  input  wire signed [V_BITS+COEF_FRAC-1:0] dc_term_i,
  input  wire signed [V_BITS-1:0]          theta_i,
  input  wire signed [V_BITS-1:0]          v_reset_i,
  input  wire        [REF_BITS-1:0]        ref_steps_i,
  input  wire        [COEF_BITS-1:0]       p_plus_i,
  input  wire        [COEF_BITS-1:0]       p_minus_i,
  //   this step's input
  input  wire signed [IN_BITS-1:0]         in_ex_i,
  input  wire signed [IN_BITS-1:0]         in_in_i,
  input  wire        [USER_BITS-1:0]       user_i,
  // Verification aid (fault injection of the co-simulation's mutation
  // check): while high, the membrane rounding of the records in stage 2
  // truncates (drops its half LSB). Tie low in every real design.
  input  wire                              trunc_v_i,
  // output stream
  output wire                              out_valid_o,
  input  wire                              out_ready_i,
  output wire signed [V_BITS-1:0]          v_o,
  output wire signed [I_BITS-1:0]          i_ex_o,
  output wire signed [I_BITS-1:0]          i_in_o,
  output wire        [REF_BITS-1:0]        refr_o,
  output wire        [TRACE_BITS-1:0]      x_pre_o,
  output wire        [TRACE_BITS-1:0]      y_post_o,
  output wire                              spike_o,
  output wire        [USER_BITS-1:0]       user_o
);
  // Register stages from an accepted input to its output record.
  localparam integer LATENCY = 3;

  // Exact product widths (signed value times unsigned propagator).
  localparam integer PV_W = V_BITS + COEF_BITS + 1;
  localparam integer PI_W = I_BITS + COEF_BITS + 1;
  // Membrane sum: four terms (dc_term is V_BITS+COEF_FRAC <= PV_W) plus the
  // rounding half: 3 guard bits.
  localparam integer MAC_W = ((PV_W > PI_W) ? PV_W : PI_W) + 3;
  // Current sum: rounded decay (fits PI_W) plus input (IN_BITS), with guard bits.
  localparam integer CUR_W = (((PI_W + 1) > IN_BITS) ? (PI_W + 1) : IN_BITS) + 1;
  // Trace decay product (unsigned), its rounded value and the sum with the spike increment.
  localparam integer TX_W  = TRACE_BITS + COEF_BITS;
  localparam integer TXR_W = TX_W + 1;
  localparam integer TXS_W = TX_W + 2;

  // ---------------------------------------------------------------- checks
  // Ranges are those of spikefab_sim::NumericsConfig::check (the contract).
  generate
    if (V_BITS < 4 || V_BITS > 32) begin : g_err_v_bits
`ifdef VERILATOR
      $error("snn_lif_update: V_BITS (%0d) must be in 4..32", V_BITS);
`else
      snn_lif_update__V_BITS_must_be_in_4_to_32 param_error ();
`endif
    end
    if (I_BITS < 4 || I_BITS > 32) begin : g_err_i_bits
`ifdef VERILATOR
      $error("snn_lif_update: I_BITS (%0d) must be in 4..32", I_BITS);
`else
      snn_lif_update__I_BITS_must_be_in_4_to_32 param_error ();
`endif
    end
    if (COEF_BITS < 2 || COEF_BITS > 28) begin : g_err_coef_bits
`ifdef VERILATOR
      $error("snn_lif_update: COEF_BITS (%0d) must be in 2..28", COEF_BITS);
`else
      snn_lif_update__COEF_BITS_must_be_in_2_to_28 param_error ();
`endif
    end
    if (COEF_FRAC < 0 || COEF_FRAC > COEF_BITS) begin : g_err_coef_frac
`ifdef VERILATOR
      $error("snn_lif_update: COEF_FRAC (%0d) must be in 0..COEF_BITS (%0d)", COEF_FRAC, COEF_BITS);
`else
      snn_lif_update__COEF_FRAC_must_be_in_0_to_COEF_BITS param_error ();
`endif
    end
    if (REF_BITS < 1 || REF_BITS > 16) begin : g_err_ref_bits
`ifdef VERILATOR
      $error("snn_lif_update: REF_BITS (%0d) must be in 1..16", REF_BITS);
`else
      snn_lif_update__REF_BITS_must_be_in_1_to_16 param_error ();
`endif
    end
    if (TRACE_BITS < 2 || TRACE_BITS > 24) begin : g_err_trace_bits
`ifdef VERILATOR
      $error("snn_lif_update: TRACE_BITS (%0d) must be in 2..24", TRACE_BITS);
`else
      snn_lif_update__TRACE_BITS_must_be_in_2_to_24 param_error ();
`endif
    end
    if (TRACE_FRAC < 0 || TRACE_FRAC >= TRACE_BITS) begin : g_err_trace_frac
`ifdef VERILATOR
      $error("snn_lif_update: TRACE_FRAC (%0d) must be in 0..TRACE_BITS-1 (TRACE_BITS = %0d)", TRACE_FRAC, TRACE_BITS);
`else
      snn_lif_update__TRACE_FRAC_must_be_below_TRACE_BITS param_error ();
`endif
    end
    if (IN_BITS < 2 || IN_BITS > 48) begin : g_err_in_bits
`ifdef VERILATOR
      $error("snn_lif_update: IN_BITS (%0d) must be in 2..48", IN_BITS);
`else
      snn_lif_update__IN_BITS_must_be_in_2_to_48 param_error ();
`endif
    end
    if (PLASTIC != 0 && PLASTIC != 1) begin : g_err_plastic
`ifdef VERILATOR
      $error("snn_lif_update: PLASTIC (%0d) must be 0 or 1", PLASTIC);
`else
      snn_lif_update__PLASTIC_must_be_0_or_1 param_error ();
`endif
    end
    if (USER_BITS < 1) begin : g_err_user_bits
`ifdef VERILATOR
      $error("snn_lif_update: USER_BITS (%0d) must be >= 1", USER_BITS);
`else
      snn_lif_update__USER_BITS_must_be_at_least_1 param_error ();
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

  // ======================================================== stage 1: products
  // Propagators are unsigned: a leading 0 makes them signed operands.
  wire signed [COEF_BITS:0] p22_s    = {1'b0, p22_i};
  wire signed [COEF_BITS:0] p21_ex_s = {1'b0, p21_ex_i};
  wire signed [COEF_BITS:0] p21_in_s = {1'b0, p21_in_i};
  wire signed [COEF_BITS:0] p11_ex_s = {1'b0, p11_ex_i};
  wire signed [COEF_BITS:0] p11_in_s = {1'b0, p11_in_i};

  wire signed [PV_W-1:0] s1_pv_d  = v_i * p22_s;
  wire signed [PI_W-1:0] s1_pe_d  = i_ex_i * p21_ex_s;
  wire signed [PI_W-1:0] s1_pi_d  = i_in_i * p21_in_s;
  wire signed [PI_W-1:0] s1_dex_d = i_ex_i * p11_ex_s;
  wire signed [PI_W-1:0] s1_din_d = i_in_i * p11_in_s;

  reg signed [PV_W-1:0]             s1_pv_q;
  reg signed [PI_W-1:0]             s1_pe_q;
  reg signed [PI_W-1:0]             s1_pi_q;
  reg signed [V_BITS+COEF_FRAC-1:0] s1_dc_q;
  reg signed [PI_W-1:0]             s1_dex_q;
  reg signed [PI_W-1:0]             s1_din_q;
  reg signed [IN_BITS-1:0]          s1_in_ex_q;
  reg signed [IN_BITS-1:0]          s1_in_in_q;
  reg signed [V_BITS-1:0]           s1_v_q;
  reg        [REF_BITS-1:0]         s1_refr_q;
  reg signed [V_BITS-1:0]           s1_theta_q;
  reg signed [V_BITS-1:0]           s1_v_reset_q;
  reg        [REF_BITS-1:0]         s1_ref_steps_q;
  reg        [USER_BITS-1:0]        s1_user_q;

  always @(posedge clk_i) begin
    if (adv) begin
      s1_pv_q        <= s1_pv_d;
      s1_pe_q        <= s1_pe_d;
      s1_pi_q        <= s1_pi_d;
      s1_dc_q        <= dc_term_i;
      s1_dex_q       <= s1_dex_d;
      s1_din_q       <= s1_din_d;
      s1_in_ex_q     <= in_ex_i;
      s1_in_in_q     <= in_in_i;
      s1_v_q         <= v_i;
      s1_refr_q      <= refr_i;
      s1_theta_q     <= theta_i;
      s1_v_reset_q   <= v_reset_i;
      s1_ref_steps_q <= ref_steps_i;
      s1_user_q      <= user_i;
    end
  end

  // ======================================================== stage 2: sums, one rounding each
  // Membrane: exact sum of the products and dc, then one rnd(., COEF_FRAC).
  wire signed [MAC_W-1:0] s2_pv_x  = {{(MAC_W-PV_W){s1_pv_q[PV_W-1]}}, s1_pv_q};
  wire signed [MAC_W-1:0] s2_pe_x  = {{(MAC_W-PI_W){s1_pe_q[PI_W-1]}}, s1_pe_q};
  wire signed [MAC_W-1:0] s2_pi_x  = {{(MAC_W-PI_W){s1_pi_q[PI_W-1]}}, s1_pi_q};
  wire signed [MAC_W-1:0] s2_dc_x  = {{(MAC_W-V_BITS-COEF_FRAC){s1_dc_q[V_BITS+COEF_FRAC-1]}}, s1_dc_q};
  wire signed [MAC_W-1:0] s2_mac   = s2_pv_x + s2_pe_x + s2_pi_x + s2_dc_x;
  // Currents: decayed current (exact product), rounded once, plus the input.
  wire signed [CUR_W-1:0] s2_dex_x   = {{(CUR_W-PI_W){s1_dex_q[PI_W-1]}}, s1_dex_q};
  wire signed [CUR_W-1:0] s2_din_x   = {{(CUR_W-PI_W){s1_din_q[PI_W-1]}}, s1_din_q};
  wire signed [CUR_W-1:0] s2_in_ex_x = {{(CUR_W-IN_BITS){s1_in_ex_q[IN_BITS-1]}}, s1_in_ex_q};
  wire signed [CUR_W-1:0] s2_in_in_x = {{(CUR_W-IN_BITS){s1_in_in_q[IN_BITS-1]}}, s1_in_in_q};

  wire signed [MAC_W-1:0] s2_vr_d;
  wire signed [CUR_W-1:0] s2_dex_r;
  wire signed [CUR_W-1:0] s2_din_r;

  generate
    if (COEF_FRAC == 0) begin : g_rnd_none
      // rnd(x, 0) = x (nothing to truncate)
      wire unused_trunc = trunc_v_i;
      assign s2_vr_d  = s2_mac;
      assign s2_dex_r = s2_dex_x;
      assign s2_din_r = s2_din_x;
    end else begin : g_rnd_half_up
      // rnd(x, s) = (x + 2^(s-1)) >>> s on a signed value (round half up).
      localparam signed [MAC_W-1:0] MAC_HALF = {{(MAC_W-1){1'b0}}, 1'b1} << (COEF_FRAC - 1);
      localparam signed [CUR_W-1:0] CUR_HALF = {{(CUR_W-1){1'b0}}, 1'b1} << (COEF_FRAC - 1);
      // (both arms signed: an unsigned arm would make the shift logical)
      localparam signed [MAC_W-1:0] MAC_ZERO = {MAC_W{1'b0}};
      wire signed [MAC_W-1:0] s2_vhalf = trunc_v_i ? MAC_ZERO : MAC_HALF;
      assign s2_vr_d  = (s2_mac + s2_vhalf) >>> COEF_FRAC;
      assign s2_dex_r = (s2_dex_x + CUR_HALF) >>> COEF_FRAC;
      assign s2_din_r = (s2_din_x + CUR_HALF) >>> COEF_FRAC;
    end
  endgenerate

  wire signed [CUR_W-1:0] s2_cex_d = s2_dex_r + s2_in_ex_x;
  wire signed [CUR_W-1:0] s2_cin_d = s2_din_r + s2_in_in_x;

  reg signed [MAC_W-1:0]    s2_vr_q;
  reg signed [CUR_W-1:0]    s2_cex_q;
  reg signed [CUR_W-1:0]    s2_cin_q;
  reg signed [V_BITS-1:0]   s2_v_q;
  reg        [REF_BITS-1:0] s2_refr_q;
  reg signed [V_BITS-1:0]   s2_theta_q;
  reg signed [V_BITS-1:0]   s2_v_reset_q;
  reg        [REF_BITS-1:0] s2_ref_steps_q;
  reg        [USER_BITS-1:0] s2_user_q;

  always @(posedge clk_i) begin
    if (adv) begin
      s2_vr_q        <= s2_vr_d;
      s2_cex_q       <= s2_cex_d;
      s2_cin_q       <= s2_cin_d;
      s2_v_q         <= s1_v_q;
      s2_refr_q      <= s1_refr_q;
      s2_theta_q     <= s1_theta_q;
      s2_v_reset_q   <= s1_v_reset_q;
      s2_ref_steps_q <= s1_ref_steps_q;
      s2_user_q      <= s1_user_q;
    end
  end

  // ======================================================== stage 3: saturate, threshold
  localparam signed [V_BITS-1:0] V_MAX = {1'b0, {(V_BITS-1){1'b1}}};
  localparam signed [V_BITS-1:0] V_MIN = {1'b1, {(V_BITS-1){1'b0}}};
  localparam signed [I_BITS-1:0] I_MAX = {1'b0, {(I_BITS-1){1'b1}}};
  localparam signed [I_BITS-1:0] I_MIN = {1'b1, {(I_BITS-1){1'b0}}};

  // sat_s: in range iff all bits from the target sign bit up are equal.
  wire [MAC_W-V_BITS:0] s3_v_top  = s2_vr_q[MAC_W-1:V_BITS-1];
  wire                  s3_v_ok   = (&s3_v_top) | ~(|s3_v_top);
  wire signed [V_BITS-1:0] s3_v_sat =
      s3_v_ok ? s2_vr_q[V_BITS-1:0] : (s2_vr_q[MAC_W-1] ? V_MIN : V_MAX);

  wire [CUR_W-I_BITS:0] s3_cex_top = s2_cex_q[CUR_W-1:I_BITS-1];
  wire [CUR_W-I_BITS:0] s3_cin_top = s2_cin_q[CUR_W-1:I_BITS-1];
  wire                  s3_cex_ok  = (&s3_cex_top) | ~(|s3_cex_top);
  wire                  s3_cin_ok  = (&s3_cin_top) | ~(|s3_cin_top);
  wire signed [I_BITS-1:0] s3_i_ex_d =
      s3_cex_ok ? s2_cex_q[I_BITS-1:0] : (s2_cex_q[CUR_W-1] ? I_MIN : I_MAX);
  wire signed [I_BITS-1:0] s3_i_in_d =
      s3_cin_ok ? s2_cin_q[I_BITS-1:0] : (s2_cin_q[CUR_W-1] ? I_MIN : I_MAX);

  // Refractory: integrate only when refr == 0, else count down.
  wire                     s3_free   = (s2_refr_q == {REF_BITS{1'b0}});
  wire signed [V_BITS-1:0] s3_v_int  = s3_free ? s3_v_sat : s2_v_q;
  localparam [REF_BITS-1:0] REF_ONE = 1;
  wire        [REF_BITS-1:0] s3_refr_dec = s3_free ? {REF_BITS{1'b0}} : (s2_refr_q - REF_ONE);
  // Threshold: a potential exactly at theta spikes.
  wire                     s3_spike_d = (s3_v_int >= s2_theta_q);
  wire signed [V_BITS-1:0] s3_v_d     = s3_spike_d ? s2_v_reset_q : s3_v_int;
  wire        [REF_BITS-1:0] s3_refr_d = s3_spike_d ? s2_ref_steps_q : s3_refr_dec;

  reg signed [V_BITS-1:0]    s3_v_q;
  reg signed [I_BITS-1:0]    s3_i_ex_q;
  reg signed [I_BITS-1:0]    s3_i_in_q;
  reg        [REF_BITS-1:0]  s3_refr_q;
  reg                        s3_spike_q;
  reg        [USER_BITS-1:0] s3_user_q;

  always @(posedge clk_i) begin
    if (adv) begin
      s3_v_q     <= s3_v_d;
      s3_i_ex_q  <= s3_i_ex_d;
      s3_i_in_q  <= s3_i_in_d;
      s3_refr_q  <= s3_refr_d;
      s3_spike_q <= s3_spike_d;
      s3_user_q  <= s2_user_q;
    end
  end

  // ======================================================== traces (step 5)
  reg [TRACE_BITS-1:0] s3_x_q;
  reg [TRACE_BITS-1:0] s3_y_q;

  generate
    if (PLASTIC != 0) begin : g_traces
      // stage 1: exact unsigned products
      wire [TX_W-1:0] s1_tx_d = x_pre_i * p_plus_i;
      wire [TX_W-1:0] s1_ty_d = y_post_i * p_minus_i;
      reg  [TX_W-1:0] s1_tx_q;
      reg  [TX_W-1:0] s1_ty_q;
      // stage 2: one rounding each (unsigned, so >> is the floor)
      wire [TXR_W-1:0] s2_tx_x = {1'b0, s1_tx_q};
      wire [TXR_W-1:0] s2_ty_x = {1'b0, s1_ty_q};
      wire [TXR_W-1:0] s2_tx_d;
      wire [TXR_W-1:0] s2_ty_d;
      if (COEF_FRAC == 0) begin : g_trnd_none
        assign s2_tx_d = s2_tx_x;
        assign s2_ty_d = s2_ty_x;
      end else begin : g_trnd_half_up
        localparam [TXR_W-1:0] TR_HALF = {{(TXR_W-1){1'b0}}, 1'b1} << (COEF_FRAC - 1);
        assign s2_tx_d = (s2_tx_x + TR_HALF) >> COEF_FRAC;
        assign s2_ty_d = (s2_ty_x + TR_HALF) >> COEF_FRAC;
      end
      reg [TXR_W-1:0] s2_tx_q;
      reg [TXR_W-1:0] s2_ty_q;
      // stage 3: add the spike (2^TRACE_FRAC), saturate to 2^TRACE_BITS - 1
      wire [TXS_W-1:0] s3_inc  = {{(TXS_W-1){1'b0}}, s3_spike_d} << TRACE_FRAC;
      wire [TXS_W-1:0] s3_xs   = {1'b0, s2_tx_q} + s3_inc;
      wire [TXS_W-1:0] s3_ys   = {1'b0, s2_ty_q} + s3_inc;
      wire [TRACE_BITS-1:0] s3_x_d =
          (|s3_xs[TXS_W-1:TRACE_BITS]) ? {TRACE_BITS{1'b1}} : s3_xs[TRACE_BITS-1:0];
      wire [TRACE_BITS-1:0] s3_y_d =
          (|s3_ys[TXS_W-1:TRACE_BITS]) ? {TRACE_BITS{1'b1}} : s3_ys[TRACE_BITS-1:0];

      always @(posedge clk_i) begin
        if (adv) begin
          s1_tx_q <= s1_tx_d;
          s1_ty_q <= s1_ty_d;
          s2_tx_q <= s2_tx_d;
          s2_ty_q <= s2_ty_d;
          s3_x_q  <= s3_x_d;
          s3_y_q  <= s3_y_d;
        end
      end
    end else begin : g_no_traces
      // No plasticity: the traces pass through unchanged. p_plus_i and
      // p_minus_i are not needed; the `unused_` name tells Verilator's
      // UNUSEDSIGNAL check that this is intended (no waiver needed).
      wire unused_trace_decays = ^{p_plus_i, p_minus_i};
      reg [TRACE_BITS-1:0] s1_x_q;
      reg [TRACE_BITS-1:0] s1_y_q;
      reg [TRACE_BITS-1:0] s2_x_q;
      reg [TRACE_BITS-1:0] s2_y_q;

      always @(posedge clk_i) begin
        if (adv) begin
          s1_x_q <= x_pre_i;
          s1_y_q <= y_post_i;
          s2_x_q <= s1_x_q;
          s2_y_q <= s1_y_q;
          s3_x_q <= s2_x_q;
          s3_y_q <= s2_y_q;
        end
      end
    end
  endgenerate

  assign v_o      = s3_v_q;
  assign i_ex_o   = s3_i_ex_q;
  assign i_in_o   = s3_i_in_q;
  assign refr_o   = s3_refr_q;
  assign x_pre_o  = s3_x_q;
  assign y_post_o = s3_y_q;
  assign spike_o  = s3_spike_q;
  assign user_o   = s3_user_q;
endmodule
`default_nettype wire
