`default_nettype none
// snn_core_stdp: the STDP machinery of a neuron core (snn_lif_core with
// PLASTIC = 1), bit-identical to spikefab_sim::engine's depression, trace
// and potentiation order (docs/numerics.md, "STDP: which pairs count"):
//
//   memories (snn_mem)  trace {y_post, x_pre} per neuron (zeros at
//                       configuration: power-up, or the configuration
//                       clear, clr_*_i), rule id per synapse (0 = static),
//                       the rule table {w_max, w_min, a_minus, a_plus}, and
//                       the incoming lists (per neuron {end, start}; per
//                       entry {src, syn}); all loaded through the core's
//                       load port (ld_*_i strobes, ld_addr_i, ld_word_i)
//   phase A             the core reads the traces of neuron r_n_i in R
//                       (x_tr_o in stage X) and writes back the updated
//                       ones in O (o_wb_i, o_n_i, o_x_pre_i, o_y_post_i)
//   pre pass (T1)       every synapse snn_syn_event delivers (tap_*_i): one
//                       cycle later its target's y_post and its rule id
//                       have been read; a plastic synapse is depressed
//   post pass           per spiking neuron (spike list: p_fetch_o reads
//                       spk_rd_i) FETCH, ROW (its incoming row), LOAD
//                       (pointers), then WALK one incoming entry per clock:
//                       E1 the entry {src, syn}, the synapse's weight read
//                       through snn_syn_event's auxiliary port (ax_*); E2
//                       the weight, the source's x_pre and the rule id; the
//                       synapse is potentiated
//   MESH = 1            the presynaptic traces of the sources: a mesh core
//                       holds rows of remote sources and keeps their x_pre
//                       itself; after the pre pass (in_shad_i) every row j
//                       is updated, x = sat_u(rnd(x P+) + s 2^TRACE_FRAC), s
//                       a flag set by each arriving event (ev_take_i), the
//                       source's own phase-A update (ROWS cycles)
//   snn_stdp            depression (T1) or potentiation (E2), never both in
//                       one cycle; its result is written back into the
//                       synapse memory (wp_*_o) and leaves as a weight
//                       record (wobs_*_o). skip_i (fault injection, FAULT 3)
//                       drops the one leaving now (wvalid_o).
//
// The core's phase flags (in_a_i, in_post_i, in_pwait_i, in_shad_i) select
// the shared reads: the trace memory is read for phase A, the tapped target
// (pre pass) or the entry's source (post pass); the rule memory for the
// tapped synapse or the entry's synapse. post_busy_o (a record in T1, E1,
// E2), stdp_busy_o (snn_stdp), post_walk_o (incoming lists still walked) and
// shad_done_o (the trace pass is complete) pace snn_core_ctrl.
//
// rst_i (synchronous, active high) clears the valid bits only.
module snn_core_stdp #(
  // Neurons of the core (trace and incoming-row memories); 1..2^24.
  parameter integer N_NEURONS = 64,
  // Source rows of the core (a mesh core's shadow traces); >= N_NEURONS.
  parameter integer ROWS = N_NEURONS,
  // Synapse memory entries (rule memory); >= 1.
  parameter integer SYN_DEPTH = 1024,
  // Weight width (numerics.w_bits); 2..16.
  parameter integer W_BITS = 16,
  // Propagator width (numerics.coef_bits; P+ of the shadow traces).
  parameter integer COEF_BITS = 20,
  // Propagator fractional bits (numerics.coef_frac).
  parameter integer COEF_FRAC = 18,
  // STDP trace width (numerics.trace_bits); 2..24.
  parameter integer TRACE_BITS = 16,
  // STDP trace fractional bits (numerics.trace_frac).
  parameter integer TRACE_FRAC = 12,
  // STDP rule table entries (rule ids 1..N_RULES); 1..255.
  parameter integer N_RULES = 1,
  // Incoming-list memory entries; >= 1.
  parameter integer INC_DEPTH = 1,
  // 1: one core of a mesh (shadow traces of the sources); 0: a single core.
  parameter integer MESH = 0,
  // Width of the load port's word (the core's staging register); >= 1.
  parameter integer LD_W = 64,
  // $readmemh image of the rule id of each synapse; "" = zeros (all static).
  parameter RULE_MEM_FILE = "",
  // $readmemh image of the rule table; "" = zeros.
  parameter STDP_MEM_FILE = "",
  // $readmemh image of the incoming rows; "" = zeros.
  parameter INC_ROW_MEM_FILE = "",
  // $readmemh image of the incoming lists; "" = zeros.
  parameter INC_MEM_FILE = ""
) (
  input  wire                       clk_i,
  input  wire                       rst_i,
  // the core's phase (snn_core_ctrl)
  input  wire                       in_a_i,
  input  wire                       in_post_i,
  input  wire                       in_pwait_i,
  input  wire                       in_shad_i,
  // the spike list: spikes left (h_more_i), the entry read now (spk_rd_i)
  input  wire                       h_more_i,
  input  wire [NRN_W-1:0]           spk_rd_i,
  output wire                       p_fetch_o,
  // phase A: traces of neuron r_n_i (stage X), and their write-back
  input  wire [NRN_W-1:0]           r_n_i,
  output wire [TR_W-1:0]            x_tr_o,
  input  wire                       o_wb_i,
  input  wire [NRN_W-1:0]           o_n_i,
  input  wire [TRACE_BITS-1:0]      o_x_pre_i,
  input  wire [TRACE_BITS-1:0]      o_y_post_i,
  // P+ (configuration register; the shadow traces)
  input  wire [COEF_BITS-1:0]       p_plus_i,
  // snn_syn_event: synapse taps, auxiliary weight read, weight write-back
  input  wire                       tap_valid_i,
  input  wire [SYN_AW-1:0]          tap_addr_i,
  input  wire signed [W_BITS-1:0]   tap_w_i,
  input  wire [NRN_W-1:0]           tap_tgt_i,
  output wire                       ax_valid_o,
  output wire [SYN_AW-1:0]          ax_addr_o,
  input  wire signed [W_BITS-1:0]   ax_w_i,
  output wire                       wp_valid_o,
  output wire [SYN_AW-1:0]          wp_addr_o,
  output wire signed [W_BITS-1:0]   wp_w_o,
  // (MESH) an event of row ev_row_i enters the event pipeline
  input  wire                       ev_take_i,
  input  wire [ROW_W-1:0]           ev_row_i,
  // weight-write records (valid-only)
  output wire                       wobs_valid_o,
  output wire [SYN_AW-1:0]          wobs_syn_o,
  output wire signed [W_BITS-1:0]   wobs_old_o,
  output wire signed [W_BITS-1:0]   wobs_new_o,
  // fault injection: a weight write leaves snn_stdp; skip it
  output wire                       wvalid_o,
  input  wire                       skip_i,
  // work in flight, for the step controller
  output wire                       post_walk_o,
  output wire                       post_busy_o,
  output wire                       stdp_busy_o,
  output wire                       shad_done_o,
  // load port (the core's decode): whole words
  input  wire                       ld_trace_i,
  input  wire                       ld_rule_i,
  input  wire                       ld_stdp_i,
  input  wire                       ld_irow_i,
  input  wire                       ld_inc_i,
  input  wire [31:0]                ld_addr_i,
  input  wire [LD_W-1:0]            ld_word_i,
  // configuration clear (snn_core_ctrl's sweep, while idle): zero the traces
  // of neuron clr_row_i (clr_tr_i) and (MESH) the presynaptic trace and
  // spike flag of source row clr_row_i (clr_sh_i)
  input  wire                       clr_tr_i,
  input  wire                       clr_sh_i,
  input  wire [ROW_W-1:0]           clr_row_i
);
  // The sizes as snn_mem gets them: the parameters whenever they are legal.
  // An illegal one (rejected below, by this module's checks) is replaced by
  // a legal value, so that snn_mem's check does not report it first, under
  // another name.
  localparam integer N_RULES_M   = (N_RULES < 1) ? 1 : N_RULES;
  localparam integer INC_DEPTH_M = (INC_DEPTH < 1) ? 1 : INC_DEPTH;
  // Neuron index width.
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Row index width (source neurons).
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Synapse address width.
  localparam integer SYN_AW = (SYN_DEPTH > 1) ? $clog2(SYN_DEPTH) : 1;
  // Rule id width (0 = static synapse).
  localparam integer RULE_W = $clog2(N_RULES_M + 1);
  // Rule table index width (rule id - 1).
  localparam integer RIX_W = (N_RULES > 1) ? $clog2(N_RULES) : 1;
  // Incoming-list address and pointer widths.
  localparam integer INC_AW = (INC_DEPTH > 1) ? $clog2(INC_DEPTH) : 1;
  localparam integer IPTR_W = $clog2(INC_DEPTH_M + 1);
  // Memory word widths: traces, rule table, incoming entry, incoming row.
  localparam integer TR_W = 2 * TRACE_BITS;
  localparam integer STDP_W = 4 * W_BITS;
  localparam integer INC_W = ROW_W + SYN_AW;
  localparam integer IROW_W = 2 * IPTR_W;

  // ---------------------------------------------------------------- checks
  // (widths are checked by snn_stdp; the core checks its own parameters
  // before they reach this module)
  generate
    if (N_RULES < 1 || N_RULES > 255) begin : g_err_n_rules
`ifdef VERILATOR
      $error("snn_core_stdp: N_RULES (%0d) must be in 1..255", N_RULES);
`else
      snn_core_stdp__N_RULES_must_be_in_1_to_255 param_error ();
`endif
    end
    if (INC_DEPTH < 1) begin : g_err_inc_depth
`ifdef VERILATOR
      $error("snn_core_stdp: INC_DEPTH (%0d) must be >= 1", INC_DEPTH);
`else
      snn_core_stdp__INC_DEPTH_must_be_at_least_1 param_error ();
`endif
    end
    if (MESH != 0 && MESH != 1) begin : g_err_mesh
`ifdef VERILATOR
      $error("snn_core_stdp: MESH (%0d) must be 0 or 1", MESH);
`else
      snn_core_stdp__MESH_must_be_0_or_1 param_error ();
`endif
    end
    if (ROWS < N_NEURONS) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_core_stdp: ROWS (%0d) must be >= N_NEURONS (%0d)", ROWS, N_NEURONS);
`else
      snn_core_stdp__ROWS_must_be_at_least_N_NEURONS param_error ();
`endif
    end
    if (LD_W < TR_W || LD_W < STDP_W || LD_W < INC_W || LD_W < IROW_W || LD_W < RULE_W) begin : g_err_ld_w
`ifdef VERILATOR
      $error("snn_core_stdp: LD_W (%0d) must hold every memory word", LD_W);
`else
      snn_core_stdp__LD_W_must_hold_every_memory_word param_error ();
`endif
    end
  endgenerate

  // ---- post pass walker: per spike FETCH (spike list read), ROW
  //      (incoming row read), LOAD (pointers), then WALK one incoming
  //      entry per clock
  localparam [1:0] PS_FETCH = 2'd0;
  localparam [1:0] PS_ROW   = 2'd1;
  localparam [1:0] PS_LOAD  = 2'd2;
  localparam [1:0] PS_WALK  = 2'd3;
  localparam [IPTR_W-1:0] IPTR_ONE = 1;
  reg [1:0]         ps_q;
  reg [NRN_W-1:0]   pn_q;        // spiking neuron whose incoming list is walked
  reg [IPTR_W-1:0]  pe_q;        // next incoming entry
  reg [IPTR_W-1:0]  pe_end_q;
  wire [IROW_W-1:0] irow_rd;     // its incoming row {end, start} (registered read)
  wire [IPTR_W-1:0] irow_start = irow_rd[0 +: IPTR_W];
  wire [IPTR_W-1:0] irow_end   = irow_rd[IPTR_W +: IPTR_W];
  wire e_issue = in_post_i && (ps_q == PS_WALK) && (pe_q != pe_end_q);
  wire p_fetch = in_post_i && (ps_q == PS_FETCH) && h_more_i;

  always @(posedge clk_i) begin
    if (rst_i || !in_post_i) begin
      ps_q <= PS_FETCH;
    end else begin
      case (ps_q)
        PS_FETCH: if (h_more_i) ps_q <= PS_ROW;
        PS_ROW:   ps_q <= PS_LOAD;
        PS_LOAD:  ps_q <= PS_WALK;
        default:  if (!e_issue || pe_q + IPTR_ONE == pe_end_q) ps_q <= PS_FETCH;
      endcase
    end
  end

  always @(posedge clk_i) begin
    if (p_fetch) begin
      pn_q <= spk_rd_i;
    end
    if (in_post_i && ps_q == PS_LOAD) begin
      pe_q     <= irow_start;
      pe_end_q <= irow_end;
    end else if (e_issue) begin
      pe_q <= pe_q + IPTR_ONE;
    end
  end

  snn_mem #(
    .WIDTH    (IROW_W),
    .DEPTH    (N_NEURONS),
    .INIT_FILE(INC_ROW_MEM_FILE)
  ) u_irow_mem (
    .clk_i  (clk_i),
    .we_i   (ld_irow_i),
    .waddr_i(ld_addr_i[NRN_W-1:0]),
    .wdata_i(ld_word_i[IROW_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(pn_q),
    .rdata_o(irow_rd)
  );

  // ---- E1: incoming entry {src, syn} (registered read)
  reg              e1_valid_q;
  wire [INC_W-1:0] e1;
  always @(posedge clk_i) begin
    if (rst_i) begin
      e1_valid_q <= 1'b0;
    end else begin
      e1_valid_q <= e_issue;
    end
  end

  snn_mem #(
    .WIDTH    (INC_W),
    .DEPTH    (INC_DEPTH_M),
    .INIT_FILE(INC_MEM_FILE)
  ) u_inc_mem (
    .clk_i  (clk_i),
    .we_i   (ld_inc_i),
    .waddr_i(ld_addr_i[INC_AW-1:0]),
    .wdata_i(ld_word_i[INC_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(pe_q[INC_AW-1:0]),
    .rdata_o(e1)
  );
  wire [SYN_AW-1:0] e1_syn = e1[0 +: SYN_AW];
  // the source: a local neuron (single core) or a global id (mesh)
  wire [ROW_W-1:0]  e1_src = e1[SYN_AW +: ROW_W];

  // ---- pre pass T1: the tapped synapse (delivered weight, target)
  reg              t1_valid_q;
  reg [SYN_AW-1:0] t1_addr_q;
  reg [W_BITS-1:0] t1_w_q;
  always @(posedge clk_i) begin
    if (rst_i) begin
      t1_valid_q <= 1'b0;
    end else begin
      t1_valid_q <= tap_valid_i;
    end
  end
  always @(posedge clk_i) begin
    t1_addr_q <= tap_addr_i;
    t1_w_q    <= tap_w_i;
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
  wire post_side = in_post_i || in_pwait_i;
  wire [NRN_W-1:0]  tr_raddr   = in_a_i ? r_n_i : (post_side ? e1_src[NRN_W-1:0] : tap_tgt_i);
  wire [SYN_AW-1:0] rule_raddr = post_side ? e1_syn : tap_addr_i;
  wire [TR_W-1:0]   tr_rd;
  wire [RULE_W-1:0] rule_rd;

  // traces {y_post, x_pre}: written back in O (like the state), loaded, or
  // zeroed by the configuration clear (never two of them in one cycle)
  snn_mem #(
    .WIDTH(TR_W),
    .DEPTH(N_NEURONS)
  ) u_trace_mem (
    .clk_i  (clk_i),
    .we_i   (o_wb_i | ld_trace_i | clr_tr_i),
    .waddr_i(o_wb_i ? o_n_i : (clr_tr_i ? clr_row_i[NRN_W-1:0] : ld_addr_i[NRN_W-1:0])),
    .wdata_i(o_wb_i ? {o_y_post_i, o_x_pre_i} : (clr_tr_i ? {TR_W{1'b0}} : ld_word_i[TR_W-1:0])),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(tr_raddr),
    .rdata_o(tr_rd)
  );
  assign x_tr_o = tr_rd;

  snn_mem #(
    .WIDTH    (RULE_W),
    .DEPTH    (SYN_DEPTH),
    .INIT_FILE(RULE_MEM_FILE)
  ) u_rule_mem (
    .clk_i  (clk_i),
    .we_i   (ld_rule_i),
    .waddr_i(ld_addr_i[SYN_AW-1:0]),
    .wdata_i(ld_word_i[RULE_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(rule_raddr),
    .rdata_o(rule_rd)
  );

  // ---- presynaptic traces of the sources (mesh): a core holds rows of
  //      remote sources, so it keeps their x_pre itself: every step,
  //      after the pre pass, x = sat_u(rnd(x P+) + s 2^TRACE_FRAC) for
  //      every row j (s: an event of j arrived this step), exactly the
  //      source's own phase-A update; the post pass reads them.
  wire [TRACE_BITS-1:0] x_pre_e2;
  generate
    if (MESH == 1) begin : g_shadow
      localparam integer TXW = TRACE_BITS + COEF_BITS;
      localparam integer   ROWS_I = ROWS;
      localparam [ROW_W:0] ROWS_C = ROWS_I[ROW_W:0];
      localparam [ROW_W:0] SH_ONE = 1;
      reg [ROW_W:0]        sh_q;      // next row of the pass
      reg                  sh_v_q;    // a row is in the update stage
      reg [ROW_W-1:0]      sh_a_q;
      wire [TRACE_BITS-1:0] xs_rd;    // x_pre of the row (registered read)
      wire                 sf_rd;     // an event of the row arrived this step
      wire sh_issue = in_shad_i && (sh_q != ROWS_C);
      wire [ROW_W-1:0] xs_raddr = in_shad_i ? sh_q[ROW_W-1:0] : e1_src;
      always @(posedge clk_i) begin
        sh_a_q <= sh_q[ROW_W-1:0];
      end
      always @(posedge clk_i) begin
        if (rst_i || !in_shad_i) begin
          sh_q   <= {(ROW_W + 1){1'b0}};
          sh_v_q <= 1'b0;
        end else begin
          sh_v_q <= sh_issue;
          if (sh_issue) sh_q <= sh_q + SH_ONE;
        end
      end
      // the update: exact product, one rounding (unsigned: >> floors), the
      // spike, saturation
      wire [TXW-1:0] sh_prod = {{COEF_BITS{1'b0}}, xs_rd} * {{TRACE_BITS{1'b0}}, p_plus_i};
      wire [TXW:0]   sh_rnd;
      if (COEF_FRAC == 0) begin : g_sh_none
        assign sh_rnd = {1'b0, sh_prod};
      end else begin : g_sh_half
        localparam [TXW:0] SH_HALF = {{TXW{1'b0}}, 1'b1} << (COEF_FRAC - 1);
        assign sh_rnd = ({1'b0, sh_prod} + SH_HALF) >> COEF_FRAC;
      end
      localparam [TXW+1:0] SH_INC = {{(TXW + 1){1'b0}}, 1'b1} << TRACE_FRAC;
      wire [TXW+1:0] sh_sum = {1'b0, sh_rnd} + (sf_rd ? SH_INC : {(TXW + 2){1'b0}});
      wire [TRACE_BITS-1:0] sh_new =
          (|sh_sum[TXW+1:TRACE_BITS]) ? {TRACE_BITS{1'b1}} : sh_sum[TRACE_BITS-1:0];
      wire sh_wr   = sh_v_q & ~rst_i;

      // (zeroed, with the spike flags, by the configuration clear)
      snn_mem #(
        .WIDTH(TRACE_BITS),
        .DEPTH(ROWS)
      ) u_xs_mem (
        .clk_i  (clk_i),
        .we_i   (sh_wr | clr_sh_i),
        .waddr_i(clr_sh_i ? clr_row_i : sh_a_q),
        .wdata_i(clr_sh_i ? {TRACE_BITS{1'b0}} : sh_new),
        .wlane_i(1'b1),
        .re_i   (1'b1),
        .raddr_i(xs_raddr),
        .rdata_o(xs_rd)
      );

      // spike flags: cleared by the pass, set by each arriving event
      snn_mem #(
        .WIDTH(1),
        .DEPTH(ROWS)
      ) u_sf_mem (
        .clk_i  (clk_i),
        .we_i   (sh_wr | ev_take_i | clr_sh_i),
        .waddr_i(clr_sh_i ? clr_row_i : (sh_wr ? sh_a_q : ev_row_i)),
        .wdata_i(~sh_wr & ~clr_sh_i),
        .wlane_i(1'b1),
        .re_i   (1'b1),
        .raddr_i(xs_raddr),
        .rdata_o(sf_rd)
      );

      assign shad_done_o = in_shad_i && (sh_q == ROWS_C) && !sh_v_q;
      assign x_pre_e2    = xs_rd;
    end else begin : g_no_shadow
      // (a single core's sources are its own neurons: their x_pre is in the
      // trace memory)
      wire unused_shad = &{1'b0, in_shad_i, p_plus_i, ev_take_i, ev_row_i, clr_sh_i};
      assign shad_done_o = 1'b0;
      assign x_pre_e2    = tr_rd[0 +: TRACE_BITS];
    end
  endgenerate

  assign ax_valid_o = e1_valid_q;
  assign ax_addr_o  = e1_syn;

  // ---- snn_stdp: depression (T1) or potentiation (E2); never both
  wire [RULE_W-1:0] rule_m1 = rule_rd - {{(RULE_W-1){1'b0}}, 1'b1};
  wire [STDP_W-1:0] rp;     // the rule {w_max, w_min, a_minus, a_plus} (combinational read)

  snn_mem #(
    .WIDTH    (STDP_W),
    .DEPTH    (N_RULES_M),
    .RD_REG   (0),
    .INIT_FILE(STDP_MEM_FILE)
  ) u_stdp_mem (
    .clk_i  (clk_i),
    .we_i   (ld_stdp_i),
    .waddr_i(ld_addr_i[RIX_W-1:0]),
    .wdata_i(ld_word_i[STDP_W-1:0]),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(rule_m1[RIX_W-1:0]),
    .rdata_o(rp)
  );

  wire              has_rule = (rule_rd != {RULE_W{1'b0}});
  wire              s_pot    = e2_valid_q;
  wire              s_valid  = (t1_valid_q | e2_valid_q) & has_rule;
  wire [W_BITS-1:0] s_amp    = s_pot ? rp[0 +: W_BITS] : rp[W_BITS +: W_BITS];
  wire              s_ready;
  wire signed [W_BITS-1:0] s_new;
  wire signed [W_BITS-1:0] s_old;
  wire              s_out_pot;
  wire [SYN_AW-1:0] s_syn;

  wire              wvalid;      // a weight write leaves snn_stdp

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
    .w_i         (s_pot ? ax_w_i : t1_w_q),
    .trace_i     (s_pot ? x_pre_e2 : tr_rd[TRACE_BITS +: TRACE_BITS]),
    .amp_i       (s_amp[W_BITS-2:0]),
    .w_min_i     (rp[2 * W_BITS +: W_BITS]),
    .w_max_i     (rp[3 * W_BITS +: W_BITS]),
    .user_i      (s_pot ? e2_syn_q : t1_addr_q),
    .out_valid_o (wvalid),
    .out_ready_i (1'b1),
    .w_new_o     (s_new),
    .w_old_o     (s_old),
    .potentiate_o(s_out_pot),
    .user_o      (s_syn),
    .busy_o      (stdp_busy_o)
  );

  // the weight write-back (snn_syn_event's weight port) and its record;
  // FAULT 3 (skip_i) drops the first one at or after step FAULT_STEP
  assign wp_valid_o     = wvalid & ~skip_i & ~rst_i;
  assign wp_addr_o      = s_syn;
  assign wp_w_o         = s_new;
  assign wobs_valid_o = wvalid & ~skip_i;
  assign wobs_syn_o   = s_syn;
  assign wobs_old_o   = s_old;
  assign wobs_new_o   = s_new;
  assign post_walk_o    = in_post_i && !(ps_q == PS_FETCH && !h_more_i);
  assign post_busy_o    = e1_valid_q | e2_valid_q | t1_valid_q;

  wire unused_stdp = &{1'b0, s_ready, s_out_pot, s_amp[W_BITS-1], rule_m1};

  assign p_fetch_o = p_fetch;
  assign wvalid_o  = wvalid;

  // The load port's address bits above the memories' and word bits above
  // the widest word; their use is the core's.
  wire unused_ld = &{1'b0, ld_addr_i, ld_word_i};
endmodule
`default_nettype wire
