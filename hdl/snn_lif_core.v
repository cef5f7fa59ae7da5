`default_nettype none
// snn_lif_core: one time-multiplexed neuron core for STATIC networks (no
// STDP), assembled from the leaf modules snn_rng, snn_poisson, snn_lif_update
// and snn_syn_event. It runs docs/numerics.md's time step, phase A then phase
// B, bit-identical to spikefab_sim::engine::Engine::step_observed.
//
// One step t (started by start_i while busy_o is low):
//   phase A: neurons 0 .. N_NEURONS-1 stream through, one per clock:
//     R  snn_rng draws U(seed, n, t) for the background key bg_key_i
//        (LATENCY 6); when its record comes out, the core issues the
//        read-and-clear of slot t mod SLOTS for n (snn_syn_event's drain
//        port) and reads the state word of n and its population id;
//     X  the drained sums arrive (one cycle later); the population's
//        parameters and Poisson table are looked up, k = snn_poisson(u),
//        background k * (w_bg << W_SHIFT) is added to the channel of
//        w_bg's sign (exact, IN_BITS wide), and the record enters
//        snn_lif_update (LATENCY 3);
//     O  the updated state is written back, one observation record is
//        emitted (valid-only port), and a spiking neuron is appended to the
//        spike list (N_NEURONS entries).
//   phase B: when all N_NEURONS records are out, the spike list is replayed in
//     ascending neuron order; each spike is offered at the same time on the
//     spike-out stream (valid/ready) and as an event (row = neuron, slot
//     t mod SLOTS) to snn_syn_event; it leaves the holding register when both
//     have taken it. After the last spike the core waits for snn_syn_event's
//     busy_o to go low (every delivery written), pulses done_o, and
//     increments the step (and the slot, mod SLOTS).
//
// Ordering (snn_syn_event's rules): slot t is drained only after every event
// of step t-1 is written (phase B waits for busy_o), and step t's events are
// issued only after slot t is drained (phase A has finished).
//
// Cycle cost of a step (no spike-out stalls; pinned by the test): from the
// start handshake to the last observation record N_NEURONS + 10 cycles (the
// first issue, snn_rng 6, stage X 1, snn_lif_update 3, less one); then phase
// B: 3 cycles without spikes, else K + 8 for spikes whose rows hold K
// synapses in total (all rows non-empty; an empty row costs up to one more
// cycle): the holding register 1, snn_syn_event's K + 5, wait and done 2.
// The spikes themselves cost nothing extra: a row enters snn_syn_event while
// the previous one is walked. The next step can start the cycle after done_o.
//
// Memories (all initialised from $readmemh images; "" = zeros):
//   state  N_NEURONS x {refr, i_in, i_ex, v}         (REF_BITS, I_BITS, I_BITS, V_BITS; v in the LSBs)
//   pop    N_NEURONS x population index               (POP_W bits)
//   param  N_POPS    x {w_bg, ref_steps, v_reset, theta, dc, p11_in, p11_ex, p21_in, p21_ex, p22}
//          (W_BITS, REF_BITS, V_BITS, V_BITS, V_BITS+COEF_FRAC, 5 x COEF_BITS; p22 in the LSBs;
//           w_bg = 0 for a population without Poisson background)
//   cdf    N_POPS    x TABLE_LEN x 32 bits (entry k in bits 32k+31:32k)
//   syn, row: snn_syn_event's images, ROWS = N_NEURONS (row r = neuron r's outgoing synapses)
//
// Ports obs_* and done_o are valid-only (no backpressure): the consumer must
// take every record in the cycle it is valid. The spike-out stream is
// valid/ready and may stall phase B.
//
// rst_i (synchronous, active high) clears control state only.
module snn_lif_core #(
  // Neurons of this core; 1..2^24.
  parameter integer N_NEURONS = 64,
  // Populations (entries of the parameter and Poisson tables); 1..N_NEURONS.
  parameter integer N_POPS = 2,
  // Delay-ring slots, max_delay_steps + 1; 2..256.
  parameter integer SLOTS = 64,
  // Membrane potential width (numerics.v_bits).
  parameter integer V_BITS = 24,
  // Synaptic current width (numerics.i_bits).
  parameter integer I_BITS = 24,
  // Propagator width (numerics.coef_bits).
  parameter integer COEF_BITS = 20,
  // Propagator fractional bits (numerics.coef_frac).
  parameter integer COEF_FRAC = 18,
  // Refractory counter width (numerics.ref_bits).
  parameter integer REF_BITS = 8,
  // Accumulator width (numerics.acc_bits).
  parameter integer ACC_BITS = 32,
  // Weight width (numerics.w_bits).
  parameter integer W_BITS = 16,
  // Weight shift (numerics.w_shift).
  parameter integer W_SHIFT = 0,
  // Poisson table entries (numerics.poisson_table_len).
  parameter integer TABLE_LEN = 32,
  // Synapse memory entries; >= 1.
  parameter integer SYN_DEPTH = 1024,
  // $readmemh image of the neuron state (N_NEURONS words {refr, i_in, i_ex, v}); "" = zeros.
  parameter STATE_MEM_FILE = "",
  // $readmemh image of the population id of each neuron (N_NEURONS words); "" = zeros.
  parameter POP_MEM_FILE = "",
  // $readmemh image of the population parameters (N_POPS words, layout above); "" = zeros.
  parameter PARAM_MEM_FILE = "",
  // $readmemh image of the Poisson tables (N_POPS words of TABLE_LEN*32 bits); "" = zeros.
  parameter CDF_MEM_FILE = "",
  // $readmemh image of the synapse memory (snn_syn_event's format); "" = none.
  parameter SYN_MEM_FILE = "",
  // $readmemh image of the row memory (snn_syn_event's format); "" = none.
  parameter ROW_MEM_FILE = ""
) (
  input  wire                       clk_i,
  input  wire                       rst_i,
  // rng::key(seed, Stream::Background, 0)
  input  wire [63:0]                bg_key_i,
  // step control
  input  wire                       start_i,
  output wire                       busy_o,
  output wire                       done_o,
  output wire [31:0]                step_o,
  // observation records (valid-only), ascending neuron order
  output wire                       obs_valid_o,
  output wire [31:0]                obs_step_o,
  output wire [NRN_W-1:0]           obs_neuron_o,
  output wire signed [V_BITS-1:0]   obs_v_o,
  output wire signed [I_BITS-1:0]   obs_i_ex_o,
  output wire signed [I_BITS-1:0]   obs_i_in_o,
  output wire [REF_BITS-1:0]        obs_refr_o,
  output wire                       obs_spike_o,
  // spike-out stream (valid/ready), ascending neuron order, during phase B
  output wire                       spk_valid_o,
  input  wire                       spk_ready_i,
  output wire [31:0]                spk_step_o,
  output wire [NRN_W-1:0]           spk_neuron_o
);
  // Neuron index width.
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Counter width (0..N_NEURONS).
  localparam integer CNT_W = $clog2(N_NEURONS + 1);
  // Population index width.
  localparam integer POP_W = (N_POPS > 1) ? $clog2(N_POPS) : 1;
  // Slot index width.
  localparam integer SLOT_W = $clog2(SLOTS);
  // Poisson count width.
  localparam integer CW = $clog2(TABLE_LEN + 1);
  // The step's input width (docs/hdl-leaf-modules.md, snn_lif_update).
  localparam integer BG_W = W_BITS + W_SHIFT + CW;
  localparam integer IN_BITS = ((ACC_BITS > BG_W) ? ACC_BITS : BG_W) + 1;
  // Background product count * w_bg, signed.
  localparam integer BGP_W = W_BITS + CW + 1;
  // Memory word widths.
  localparam integer STATE_W = V_BITS + 2 * I_BITS + REF_BITS;
  localparam integer DC_W = V_BITS + COEF_FRAC;
  localparam integer PARAM_W = 5 * COEF_BITS + DC_W + 2 * V_BITS + REF_BITS + W_BITS;
  localparam integer CDF_W = TABLE_LEN * 32;
  // Field offsets of the parameter word.
  localparam integer PO_DC = 5 * COEF_BITS;
  localparam integer PO_TH = PO_DC + DC_W;
  localparam integer PO_VR = PO_TH + V_BITS;
  localparam integer PO_RS = PO_VR + V_BITS;
  localparam integer PO_WB = PO_RS + REF_BITS;

  // ---------------------------------------------------------------- checks
  // (widths are checked by the leaf modules)
  generate
    if (N_NEURONS < 1 || N_NEURONS > 16777216) begin : g_err_n_neurons
`ifdef VERILATOR
      $error("snn_lif_core: N_NEURONS (%0d) must be in 1..2^24", N_NEURONS);
`else
      snn_lif_core__N_NEURONS_must_be_in_1_to_2pow24 param_error ();
`endif
    end
    if (N_POPS < 1 || N_POPS > N_NEURONS) begin : g_err_n_pops
`ifdef VERILATOR
      $error("snn_lif_core: N_POPS (%0d) must be in 1..N_NEURONS (%0d)", N_POPS, N_NEURONS);
`else
      snn_lif_core__N_POPS_must_be_in_1_to_N_NEURONS param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- memories
  reg [STATE_W-1:0] state_mem [0:N_NEURONS-1];
  reg [POP_W-1:0]   pop_mem   [0:N_NEURONS-1];
  reg [PARAM_W-1:0] param_mem [0:N_POPS-1];
  reg [CDF_W-1:0]   cdf_mem   [0:N_POPS-1];
  reg [NRN_W-1:0]   spk_mem   [0:N_NEURONS-1];

  generate
    if (STATE_MEM_FILE != "") begin : g_state_file
      initial $readmemh(STATE_MEM_FILE, state_mem);
    end else begin : g_state_zero
      integer j;
      initial begin
        for (j = 0; j < N_NEURONS; j = j + 1) state_mem[j] = {STATE_W{1'b0}};
      end
    end
    if (POP_MEM_FILE != "") begin : g_pop_file
      initial $readmemh(POP_MEM_FILE, pop_mem);
    end else begin : g_pop_zero
      integer j;
      initial begin
        for (j = 0; j < N_NEURONS; j = j + 1) pop_mem[j] = {POP_W{1'b0}};
      end
    end
    if (PARAM_MEM_FILE != "") begin : g_param_file
      initial $readmemh(PARAM_MEM_FILE, param_mem);
    end else begin : g_param_zero
      integer j;
      initial begin
        for (j = 0; j < N_POPS; j = j + 1) param_mem[j] = {PARAM_W{1'b0}};
      end
    end
    if (CDF_MEM_FILE != "") begin : g_cdf_file
      initial $readmemh(CDF_MEM_FILE, cdf_mem);
    end else begin : g_cdf_zero
      integer j;
      initial begin
        for (j = 0; j < N_POPS; j = j + 1) cdf_mem[j] = {CDF_W{1'b0}};
      end
    end
  endgenerate

  // ---------------------------------------------------------------- control
  localparam [1:0] ST_IDLE = 2'd0;
  localparam [1:0] ST_A    = 2'd1;
  localparam [1:0] ST_B    = 2'd2;
  localparam [1:0] ST_WAIT = 2'd3;
  localparam [CNT_W-1:0] N_C = N_NEURONS[CNT_W-1:0];
  localparam [CNT_W-1:0] CNT_ONE = 1;
  localparam integer SLOTS_M1 = SLOTS - 1;
  localparam [SLOT_W-1:0] SLOT_LAST = SLOTS_M1[SLOT_W-1:0];
  localparam [SLOT_W-1:0] SLOT_ONE = 1;

  reg [1:0]        st_q;
  reg [31:0]       step_q;
  reg [SLOT_W-1:0] slot_q;
  reg              done_q;
  reg [CNT_W-1:0]  a_cnt_q;     // phase A: neurons issued
  reg [CNT_W-1:0]  a_out_q;     // phase A: records out
  reg [CNT_W-1:0]  spk_cnt_q;   // spikes of this step in spk_mem
  reg [CNT_W-1:0]  rd_q;        // phase B: spikes taken from spk_mem

  wire syn_busy;
  wire syn_ev_ready;

  // ======================================================== phase A, R: rng
  wire             a_issue = (st_q == ST_A) && (a_cnt_q != N_C);
  wire [CNT_W+31:0] a_n_x  = {32'd0, a_cnt_q};
  wire             r_valid;
  wire [31:0]      r_u;
  wire [63:0]      r_draw;
  wire [NRN_W-1:0] r_n;
  wire             rng_in_ready;

  snn_rng #(
    .USER_BITS(NRN_W)
  ) u_rng (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .in_valid_i (a_issue),
    .in_ready_o (rng_in_ready),
    .key_i      (bg_key_i),
    .neuron_i   (a_n_x[31:0]),
    .step_i     (step_q),
    .user_i     (a_cnt_q[NRN_W-1:0]),
    .out_valid_o(r_valid),
    .out_ready_i(1'b1),
    .u_o        (r_u),
    .draw_o     (r_draw),
    .user_o     (r_n)
  );

  // R: drain request, state and population reads (registered: stage X)
  reg                x_valid_q;
  reg [NRN_W-1:0]    x_n_q;
  reg [31:0]         x_u_q;
  reg [STATE_W-1:0]  x_st_q;
  reg [POP_W-1:0]    x_pop_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      x_valid_q <= 1'b0;
    end else begin
      x_valid_q <= r_valid;
    end
  end

  always @(posedge clk_i) begin
    x_n_q   <= r_n;
    x_u_q   <= r_u;
    x_st_q  <= state_mem[r_n];
    x_pop_q <= pop_mem[r_n];
  end

  // ======================================================== synaptic events
  reg              hv_q;        // phase B holding register: a spike is held
  reg [NRN_W-1:0]  hn_q;
  reg              ev_done_q;   // taken by snn_syn_event
  reg              so_done_q;   // taken by the spike-out stream

  wire                       dr_ready;
  wire                       dr_valid;
  wire [NRN_W-1:0]           dr_neuron;
  wire signed [ACC_BITS-1:0] dr_ex;
  wire signed [ACC_BITS-1:0] dr_in;

  snn_syn_event #(
    .N_NEURONS   (N_NEURONS),
    .SLOTS       (SLOTS),
    .ACC_BITS    (ACC_BITS),
    .W_BITS      (W_BITS),
    .W_SHIFT     (W_SHIFT),
    .ROWS        (N_NEURONS),
    .SYN_DEPTH   (SYN_DEPTH),
    .SYN_MEM_FILE(SYN_MEM_FILE),
    .ROW_MEM_FILE(ROW_MEM_FILE)
  ) u_syn (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .ev_valid_i (hv_q & ~ev_done_q),
    .ev_ready_o (syn_ev_ready),
    .ev_row_i   (hn_q),
    .ev_slot_i  (slot_q),
    .busy_o     (syn_busy),
    .dr_valid_i (r_valid),
    .dr_ready_o (dr_ready),
    .dr_slot_i  (slot_q),
    .dr_neuron_i(r_n),
    .dr_valid_o (dr_valid),
    .dr_neuron_o(dr_neuron),
    .dr_ex_o    (dr_ex),
    .dr_in_o    (dr_in)
  );

  // ======================================================== phase A, X: input and parameters
  wire [PARAM_W-1:0] x_par = param_mem[x_pop_q];
  wire [CDF_W-1:0]   x_cdf = cdf_mem[x_pop_q];
  wire [CW-1:0]      x_k;

  snn_poisson #(
    .TABLE_LEN(TABLE_LEN)
  ) u_poisson (
    .u_i    (x_u_q),
    .cdf_i  (x_cdf),
    .count_o(x_k)
  );

  wire signed [W_BITS-1:0] x_wbg  = x_par[PO_WB +: W_BITS];
  wire                     x_wneg = x_wbg[W_BITS-1];
  // count * w_bg, exact (signed, BGP_W bits)
  wire signed [BGP_W-1:0]  x_k_s  = {{(W_BITS + 1){1'b0}}, x_k};
  wire signed [BGP_W-1:0]  x_w_s  = {{(CW + 1){x_wbg[W_BITS-1]}}, x_wbg};
  wire signed [BGP_W-1:0]  x_bgp  = x_k_s * x_w_s;
  // sign-extended to IN_BITS (through a wider concatenation: no zero-width
  // replication when the widths are equal), then shifted (exact: IN_BITS
  // covers W_BITS + W_SHIFT + CW + 1)
  wire [IN_BITS+BGP_W-1:0] x_bgp_x = {{IN_BITS{x_bgp[BGP_W-1]}}, x_bgp};
  wire [IN_BITS-1:0]       x_bg    = x_bgp_x[IN_BITS-1:0] << W_SHIFT;
  wire [IN_BITS-1:0]       x_dex   = {{(IN_BITS - ACC_BITS){dr_ex[ACC_BITS-1]}}, dr_ex};
  wire [IN_BITS-1:0]       x_din   = {{(IN_BITS - ACC_BITS){dr_in[ACC_BITS-1]}}, dr_in};
  wire signed [IN_BITS-1:0] x_in_ex = x_dex + (x_wneg ? {IN_BITS{1'b0}} : x_bg);
  wire signed [IN_BITS-1:0] x_in_in = x_din + (x_wneg ? x_bg : {IN_BITS{1'b0}});

  // ======================================================== phase A, lif_update
  wire                       o_valid;
  wire                       lif_in_ready;
  wire signed [V_BITS-1:0]   o_v;
  wire signed [I_BITS-1:0]   o_i_ex;
  wire signed [I_BITS-1:0]   o_i_in;
  wire [REF_BITS-1:0]        o_refr;
  wire [1:0]                 o_x_pre;
  wire [1:0]                 o_y_post;
  wire                       o_spike;
  wire [NRN_W-1:0]           o_n;

  snn_lif_update #(
    .V_BITS    (V_BITS),
    .I_BITS    (I_BITS),
    .COEF_BITS (COEF_BITS),
    .COEF_FRAC (COEF_FRAC),
    .REF_BITS  (REF_BITS),
    .TRACE_BITS(2),
    .TRACE_FRAC(0),
    .IN_BITS   (IN_BITS),
    .PLASTIC   (0),
    .USER_BITS (NRN_W)
  ) u_lif (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .in_valid_i (x_valid_q),
    .in_ready_o (lif_in_ready),
    .v_i        (x_st_q[0 +: V_BITS]),
    .i_ex_i     (x_st_q[V_BITS +: I_BITS]),
    .i_in_i     (x_st_q[V_BITS + I_BITS +: I_BITS]),
    .refr_i     (x_st_q[V_BITS + 2 * I_BITS +: REF_BITS]),
    .x_pre_i    (2'b00),
    .y_post_i   (2'b00),
    .p22_i      (x_par[0 +: COEF_BITS]),
    .p21_ex_i   (x_par[COEF_BITS +: COEF_BITS]),
    .p21_in_i   (x_par[2 * COEF_BITS +: COEF_BITS]),
    .p11_ex_i   (x_par[3 * COEF_BITS +: COEF_BITS]),
    .p11_in_i   (x_par[4 * COEF_BITS +: COEF_BITS]),
    .dc_term_i  (x_par[PO_DC +: DC_W]),
    .theta_i    (x_par[PO_TH +: V_BITS]),
    .v_reset_i  (x_par[PO_VR +: V_BITS]),
    .ref_steps_i(x_par[PO_RS +: REF_BITS]),
    .p_plus_i   ({COEF_BITS{1'b0}}),
    .p_minus_i  ({COEF_BITS{1'b0}}),
    .in_ex_i    (x_in_ex),
    .in_in_i    (x_in_in),
    .user_i     (x_n_q),
    .out_valid_o(o_valid),
    .out_ready_i(1'b1),
    .v_o        (o_v),
    .i_ex_o     (o_i_ex),
    .i_in_o     (o_i_in),
    .refr_o     (o_refr),
    .x_pre_o    (o_x_pre),
    .y_post_o   (o_y_post),
    .spike_o    (o_spike),
    .user_o     (o_n)
  );

  // ======================================================== phase A, O: write back, spike list
  always @(posedge clk_i) begin
    if (o_valid) begin
      state_mem[o_n] <= {o_refr, o_i_in, o_i_ex, o_v};
    end
  end

  always @(posedge clk_i) begin
    if (o_valid && o_spike) begin
      spk_mem[spk_cnt_q[NRN_W-1:0]] <= o_n;
    end
  end

  // ======================================================== phase B: spike replay
  wire ev_fire = hv_q & ~ev_done_q & syn_ev_ready;
  wire so_fire = hv_q & ~so_done_q & spk_ready_i;
  wire ev_ok   = ev_done_q | ev_fire;
  wire so_ok   = so_done_q | so_fire;
  wire h_free  = ~hv_q | (ev_ok & so_ok);
  wire h_more  = (rd_q != spk_cnt_q);
  wire h_load  = (st_q == ST_B) & h_free & h_more;

  always @(posedge clk_i) begin
    if (rst_i) begin
      hv_q      <= 1'b0;
      ev_done_q <= 1'b0;
      so_done_q <= 1'b0;
    end else if (h_free) begin
      hv_q      <= h_load;
      ev_done_q <= 1'b0;
      so_done_q <= 1'b0;
    end else begin
      ev_done_q <= ev_ok;
      so_done_q <= so_ok;
    end
  end

  always @(posedge clk_i) begin
    if (h_load) begin
      hn_q <= spk_mem[rd_q[NRN_W-1:0]];
    end
  end

  // ======================================================== step controller
  always @(posedge clk_i) begin
    if (rst_i) begin
      st_q      <= ST_IDLE;
      step_q    <= 32'd0;
      slot_q    <= {SLOT_W{1'b0}};
      done_q    <= 1'b0;
      a_cnt_q   <= {CNT_W{1'b0}};
      a_out_q   <= {CNT_W{1'b0}};
      spk_cnt_q <= {CNT_W{1'b0}};
      rd_q      <= {CNT_W{1'b0}};
    end else begin
      done_q <= 1'b0;
      case (st_q)
        ST_IDLE: begin
          if (start_i) begin
            st_q      <= ST_A;
            a_cnt_q   <= {CNT_W{1'b0}};
            a_out_q   <= {CNT_W{1'b0}};
            spk_cnt_q <= {CNT_W{1'b0}};
            rd_q      <= {CNT_W{1'b0}};
          end
        end
        ST_A: begin
          if (a_issue && rng_in_ready) begin
            a_cnt_q <= a_cnt_q + CNT_ONE;
          end
          if (o_valid) begin
            a_out_q <= a_out_q + CNT_ONE;
            if (o_spike) begin
              spk_cnt_q <= spk_cnt_q + CNT_ONE;
            end
            if (a_out_q == N_C - CNT_ONE) begin
              st_q <= ST_B;
            end
          end
        end
        ST_B: begin
          if (h_load) begin
            rd_q <= rd_q + CNT_ONE;
          end
          if (h_free && !h_more) begin
            st_q <= ST_WAIT;
          end
        end
        default: begin  // ST_WAIT: every delivery of this step written
          if (!syn_busy) begin
            st_q   <= ST_IDLE;
            done_q <= 1'b1;
            step_q <= step_q + 32'd1;
            slot_q <= (slot_q == SLOT_LAST) ? {SLOT_W{1'b0}} : slot_q + SLOT_ONE;
          end
        end
      endcase
    end
  end

  // ---------------------------------------------------------------- outputs
  assign busy_o       = (st_q != ST_IDLE);
  assign done_o       = done_q;
  assign step_o       = step_q;
  assign obs_valid_o  = o_valid;
  assign obs_step_o   = step_q;
  assign obs_neuron_o = o_n;
  assign obs_v_o      = o_v;
  assign obs_i_ex_o   = o_i_ex;
  assign obs_i_in_o   = o_i_in;
  assign obs_refr_o   = o_refr;
  assign obs_spike_o  = o_spike;
  assign spk_valid_o  = hv_q & ~so_done_q;
  assign spk_step_o   = step_q;
  assign spk_neuron_o = hn_q;

  // Outputs of the leaf modules this core does not need (the full draw, the
  // unused traces, the always-ready handshakes and the drain echo), and the
  // padding bits of the extensions above; collected so that lint sees them
  // used (Verilator ignores signals named *unused*).
  wire unused_ok = &{1'b0, r_draw, o_x_pre, o_y_post, lif_in_ready, dr_ready, dr_valid,
                     dr_neuron, a_n_x[CNT_W+31:32], x_bgp_x[IN_BITS+BGP_W-1:IN_BITS]};
endmodule
`default_nettype wire
