`default_nettype none
// snn_noc_ni: the network interface of one core of snn_mesh_top, between
// the core's spike-out stream and the network-on-chip's injection port.
//
// Route memory: for every local neuron, the mask of the cores that hold
// targets of it (bit r * MCOLS + c; written through rt_we_i at
// configuration, zeros before). A spike the core offers (spk_*, ascending
// local neuron order within a step) is taken when the output register is
// free; its packet {mask, row} is injected into the mesh (a spike whose
// mask is zero is taken but not injected). take_o/take_gid_o report every
// taken spike (global id base_i + neuron): these are the step's spikes.
//
// Delay groups (DELAY_GROUPS = G > 1; static networks only): the cores'
// delay rings cover delays 1 .. S (S = GROUP_STEPS, the ring's SLOTS - 1);
// a synapse of delay d lies in group g = (d - 1) / S, in the target core's
// row g * ROWS + j of its source j, with the delay d - g * S (1 .. S). A
// spike of step t reaches group 0's rows in step t (the packet's row is the
// global id j) and group g's rows in step t + g * S, when this interface
// replays it: the packet's row is g * ROWS + j, the same route mask. So a
// delivery in step t + g * S writes slot t + g * S + (d - g * S) = t + d,
// exactly where the undivided ring would have written it, and the sums (in
// wide accumulators, order-independent) are the reference's.
//   History: HIST = (G - 1) * S + 1 step slots of NW = ceil(N_NEURONS /
//   HIST_W) words of HIST_W bits (bit n % HIST_W of word n / HIST_W: local
//   neuron n spiked). Step t uses slot t mod HIST (slot 0 at step 0; the
//   slot advances by one each step). During step t every word of its slot
//   is written, in order, whether or not a neuron of it spiked: a spike of
//   a later word first writes the words before it (one per cycle, the
//   spike waits), and once the core has offered all its spikes (sent_i) the
//   remaining words are written. So no slot depends on what an earlier run
//   left, and a reconfiguration needs no clear here.
//   Replay: from start_i of step t, for g = 1 .. G - 1 while g * S <= t,
//   the words of slot (t - g * S) mod HIST are read (a read of two cycles,
//   then one cycle per set bit, lowest neuron first, or one cycle for an
//   empty word) and each set bit is offered to the output register as the packet
//   of row g * ROWS + base_i + n. A spike the core offers wins the output
//   register over a replay in the same cycle.
//   busy_o (the mesh barrier waits for it) is high while a packet is held,
//   a replay is running, or this step's words are not all written.
// G = 1: no history, no replay, busy_o = a packet is held.
//
// Cost per step (G > 1): the replay 3 cycles per word per replayed group
// plus one per replayed spike, overlapping the core's phase A; the history
// writes NW cycles, overlapping the core's spike-out (a spike waits only
// while words before its own are written).
//
// rst_i (synchronous, active high) clears the control state (not the
// memories).
module snn_noc_ni #(
  // Cores of the mesh (route mask width); 1..256.
  parameter integer N_CORES = 4,
  // Neurons of the core (local neuron index range); >= 1.
  parameter integer N_NEURONS = 64,
  // Global source rows of the network (a fresh spike's row is its global id
  // < ROWS); >= N_NEURONS.
  parameter integer ROWS = 256,
  // Delay groups G; 1..64 (1: no history).
  parameter integer DELAY_GROUPS = 1,
  // Steps per delay group S (the cores' SLOTS - 1); >= 1.
  parameter integer GROUP_STEPS = 63,
  // History word width; a power of two in 1..64.
  parameter integer HIST_W = 32
) (
  input  wire                 clk_i,
  input  wire                 rst_i,
  // route memory write (configuration)
  input  wire                 rt_we_i,
  input  wire [NRN_W-1:0]     rt_addr_i,
  input  wire [N_CORES-1:0]   rt_data_i,
  // the core: a step starts (its step counter step_i), its first global id,
  // all its spikes of the step offered
  input  wire                 start_i,
  input  wire [31:0]          step_i,
  input  wire [31:0]          base_i,
  input  wire                 sent_i,
  // the core's spike-out stream
  input  wire                 spk_valid_i,
  output wire                 spk_ready_o,
  input  wire [NRN_W-1:0]     spk_neuron_i,
  // injection into the mesh
  output wire                 inj_valid_o,
  input  wire                 inj_ready_i,
  output wire [N_CORES-1:0]   inj_mask_o,
  output wire [PKT_W-1:0]     inj_data_o,
  // observation: a spike taken from the core this cycle, its global id
  output wire                 take_o,
  output wire [ROW_W-1:0]     take_gid_o,
  output wire                 busy_o
);
  // Local neuron index width.
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Global id width.
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Packet rows (every group's) and their width.
  localparam integer PKT_ROWS = ROWS * DELAY_GROUPS;
  localparam integer PKT_W = (PKT_ROWS > 1) ? $clog2(PKT_ROWS) : 1;

  // ---------------------------------------------------------------- checks
  generate
    if (N_CORES < 1 || N_CORES > 256) begin : g_err_cores
`ifdef VERILATOR
      $error("snn_noc_ni: N_CORES (%0d) must be in 1..256", N_CORES);
`else
      snn_noc_ni__N_CORES_must_be_in_1_to_256 param_error ();
`endif
    end
    if (N_NEURONS < 1 || ROWS < N_NEURONS) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_noc_ni: ROWS (%0d) must be >= N_NEURONS (%0d) >= 1", ROWS, N_NEURONS);
`else
      snn_noc_ni__ROWS_must_be_at_least_N_NEURONS param_error ();
`endif
    end
    if (DELAY_GROUPS < 1 || DELAY_GROUPS > 64) begin : g_err_groups
`ifdef VERILATOR
      $error("snn_noc_ni: DELAY_GROUPS (%0d) must be in 1..64", DELAY_GROUPS);
`else
      snn_noc_ni__DELAY_GROUPS_must_be_in_1_to_64 param_error ();
`endif
    end
    if (GROUP_STEPS < 1) begin : g_err_group_steps
`ifdef VERILATOR
      $error("snn_noc_ni: GROUP_STEPS (%0d) must be >= 1", GROUP_STEPS);
`else
      snn_noc_ni__GROUP_STEPS_must_be_at_least_1 param_error ();
`endif
    end
    if (HIST_W < 1 || HIST_W > 64 || (HIST_W & (HIST_W - 1)) != 0) begin : g_err_hist_w
`ifdef VERILATOR
      $error("snn_noc_ni: HIST_W (%0d) must be a power of two in 1..64", HIST_W);
`else
      snn_noc_ni__HIST_W_must_be_a_power_of_two_in_1_to_64 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- route memory
  wire [NRN_W-1:0]   rt_raddr;
  wire [N_CORES-1:0] rt_mask;

  snn_mem #(
    .WIDTH (N_CORES),
    .DEPTH (N_NEURONS),
    .RD_REG(0)
  ) u_route_mem (
    .clk_i  (clk_i),
    .we_i   (rt_we_i & ~rst_i),
    .waddr_i(rt_addr_i),
    .wdata_i(rt_data_i),
    .wlane_i(1'b1),
    .re_i   (1'b1),
    .raddr_i(rt_raddr),
    .rdata_o(rt_mask)
  );

  // ---------------------------------------------------------------- output register
  reg               ni_v_q;
  reg [N_CORES-1:0] ni_mask_q;
  reg [PKT_W-1:0]   ni_data_q;
  wire              inj_fire = ni_v_q & inj_ready_i;
  wire              out_free = ~ni_v_q | inj_fire;

  wire [31:0] take_gid = base_i + {{(32 - NRN_W){1'b0}}, spk_neuron_i};

  generate
    if (DELAY_GROUPS <= 1) begin : g_plain
      wire take = spk_valid_i & out_free;
      assign rt_raddr    = spk_neuron_i;
      assign spk_ready_o = out_free;
      assign take_o      = take;
      assign busy_o      = ni_v_q;

      always @(posedge clk_i) begin
        if (rst_i) begin
          ni_v_q <= 1'b0;
        end else if (take) begin
          // a spike without targets anywhere is not injected
          ni_v_q <= (rt_mask != {N_CORES{1'b0}});
        end else if (inj_fire) begin
          ni_v_q <= 1'b0;
        end
      end
      always @(posedge clk_i) begin
        if (take) begin
          ni_mask_q <= rt_mask;
          ni_data_q <= take_gid[PKT_W-1:0];
        end
      end
      wire unused_plain = &{1'b0, start_i, step_i, sent_i};
    end else begin : g_groups
      // History geometry.
      localparam integer HB = (HIST_W > 1) ? $clog2(HIST_W) : 0;
      localparam integer NW = (N_NEURONS + HIST_W - 1) / HIST_W;
      localparam integer HIST = (DELAY_GROUPS - 1) * GROUP_STEPS + 1;
      localparam integer HDEPTH = HIST * NW;
      localparam integer HA_W = (HDEPTH > 1) ? $clog2(HDEPTH) : 1;
      localparam integer WI_W = $clog2(NW + 1);
      localparam integer G_W = $clog2(DELAY_GROUPS + 1);
      // Word offset of the slot GROUP_STEPS steps back, modulo HDEPTH.
      localparam integer BACK = (NW * GROUP_STEPS) % HDEPTH;
      localparam integer NW_M1 = NW - 1;
      localparam integer G_M1 = DELAY_GROUPS - 1;
      localparam [HA_W:0] HDEPTH_X = HDEPTH[HA_W:0];
      localparam [HA_W:0] NW_X = NW[HA_W:0];
      localparam [HA_W:0] BACK_X = BACK[HA_W:0];
      localparam [WI_W-1:0] NW_C = NW[WI_W-1:0];
      localparam [WI_W-1:0] NW_LAST = NW_M1[WI_W-1:0];
      localparam [G_W-1:0] G_LAST = G_M1[G_W-1:0];
      localparam [31:0] S_C = GROUP_STEPS;
      localparam [31:0] ROWS_C = ROWS;

      // ---- history writer (this step's slot)
      reg  [HA_W-1:0]   wbase_q;   // first word of this step's slot
      reg  [WI_W-1:0]   wp_q;      // next word to write
      reg  [HIST_W-1:0] wbits_q;   // its bits so far
      reg               started_q; // a step has started since reset
      wire [WI_W-1:0]   spk_word;
      wire [HIST_W-1:0] spk_bit;
      wire [NRN_W+HB+WI_W-1:0] n_x = {{(HB + WI_W){1'b0}}, spk_neuron_i};
      assign spk_word = n_x[HB +: WI_W];
      if (HB == 0) begin : g_w1
        assign spk_bit = 1'b1;
      end else begin : g_wn
        assign spk_bit = {{(HIST_W - 1){1'b0}}, 1'b1} << n_x[HB-1:0];
      end
      wire here   = spk_valid_i & (spk_word == wp_q);
      wire take   = here & out_free;
      // a spike of a later word, or the end of the step's spikes: write
      // word wp_q and move on
      wire w_next = (wp_q != NW_C) & ((spk_valid_i & (spk_word != wp_q)) | (sent_i & ~spk_valid_i));
      wire w_done = (wp_q == NW_C);

      // ---- replay scanner
      localparam [1:0] R_IDLE = 2'd0;
      localparam [1:0] R_READ = 2'd1;
      localparam [1:0] R_LOAD = 2'd2;
      localparam [1:0] R_BITS = 2'd3;
      reg  [1:0]        r_st_q;
      reg  [G_W-1:0]    rg_q;      // group being replayed
      reg  [31:0]       rgs_q;     // rg_q * S
      reg  [31:0]       roff_q;    // rg_q * ROWS
      reg  [HA_W-1:0]   rbase_q;   // first word of its slot
      reg  [WI_W-1:0]   rw_q;      // word being replayed
      reg  [HIST_W-1:0] rbits_q;   // its bits not yet offered
      wire [HIST_W-1:0] h_rdata;
      // lowest set bit of rbits_q
      reg  [HB:0]       rlow;
      integer i;
      always @(*) begin
        rlow = {(HB + 1){1'b0}};
        for (i = HIST_W - 1; i >= 0; i = i - 1) begin
          if (rbits_q[i]) rlow = i[HB:0];
        end
      end
      wire [31:0] r_neuron = ({{(32 - WI_W){1'b0}}, rw_q} << HB) | {{(31 - HB){1'b0}}, rlow};
      wire        r_cand   = (r_st_q == R_BITS) & (rbits_q != {HIST_W{1'b0}});
      wire        rtake    = r_cand & out_free & ~take;
      wire [31:0] r_row    = roff_q + base_i + r_neuron;
      wire        r_word_end = (r_st_q == R_BITS) &
                               ((rbits_q == {HIST_W{1'b0}}) |
                                (rtake & ((rbits_q & (rbits_q - 1'b1)) == {HIST_W{1'b0}})));

      // the slot base one group further back
      wire [HA_W:0] rb_x    = {1'b0, rbase_q};
      wire [HA_W:0] rb_back = (rb_x >= BACK_X) ? rb_x - BACK_X : rb_x + HDEPTH_X - BACK_X;
      // this step's slot base
      wire [HA_W:0] wb_x    = {1'b0, wbase_q} + NW_X;
      wire [HA_W:0] wb_next = (wb_x >= HDEPTH_X) ? wb_x - HDEPTH_X : wb_x;
      wire [HA_W-1:0] wb_start = (step_i == 32'd0 | ~started_q) ? {HA_W{1'b0}} : wb_next[HA_W-1:0];
      wire [HA_W:0] ws_x    = {1'b0, wb_start};
      wire [HA_W:0] rs_back = (ws_x >= BACK_X) ? ws_x - BACK_X : ws_x + HDEPTH_X - BACK_X;

      wire [HA_W+WI_W-1:0] wp_x = {{HA_W{1'b0}}, wp_q};
      wire [HA_W+WI_W-1:0] rw_x = {{HA_W{1'b0}}, rw_q};

      snn_mem #(
        .WIDTH (HIST_W),
        .DEPTH (HDEPTH),
        .RD_REG(1)
      ) u_hist_mem (
        .clk_i  (clk_i),
        .we_i   (w_next & ~rst_i),
        .waddr_i(wbase_q + wp_x[HA_W-1:0]),
        .wdata_i(wbits_q),
        .wlane_i(1'b1),
        .re_i   (r_st_q == R_READ),
        .raddr_i(rbase_q + rw_x[HA_W-1:0]),
        .rdata_o(h_rdata)
      );

      always @(posedge clk_i) begin
        if (rst_i) begin
          started_q <= 1'b0;
          wp_q      <= NW_C;
          wbase_q   <= {HA_W{1'b0}};
          wbits_q   <= {HIST_W{1'b0}};
        end else if (start_i) begin
          started_q <= 1'b1;
          wp_q      <= {WI_W{1'b0}};
          wbase_q   <= wb_start;
          wbits_q   <= {HIST_W{1'b0}};
        end else if (w_next) begin
          wp_q    <= wp_q + 1'b1;
          wbits_q <= {HIST_W{1'b0}};
        end else if (take) begin
          wbits_q <= wbits_q | spk_bit;
        end
      end

      always @(posedge clk_i) begin
        if (rst_i) begin
          r_st_q <= R_IDLE;
        end else if (start_i) begin
          // group 1 replays step t - S, if there is one
          r_st_q  <= (step_i >= S_C) ? R_READ : R_IDLE;
          rg_q    <= {{(G_W - 1){1'b0}}, 1'b1};
          rgs_q   <= S_C;
          roff_q  <= ROWS_C;
          rbase_q <= rs_back[HA_W-1:0];
          rw_q    <= {WI_W{1'b0}};
        end else begin
          case (r_st_q)
            R_READ: begin
              r_st_q <= R_LOAD;
            end
            R_LOAD: begin
              r_st_q <= R_BITS;
            end
            R_BITS: begin
              if (r_word_end) begin
                if (rw_q != NW_LAST) begin
                  rw_q   <= rw_q + 1'b1;
                  r_st_q <= R_READ;
                end else if (rg_q != G_LAST && step_i >= rgs_q + S_C) begin
                  rg_q    <= rg_q + 1'b1;
                  rgs_q   <= rgs_q + S_C;
                  roff_q  <= roff_q + ROWS_C;
                  rbase_q <= rb_back[HA_W-1:0];
                  rw_q    <= {WI_W{1'b0}};
                  r_st_q  <= R_READ;
                end else begin
                  r_st_q <= R_IDLE;
                end
              end
            end
            default: begin
              r_st_q <= R_IDLE;
            end
          endcase
        end
      end
      always @(posedge clk_i) begin
        if (r_st_q == R_LOAD) begin
          rbits_q <= h_rdata;
        end else if (rtake) begin
          rbits_q <= rbits_q & (rbits_q - 1'b1);
        end
      end

      always @(posedge clk_i) begin
        if (rst_i) begin
          ni_v_q <= 1'b0;
        end else if (take | rtake) begin
          // a spike without targets anywhere is not injected
          ni_v_q <= (rt_mask != {N_CORES{1'b0}});
        end else if (inj_fire) begin
          ni_v_q <= 1'b0;
        end
      end
      always @(posedge clk_i) begin
        if (take) begin
          ni_mask_q <= rt_mask;
          ni_data_q <= take_gid[PKT_W-1:0];
        end else if (rtake) begin
          ni_mask_q <= rt_mask;
          ni_data_q <= r_row[PKT_W-1:0];
        end
      end

      assign rt_raddr    = here ? spk_neuron_i : r_neuron[NRN_W-1:0];
      assign spk_ready_o = out_free & (spk_word == wp_q);
      assign take_o      = take;
      assign busy_o      = ni_v_q | (r_st_q != R_IDLE) | (started_q & ~w_done);
      wire unused_groups = &{1'b0, r_neuron, r_row, wp_x, rw_x, n_x, rb_back[HA_W], wb_next[HA_W], rs_back[HA_W]};
    end
  endgenerate

  assign inj_valid_o = ni_v_q;
  assign inj_mask_o  = ni_mask_q;
  assign inj_data_o  = ni_data_q;
  assign take_gid_o  = take_gid[ROW_W-1:0];

  wire unused_ni = &{1'b0, take_gid};
endmodule
`default_nettype wire
