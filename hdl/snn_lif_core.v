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
  // Neurons this core can hold (capacity); 1..2^24.
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
  // 1: STDP core (traces, rule table, incoming lists, weight write-back); 0: static core.
  parameter integer PLASTIC = 0,
  // STDP trace width (numerics.trace_bits); used when PLASTIC = 1.
  parameter integer TRACE_BITS = 16,
  // STDP trace fractional bits (numerics.trace_frac); used when PLASTIC = 1.
  parameter integer TRACE_FRAC = 12,
  // 1: one core of a mesh (snn_mesh_top): the step's spikes leave on the spike-out stream
  // only, synaptic events arrive on ev_* (from the network-on-chip, row = global source id),
  // and a step ends when the mesh's barrier raises step_done_i (twice with PLASTIC = 1: after
  // the pre pass, and after the post pass). 0: a single core.
  parameter integer MESH = 0,
  // Row memory entries (source neurons whose rows this core holds: the network's neuron
  // count on a mesh, N_NEURONS for a single core); >= N_NEURONS.
  parameter integer ROWS = N_NEURONS,
  // STDP rule table entries (rule ids 1..N_RULES; 0 marks a static synapse); 1..255.
  parameter integer N_RULES = 1,
  // Incoming-list memory entries (one per plastic synapse); >= 1.
  parameter integer INC_DEPTH = 1,
  // Initial neurons in use (config register n_active): phase A updates 0..N_ACTIVE-1; 1..N_NEURONS.
  parameter integer N_ACTIVE = N_NEURONS,
  // Initial presynaptic trace decay P+ (config register p_plus), unsigned Q(COEF_FRAC).
  parameter [COEF_BITS-1:0] P_PLUS = {COEF_BITS{1'b0}},
  // Initial postsynaptic trace decay P- (config register p_minus), unsigned Q(COEF_FRAC).
  parameter [COEF_BITS-1:0] P_MINUS = {COEF_BITS{1'b0}},
  // Initial background key rng::key(seed, Background, 0) (config registers bg_key).
  parameter [63:0] BG_KEY = 64'd0,
  // Fault injection for the co-simulation's mutation check (never in a real design):
  // 0 none, 1 truncating membrane rounding in step FAULT_STEP, 2 the first spike at or after
  // FAULT_STEP not delivered, 3 the first weight write at or after FAULT_STEP skipped.
  parameter integer FAULT = 0,
  // The step the fault acts in (FAULT 1) or from which it is armed (FAULT 2, 3; one shot).
  parameter integer FAULT_STEP = 0,
  // $readmemh image of the neuron state (words {refr, i_in, i_ex, v}); "" = zeros.
  parameter STATE_MEM_FILE = "",
  // $readmemh image of the population id of each neuron; "" = zeros.
  parameter POP_MEM_FILE = "",
  // $readmemh image of the population parameters (N_POPS words, layout above); "" = zeros.
  parameter PARAM_MEM_FILE = "",
  // $readmemh image of the Poisson tables (N_POPS words of TABLE_LEN*32 bits); "" = zeros.
  parameter CDF_MEM_FILE = "",
  // $readmemh image of the synapse memory (snn_syn_event's format); "" = zeros.
  parameter SYN_MEM_FILE = "",
  // $readmemh image of the row memory (snn_syn_event's format); "" = zeros.
  parameter ROW_MEM_FILE = "",
  // $readmemh image of the rule id of each synapse (SYN_DEPTH words); "" = zeros (all static).
  parameter RULE_MEM_FILE = "",
  // $readmemh image of the STDP rule table (N_RULES words {w_max, w_min, a_minus, a_plus}); "" = zeros.
  parameter STDP_MEM_FILE = "",
  // $readmemh image of the incoming rows (N_NEURONS words {end, start}); "" = zeros.
  parameter INC_ROW_MEM_FILE = "",
  // $readmemh image of the incoming lists (INC_DEPTH words {src, syn}); "" = zeros.
  parameter INC_MEM_FILE = ""
) (
  input  wire                       clk_i,
  input  wire                       rst_i,
  // step control
  input  wire                       start_i,
  output wire                       busy_o,
  output wire                       done_o,
  output wire [31:0]                step_o,
  // 0 idle, 1 phase A, 2 pre pass, 3 pre-pass drain, 4 post pass, 5 post-pass drain,
  // 6 (MESH) waiting for the mesh's barrier, 7 (MESH, PLASTIC) presynaptic trace pass
  output wire [2:0]                 phase_o,
  // MESH = 1: synaptic events from the network-on-chip (row = global source id),
  // the barrier, and what the barrier needs to see (tie off / ignore when MESH = 0)
  input  wire                       ev_valid_i,
  output wire                       ev_ready_o,
  input  wire [ROW_W-1:0]           ev_row_i,
  // this core's spikes of the step are all sent; it waits for step_done_i
  output wire                       sent_o,
  // the synaptic event pipeline has work in flight
  output wire                       syn_busy_o,
  // the barrier: every core has sent, the mesh and every event pipeline are empty
  input  wire                       step_done_i,
  // configuration register base: the global id of local neuron 0
  output wire [31:0]                base_o,
  // load port (accepted while idle)
  input  wire                       ld_valid_i,
  output wire                       ld_ready_o,
  input  wire                       ld_last_i,
  input  wire [3:0]                 ld_mem_i,
  input  wire [31:0]                ld_addr_i,
  input  wire [31:0]                ld_data_i,
  // observation records (valid-only), ascending neuron order
  output wire                       obs_valid_o,
  output wire [31:0]                obs_step_o,
  output wire [NRN_W-1:0]           obs_neuron_o,
  output wire signed [V_BITS-1:0]   obs_v_o,
  output wire signed [I_BITS-1:0]   obs_i_ex_o,
  output wire signed [I_BITS-1:0]   obs_i_in_o,
  output wire [REF_BITS-1:0]        obs_refr_o,
  output wire                       obs_spike_o,
  // weight-write records (valid-only), in the reference's order
  output wire                       wobs_valid_o,
  output wire [31:0]                wobs_step_o,
  output wire [SYN_AW-1:0]          wobs_syn_o,
  output wire signed [W_BITS-1:0]   wobs_old_o,
  output wire signed [W_BITS-1:0]   wobs_new_o,
  // spike-out stream (valid/ready), ascending neuron order, during phase B
  output wire                       spk_valid_o,
  input  wire                       spk_ready_i,
  output wire [31:0]                spk_step_o,
  output wire [NRN_W-1:0]           spk_neuron_o
);
  // Neuron index width.
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Row index width (source neurons).
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Counter width (0..N_NEURONS).
  localparam integer CNT_W = $clog2(N_NEURONS + 1);
  // Population index width.
  localparam integer POP_W = (N_POPS > 1) ? $clog2(N_POPS) : 1;
  // Slot index width.
  localparam integer SLOT_W = $clog2(SLOTS);
  // Poisson count width.
  localparam integer CW = $clog2(TABLE_LEN + 1);
  // Synapse address width (snn_syn_event's).
  localparam integer SYN_AW = (SYN_DEPTH > 1) ? $clog2(SYN_DEPTH) : 1;
  // Row pointer width (snn_syn_event's).
  localparam integer PTR_W = $clog2(SYN_DEPTH + 1);
  // Synapse word width (snn_syn_event's).
  localparam integer SYN_W = W_BITS + SLOT_W + NRN_W;
  // Rule id width (0 = static synapse).
  localparam integer RULE_W = $clog2(N_RULES + 1);
  // Rule table index width (rule id - 1).
  localparam integer RIX_W = (N_RULES > 1) ? $clog2(N_RULES) : 1;
  // Incoming-list address and pointer widths.
  localparam integer INC_AW = (INC_DEPTH > 1) ? $clog2(INC_DEPTH) : 1;
  localparam integer IPTR_W = $clog2(INC_DEPTH + 1);
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
  localparam integer TR_W = 2 * TRACE_BITS;
  localparam integer STDP_W = 4 * W_BITS;
  localparam integer INC_W = ROW_W + SYN_AW;
  localparam integer IROW_W = 2 * IPTR_W;
  // Field offsets of the parameter word.
  localparam integer PO_DC = 5 * COEF_BITS;
  localparam integer PO_TH = PO_DC + DC_W;
  localparam integer PO_VR = PO_TH + V_BITS;
  localparam integer PO_RS = PO_VR + V_BITS;
  localparam integer PO_WB = PO_RS + REF_BITS;
  // Load staging width: the widest word the load port writes (at least 64).
  localparam integer LW_0 = (STATE_W > PARAM_W) ? STATE_W : PARAM_W;
  localparam integer LW_1 = (SYN_W > 2 * PTR_W) ? SYN_W : 2 * PTR_W;
  localparam integer LW_2 = (INC_W > IROW_W) ? INC_W : IROW_W;
  localparam integer LW_3 = (STDP_W > TR_W) ? STDP_W : TR_W;
  localparam integer LW_01 = (LW_0 > LW_1) ? LW_0 : LW_1;
  localparam integer LW_23 = (LW_2 > LW_3) ? LW_2 : LW_3;
  localparam integer LW_A = (LW_01 > LW_23) ? LW_01 : LW_23;
  localparam integer LD_W = (LW_A > 64) ? LW_A : 64;
  // Load-port memory ids.
  localparam [3:0] LD_STATE = 4'd0;
  localparam [3:0] LD_POP   = 4'd1;
  localparam [3:0] LD_PARAM = 4'd2;
  localparam [3:0] LD_CDF   = 4'd3;
  localparam [3:0] LD_SYN   = 4'd4;
  localparam [3:0] LD_ROW   = 4'd5;
  localparam [3:0] LD_RULE  = 4'd6;
  localparam [3:0] LD_STDP  = 4'd7;
  localparam [3:0] LD_IROW  = 4'd8;
  localparam [3:0] LD_INC   = 4'd9;
  localparam [3:0] LD_TRACE = 4'd10;
  localparam [3:0] LD_CFG   = 4'd15;

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
    if (N_ACTIVE < 1 || N_ACTIVE > N_NEURONS) begin : g_err_n_active
`ifdef VERILATOR
      $error("snn_lif_core: N_ACTIVE (%0d) must be in 1..N_NEURONS (%0d)", N_ACTIVE, N_NEURONS);
`else
      snn_lif_core__N_ACTIVE_must_be_in_1_to_N_NEURONS param_error ();
`endif
    end
    if (PLASTIC != 0 && PLASTIC != 1) begin : g_err_plastic
`ifdef VERILATOR
      $error("snn_lif_core: PLASTIC (%0d) must be 0 or 1", PLASTIC);
`else
      snn_lif_core__PLASTIC_must_be_0_or_1 param_error ();
`endif
    end
    if (N_RULES < 1 || N_RULES > 255) begin : g_err_n_rules
`ifdef VERILATOR
      $error("snn_lif_core: N_RULES (%0d) must be in 1..255", N_RULES);
`else
      snn_lif_core__N_RULES_must_be_in_1_to_255 param_error ();
`endif
    end
    if (INC_DEPTH < 1) begin : g_err_inc_depth
`ifdef VERILATOR
      $error("snn_lif_core: INC_DEPTH (%0d) must be >= 1", INC_DEPTH);
`else
      snn_lif_core__INC_DEPTH_must_be_at_least_1 param_error ();
`endif
    end
    if (MESH != 0 && MESH != 1) begin : g_err_mesh
`ifdef VERILATOR
      $error("snn_lif_core: MESH (%0d) must be 0 or 1", MESH);
`else
      snn_lif_core__MESH_must_be_0_or_1 param_error ();
`endif
    end
    if (ROWS < N_NEURONS) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_lif_core: ROWS (%0d) must be >= N_NEURONS (%0d)", ROWS, N_NEURONS);
`else
      snn_lif_core__ROWS_must_be_at_least_N_NEURONS param_error ();
`endif
    end
    if (FAULT < 0 || FAULT > 3) begin : g_err_fault
`ifdef VERILATOR
      $error("snn_lif_core: FAULT (%0d) must be in 0..3", FAULT);
`else
      snn_lif_core__FAULT_must_be_in_0_to_3 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- control state
  localparam [2:0] ST_IDLE  = 3'd0;
  localparam [2:0] ST_A     = 3'd1;
  localparam [2:0] ST_B     = 3'd2;
  localparam [2:0] ST_WAIT  = 3'd3;
  localparam [2:0] ST_POST  = 3'd4;
  localparam [2:0] ST_PWAIT = 3'd5;
  localparam [2:0] ST_SENT  = 3'd6;
  localparam [2:0] ST_SHAD  = 3'd7;
  localparam [CNT_W-1:0] CNT_ONE = 1;
  localparam integer SLOTS_M1 = SLOTS - 1;
  localparam [SLOT_W-1:0] SLOT_LAST = SLOTS_M1[SLOT_W-1:0];
  localparam [SLOT_W-1:0] SLOT_ONE = 1;
  localparam [31:0] FAULT_STEP_C = FAULT_STEP;

  reg [2:0]        st_q;
  reg [31:0]       step_q;
  reg [SLOT_W-1:0] slot_q;
  reg              done_q;
  reg [CNT_W-1:0]  a_cnt_q;     // phase A: neurons issued
  reg [CNT_W-1:0]  a_out_q;     // phase A: records out
  reg [CNT_W-1:0]  spk_cnt_q;   // spikes of this step in spk_mem
  reg [CNT_W-1:0]  rd_q;        // phase B: spikes taken from spk_mem (pre, then post pass)
  reg              fault_q;     // the one-shot fault (FAULT 2, 3) is still armed
  reg              pdone_q;     // MESH, PLASTIC: ST_SENT is the post-pass barrier
  wire             shad_done;   // MESH, PLASTIC: the presynaptic trace pass is complete

  wire idle = (st_q == ST_IDLE);
  wire fault_step = (step_q == FAULT_STEP_C);
  wire fault_from;
  generate
    if (FAULT_STEP == 0) begin : g_fault_from_0
      assign fault_from = 1'b1;
    end else begin : g_fault_from
      assign fault_from = (step_q >= FAULT_STEP_C);
    end
  endgenerate

  // ---------------------------------------------------------------- config registers
  // Loaded like memories (through the load port while idle); initial values
  // from the parameters. Not control state: rst_i leaves them alone.
  localparam integer N_ACTIVE_I = N_ACTIVE;
  reg [CNT_W-1:0]     n_active_q;
  reg [COEF_BITS-1:0] p_plus_q;
  reg [COEF_BITS-1:0] p_minus_q;
  reg [63:0]          bg_key_q;
  reg [31:0]          base_q;
  initial begin
    base_q     = 32'd0;
    n_active_q = N_ACTIVE_I[CNT_W-1:0];
    p_plus_q   = P_PLUS;
    p_minus_q  = P_MINUS;
    bg_key_q   = BG_KEY;
  end

  // ---------------------------------------------------------------- load port
  reg  [LD_W-1:0] ld_stage_q;
  wire            ld_fire = ld_valid_i & idle;
  wire [LD_W-1:0] ld_word = {ld_stage_q[LD_W-33:0], ld_data_i};
  wire            ld_we   = ld_fire & ld_last_i;

  always @(posedge clk_i) begin
    if (ld_fire) begin
      ld_stage_q <= ld_last_i ? {LD_W{1'b0}} : ld_word;
    end
  end

  always @(posedge clk_i) begin
    if (ld_we && ld_mem_i == LD_CFG) begin
      case (ld_addr_i[2:0])
        3'd0: n_active_q <= ld_word[CNT_W-1:0];
        3'd1: p_plus_q <= ld_word[COEF_BITS-1:0];
        3'd2: p_minus_q <= ld_word[COEF_BITS-1:0];
        3'd3: bg_key_q[31:0] <= ld_word[31:0];
        3'd4: bg_key_q[63:32] <= ld_word[31:0];
        3'd5: base_q <= ld_word[31:0];
        default: ;
      endcase
    end
  end

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

  // configuration writes of the small memories (the state memory's is below)
  always @(posedge clk_i) begin
    if (ld_we && ld_mem_i == LD_POP) begin
      pop_mem[ld_addr_i[NRN_W-1:0]] <= ld_word[POP_W-1:0];
    end
  end
  always @(posedge clk_i) begin
    if (ld_we && ld_mem_i == LD_PARAM) begin
      param_mem[ld_addr_i[POP_W-1:0]] <= ld_word[PARAM_W-1:0];
    end
  end
  // one 32-bit entry per write: address pop * 256 + entry
  wire [7:0] ld_cdf_k = ld_addr_i[7:0];
  always @(posedge clk_i) begin
    if (ld_we && ld_mem_i == LD_CDF) begin
      cdf_mem[ld_addr_i[8 +: POP_W]][32 * ld_cdf_k +: 32] <= ld_word[31:0];
    end
  end

  wire syn_busy;
  wire syn_ev_ready;
  // the event pipeline's input: the core's own spikes (single core) or the
  // network-on-chip's (mesh)
  wire             syn_ev_valid;
  wire [ROW_W-1:0] syn_ev_row;

  // ======================================================== phase A, R: rng
  wire             a_issue = (st_q == ST_A) && (a_cnt_q != n_active_q);
  wire [CNT_W+31:0] a_n_x  = {32'd0, a_cnt_q};
  // the counter-based draw is keyed by the GLOBAL neuron id
  wire [31:0]      a_gid   = base_q + a_n_x[31:0];
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
    .key_i      (bg_key_q),
    .neuron_i   (a_gid),
    .step_i     (step_q),
    .user_i     (a_cnt_q[NRN_W-1:0]),
    .out_valid_o(r_valid),
    .out_ready_i(1'b1),
    .u_o        (r_u),
    .draw_o     (r_draw),
    .user_o     (r_n)
  );

  // R: drain request, state, trace and population reads (registered: stage X)
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
  wire                       tap_valid;
  wire [SYN_AW-1:0]          tap_addr;
  wire signed [W_BITS-1:0]   tap_w;
  wire [NRN_W-1:0]           tap_tgt;
  wire                       wp_valid;
  wire [SYN_AW-1:0]          wp_addr;
  wire signed [W_BITS-1:0]   wp_w;
  wire                       ax_valid;
  wire [SYN_AW-1:0]          ax_addr;
  wire signed [W_BITS-1:0]   ax_w;

  snn_syn_event #(
    .N_NEURONS   (N_NEURONS),
    .SLOTS       (SLOTS),
    .ACC_BITS    (ACC_BITS),
    .W_BITS      (W_BITS),
    .W_SHIFT     (W_SHIFT),
    .ROWS        (ROWS),
    .SYN_DEPTH   (SYN_DEPTH),
    .SYN_MEM_FILE(SYN_MEM_FILE),
    .ROW_MEM_FILE(ROW_MEM_FILE)
  ) u_syn (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .ev_valid_i (syn_ev_valid),
    .ev_ready_o (syn_ev_ready),
    .ev_row_i   (syn_ev_row),
    .ev_slot_i  (slot_q),
    .busy_o     (syn_busy),
    .dr_valid_i (r_valid),
    .dr_ready_o (dr_ready),
    .dr_slot_i  (slot_q),
    .dr_neuron_i(r_n),
    .dr_valid_o (dr_valid),
    .dr_neuron_o(dr_neuron),
    .dr_ex_o    (dr_ex),
    .dr_in_o    (dr_in),
    .tap_valid_o(tap_valid),
    .tap_addr_o (tap_addr),
    .tap_w_o    (tap_w),
    .tap_tgt_o  (tap_tgt),
    .wp_valid_i (wp_valid),
    .wp_addr_i  (wp_addr),
    .wp_w_i     (wp_w),
    .ax_valid_i (ax_valid),
    .ax_addr_i  (ax_addr),
    .ax_w_o     (ax_w),
    .ld_syn_i   (ld_we && ld_mem_i == LD_SYN),
    .ld_row_i   (ld_we && ld_mem_i == LD_ROW),
    .ld_addr_i  (ld_addr_i),
    .ld_word_i  (ld_word[LW_1-1:0])
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
  wire [TRACE_BITS-1:0]      o_x_pre;
  wire [TRACE_BITS-1:0]      o_y_post;
  wire                       o_spike;
  wire [NRN_W-1:0]           o_n;
  // traces of the neuron in stage X (zeros in a static core)
  wire [TR_W-1:0]            x_tr;

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
    .x_pre_i    (x_tr[0 +: TRACE_BITS]),
    .y_post_i   (x_tr[TRACE_BITS +: TRACE_BITS]),
    .p22_i      (x_par[0 +: COEF_BITS]),
    .p21_ex_i   (x_par[COEF_BITS +: COEF_BITS]),
    .p21_in_i   (x_par[2 * COEF_BITS +: COEF_BITS]),
    .p11_ex_i   (x_par[3 * COEF_BITS +: COEF_BITS]),
    .p11_in_i   (x_par[4 * COEF_BITS +: COEF_BITS]),
    .dc_term_i  (x_par[PO_DC +: DC_W]),
    .theta_i    (x_par[PO_TH +: V_BITS]),
    .v_reset_i  (x_par[PO_VR +: V_BITS]),
    .ref_steps_i(x_par[PO_RS +: REF_BITS]),
    .p_plus_i   (p_plus_q),
    .p_minus_i  (p_minus_q),
    .in_ex_i    (x_in_ex),
    .in_in_i    (x_in_in),
    .user_i     (x_n_q),
    .trunc_v_i  ((FAULT == 1) && fault_step),
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
  // Memory writes are qualified with ~rst_i: during reset the pipeline's
  // valid bits may still hold their power-up values (Verilator's
  // --x-initial unique draws them), and a write then would corrupt a memory
  // that is not reloaded (traces, accumulators).
  always @(posedge clk_i) begin
    if (o_valid && !rst_i) begin
      state_mem[o_n] <= {o_refr, o_i_in, o_i_ex, o_v};
    end else if (ld_we && ld_mem_i == LD_STATE) begin
      state_mem[ld_addr_i[NRN_W-1:0]] <= ld_word[STATE_W-1:0];
    end
  end

  // FAULT 2: the first spike at or after step FAULT_STEP is observed but
  // never listed (so neither delivered nor sent)
  wire o_drop   = (FAULT == 2) && fault_from && fault_q;
  wire o_append = o_valid & o_spike & ~o_drop & ~rst_i;

  always @(posedge clk_i) begin
    if (o_append) begin
      spk_mem[spk_cnt_q[NRN_W-1:0]] <= o_n;
    end
  end

  // ======================================================== phase B: spike replay (pre pass)
  // a single core delivers its own spikes; a mesh core only sends them (the
  // network-on-chip brings them back, to every core with targets)
  wire ev_local = (MESH == 0);
  wire ev_fire = ev_local & hv_q & ~ev_done_q & syn_ev_ready;
  wire so_fire = hv_q & ~so_done_q & spk_ready_i;
  wire ev_ok   = ev_done_q | ev_fire | ~ev_local;
  wire so_ok   = so_done_q | so_fire;
  wire h_free  = ~hv_q | (ev_ok & so_ok);
  wire h_more  = (rd_q != spk_cnt_q);
  wire h_load  = (st_q == ST_B) & h_free & h_more;

  // the event pipeline's input
  wire [ROW_W+NRN_W-1:0] hn_x = {{ROW_W{1'b0}}, hn_q};
  // A plastic mesh core takes events only after its own phase A (the
  // depression reads this step's y_post of the target) and before the
  // pre-pass barrier; the mesh holds them meanwhile. A static one takes
  // them at any time (step t's events never touch slot t).
  wire ev_open = (PLASTIC == 0) || (st_q == ST_B) || (st_q == ST_SENT && !pdone_q);
  assign syn_ev_valid = ev_local ? (hv_q & ~ev_done_q) : (ev_valid_i & ev_open);
  assign syn_ev_row   = ev_local ? hn_x[ROW_W-1:0] : ev_row_i;
  assign ev_ready_o   = ~ev_local & syn_ev_ready & ev_open;

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

  // spike list read: the pre pass's holding register, or the post pass's fetch
  wire             p_fetch;
  wire [NRN_W-1:0] spk_rd = spk_mem[rd_q[NRN_W-1:0]];

  always @(posedge clk_i) begin
    if (h_load) begin
      hn_q <= spk_rd;
    end
  end

  // ======================================================== STDP (PLASTIC = 1)
  wire stdp_busy;   // a depression or potentiation is in flight
  wire post_walk;   // the post pass is walking incoming lists
  wire post_busy;   // the post pass has a record in stages E1/E2
  wire wskip_fired; // FAULT 3 skipped its weight write this cycle

  generate
    if (PLASTIC == 1) begin : g_stdp
      // ---- memories
      reg [TR_W-1:0]     trace_mem [0:N_NEURONS-1];   // {y_post, x_pre}
      reg [RULE_W-1:0]   rule_mem  [0:SYN_DEPTH-1];
      reg [STDP_W-1:0]   stdp_mem  [0:N_RULES-1];     // {w_max, w_min, a_minus, a_plus}
      reg [IROW_W-1:0]   irow_mem  [0:N_NEURONS-1];   // {end, start}
      reg [INC_W-1:0]    inc_mem   [0:INC_DEPTH-1];   // {src, syn}
      integer j;
      initial begin
        for (j = 0; j < N_NEURONS; j = j + 1) trace_mem[j] = {TR_W{1'b0}};
      end
      if (RULE_MEM_FILE != "") begin : g_rule_file
        initial $readmemh(RULE_MEM_FILE, rule_mem);
      end else begin : g_rule_zero
        integer r;
        initial begin
          for (r = 0; r < SYN_DEPTH; r = r + 1) rule_mem[r] = {RULE_W{1'b0}};
        end
      end
      if (STDP_MEM_FILE != "") begin : g_stdp_file
        initial $readmemh(STDP_MEM_FILE, stdp_mem);
      end else begin : g_stdp_zero
        integer r;
        initial begin
          for (r = 0; r < N_RULES; r = r + 1) stdp_mem[r] = {STDP_W{1'b0}};
        end
      end
      if (INC_ROW_MEM_FILE != "") begin : g_irow_file
        initial $readmemh(INC_ROW_MEM_FILE, irow_mem);
      end else begin : g_irow_zero
        integer r;
        initial begin
          for (r = 0; r < N_NEURONS; r = r + 1) irow_mem[r] = {IROW_W{1'b0}};
        end
      end
      if (INC_MEM_FILE != "") begin : g_inc_file
        initial $readmemh(INC_MEM_FILE, inc_mem);
      end else begin : g_inc_zero
        integer r;
        initial begin
          for (r = 0; r < INC_DEPTH; r = r + 1) inc_mem[r] = {INC_W{1'b0}};
        end
      end

      always @(posedge clk_i) begin
        if (ld_we && ld_mem_i == LD_RULE) begin
          rule_mem[ld_addr_i[SYN_AW-1:0]] <= ld_word[RULE_W-1:0];
        end
      end
      always @(posedge clk_i) begin
        if (ld_we && ld_mem_i == LD_STDP) begin
          stdp_mem[ld_addr_i[RIX_W-1:0]] <= ld_word[STDP_W-1:0];
        end
      end
      always @(posedge clk_i) begin
        if (ld_we && ld_mem_i == LD_IROW) begin
          irow_mem[ld_addr_i[NRN_W-1:0]] <= ld_word[IROW_W-1:0];
        end
      end
      always @(posedge clk_i) begin
        if (ld_we && ld_mem_i == LD_INC) begin
          inc_mem[ld_addr_i[INC_AW-1:0]] <= ld_word[INC_W-1:0];
        end
      end

      // ---- post pass walker: per spike FETCH (spike list read), ROW
      //      (incoming row read), LOAD (pointers), then WALK one incoming
      //      entry per clock
      localparam [1:0] PS_FETCH = 2'd0;
      localparam [1:0] PS_ROW   = 2'd1;
      localparam [1:0] PS_LOAD  = 2'd2;
      localparam [1:0] PS_WALK  = 2'd3;
      localparam [IPTR_W-1:0] IPTR_ONE = 1;
      reg [1:0]        ps_q;
      reg [NRN_W-1:0]  pn_q;        // spiking neuron whose incoming list is walked
      reg [IPTR_W-1:0] pe_q;        // next incoming entry
      reg [IPTR_W-1:0] pe_end_q;
      reg [IROW_W-1:0] irow_rd_q;
      wire [IPTR_W-1:0] irow_start = irow_rd_q[0 +: IPTR_W];
      wire [IPTR_W-1:0] irow_end   = irow_rd_q[IPTR_W +: IPTR_W];
      wire in_post = (st_q == ST_POST);
      wire e_issue = in_post && (ps_q == PS_WALK) && (pe_q != pe_end_q);
      assign p_fetch = in_post && (ps_q == PS_FETCH) && h_more;

      always @(posedge clk_i) begin
        if (rst_i || !in_post) begin
          ps_q <= PS_FETCH;
        end else begin
          case (ps_q)
            PS_FETCH: if (h_more) ps_q <= PS_ROW;
            PS_ROW:   ps_q <= PS_LOAD;
            PS_LOAD:  ps_q <= PS_WALK;
            default:  if (!e_issue || pe_q + IPTR_ONE == pe_end_q) ps_q <= PS_FETCH;
          endcase
        end
      end

      always @(posedge clk_i) begin
        if (p_fetch) begin
          pn_q <= spk_rd;
        end
        irow_rd_q <= irow_mem[pn_q];
        if (in_post && ps_q == PS_LOAD) begin
          pe_q     <= irow_start;
          pe_end_q <= irow_end;
        end else if (e_issue) begin
          pe_q <= pe_q + IPTR_ONE;
        end
      end

      // ---- E1: incoming entry {src, syn}
      reg              e1_valid_q;
      reg [INC_W-1:0]  e1_q;
      always @(posedge clk_i) begin
        if (rst_i) begin
          e1_valid_q <= 1'b0;
        end else begin
          e1_valid_q <= e_issue;
        end
      end
      always @(posedge clk_i) begin
        e1_q <= inc_mem[pe_q[INC_AW-1:0]];
      end
      wire [SYN_AW-1:0] e1_syn = e1_q[0 +: SYN_AW];
      // the source: a local neuron (single core) or a global id (mesh)
      wire [ROW_W-1:0]  e1_src = e1_q[SYN_AW +: ROW_W];

      // ---- pre pass T1: the tapped synapse (delivered weight, target)
      reg              t1_valid_q;
      reg [SYN_AW-1:0] t1_addr_q;
      reg [W_BITS-1:0] t1_w_q;
      always @(posedge clk_i) begin
        if (rst_i) begin
          t1_valid_q <= 1'b0;
        end else begin
          t1_valid_q <= tap_valid;
        end
      end
      always @(posedge clk_i) begin
        t1_addr_q <= tap_addr;
        t1_w_q    <= tap_w;
      end

      // ---- E2
      reg              e2_valid_q;
      reg [SYN_AW-1:0] e2_syn_q;
      always @(posedge clk_i) begin
        if (rst_i) begin
          e2_valid_q <= 1'b0;
        end else begin
          e2_valid_q <= e1_valid_q;
        end
      end
      always @(posedge clk_i) begin
        e2_syn_q <= e1_syn;
      end

      // ---- shared reads (registered; T1 and E2 are each one cycle after
      //      their address): the trace memory (phase A: the neuron being
      //      updated; pre pass: the tapped target; post pass: the source of
      //      the incoming entry) and the rule memory
      wire post_side = (st_q == ST_POST) || (st_q == ST_PWAIT);
      wire [NRN_W-1:0]  tr_raddr   = (st_q == ST_A) ? r_n : (post_side ? e1_src[NRN_W-1:0] : tap_tgt);
      wire [SYN_AW-1:0] rule_raddr = post_side ? e1_syn : tap_addr;
      reg [TR_W-1:0]   tr_rd_q;
      reg [RULE_W-1:0] rule_rd_q;
      always @(posedge clk_i) begin
        tr_rd_q   <= trace_mem[tr_raddr];
        rule_rd_q <= rule_mem[rule_raddr];
      end
      assign x_tr = tr_rd_q;

      always @(posedge clk_i) begin
        if (o_valid && !rst_i) begin
          trace_mem[o_n] <= {o_y_post, o_x_pre};
        end else if (ld_we && ld_mem_i == LD_TRACE) begin
          trace_mem[ld_addr_i[NRN_W-1:0]] <= ld_word[TR_W-1:0];
        end
      end

      // ---- presynaptic traces of the sources (mesh): a core holds rows of
      //      remote sources, so it keeps their x_pre itself: every step,
      //      after the pre pass, x = sat_u(rnd(x P+) + s 2^TRACE_FRAC) for
      //      every row j (s: an event of j arrived this step), exactly the
      //      source's own phase-A update; the post pass reads them.
      wire [TRACE_BITS-1:0] x_pre_e2;
      if (MESH == 1) begin : g_shadow
        localparam integer TXW = TRACE_BITS + COEF_BITS;
        localparam integer   ROWS_I = ROWS;
        localparam [ROW_W:0] ROWS_C = ROWS_I[ROW_W:0];
        localparam [ROW_W:0] SH_ONE = 1;
        reg [TRACE_BITS-1:0] xs_mem [0:ROWS-1];
        reg                  sf_mem [0:ROWS-1];
        integer r;
        initial begin
          for (r = 0; r < ROWS; r = r + 1) begin
            xs_mem[r] = {TRACE_BITS{1'b0}};
            sf_mem[r] = 1'b0;
          end
        end
        reg [ROW_W:0]        sh_q;      // next row of the pass
        reg                  sh_v_q;    // a row is in the update stage
        reg [ROW_W-1:0]      sh_a_q;
        reg [TRACE_BITS-1:0] xs_rd_q;
        reg                  sf_rd_q;
        wire in_shad = (st_q == ST_SHAD);
        wire sh_issue = in_shad && (sh_q != ROWS_C);
        wire [ROW_W-1:0] xs_raddr = in_shad ? sh_q[ROW_W-1:0] : e1_src;
        always @(posedge clk_i) begin
          xs_rd_q <= xs_mem[xs_raddr];
          sf_rd_q <= sf_mem[xs_raddr];
          sh_a_q  <= sh_q[ROW_W-1:0];
        end
        always @(posedge clk_i) begin
          if (rst_i || !in_shad) begin
            sh_q   <= {(ROW_W + 1){1'b0}};
            sh_v_q <= 1'b0;
          end else begin
            sh_v_q <= sh_issue;
            if (sh_issue) sh_q <= sh_q + SH_ONE;
          end
        end
        // the update: exact product, one rounding (unsigned: >> floors), the
        // spike, saturation
        wire [TXW-1:0] sh_prod = {{COEF_BITS{1'b0}}, xs_rd_q} * {{TRACE_BITS{1'b0}}, p_plus_q};
        wire [TXW:0]   sh_rnd;
        if (COEF_FRAC == 0) begin : g_sh_none
          assign sh_rnd = {1'b0, sh_prod};
        end else begin : g_sh_half
          localparam [TXW:0] SH_HALF = {{TXW{1'b0}}, 1'b1} << (COEF_FRAC - 1);
          assign sh_rnd = ({1'b0, sh_prod} + SH_HALF) >> COEF_FRAC;
        end
        localparam [TXW+1:0] SH_INC = {{(TXW + 1){1'b0}}, 1'b1} << TRACE_FRAC;
        wire [TXW+1:0] sh_sum = {1'b0, sh_rnd} + (sf_rd_q ? SH_INC : {(TXW + 2){1'b0}});
        wire [TRACE_BITS-1:0] sh_new =
            (|sh_sum[TXW+1:TRACE_BITS]) ? {TRACE_BITS{1'b1}} : sh_sum[TRACE_BITS-1:0];
        wire ev_take = syn_ev_valid & syn_ev_ready & ~rst_i;
        always @(posedge clk_i) begin
          if (sh_v_q && !rst_i) begin
            xs_mem[sh_a_q] <= sh_new;
          end
        end
        always @(posedge clk_i) begin
          if (sh_v_q && !rst_i) begin
            sf_mem[sh_a_q] <= 1'b0;
          end else if (ev_take) begin
            sf_mem[syn_ev_row] <= 1'b1;
          end
        end
        assign shad_done = in_shad && (sh_q == ROWS_C) && !sh_v_q;
        assign x_pre_e2  = xs_rd_q;
      end else begin : g_no_shadow
        assign shad_done = 1'b0;
        assign x_pre_e2  = tr_rd_q[0 +: TRACE_BITS];
      end

      assign ax_valid = e1_valid_q;
      assign ax_addr  = e1_syn;

      // ---- snn_stdp: depression (T1) or potentiation (E2); never both
      wire [RULE_W-1:0] rule_m1 = rule_rd_q - {{(RULE_W-1){1'b0}}, 1'b1};
      wire [STDP_W-1:0] rp      = stdp_mem[rule_m1[RIX_W-1:0]];
      wire              has_rule = (rule_rd_q != {RULE_W{1'b0}});
      wire              s_pot    = e2_valid_q;
      wire              s_valid  = (t1_valid_q | e2_valid_q) & has_rule;
      wire [W_BITS-1:0] s_amp    = s_pot ? rp[0 +: W_BITS] : rp[W_BITS +: W_BITS];
      wire              s_ready;
      wire              s_out_valid;
      wire signed [W_BITS-1:0] s_new;
      wire signed [W_BITS-1:0] s_old;
      wire              s_out_pot;
      wire [SYN_AW-1:0] s_syn;

      snn_stdp #(
        .W_BITS    (W_BITS),
        .TRACE_BITS(TRACE_BITS),
        .TRACE_FRAC(TRACE_FRAC),
        .USER_BITS (SYN_AW)
      ) u_stdp (
        .clk_i       (clk_i),
        .rst_i       (rst_i),
        .in_valid_i  (s_valid),
        .in_ready_o  (s_ready),
        .potentiate_i(s_pot),
        .w_i         (s_pot ? ax_w : t1_w_q),
        .trace_i     (s_pot ? x_pre_e2 : tr_rd_q[TRACE_BITS +: TRACE_BITS]),
        .amp_i       (s_amp[W_BITS-2:0]),
        .w_min_i     (rp[2 * W_BITS +: W_BITS]),
        .w_max_i     (rp[3 * W_BITS +: W_BITS]),
        .user_i      (s_pot ? e2_syn_q : t1_addr_q),
        .out_valid_o (s_out_valid),
        .out_ready_i (1'b1),
        .w_new_o     (s_new),
        .w_old_o     (s_old),
        .potentiate_o(s_out_pot),
        .user_o      (s_syn),
        .busy_o      (stdp_busy)
      );

      // FAULT 3: the first weight write at or after step FAULT_STEP is
      // skipped (no write, no record)
      wire s_skip = (FAULT == 3) && fault_from && fault_q;
      assign wskip_fired  = s_out_valid & s_skip;
      assign wp_valid     = s_out_valid & ~s_skip & ~rst_i;
      assign wp_addr      = s_syn;
      assign wp_w         = s_new;
      assign wobs_valid_o = s_out_valid & ~s_skip;
      assign wobs_syn_o   = s_syn;
      assign wobs_old_o   = s_old;
      assign wobs_new_o   = s_new;
      assign post_walk    = in_post && !(ps_q == PS_FETCH && !h_more);
      assign post_busy    = e1_valid_q | e2_valid_q | t1_valid_q;

      wire unused_stdp = &{1'b0, s_ready, s_out_pot, s_amp[W_BITS-1], rule_m1};
    end else begin : g_static
      assign x_tr         = {TR_W{1'b0}};
      assign p_fetch      = 1'b0;
      assign wp_valid     = 1'b0;
      assign wp_addr      = {SYN_AW{1'b0}};
      assign wp_w         = {W_BITS{1'b0}};
      assign ax_valid     = 1'b0;
      assign ax_addr      = {SYN_AW{1'b0}};
      assign stdp_busy    = 1'b0;
      assign wskip_fired  = 1'b0;
      assign shad_done    = 1'b0;
      assign post_walk    = 1'b0;
      assign post_busy    = 1'b0;
      assign wobs_valid_o = 1'b0;
      assign wobs_syn_o   = {SYN_AW{1'b0}};
      assign wobs_old_o   = {W_BITS{1'b0}};
      assign wobs_new_o   = {W_BITS{1'b0}};
      wire unused_static = &{1'b0, tap_valid, tap_addr, tap_w, tap_tgt, ax_w, o_x_pre, o_y_post,
                             p_plus_q, p_minus_q};
    end
  endgenerate

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
      fault_q   <= 1'b1;
      pdone_q   <= 1'b0;
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
            if (o_append) begin
              spk_cnt_q <= spk_cnt_q + CNT_ONE;
            end
            if (o_valid && o_spike && o_drop) begin
              fault_q <= 1'b0;
            end
            if (a_out_q == n_active_q - CNT_ONE) begin
              st_q <= ST_B;
            end
          end
        end
        ST_B: begin
          if (h_load) begin
            rd_q <= rd_q + CNT_ONE;
          end
          if (h_free && !h_more) begin
            st_q <= (MESH == 1) ? ST_SENT : ST_WAIT;
          end
        end
        ST_WAIT: begin  // every delivery (and depression) of this step written
          if (!syn_busy && !post_busy && !stdp_busy) begin
            if (PLASTIC == 1) begin
              st_q <= (MESH == 1) ? ST_SHAD : ST_POST;
              rd_q <= {CNT_W{1'b0}};
            end else begin
              st_q   <= ST_IDLE;
              done_q <= 1'b1;
              step_q <= step_q + 32'd1;
              slot_q <= (slot_q == SLOT_LAST) ? {SLOT_W{1'b0}} : slot_q + SLOT_ONE;
            end
          end
        end
        ST_SENT: begin  // MESH: waiting for the mesh's barrier
          if (step_done_i) begin
            if (PLASTIC == 1 && !pdone_q) begin
              // every event of the step delivered everywhere: drain the
              // depressions, then the trace pass and the post pass
              st_q <= ST_WAIT;
            end else begin
              st_q    <= ST_IDLE;
              pdone_q <= 1'b0;
              done_q  <= 1'b1;
              step_q  <= step_q + 32'd1;
              slot_q  <= (slot_q == SLOT_LAST) ? {SLOT_W{1'b0}} : slot_q + SLOT_ONE;
            end
          end
        end
        ST_SHAD: begin  // MESH, PLASTIC: presynaptic traces of every row
          if (shad_done) begin
            st_q <= ST_POST;
            rd_q <= {CNT_W{1'b0}};
          end
        end
        ST_POST: begin
          if (p_fetch) begin
            rd_q <= rd_q + CNT_ONE;
          end
          if (!post_walk) begin
            st_q <= ST_PWAIT;
          end
        end
        default: begin  // ST_PWAIT: every potentiation written
          if (!post_busy && !stdp_busy) begin
            if (MESH == 1) begin
              st_q    <= ST_SENT;  // the post-pass barrier
              pdone_q <= 1'b1;
            end else begin
              st_q   <= ST_IDLE;
              done_q <= 1'b1;
              step_q <= step_q + 32'd1;
              slot_q <= (slot_q == SLOT_LAST) ? {SLOT_W{1'b0}} : slot_q + SLOT_ONE;
            end
          end
        end
      endcase
      if (wskip_fired) begin
        fault_q <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  assign busy_o       = !idle;
  assign done_o       = done_q;
  assign step_o       = step_q;
  assign phase_o      = st_q;
  assign sent_o       = (st_q == ST_SENT);
  assign syn_busy_o   = syn_busy;
  assign base_o       = base_q;
  assign ld_ready_o   = idle;
  assign obs_valid_o  = o_valid;
  assign obs_step_o   = step_q;
  assign obs_neuron_o = o_n;
  assign obs_v_o      = o_v;
  assign obs_i_ex_o   = o_i_ex;
  assign obs_i_in_o   = o_i_in;
  assign obs_refr_o   = o_refr;
  assign obs_spike_o  = o_spike;
  assign wobs_step_o  = step_q;
  assign spk_valid_o  = hv_q & ~so_done_q;
  assign spk_step_o   = step_q;
  assign spk_neuron_o = hn_q;

  // Outputs of the leaf modules this core does not need (the full draw, the
  // always-ready handshakes and the drain echo), and the padding bits of the
  // extensions above; collected so that lint sees them used (Verilator
  // ignores signals named *unused*).
  wire unused_ok = &{1'b0, r_draw, lif_in_ready, dr_ready, dr_valid, dr_neuron, hn_x,
                     ev_valid_i, ev_row_i, step_done_i,
                     a_n_x[CNT_W+31:32], x_bgp_x[IN_BITS+BGP_W-1:IN_BITS], ld_stage_q,
                     ld_addr_i, ld_word};
endmodule
`default_nettype wire
