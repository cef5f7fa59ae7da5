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
// ev_open_o: a mesh core takes synaptic events from the network-on-chip.
// A static one at any time (step t's events never touch slot t); a plastic
// one only after its own phase A (a depression reads this step's y_post of
// the target) and before the pre-pass barrier.
//
// rst_i (synchronous, active high) clears all of it (step 0, slot 0, IDLE).
module snn_core_ctrl #(
  // Neuron capacity of the core (counters 0..N_NEURONS); 1..2^24.
  parameter integer N_NEURONS = 64,
  // Delay-ring slots (the slot counter wraps at SLOTS); 2..256.
  parameter integer SLOTS = 64,
  // 1: STDP core (post pass); 0: static core.
  parameter integer PLASTIC = 0,
  // 1: one core of a mesh (barriers); 0: a single core.
  parameter integer MESH = 0
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
  output wire              ev_open_o
);
  // Counter width (0..N_NEURONS).
  localparam integer CNT_W = $clog2(N_NEURONS + 1);
  // Slot index width.
  localparam integer SLOT_W = $clog2(SLOTS);

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

  reg [2:0]        st_q;
  reg [31:0]       step_q;
  reg [SLOT_W-1:0] slot_q;
  reg              done_q;
  reg [CNT_W-1:0]  a_cnt_q;     // phase A: neurons issued
  reg [CNT_W-1:0]  a_out_q;     // phase A: records out
  reg [CNT_W-1:0]  spk_cnt_q;   // spikes of this step in the spike list
  reg [CNT_W-1:0]  rd_q;        // spikes taken from the list (pre, then post pass)
  reg              pdone_q;     // MESH, PLASTIC: ST_SENT is the post-pass barrier

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

  // ---------------------------------------------------------------- outputs
  assign idle_o     = (st_q == ST_IDLE);
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
