`default_nettype none
// snn_mesh_top: MROWS x MCOLS neuron cores (snn_lif_core with MESH = 1) on a
// spike-routing network-on-chip (snn_noc_mesh), with one network interface
// per core and the timestep barrier. Static networks (PLASTIC = 0) and STDP
// networks (PLASTIC = 1), bit-identical to
// spikefab_sim::engine::Engine::step_observed for any mesh size.
//
// STDP (PLASTIC = 1): a plastic core takes events only after its own
// phase A and depresses on delivery; a first barrier ends the delivery, then
// every core updates the presynaptic traces of all its rows (ROWS cycles)
// and runs its post pass locally; a second barrier ends the step.
//
// Mapping (written by spikefab-gen's mesh mapping): core k = r * MCOLS + c
// holds a contiguous range of neurons, local index i = global - base (its
// configuration register 5). Its row memory holds, for every GLOBAL source j,
// the synapses j -> local targets; its route memory (in its network
// interface) holds, for every local neuron, the mask of cores that hold
// targets of it (bit r * MCOLS + c).
//
// One step:
//   start_i starts every core at once. Each core runs phase A on its own
//   neurons (the counter-based draw keyed by the global id base + i), then
//   offers its spikes, ascending, on its spike-out stream. The network
//   interface takes a spike, looks up its route mask and injects ONE packet
//   {mask, global id} into the mesh (a spike without targets is not
//   injected); the mesh replicates it by XY tree multicast, so each core of
//   the mask receives it exactly once, on its ejection port, which feeds the
//   core's synaptic event pipeline (row = global id, slot = t mod SLOTS).
//   Events of step t only write slots t+1 .. t+SLOTS-1, so a core may
//   receive them while it is still in phase A (draining slot t).
//   Barrier: the step ends when every core has sent all its spikes
//   (sent_o), no network interface holds a spike, the mesh is empty
//   (busy_o low) and no core's event pipeline has work in flight; then
//   step_done is pulsed to every core (one cycle after the condition is
//   seen), which completes the step everywhere at the same edge. Cost: one
//   cycle of detection plus one of release after the last delivery.
//
// Load port: as snn_lif_core's, with ld_core_i selecting the core; memory 11
// is the selected core's route memory (words of N_CORES bits, sent in
// ceil(N_CORES/32) beats, most significant chunk first, like every wide word).
// ld_ready_o is high when every core's port is open. The first beat offered
// after a step has run reaches every core and starts the configuration clear
// in all of them at once (snn_lif_core; every core returns to step 0 and
// empty accumulators and traces); it is taken when the clear is over.
//
// Observation (valid-only, per core, flattened: core k in slice k): the
// core's neuron records (local neuron index) and weight writes, each with
// the step it belongs to, its spike-out handshakes with the network
// interface (global id and the step the core sent it in), which are the
// step's spikes, and the phase each core is in (core_phase_o, phase_o's
// values; for reports of a stuck or stopped mesh).
//
// rst_i (synchronous, active high) clears control state only.
module snn_mesh_top #(
  // Mesh rows; 1..16.
  parameter integer MROWS = 2,
  // Mesh columns; 1..16.
  parameter integer MCOLS = 2,
  // Depth of the routers' input FIFOs; >= 2.
  parameter integer FIFO_DEPTH = 4,
  // Neurons per core (capacity).
  parameter integer N_NEURONS = 64,
  // Source neurons of the network the cores can hold rows for (row memory depth); >= N_NEURONS.
  parameter integer ROWS = 256,
  // Populations (parameter table entries per core).
  parameter integer N_POPS = 2,
  // Delay-ring slots of every core: max_delay_steps + 1, or with delay groups
  // the ring's span S + 1 (the network interfaces replay the longer delays).
  parameter integer SLOTS = 64,
  // Delay groups G (1..64; 1: none): a delay d lies in group (d - 1) / (SLOTS - 1);
  // the cores hold G * ROWS rows, and each network interface replays its core's
  // spikes to the rows of group g, g * (SLOTS - 1) steps later (snn_noc_ni; static only).
  parameter integer DELAY_GROUPS = 1,
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
  // Synapse memory entries per core.
  parameter integer SYN_DEPTH = 1024,
  // 1: STDP cores (depression on delivery, presynaptic traces of every row, post pass; two
  // barriers per step); 0: static cores.
  parameter integer PLASTIC = 0,
  // STDP trace width (numerics.trace_bits).
  parameter integer TRACE_BITS = 16,
  // STDP trace fractional bits (numerics.trace_frac).
  parameter integer TRACE_FRAC = 12,
  // STDP rule table entries per core.
  parameter integer N_RULES = 1,
  // Incoming-list entries per core (plastic synapses onto its neurons).
  parameter integer INC_DEPTH = 1,
  // 1: every core reads its synapse rows from external memory through its own AXI4
  // master (core k: lane k of the m_axi_* vectors; static only); 2: its row index
  // too; 0: on chip.
  parameter integer SYN_EXT = 0,
  // AXI data width in bits per core (SYN_EXT != 0).
  parameter integer AXI_DATA_W = 256,
  // AXI byte-address width (SYN_EXT != 0).
  parameter integer AXI_ADDR_W = 34,
  // AXI read ID width (SYN_EXT != 0).
  parameter integer AXI_ID_W = 4,
  // Most beats per burst (SYN_EXT != 0).
  parameter integer AXI_BURST = 16,
  // Bursts in flight per core (SYN_EXT != 0).
  parameter integer AXI_OUTSTANDING = 16
) (
  input  wire                          clk_i,
  input  wire                          rst_i,
  input  wire                          start_i,
  output wire                          busy_o,
  output wire                          done_o,
  output wire [31:0]                   step_o,
  // load port (while idle)
  input  wire                          ld_valid_i,
  output wire                          ld_ready_o,
  input  wire                          ld_last_i,
  input  wire [CORE_W-1:0]             ld_core_i,
  input  wire [3:0]                    ld_mem_i,
  input  wire [31:0]                   ld_addr_i,
  input  wire [31:0]                   ld_data_i,
  // observation, per core (valid-only)
  output wire [N_CORES-1:0]            obs_valid_o,
  output wire [N_CORES*32-1:0]         obs_step_o,
  output wire [N_CORES*NRN_W-1:0]      obs_neuron_o,
  output wire [N_CORES*V_BITS-1:0]     obs_v_o,
  output wire [N_CORES*I_BITS-1:0]     obs_i_ex_o,
  output wire [N_CORES*I_BITS-1:0]     obs_i_in_o,
  output wire [N_CORES*REF_BITS-1:0]   obs_refr_o,
  output wire [N_CORES-1:0]            obs_spike_o,
  // weight writes, per core (valid-only; synapse = the core's local synapse address)
  output wire [N_CORES-1:0]            wobs_valid_o,
  output wire [N_CORES*32-1:0]         wobs_step_o,
  output wire [N_CORES*SYN_AW-1:0]     wobs_syn_o,
  output wire [N_CORES*W_BITS-1:0]     wobs_old_o,
  output wire [N_CORES*W_BITS-1:0]     wobs_new_o,
  // spikes leaving each core (valid-only: the core-to-interface handshake)
  output wire [N_CORES-1:0]            spk_valid_o,
  output wire [N_CORES*ROW_W-1:0]      spk_gid_o,
  // the step each core sends its spikes in, and each core's phase (observation)
  output wire [N_CORES*32-1:0]         spk_step_o,
  output wire [N_CORES*3-1:0]          core_phase_o,
  // 0 idle, else the phase of core 0 (6: waiting at the barrier)
  output wire [2:0]                    phase_o,
  // per core (lane k): the AXI4 read master to its synapse rows and its memory-error
  // flag (snn_lif_core's; SYN_EXT = 0: never requests, tie the inputs low)
  output wire [N_CORES-1:0]            m_axi_arvalid_o,
  input  wire [N_CORES-1:0]            m_axi_arready_i,
  output wire [N_CORES*AXI_ADDR_W-1:0] m_axi_araddr_o,
  output wire [N_CORES*8-1:0]          m_axi_arlen_o,
  output wire [N_CORES*3-1:0]          m_axi_arsize_o,
  output wire [N_CORES*2-1:0]          m_axi_arburst_o,
  output wire [N_CORES*AXI_ID_W-1:0]   m_axi_arid_o,
  output wire [N_CORES*4-1:0]          m_axi_arcache_o,
  output wire [N_CORES*3-1:0]          m_axi_arprot_o,
  input  wire [N_CORES-1:0]            m_axi_rvalid_i,
  output wire [N_CORES-1:0]            m_axi_rready_o,
  input  wire [N_CORES*AXI_DATA_W-1:0] m_axi_rdata_i,
  input  wire [N_CORES*AXI_ID_W-1:0]   m_axi_rid_i,
  input  wire [N_CORES*2-1:0]          m_axi_rresp_i,
  input  wire [N_CORES-1:0]            m_axi_rlast_i,
  output wire [N_CORES-1:0]            mem_err_o
);
  // Cores.
  localparam integer N_CORES = MROWS * MCOLS;
  // Core index width.
  localparam integer CORE_W = (N_CORES > 1) ? $clog2(N_CORES) : 1;
  // Synapse address width of a core.
  localparam integer SYN_AW = (SYN_DEPTH > 1) ? $clog2(SYN_DEPTH) : 1;
  // Local neuron index width.
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Global source id width.
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Rows of every core (each group's rows of every source).
  localparam integer CORE_ROWS = ROWS * DELAY_GROUPS;
  // Packet payload width: a row of the cores.
  localparam integer PKT_W = (CORE_ROWS > 1) ? $clog2(CORE_ROWS) : 1;
  // Route word staging width (at least 64, like the core's).
  localparam integer RT_W = (N_CORES > 32) ? N_CORES + 32 : 64;
  // History word width of the network interfaces (delay groups).
  localparam integer HIST_W = 32;
  // Load-port id of the route memory.
  localparam [3:0] LD_ROUTE = 4'd11;

  // ---------------------------------------------------------------- checks
  generate
    if (ROWS < N_NEURONS) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_mesh_top: ROWS (%0d) must be >= N_NEURONS (%0d)", ROWS, N_NEURONS);
`else
      snn_mesh_top__ROWS_must_be_at_least_N_NEURONS param_error ();
`endif
    end
    if (DELAY_GROUPS > 1 && PLASTIC != 0) begin : g_err_groups_plastic
`ifdef VERILATOR
      $error("snn_mesh_top: DELAY_GROUPS (%0d) > 1 needs static cores (PLASTIC = 0)", DELAY_GROUPS);
`else
      snn_mesh_top__DELAY_GROUPS_needs_PLASTIC_0 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- mesh
  wire [N_CORES-1:0]         inj_valid;
  wire [N_CORES-1:0]         inj_ready;
  wire [N_CORES*N_CORES-1:0] inj_mask;
  wire [N_CORES*PKT_W-1:0]   inj_data;
  wire [N_CORES-1:0]         ej_valid;
  wire [N_CORES-1:0]         ej_ready;
  wire [N_CORES*PKT_W-1:0]   ej_data;
  wire                       mesh_busy;
  wire [5*N_CORES-1:0]       mesh_pending;

  snn_noc_mesh #(
    .ROWS      (MROWS),
    .COLS      (MCOLS),
    .DATA_W    (PKT_W),
    .FIFO_DEPTH(FIFO_DEPTH)
  ) u_mesh (
    .clk_i      (clk_i),
    .rst_i      (rst_i),
    .inj_valid_i(inj_valid),
    .inj_ready_o(inj_ready),
    .inj_mask_i (inj_mask),
    .inj_data_i (inj_data),
    .ej_valid_o (ej_valid),
    .ej_ready_i (ej_ready),
    .ej_data_o  (ej_data),
    .busy_o     (mesh_busy),
    .pending_o  (mesh_pending)
  );

  // ---------------------------------------------------------------- barrier
  wire [N_CORES-1:0] sent;
  wire [N_CORES-1:0] syn_busy;
  wire [N_CORES-1:0] ni_busy;
  wire [N_CORES-1:0] core_busy;
  wire [N_CORES-1:0] core_done;
  wire [N_CORES-1:0] core_ld_ready;
  wire [N_CORES*32-1:0] core_step;
  wire [N_CORES*3-1:0]  core_phase;
  reg                step_done_q;

  wire quiet = (&sent) & ~mesh_busy & ~(|ni_busy) & ~(|syn_busy);

  always @(posedge clk_i) begin
    if (rst_i) begin
      step_done_q <= 1'b0;
    end else begin
      step_done_q <= quiet & ~step_done_q;
    end
  end

  // ---------------------------------------------------------------- cores
  genvar k;
  generate
    for (k = 0; k < N_CORES; k = k + 1) begin : g_core
      wire             sel = (ld_core_i == k[CORE_W-1:0]);
      // a core takes the beats addressed to it; a beat offered to any core
      // also reaches every core whose port is closed, so that a
      // configuration after a run starts the clear in all of them at once
      // (a closed core takes nothing)
      wire             c_ld_valid = ld_valid_i &
                                    ((sel & (ld_mem_i != LD_ROUTE)) | ~core_ld_ready[k]);
      wire             c_spk_valid;
      wire             c_spk_ready;
      wire [NRN_W-1:0] c_spk_neuron;
      wire [31:0]      c_base;
      wire             c_ev_ready;

      snn_lif_core #(
        .N_NEURONS (N_NEURONS),
        .N_POPS    (N_POPS),
        .SLOTS     (SLOTS),
        .V_BITS    (V_BITS),
        .I_BITS    (I_BITS),
        .COEF_BITS (COEF_BITS),
        .COEF_FRAC (COEF_FRAC),
        .REF_BITS  (REF_BITS),
        .ACC_BITS  (ACC_BITS),
        .W_BITS    (W_BITS),
        .W_SHIFT   (W_SHIFT),
        .TABLE_LEN (TABLE_LEN),
        .SYN_DEPTH (SYN_DEPTH),
        .MESH      (1),
        .ROWS      (CORE_ROWS),
        .PLASTIC   (PLASTIC),
        .TRACE_BITS(TRACE_BITS),
        .TRACE_FRAC(TRACE_FRAC),
        .N_RULES   (N_RULES),
        .INC_DEPTH (INC_DEPTH),
        .SYN_EXT   (SYN_EXT),
        .AXI_DATA_W(AXI_DATA_W),
        .AXI_ADDR_W(AXI_ADDR_W),
        .AXI_ID_W  (AXI_ID_W),
        .AXI_BURST (AXI_BURST),
        .AXI_OUTSTANDING(AXI_OUTSTANDING)
      ) u_core (
        .clk_i       (clk_i),
        .rst_i       (rst_i),
        .start_i     (start_i),
        .busy_o      (core_busy[k]),
        .done_o      (core_done[k]),
        .step_o      (core_step[32*k +: 32]),
        .phase_o     (core_phase[3*k +: 3]),
        .ev_valid_i  (ej_valid[k]),
        .ev_ready_o  (c_ev_ready),
        .ev_row_i    (ej_data[PKT_W*k +: PKT_W]),
        .sent_o      (sent[k]),
        .syn_busy_o  (syn_busy[k]),
        .step_done_i (step_done_q),
        .base_o      (c_base),
        .ld_valid_i  (c_ld_valid),
        .ld_ready_o  (core_ld_ready[k]),
        .ld_last_i   (ld_last_i),
        .ld_mem_i    (ld_mem_i),
        .ld_addr_i   (ld_addr_i),
        .ld_data_i   (ld_data_i),
        .obs_valid_o (obs_valid_o[k]),
        .obs_step_o  (obs_step_o[32*k +: 32]),
        .obs_neuron_o(obs_neuron_o[NRN_W*k +: NRN_W]),
        .obs_v_o     (obs_v_o[V_BITS*k +: V_BITS]),
        .obs_i_ex_o  (obs_i_ex_o[I_BITS*k +: I_BITS]),
        .obs_i_in_o  (obs_i_in_o[I_BITS*k +: I_BITS]),
        .obs_refr_o  (obs_refr_o[REF_BITS*k +: REF_BITS]),
        .obs_spike_o (obs_spike_o[k]),
        .wobs_valid_o(wobs_valid_o[k]),
        .wobs_step_o (wobs_step_o[32*k +: 32]),
        .wobs_syn_o  (wobs_syn_o[SYN_AW*k +: SYN_AW]),
        .wobs_old_o  (wobs_old_o[W_BITS*k +: W_BITS]),
        .wobs_new_o  (wobs_new_o[W_BITS*k +: W_BITS]),
        .spk_valid_o (c_spk_valid),
        .spk_ready_i (c_spk_ready),
        .spk_step_o  (spk_step_o[32*k +: 32]),
        .spk_neuron_o(c_spk_neuron),
        .m_axi_arvalid_o(m_axi_arvalid_o[k]),
        .m_axi_arready_i(m_axi_arready_i[k]),
        .m_axi_araddr_o (m_axi_araddr_o[AXI_ADDR_W*k +: AXI_ADDR_W]),
        .m_axi_arlen_o  (m_axi_arlen_o[8*k +: 8]),
        .m_axi_arsize_o (m_axi_arsize_o[3*k +: 3]),
        .m_axi_arburst_o(m_axi_arburst_o[2*k +: 2]),
        .m_axi_arid_o   (m_axi_arid_o[AXI_ID_W*k +: AXI_ID_W]),
        .m_axi_arcache_o(m_axi_arcache_o[4*k +: 4]),
        .m_axi_arprot_o (m_axi_arprot_o[3*k +: 3]),
        .m_axi_rvalid_i (m_axi_rvalid_i[k]),
        .m_axi_rready_o (m_axi_rready_o[k]),
        .m_axi_rdata_i  (m_axi_rdata_i[AXI_DATA_W*k +: AXI_DATA_W]),
        .m_axi_rid_i    (m_axi_rid_i[AXI_ID_W*k +: AXI_ID_W]),
        .m_axi_rresp_i  (m_axi_rresp_i[2*k +: 2]),
        .m_axi_rlast_i  (m_axi_rlast_i[k]),
        .mem_err_o      (mem_err_o[k])
      );
      assign ej_ready[k] = c_ev_ready;

      // ---- network interface: route memory, one spike held
      reg  [RT_W-1:0] rt_stage_q;
      wire            rt_fire = ld_valid_i & sel & (ld_mem_i == LD_ROUTE) & ld_ready_o;
      wire [RT_W-1:0] rt_word = {rt_stage_q[RT_W-33:0], ld_data_i};
      always @(posedge clk_i) begin
        if (rt_fire) begin
          rt_stage_q <= ld_last_i ? {RT_W{1'b0}} : rt_word;
        end
      end

      snn_noc_ni #(
        .N_CORES     (N_CORES),
        .N_NEURONS   (N_NEURONS),
        .ROWS        (ROWS),
        .DELAY_GROUPS(DELAY_GROUPS),
        .GROUP_STEPS (SLOTS - 1),
        .HIST_W      (HIST_W)
      ) u_ni (
        .clk_i       (clk_i),
        .rst_i       (rst_i),
        .rt_we_i     (rt_fire & ld_last_i),
        .rt_addr_i   (ld_addr_i[NRN_W-1:0]),
        .rt_data_i   (rt_word[N_CORES-1:0]),
        .start_i     (start_i & ~core_busy[k]),
        .step_i      (core_step[32*k +: 32]),
        .base_i      (c_base),
        .sent_i      (sent[k]),
        .spk_valid_i (c_spk_valid),
        .spk_ready_o (c_spk_ready),
        .spk_neuron_i(c_spk_neuron),
        .inj_valid_o (inj_valid[k]),
        .inj_ready_i (inj_ready[k]),
        .inj_mask_o  (inj_mask[N_CORES*k +: N_CORES]),
        .inj_data_o  (inj_data[PKT_W*k +: PKT_W]),
        .take_o      (spk_valid_o[k]),
        .take_gid_o  (spk_gid_o[ROW_W*k +: ROW_W]),
        .busy_o      (ni_busy[k])
      );

      wire unused_core = &{1'b0, rt_stage_q[RT_W-1:RT_W-32], ld_addr_i};
    end
  endgenerate

  assign busy_o       = |core_busy;
  assign done_o       = core_done[0];
  assign step_o       = core_step[31:0];
  assign phase_o      = core_phase[2:0];
  assign core_phase_o = core_phase;
  assign ld_ready_o   = &core_ld_ready;

  wire unused_top = &{1'b0, core_done, core_step, mesh_pending};
endmodule
`default_nettype wire
