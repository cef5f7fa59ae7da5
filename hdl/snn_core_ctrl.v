`default_nettype none
// snn_core_ctrl: the step controller of a neuron core (snn_lif_core): the
// phase sequence of one time step, the counters that pace it, the step and
// slot counters, done, and (MESH = 1) the handshakes with the mesh's
// barrier. The core's datapath reports events (a neuron taken into phase A,
// a record out, a spike listed, the holding register free, the pipelines
// busy, ...) and follows the phase flags and pointers this module gives.
//
// Phases (phase_o, the encoding of the core's phase_o port):
//   0 IDLE   waiting for start_i (the load port is open; idle_o)
//   1 A      phase A: issue neurons 0 .. n_active-1 (a_issue_o, a_cnt_o),
//            count the records out; each spike appended to the spike list
//            (o_append_i) advances spk_cnt_o. After the last record: B.
//   2 B      pre pass: replay the spike list (rd_o .. spk_cnt_o-1) through
//            the holding register (h_load_o whenever it is free, h_free_i,
//            and spikes remain, h_more_o). When the last has left: WAIT
//            (single core) or SENT (mesh).
//   3 WAIT   pre-pass drain: every delivery and depression written
//            (syn_busy_i, post_busy_i, stdp_busy_i low). Static: done.
//            Plastic: POST (single core) or SHAD (mesh), rd_o back to 0.
//   6 SENT   (MESH) waiting for the barrier (step_done_i); sent_o. Static,
//            or plastic after its post pass (pdone): done. Plastic before
//            it: WAIT (drain the depressions).
//   7 SHAD   (MESH, PLASTIC) the presynaptic traces of every row, until
//            shad_done_i; then POST, rd_o back to 0.
//   4 POST   (PLASTIC) post pass: the core's walker fetches spikes
//            (p_fetch_i advances rd_o) while post_walk_i; then PWAIT.
//   5 PWAIT  (PLASTIC) post-pass drain (post_busy_i, stdp_busy_i low):
//            done (single core), or SENT for the second barrier (mesh).
//   done: done_o pulses for one cycle, step_o and slot_o advance (the slot
//   modulo SLOTS), back to IDLE.
//
// Configuration clear: a configuration must start from what a fresh core
// holds (every delay-ring accumulator zero, step 0), whatever ran before.
// used_q records that a step has started since the last clear (it is not
// reset: power-up memories are zero, and a reset does not clear them). A
// load beat offered (clr_req_i) while IDLE and used_q starts the CLEAR
// sweep instead of being taken: for every (slot, neuron) of the delay ring
// the core drains the accumulators through snn_syn_event's read-and-clear
// port (clr_acc_o, clr_slot_o, clr_n_o; SLOTS x N_NEURONS cycles), and, in
// parallel, (PLASTIC) every trace row 0 .. CLR_ROWS-1 is cleared (clr_row_v_o,
// clr_row_o; CLR_ROWS = N_NEURONS, or ROWS on a mesh, whose cores keep the
// presynaptic traces of every source row). The sweep lasts the longer of the
// two; at its end step_o and the slot return to 0, used_q to 0, and the load
// port opens (ld_open_o: IDLE, no sweep, not used). start_i wins over a beat
// offered in the same cycle. The sweep is not a phase of phase_o (which
// reads 0, IDLE, during it); idle_o is low while it runs.
//
// ev_open_o: a mesh core takes synaptic events from the network-on-chip.
// A static one at any time (step t's events never touch slot t); a plastic
// one only after its own phase A (a depression reads this step's y_post of
// the target) and before the pre-pass barrier.
//
// rst_i (synchronous, active high) clears all of it (step 0, slot 0, IDLE,
// no sweep) but used_q.
module snn_core_ctrl #(
  // Neuron capacity of the core (counters 0..N_NEURONS); 1..2^24.
  parameter integer N_NEURONS = 64,
  // Delay-ring slots (the slot counter wraps at SLOTS); 2..256.
  parameter integer SLOTS = 64,
  // 1: STDP core (post pass); 0: static core.
  parameter integer PLASTIC = 0,
  // 1: one core of a mesh (barriers); 0: a single core.
  parameter integer MESH = 0,
  // Source rows of the core (a plastic mesh core clears the presynaptic traces of all of
  // them); >= N_NEURONS.
  parameter integer ROWS = N_NEURONS
) (
  input  wire              clk_i,
  input  wire              rst_i,
  // step control
  input  wire              start_i,
  output wire              idle_o,
  output wire              done_o,
  output wire [31:0]       step_o,
  output wire [SLOT_W-1:0] slot_o,
  output wire [2:0]        phase_o,
  // phase flags
  output wire              in_a_o,
  output wire              in_post_o,
  output wire              in_pwait_o,
  output wire              in_shad_o,
  output wire              sent_o,
  // phase A: issue neuron a_cnt_o (taken when a_ready_i), records out
  input  wire [CNT_W-1:0]  n_active_i,
  output wire              a_issue_o,
  output wire [CNT_W-1:0]  a_cnt_o,
  input  wire              a_ready_i,
  input  wire              o_valid_i,
  input  wire              o_append_i,
  // the spike list: entries 0 .. spk_cnt_o-1, read pointer rd_o
  output wire [CNT_W-1:0]  spk_cnt_o,
  output wire [CNT_W-1:0]  rd_o,
  // pre pass: the holding register
  input  wire              h_free_i,
  output wire              h_more_o,
  output wire              h_load_o,
  // work in flight
  input  wire              syn_busy_i,
  input  wire              post_busy_i,
  input  wire              stdp_busy_i,
  // post pass (PLASTIC)
  input  wire              p_fetch_i,
  input  wire              post_walk_i,
  input  wire              shad_done_i,
  // mesh (MESH)
  input  wire              step_done_i,
  output wire              ev_open_o,
  // configuration: a load beat is offered; the load port is open
  input  wire              clr_req_i,
  output wire              ld_open_o,
  // the configuration clear runs (clr_o); this cycle it drains accumulator
  // (clr_slot_o, clr_n_o) when clr_acc_o, and clears trace row clr_row_o
  // when clr_row_v_o
  output wire              clr_o,
  output wire              clr_acc_o,
  output wire [SLOT_W-1:0] clr_slot_o,
  output wire [CNT_W-1:0]  clr_n_o,
  output wire              clr_row_v_o,
  output wire [ROW_CW-1:0] clr_row_o
);
  // Counter width (0..N_NEURONS).
  localparam integer CNT_W = $clog2(N_NEURONS + 1);
  // Slot index width.
  localparam integer SLOT_W = $clog2(SLOTS);
  // Trace rows the configuration clear covers: none in a static core (one
  // unused row), the neurons of a single plastic core, every source row of a
  // plastic mesh core.
  localparam integer CLR_ROWS = (PLASTIC != 1) ? 1 : ((MESH == 1) ? ROWS : N_NEURONS);
  // Row counter width (0..ROWS).
  localparam integer ROW_CW = $clog2(ROWS + 1);

  // ---------------------------------------------------------------- checks
  // (N_NEURONS and SLOTS are checked by the core and its leaves)
  generate
    if (PLASTIC != 0 && PLASTIC != 1) begin : g_err_plastic
`ifdef VERILATOR
      $error("snn_core_ctrl: PLASTIC (%0d) must be 0 or 1", PLASTIC);
`else
      snn_core_ctrl__PLASTIC_must_be_0_or_1 param_error ();
`endif
    end
    if (MESH != 0 && MESH != 1) begin : g_err_mesh
`ifdef VERILATOR
      $error("snn_core_ctrl: MESH (%0d) must be 0 or 1", MESH);
`else
      snn_core_ctrl__MESH_must_be_0_or_1 param_error ();
`endif
    end
    if (ROWS < N_NEURONS) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_core_ctrl: ROWS (%0d) must be >= N_NEURONS (%0d)", ROWS, N_NEURONS);
`else
      snn_core_ctrl__ROWS_must_be_at_least_N_NEURONS param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- state
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
  localparam integer N_M1 = N_NEURONS - 1;
  localparam [CNT_W-1:0] N_LAST = N_M1[CNT_W-1:0];
  localparam integer CLR_ROWS_M1 = CLR_ROWS - 1;
  localparam [ROW_CW-1:0] ROW_LAST = CLR_ROWS_M1[ROW_CW-1:0];
  localparam [ROW_CW-1:0] ROW_ONE = 1;

  reg [2:0]        st_q;
  reg [31:0]       step_q;
  reg [SLOT_W-1:0] slot_q;
  reg              done_q;
  reg [CNT_W-1:0]  a_cnt_q;     // phase A: neurons issued
  reg [CNT_W-1:0]  a_out_q;     // phase A: records out
  reg [CNT_W-1:0]  spk_cnt_q;   // spikes of this step in the spike list
  reg [CNT_W-1:0]  rd_q;        // spikes taken from the list (pre, then post pass)
  reg              pdone_q;     // MESH, PLASTIC: ST_SENT is the post-pass barrier
  reg              used_q;      // a step has started since the last clear (not reset)
  reg              clr_q;       // the configuration clear runs
  reg              clr_acc_q;   // ... and drains accumulator (clr_s_q, clr_n_q)
  reg [SLOT_W-1:0] clr_s_q;
  reg [CNT_W-1:0]  clr_n_q;
  reg              clr_row_q;   // ... and clears trace row clr_r_q
  reg [ROW_CW-1:0] clr_r_q;

  initial begin
    used_q = 1'b0;
  end

  // the sweep's last accumulator and last row; it ends when neither
  // continues
  wire clr_acc_last = (clr_s_q == SLOT_LAST) && (clr_n_q == N_LAST);
  wire clr_row_last = (clr_r_q == ROW_LAST);
  wire clr_acc_more = clr_acc_q && !clr_acc_last;
  wire clr_row_more = clr_row_q && !clr_row_last;
  wire clr_end      = clr_q && !clr_acc_more && !clr_row_more;
  wire clr_start    = (st_q == ST_IDLE) && !clr_q && !start_i && clr_req_i && used_q;
  wire step_start   = (st_q == ST_IDLE) && !clr_q && start_i;

  wire a_issue = (st_q == ST_A) && (a_cnt_q != n_active_i);
  wire h_more  = (rd_q != spk_cnt_q);
  wire h_load  = (st_q == ST_B) & h_free_i & h_more;

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
      pdone_q   <= 1'b0;
      clr_q     <= 1'b0;
      clr_acc_q <= 1'b0;
      clr_row_q <= 1'b0;
    end else begin
      done_q <= 1'b0;
      case (st_q)
        ST_IDLE: begin
          if (clr_q) begin
            // the configuration clear: the accumulators slot by slot, each
            // slot neuron by neuron; the trace rows alongside
            if (clr_acc_more) begin
              clr_n_q <= (clr_n_q == N_LAST) ? {CNT_W{1'b0}} : clr_n_q + CNT_ONE;
              if (clr_n_q == N_LAST) begin
                clr_s_q <= clr_s_q + SLOT_ONE;
              end
            end else begin
              clr_acc_q <= 1'b0;
            end
            if (clr_row_more) begin
              clr_r_q <= clr_r_q + ROW_ONE;
            end else begin
              clr_row_q <= 1'b0;
            end
            if (clr_end) begin
              clr_q  <= 1'b0;
              step_q <= 32'd0;
              slot_q <= {SLOT_W{1'b0}};
            end
          end else if (step_start) begin
            st_q      <= ST_A;
            a_cnt_q   <= {CNT_W{1'b0}};
            a_out_q   <= {CNT_W{1'b0}};
            spk_cnt_q <= {CNT_W{1'b0}};
            rd_q      <= {CNT_W{1'b0}};
          end else if (clr_start) begin
            clr_q     <= 1'b1;
            clr_acc_q <= 1'b1;
            clr_s_q   <= {SLOT_W{1'b0}};
            clr_n_q   <= {CNT_W{1'b0}};
            clr_row_q <= 1'b1;
            clr_r_q   <= {ROW_CW{1'b0}};
          end
        end
        ST_A: begin
          if (a_issue && a_ready_i) begin
            a_cnt_q <= a_cnt_q + CNT_ONE;
          end
          if (o_valid_i) begin
            a_out_q <= a_out_q + CNT_ONE;
            if (o_append_i) begin
              spk_cnt_q <= spk_cnt_q + CNT_ONE;
            end
            if (a_out_q == n_active_i - CNT_ONE) begin
              st_q <= ST_B;
            end
          end
        end
        ST_B: begin
          if (h_load) begin
            rd_q <= rd_q + CNT_ONE;
          end
          if (h_free_i && !h_more) begin
            st_q <= (MESH == 1) ? ST_SENT : ST_WAIT;
          end
        end
        ST_WAIT: begin  // every delivery (and depression) of this step written
          if (!syn_busy_i && !post_busy_i && !stdp_busy_i) begin
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
          if (shad_done_i) begin
            st_q <= ST_POST;
            rd_q <= {CNT_W{1'b0}};
          end
        end
        ST_POST: begin
          if (p_fetch_i) begin
            rd_q <= rd_q + CNT_ONE;
          end
          if (!post_walk_i) begin
            st_q <= ST_PWAIT;
          end
        end
        default: begin  // ST_PWAIT: every potentiation written
          if (!post_busy_i && !stdp_busy_i) begin
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
    end
  end

  // used_q: set by a step's start, cleared at the end of the clear; not
  // reset (a reset does not clear the memories either)
  always @(posedge clk_i) begin
    if (!rst_i) begin
      if (step_start) begin
        used_q <= 1'b1;
      end else if (clr_end) begin
        used_q <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  assign idle_o     = (st_q == ST_IDLE) && !clr_q;
  assign ld_open_o  = (st_q == ST_IDLE) && !clr_q && !used_q;
  assign clr_o      = clr_q;
  assign clr_acc_o  = clr_q && clr_acc_q;
  assign clr_slot_o = clr_s_q;
  assign clr_n_o    = clr_n_q;
  assign clr_row_v_o = clr_q && clr_row_q;
  assign clr_row_o  = clr_r_q;
  assign done_o     = done_q;
  assign step_o     = step_q;
  assign slot_o     = slot_q;
  assign phase_o    = st_q;
  assign in_a_o     = (st_q == ST_A);
  assign in_post_o  = (st_q == ST_POST);
  assign in_pwait_o = (st_q == ST_PWAIT);
  assign in_shad_o  = (st_q == ST_SHAD);
  assign sent_o     = (st_q == ST_SENT);
  assign a_issue_o  = a_issue;
  assign a_cnt_o    = a_cnt_q;
  assign spk_cnt_o  = spk_cnt_q;
  assign rd_o       = rd_q;
  assign h_more_o   = h_more;
  assign h_load_o   = h_load;
  assign ev_open_o  = (PLASTIC == 0) || (st_q == ST_B) || (st_q == ST_SENT && !pdone_q);
endmodule
`default_nettype wire
