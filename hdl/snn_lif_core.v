`default_nettype none
// snn_lif_core: one time-multiplexed neuron core, in every variant the
// generator builds: static (PLASTIC = 0) or STDP (PLASTIC = 1), a single
// core (MESH = 0) or one core of a mesh (MESH = 1, inside snn_mesh_top),
// with the verification aid of fault injection (FAULT, 0 in real designs).
// It runs docs/numerics.md's time step, phase A then phase B (pre pass and,
// with PLASTIC = 1, post pass), bit-identical to
// spikefab_sim::engine::Engine::step_observed.
//
// Composition (one module each; this file wires them and holds the phase
// A/B datapath between them):
//   snn_core_ctrl   step controller: phase sequence, counters, step and
//                   slot, done, the mesh's barrier handshakes
//   snn_core_load   load port: staging register, memory-id decode,
//                   configuration registers (n_active, p_plus, p_minus,
//                   bg_key, base)
//   snn_core_fault  fault injection (FAULT = 0: no logic)
//   snn_mem         the core's memories (state, pop, param, cdf, spike
//                   list), and every memory of the modules below
//   snn_rng, snn_poisson, snn_lif_update   phase A
//   snn_syn_event   the synaptic event pipeline (delay ring, phase B
//                   delivery, phase A drain, weight port)
//   snn_core_stdp   (PLASTIC) traces, rules, incoming lists, the pre pass's
//                   depression, the post pass, (MESH) the sources'
//                   presynaptic traces; snn_stdp and the weight write-back
//
// One step t (started by start_i while busy_o is low):
//   phase A: neurons 0 .. n_active-1 stream through, one per clock:
//     R  snn_rng draws U(seed, n, t) for the background key (keyed by the
//        global id base + n; LATENCY 6); when its record comes out, the
//        core issues the read-and-clear of slot t mod SLOTS for n
//        (snn_syn_event's drain port) and reads the state word of n, its
//        population id and (PLASTIC) its traces;
//     X  the drained sums arrive (one cycle later); the population's
//        parameters and Poisson table are looked up, k = snn_poisson(u),
//        background k * (w_bg << W_SHIFT) is added to the channel of
//        w_bg's sign (exact, IN_BITS wide), and the record enters
//        snn_lif_update (LATENCY 3);
//     O  the updated state (and traces) is written back, one observation
//        record is emitted (valid-only port), and a spiking neuron is
//        appended to the spike list (N_NEURONS entries).
//   phase B, pre pass: when all records are out, the spike list is
//     replayed in ascending neuron order through a holding register; each
//     spike is offered at the same time on the spike-out stream
//     (valid/ready) and (single core) as an event (row = neuron, slot
//     t mod SLOTS) to snn_syn_event; it leaves when both have taken it.
//     (PLASTIC) every synapse the walker delivers is depressed (stage T1:
//     the target's y_post and the synapse's rule; snn_stdp; the result is
//     written back into the synapse memory and recorded on wobs_*).
//     A single core then waits for every delivery and depression to be
//     written. A mesh core only sends its spikes; events arrive on ev_*
//     from the network-on-chip, and it waits for the barrier (step_done_i).
//   phase B, post pass (PLASTIC): (mesh: first the presynaptic traces of
//     every row, ROWS cycles) the spike list is replayed again; per spike
//     the incoming row is read and its entries walked, one per clock
//     (E1: entry {src, syn}; E2: the weight through snn_syn_event's
//     auxiliary port, the source's x_pre, the rule); snn_stdp potentiates,
//     the result is written back and recorded. A mesh core then waits for
//     a second barrier.
//   Then done_o pulses and the step (and the slot, mod SLOTS) increments.
//
// Ordering (snn_syn_event's rules): slot t is drained only after every event
// of step t-1 is written (phase B waits for busy_o), and step t's events are
// issued only after slot t is drained (phase A has finished; a plastic mesh
// core takes events only after its phase A).
//
// Cycle cost of a static single-core step (no spike-out stalls; pinned by
// the test): from the start handshake to the last observation record
// N_NEURONS + 10 cycles (the first issue, snn_rng 6, stage X 1,
// snn_lif_update 3, less one); then phase B: 3 cycles without spikes, else
// K + 8 for spikes whose rows hold K synapses in total (all rows non-empty;
// an empty row costs up to one more cycle): the holding register 1,
// snn_syn_event's K + 5, wait and done 2. The spikes themselves cost
// nothing extra: a row enters snn_syn_event while the previous one is
// walked. The next step can start the cycle after done_o. (STDP and mesh
// costs: docs/hdl-leaf-modules.md.)
//
// Memories (snn_mem; initialised from $readmemh images, "" = zeros):
//   state    N_NEURONS x {refr, i_in, i_ex, v}       (REF_BITS, I_BITS, I_BITS, V_BITS; v in the LSBs)
//   pop      N_NEURONS x population index             (POP_W bits)
//   param    N_POPS    x {w_bg, ref_steps, v_reset, theta, dc, p11_in, p11_ex, p21_in, p21_ex, p22}
//            (W_BITS, REF_BITS, V_BITS, V_BITS, V_BITS+COEF_FRAC, 5 x COEF_BITS; p22 in the LSBs;
//             w_bg = 0 for a population without Poisson background)
//   cdf      N_POPS    x TABLE_LEN x 32 bits (entry k in bits 32k+31:32k)
//   syn, row: snn_syn_event's images (row r = source r's outgoing synapses:
//            a local neuron on a single core, a global id on a mesh)
//   (PLASTIC) rule N_RULES ids per synapse, stdp the rule table, inc_row and
//            inc the incoming lists; trace N_NEURONS x {y_post, x_pre}
//            starts at zero (power-up, or the configuration clear)
// Load port memory ids: 0 state, 1 pop, 2 param, 3 cdf, 4 syn, 5 row, 6 rule,
// 7 stdp, 8 inc_row, 9 inc, 10 trace, 15 configuration registers
// (snn_core_load); a mesh top uses 11 for its route memories.
//
// Ports obs_*, wobs_* and done_o are valid-only (no backpressure): the
// consumer must take every record in the cycle it is valid. The spike-out
// stream is valid/ready and may stall phase B.
//
// Reconfiguration (docs/hardware.md): a core that has started a step since
// its last clear does not take the next load beat at once (ld_ready_o low):
// the beat starts the configuration clear (snn_core_ctrl): SLOTS x N_NEURONS
// cycles of snn_syn_event's read-and-clear, one per (slot, neuron), with
// (PLASTIC) the trace rows (N_NEURONS, or ROWS on a mesh: the presynaptic
// traces and spike flags) zeroed alongside; the sweep takes the longer of
// the two, plus one cycle to start. Then step_o and the slot are 0, the
// fault injection is re-armed, and the port opens; the load then runs at
// one beat per clock. busy_o is high (phase_o 0) during the clear. So a
// network loaded after another runs exactly as on a fresh core.
//
// rst_i (synchronous, active high) clears control state only (not the
// memories, nor the record that a step has run: a load after a reset that
// followed a run still clears).
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
  parameter INC_MEM_FILE = "",
  // 1: the synapse rows live in external memory, read through the AXI4 master m_axi_*
  // (snn_syn_fetch; static cores only: PLASTIC = 0); 2: the row index too (no row
  // memory; AXI_OUTSTANDING < 2^AXI_ID_W); 0: on chip (the syn and row memories).
  parameter integer SYN_EXT = 0,
  // AXI data width in bits (SYN_EXT != 0): a power of two, 32..1024, >= the synapse word.
  parameter integer AXI_DATA_W = 256,
  // AXI byte-address width (SYN_EXT != 0); 12..64.
  parameter integer AXI_ADDR_W = 34,
  // AXI read ID width (SYN_EXT != 0); 1..8.
  parameter integer AXI_ID_W = 4,
  // Most beats per burst (SYN_EXT != 0); 1..256.
  parameter integer AXI_BURST = 16,
  // Bursts in flight (SYN_EXT != 0); 1..min(64, 2^AXI_ID_W).
  parameter integer AXI_OUTSTANDING = 16
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
  // load port (accepted while idle and not clearing; see Reconfiguration)
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
  output wire [NRN_W-1:0]           spk_neuron_o,
  // SYN_EXT != 0: the AXI4 read master to the synapse rows (read only; an
  // on-chip core never requests: tie the inputs low), and mem_err_o, sticky
  // until a reset or a configuration clear: the memory answered with an
  // error, an unknown ID or a wrong RLAST (snn_syn_fetch)
  output wire                       m_axi_arvalid_o,
  input  wire                       m_axi_arready_i,
  output wire [AXI_ADDR_W-1:0]      m_axi_araddr_o,
  output wire [7:0]                 m_axi_arlen_o,
  output wire [2:0]                 m_axi_arsize_o,
  output wire [1:0]                 m_axi_arburst_o,
  output wire [AXI_ID_W-1:0]        m_axi_arid_o,
  output wire [3:0]                 m_axi_arcache_o,
  output wire [2:0]                 m_axi_arprot_o,
  input  wire                       m_axi_rvalid_i,
  output wire                       m_axi_rready_o,
  input  wire [AXI_DATA_W-1:0]      m_axi_rdata_i,
  input  wire [AXI_ID_W-1:0]        m_axi_rid_i,
  input  wire [1:0]                 m_axi_rresp_i,
  input  wire                       m_axi_rlast_i,
  output wire                       mem_err_o
);
  // The sizes and the fault kind as the submodules get them: the parameters
  // themselves whenever they are legal. An illegal one (rejected below, by
  // this module's checks) is replaced by a legal value, so that a
  // submodule's own check does not report it first, under another name.
  localparam integer N_POPS_M    = (N_POPS < 1) ? 1 : N_POPS;
  localparam integer N_RULES_M   = (N_RULES < 1) ? 1 : N_RULES;
  localparam integer INC_DEPTH_M = (INC_DEPTH < 1) ? 1 : INC_DEPTH;
  localparam integer FAULT_M     = (FAULT < 0 || FAULT > 3) ? 0 : FAULT;
  localparam integer ROWS_M      = (ROWS < N_NEURONS) ? N_NEURONS : ROWS;
  // Neuron index width.
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Row index width (source neurons).
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Row counter width (0..ROWS; the configuration clear's).
  localparam integer ROW_CW = $clog2(ROWS_M + 1);
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
  // External row word {beats, last, start_beat} (snn_syn_fetch's).
  localparam integer X_LANES = (AXI_DATA_W / SYN_W < 1) ? 1 : AXI_DATA_W / SYN_W;
  localparam integer X_BEATS = (((SYN_DEPTH < 1) ? 1 : SYN_DEPTH) + X_LANES - 1) / X_LANES;
  localparam integer X_RW_W = $clog2(X_BEATS + 1) + $clog2(X_LANES + 1) + ((X_BEATS > 1) ? $clog2(X_BEATS) : 1);
  // Incoming-list pointer width.
  localparam integer IPTR_W = $clog2(INC_DEPTH_M + 1);
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
  localparam integer LW_1A = (SYN_W > 2 * PTR_W) ? SYN_W : 2 * PTR_W;
  localparam integer LW_1 = (LW_1A > X_RW_W) ? LW_1A : X_RW_W;
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
  // (4'd15: the configuration registers, snn_core_load's)

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
    if (SYN_EXT < 0 || SYN_EXT > 2 || (SYN_EXT != 0 && PLASTIC != 0)) begin : g_err_syn_ext
`ifdef VERILATOR
      $error("snn_lif_core: SYN_EXT (%0d) must be 0, 1 or 2, and 0 when PLASTIC (no weight write-back to external memory)", SYN_EXT);
`else
      snn_lif_core__SYN_EXT_must_be_0_1_or_2_and_0_when_PLASTIC param_error ();
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

  // ======================================================== step controller
  // Phase sequence, counters, step and slot, done, the mesh's barrier
  // handshakes (snn_core_ctrl).
  wire              idle;
  wire [31:0]       step;
  wire [SLOT_W-1:0] slot;
  wire              in_a;         // phase A
  wire              in_post;      // post pass (PLASTIC)
  wire              in_pwait;     // post-pass drain (PLASTIC)
  wire              in_shad;      // presynaptic trace pass (MESH, PLASTIC)
  wire              sent;         // waiting for the mesh's barrier (MESH)
  wire              a_issue;      // phase A: issue neuron a_cnt
  wire [CNT_W-1:0]  a_cnt;
  wire [CNT_W-1:0]  spk_cnt;      // spikes of this step in the spike list
  wire [CNT_W-1:0]  rd;           // spike list read pointer (pre, then post pass)
  wire              h_more;       // phase B: spikes left to replay
  wire              h_load;       // phase B: the next spike enters the holding register
  wire              h_free;       // phase B: the holding register is free
  wire              ev_open;      // MESH: events from the network-on-chip are taken
  wire              rng_in_ready;
  wire              o_valid;      // phase A: a record leaves snn_lif_update
  wire              o_append;     // ... and its spike is listed
  wire              syn_busy;     // snn_syn_event has work in flight
  wire              stdp_busy;    // a depression or potentiation is in flight
  wire              post_busy;    // the post pass has a record in stages E1/E2
  wire              post_walk;    // the post pass is walking incoming lists
  wire              p_fetch;      // the post pass reads the spike list
  wire              shad_done;    // MESH, PLASTIC: the presynaptic trace pass is complete
  wire [CNT_W-1:0]  n_active;
  wire              ld_open;      // the load port takes beats
  wire              clr;          // the configuration clear runs
  wire              clr_acc;      // ... and drains accumulator (clr_slot, clr_n) now
  wire [SLOT_W-1:0] clr_slot;
  wire [CNT_W-1:0]  clr_n;
  wire              clr_row_v;    // ... and clears trace row clr_row now
  wire [ROW_CW-1:0] clr_row;

  snn_core_ctrl #(
    .N_NEURONS(N_NEURONS),
    .SLOTS    (SLOTS),
    .PLASTIC  (PLASTIC),
    .MESH     (MESH),
    .ROWS     (ROWS_M)
  ) u_ctrl (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .start_i    (start_i),
    .idle_o     (idle),
    .done_o     (done_o),
    .step_o     (step),
    .slot_o     (slot),
    .phase_o    (phase_o),
    .in_a_o     (in_a),
    .in_post_o  (in_post),
    .in_pwait_o (in_pwait),
    .in_shad_o  (in_shad),
    .sent_o     (sent),
    .n_active_i (n_active),
    .a_issue_o  (a_issue),
    .a_cnt_o    (a_cnt),
    .a_ready_i  (rng_in_ready),
    .o_valid_i  (o_valid),
    .o_append_i (o_append),
    .spk_cnt_o  (spk_cnt),
    .rd_o       (rd),
    .h_free_i   (h_free),
    .h_more_o   (h_more),
    .h_load_o   (h_load),
    .syn_busy_i (syn_busy),
    .post_busy_i(post_busy),
    .stdp_busy_i(stdp_busy),
    .p_fetch_i  (p_fetch),
    .post_walk_i(post_walk),
    .shad_done_i(shad_done),
    .step_done_i(step_done_i),
    .ev_open_o  (ev_open),
    .clr_req_i  (ld_valid_i),
    .ld_open_o  (ld_open),
    .clr_o      (clr),
    .clr_acc_o  (clr_acc),
    .clr_slot_o (clr_slot),
    .clr_n_o    (clr_n),
    .clr_row_v_o(clr_row_v),
    .clr_row_o  (clr_row)
  );

  // ======================================================== load port
  // Staging register, memory-id decode (ld_we[id], one-hot), configuration
  // registers (snn_core_load); accepted while the controller opens the
  // port (idle, and no configuration clear pending or running).
  wire [LD_W-1:0]      ld_word;
  wire [15:0]          ld_we;
  wire [COEF_BITS-1:0] p_plus;
  wire [COEF_BITS-1:0] p_minus;
  wire [63:0]          bg_key;
  wire [31:0]          base;
  wire [63:0]          ext_base;
  // ext_base at the AXI address width (the register is 64 bits; a region
  // above 2^AXI_ADDR_W is the generator's error, not the core's)
  wire [AXI_ADDR_W+63:0] ext_base_x = {{AXI_ADDR_W{1'b0}}, ext_base};
  wire unused_ext_base = &{1'b0, ext_base_x[AXI_ADDR_W+63:AXI_ADDR_W]};

  snn_core_load #(
    .N_NEURONS(N_NEURONS),
    .COEF_BITS(COEF_BITS),
    .WORD_W   (LD_W),
    .N_ACTIVE (N_ACTIVE),
    .P_PLUS   (P_PLUS),
    .P_MINUS  (P_MINUS),
    .BG_KEY   (BG_KEY)
  ) u_load (
    .clk_i     (clk_i),
    .open_i    (ld_open),
    .ld_valid_i(ld_valid_i),
    .ld_last_i (ld_last_i),
    .ld_mem_i  (ld_mem_i),
    .ld_addr_i (ld_addr_i),
    .ld_data_i (ld_data_i),
    .word_o    (ld_word),
    .we_o      (ld_we),
    .n_active_o(n_active),
    .p_plus_o  (p_plus),
    .p_minus_o (p_minus),
    .bg_key_o  (bg_key),
    .base_o    (base),
    .ext_base_o(ext_base)
  );

  // ======================================================== fault injection
  // (snn_core_fault; FAULT = 0: constant zeros, no logic)
  wire o_spike;
  wire trunc_v;     // FAULT 1: truncate the membrane rounding in this step
  wire o_drop;      // FAULT 2: do not list the spike leaving phase A now
  wire s_wvalid;    // a weight write leaves snn_stdp (PLASTIC)
  wire s_skip;      // FAULT 3: skip it

  // (re-armed by a configuration's clear as by a reset: a reloaded network
  // runs from step 0 like a fresh one)
  snn_core_fault #(
    .FAULT     (FAULT_M),
    .FAULT_STEP(FAULT_STEP)
  ) u_fault (
    .clk_i    (clk_i),
    .rst_i    (rst_i | clr),
    .step_i   (step),
    .spike_i  (in_a & o_valid & o_spike),
    .wwrite_i (s_wvalid),
    .trunc_v_o(trunc_v),
    .drop_o   (o_drop),
    .skip_o   (s_skip)
  );

  // ======================================================== phase A, R: rng
  wire [CNT_W+31:0] a_n_x  = {32'd0, a_cnt};
  // the counter-based draw is keyed by the GLOBAL neuron id
  wire [31:0]      a_gid   = base + a_n_x[31:0];
  wire             r_valid;
  wire [31:0]      r_u;
  wire [63:0]      r_draw;
  wire [NRN_W-1:0] r_n;

  snn_rng #(
    .USER_BITS(NRN_W)
  ) u_rng (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .in_valid_i (a_issue),
    .in_ready_o (rng_in_ready),
    .key_i      (bg_key),
    .neuron_i   (a_gid),
    .step_i     (step),
    .user_i     (a_cnt[NRN_W-1:0]),
    .out_valid_o(r_valid),
    .out_ready_i(1'b1),
    .u_o        (r_u),
    .draw_o     (r_draw),
    .user_o     (r_n)
  );

  // R: drain request (snn_syn_event below), state and population reads
  // (registered: stage X)
  reg                x_valid_q;
  reg [NRN_W-1:0]    x_n_q;
  reg [31:0]         x_u_q;
  wire [STATE_W-1:0] x_st;
  wire [POP_W-1:0]   x_pop;

  always @(posedge clk_i) begin
    if (rst_i) begin
      x_valid_q <= 1'b0;
    end else begin
      x_valid_q <= r_valid;
    end
  end

  always @(posedge clk_i) begin
    x_n_q <= r_n;
    x_u_q <= r_u;
  end

  // The neuron state: read in R, written back in O (the update) or by the
  // load port. Memory writes are qualified with ~rst_i: during reset the
  // pipeline's valid bits may still hold their power-up values (Verilator's
  // --x-initial unique draws them), and a write then would corrupt a memory
  // that is not reloaded (traces, accumulators).
  wire                     o_wb = o_valid & ~rst_i;
  wire signed [V_BITS-1:0] o_v;
  wire signed [I_BITS-1:0] o_i_ex;
  wire signed [I_BITS-1:0] o_i_in;
  wire [REF_BITS-1:0]      o_refr;
  wire [NRN_W-1:0]         o_n;

  snn_mem #(
    .WIDTH    (STATE_W),
    .DEPTH    (N_NEURONS),
    .INIT_FILE(STATE_MEM_FILE)
  ) u_state_mem (
    .clk_i  (clk_i),
    .we_i   (o_wb | ld_we[LD_STATE]),
    .waddr_i(o_wb ? o_n : ld_addr_i[NRN_W-1:0]),
    .wdata_i(o_wb ? {o_refr, o_i_in, o_i_ex, o_v} : ld_word[STATE_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(r_n),
    .rdata_o(x_st)
  );

  snn_mem #(
    .WIDTH    (POP_W),
    .DEPTH    (N_NEURONS),
    .INIT_FILE(POP_MEM_FILE)
  ) u_pop_mem (
    .clk_i  (clk_i),
    .we_i   (ld_we[LD_POP]),
    .waddr_i(ld_addr_i[NRN_W-1:0]),
    .wdata_i(ld_word[POP_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(r_n),
    .rdata_o(x_pop)
  );

  // ======================================================== synaptic events
  // the event pipeline's input: the core's own spikes (single core) or the
  // network-on-chip's (mesh)
  wire                       syn_ev_valid;
  wire                       syn_ev_ready;
  wire [ROW_W-1:0]           syn_ev_row;
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
    .ROW_MEM_FILE(ROW_MEM_FILE),
    .SYN_EXT     (SYN_EXT),
    .AXI_DATA_W  (AXI_DATA_W),
    .AXI_ADDR_W  (AXI_ADDR_W),
    .AXI_ID_W    (AXI_ID_W),
    .AXI_BURST   (AXI_BURST),
    .AXI_OUTSTANDING(AXI_OUTSTANDING)
  ) u_syn (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .ev_valid_i (syn_ev_valid),
    .ev_ready_o (syn_ev_ready),
    .ev_row_i   (syn_ev_row),
    .ev_slot_i  (slot),
    .busy_o     (syn_busy),
    .dr_valid_i (r_valid | clr_acc),
    .dr_ready_o (dr_ready),
    .dr_slot_i  (clr_acc ? clr_slot : slot),
    .dr_neuron_i(clr_acc ? clr_n[NRN_W-1:0] : r_n),
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
    .ld_syn_i   (ld_we[LD_SYN]),
    .ld_row_i   (ld_we[LD_ROW]),
    .ld_addr_i  (ld_addr_i),
    .ld_word_i  (ld_word[LW_1-1:0]),
    .ext_base_i (ext_base_x[AXI_ADDR_W-1:0]),
    .err_clr_i  (clr),
    .err_o      (mem_err_o),
    .m_axi_arvalid_o(m_axi_arvalid_o),
    .m_axi_arready_i(m_axi_arready_i),
    .m_axi_araddr_o (m_axi_araddr_o),
    .m_axi_arlen_o  (m_axi_arlen_o),
    .m_axi_arsize_o (m_axi_arsize_o),
    .m_axi_arburst_o(m_axi_arburst_o),
    .m_axi_arid_o   (m_axi_arid_o),
    .m_axi_arcache_o(m_axi_arcache_o),
    .m_axi_arprot_o (m_axi_arprot_o),
    .m_axi_rvalid_i (m_axi_rvalid_i),
    .m_axi_rready_o (m_axi_rready_o),
    .m_axi_rdata_i  (m_axi_rdata_i),
    .m_axi_rid_i    (m_axi_rid_i),
    .m_axi_rresp_i  (m_axi_rresp_i),
    .m_axi_rlast_i  (m_axi_rlast_i)
  );

  // ======================================================== phase A, X: input and parameters
  // the population's parameters and Poisson table (combinational reads:
  // small tables, distributed RAM or registers)
  wire [PARAM_W-1:0] x_par;
  wire [CDF_W-1:0]   x_cdf;
  wire [CW-1:0]      x_k;

  snn_mem #(
    .WIDTH    (PARAM_W),
    .DEPTH    (N_POPS_M),
    .RD_REG   (0),
    .INIT_FILE(PARAM_MEM_FILE)
  ) u_param_mem (
    .clk_i  (clk_i),
    .we_i   (ld_we[LD_PARAM]),
    .waddr_i(ld_addr_i[POP_W-1:0]),
    .wdata_i(ld_word[PARAM_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(x_pop),
    .rdata_o(x_par)
  );

  // one 32-bit entry (lane) per load: address pop * 256 + entry
  localparam [TABLE_LEN-1:0] CDF_LANE0 = 1;
  wire [7:0]           ld_cdf_k    = ld_addr_i[7:0];
  wire [TABLE_LEN-1:0] ld_cdf_lane = CDF_LANE0 << ld_cdf_k;

  snn_mem #(
    .WIDTH    (CDF_W),
    .DEPTH    (N_POPS_M),
    .LANE_W   (32),
    .RD_REG   (0),
    .INIT_FILE(CDF_MEM_FILE)
  ) u_cdf_mem (
    .clk_i  (clk_i),
    .we_i   (ld_we[LD_CDF]),
    .waddr_i(ld_addr_i[8 +: POP_W]),
    .wdata_i({TABLE_LEN{ld_word[31:0]}}),
    .wlane_i(ld_cdf_lane),
    .re_i   (1'b1),
    .raddr_i(x_pop),
    .rdata_o(x_cdf)
  );

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
  wire                       lif_in_ready;
  wire [TRACE_BITS-1:0]      o_x_pre;
  wire [TRACE_BITS-1:0]      o_y_post;
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
    .v_i        (x_st[0 +: V_BITS]),
    .i_ex_i     (x_st[V_BITS +: I_BITS]),
    .i_in_i     (x_st[V_BITS + I_BITS +: I_BITS]),
    .refr_i     (x_st[V_BITS + 2 * I_BITS +: REF_BITS]),
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
    .p_plus_i   (p_plus),
    .p_minus_i  (p_minus),
    .in_ex_i    (x_in_ex),
    .in_in_i    (x_in_in),
    .user_i     (x_n_q),
    .trunc_v_i  (trunc_v),
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

  // ======================================================== phase A, O: spike list
  // (the state write-back is u_state_mem's write port, above)
  assign o_append = o_valid & o_spike & ~o_drop & ~rst_i;

  // The spike list: written in phase A (ascending), read combinationally by
  // the pre pass's holding register and the post pass's fetch.
  wire [NRN_W-1:0] spk_rd;

  snn_mem #(
    .WIDTH (NRN_W),
    .DEPTH (N_NEURONS),
    .RD_REG(0)
  ) u_spk_mem (
    .clk_i  (clk_i),
    .we_i   (o_append),
    .waddr_i(spk_cnt[NRN_W-1:0]),
    .wdata_i(o_n),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(rd[NRN_W-1:0]),
    .rdata_o(spk_rd)
  );

  // ======================================================== phase B: spike replay (pre pass)
  // Each spike of the list, in turn, is held in a register and offered at
  // the same time to snn_syn_event (single core) and on the spike-out
  // stream; it leaves when both have taken it.
  reg              hv_q;        // a spike is held
  reg [NRN_W-1:0]  hn_q;
  reg              ev_done_q;   // taken by snn_syn_event
  reg              so_done_q;   // taken by the spike-out stream

  // a single core delivers its own spikes; a mesh core only sends them (the
  // network-on-chip brings them back, to every core with targets)
  wire ev_local = (MESH == 0);
  wire ev_fire = ev_local & hv_q & ~ev_done_q & syn_ev_ready;
  wire so_fire = hv_q & ~so_done_q & spk_ready_i;
  wire ev_ok   = ev_done_q | ev_fire | ~ev_local;
  wire so_ok   = so_done_q | so_fire;
  assign h_free = ~hv_q | (ev_ok & so_ok);

  // the event pipeline's input. A plastic mesh core takes events only after
  // its own phase A (the depression reads this step's y_post of the
  // target) and before the pre-pass barrier; the mesh holds them meanwhile
  // (ev_open, snn_core_ctrl). A static one takes them at any time (step t's
  // events never touch slot t).
  wire [ROW_W+NRN_W-1:0] hn_x = {{ROW_W{1'b0}}, hn_q};
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

  always @(posedge clk_i) begin
    if (h_load) begin
      hn_q <= spk_rd;
    end
  end

  // ======================================================== STDP (PLASTIC = 1)
  // the configuration clear zeroes trace row clr_row when it is a neuron
  // of this core (a mesh core's rows beyond are its presynaptic traces)
  localparam integer N_NEURONS_I = N_NEURONS;
  localparam [ROW_CW-1:0] N_ROWC = N_NEURONS_I[ROW_CW-1:0];
  wire clr_tr = clr_row_v & (clr_row < N_ROWC);

  // Traces, rules, incoming lists, the pre pass's depression, the post
  // pass, (mesh) the sources' presynaptic traces, snn_stdp and the weight
  // write-back (snn_core_stdp).
  generate
    if (PLASTIC == 1) begin : g_stdp
      snn_core_stdp #(
        .N_NEURONS       (N_NEURONS),
        .ROWS            (ROWS),
        .SYN_DEPTH       (SYN_DEPTH),
        .W_BITS          (W_BITS),
        .COEF_BITS       (COEF_BITS),
        .COEF_FRAC       (COEF_FRAC),
        .TRACE_BITS      (TRACE_BITS),
        .TRACE_FRAC      (TRACE_FRAC),
        .N_RULES         (N_RULES_M),
        .INC_DEPTH       (INC_DEPTH_M),
        .MESH            (MESH),
        .LD_W            (LD_W),
        .RULE_MEM_FILE   (RULE_MEM_FILE),
        .STDP_MEM_FILE   (STDP_MEM_FILE),
        .INC_ROW_MEM_FILE(INC_ROW_MEM_FILE),
        .INC_MEM_FILE    (INC_MEM_FILE)
      ) u_stdp (
        .clk_i       (clk_i),
        .rst_i       (rst_i),
        .in_a_i      (in_a),
        .in_post_i   (in_post),
        .in_pwait_i  (in_pwait),
        .in_shad_i   (in_shad),
        .h_more_i    (h_more),
        .spk_rd_i    (spk_rd),
        .p_fetch_o   (p_fetch),
        .r_n_i       (r_n),
        .x_tr_o      (x_tr),
        .o_wb_i      (o_wb),
        .o_n_i       (o_n),
        .o_x_pre_i   (o_x_pre),
        .o_y_post_i  (o_y_post),
        .p_plus_i    (p_plus),
        .tap_valid_i (tap_valid),
        .tap_addr_i  (tap_addr),
        .tap_w_i     (tap_w),
        .tap_tgt_i   (tap_tgt),
        .ax_valid_o  (ax_valid),
        .ax_addr_o   (ax_addr),
        .ax_w_i      (ax_w),
        .wp_valid_o  (wp_valid),
        .wp_addr_o   (wp_addr),
        .wp_w_o      (wp_w),
        .ev_take_i   (syn_ev_valid & syn_ev_ready & ~rst_i),
        .ev_row_i    (syn_ev_row),
        .wobs_valid_o(wobs_valid_o),
        .wobs_syn_o  (wobs_syn_o),
        .wobs_old_o  (wobs_old_o),
        .wobs_new_o  (wobs_new_o),
        .wvalid_o    (s_wvalid),
        .skip_i      (s_skip),
        .post_walk_o (post_walk),
        .post_busy_o (post_busy),
        .stdp_busy_o (stdp_busy),
        .shad_done_o (shad_done),
        .ld_trace_i  (ld_we[LD_TRACE]),
        .ld_rule_i   (ld_we[LD_RULE]),
        .ld_stdp_i   (ld_we[LD_STDP]),
        .ld_irow_i   (ld_we[LD_IROW]),
        .ld_inc_i    (ld_we[LD_INC]),
        .ld_addr_i   (ld_addr_i),
        .ld_word_i   (ld_word),
        .clr_tr_i    (clr_tr),
        .clr_sh_i    (clr_row_v),
        .clr_row_i   (clr_row[ROW_W-1:0])
      );
    end else begin : g_static
      assign x_tr         = {TR_W{1'b0}};
      assign p_fetch      = 1'b0;
      assign wp_valid     = 1'b0;
      assign wp_addr      = {SYN_AW{1'b0}};
      assign wp_w         = {W_BITS{1'b0}};
      assign ax_valid     = 1'b0;
      assign ax_addr      = {SYN_AW{1'b0}};
      assign stdp_busy    = 1'b0;
      assign s_wvalid     = 1'b0;
      assign shad_done    = 1'b0;
      assign post_walk    = 1'b0;
      assign post_busy    = 1'b0;
      assign wobs_valid_o = 1'b0;
      assign wobs_syn_o   = {SYN_AW{1'b0}};
      assign wobs_old_o   = {W_BITS{1'b0}};
      assign wobs_new_o   = {W_BITS{1'b0}};
      wire unused_static = &{1'b0, tap_valid, tap_addr, tap_w, tap_tgt, ax_w, o_x_pre, o_y_post,
                             p_plus, p_minus, in_post, in_pwait, in_shad, h_more, s_skip,
                             clr_tr, clr_row_v, clr_row};
    end
  endgenerate

  // ---------------------------------------------------------------- outputs
  assign busy_o       = !idle;
  assign step_o       = step;
  assign sent_o       = sent;
  assign syn_busy_o   = syn_busy;
  assign base_o       = base;
  assign ld_ready_o   = ld_open;
  assign obs_valid_o  = o_valid;
  assign obs_step_o   = step;
  assign obs_neuron_o = o_n;
  assign obs_v_o      = o_v;
  assign obs_i_ex_o   = o_i_ex;
  assign obs_i_in_o   = o_i_in;
  assign obs_refr_o   = o_refr;
  assign obs_spike_o  = o_spike;
  assign wobs_step_o  = step;
  assign spk_valid_o  = hv_q & ~so_done_q;
  assign spk_step_o   = step;
  assign spk_neuron_o = hn_q;

  // Outputs of the leaf modules this core does not need (the full draw, the
  // always-ready handshakes and the drain echo), the counters' top bit (the
  // spike list takes NRN_W address bits), and the padding bits of the
  // extensions above; collected so that lint sees them used (Verilator
  // ignores signals named *unused*).
  wire unused_ok = &{1'b0, r_draw, lif_in_ready, dr_ready, dr_valid, dr_neuron, hn_x,
                     spk_cnt, rd, clr_n,
                     ev_valid_i, ev_row_i, step_done_i,
                     a_n_x[CNT_W+31:32], x_bgp_x[IN_BITS+BGP_W-1:IN_BITS],
                     ld_addr_i, ld_word};
endmodule
`default_nettype wire
