`default_nettype none
// snn_spike_merge: the spike buffer between an accelerator's spike outputs
// and the host link (docs/runtime.md, SPK_* registers). Each lane (one per
// core) offers at most one spike record {step, neuron} per cycle, valid
// only: a core cannot wait. Every lane has its own FIFO of DEPTH records;
// the FIFOs are merged round-robin onto one valid/ready record stream.
//
//   lane FIFO   a memory of DEPTH words of 32 + GID_W bits {step, neuron}
//               (a reg array written at the tail, read through a registered
//               read port at the head: simple dual-port block RAM), with a
//               write and a read address and two counts: unread_q (words
//               written, not yet read) and hold_q (records of the lane
//               held by the module, see below).
//   arbiter     among the lanes with unread words, the first at or after
//               the round-robin pointer (then lanes 0, 1, ...) is read;
//               the pointer moves to the lane after it. A lane with words
//               waits at most LANES - 1 reads of other lanes.
//   S1          the read word (the lane's read register) and its lane
//   O           the output register: out_*_o, its lane; held while
//               out_valid_o & ~out_ready_i (valid/ready, AXI-stream style)
// A read is issued when S1 is empty or moves into O in the same cycle, and
// S1 moves when O is empty or its record leaves, so the stream carries one
// record per cycle while out_ready_i is high and records are waiting. A
// record arriving at an idle module leaves from O two edges after the one
// that stored it (first out_valid_o after edge k + 2). Records of one lane
// leave in arrival order; records of different lanes in arbiter order.
//
// Counts (all exact at every cycle: they follow the handshakes at each edge):
//   held by lane l = records of lane l stored and not yet left through an
//                    output handshake (in the FIFO, in S1 or in O).
//   free of lane l = DEPTH - held by lane l. This is conservative: a record
//                    read into S1 or O has left the memory but is still
//                    counted, so the memory always has a slot for a record
//                    that is stored.
//   full           = free is 0 before the edge. A record that arrives at a
//                    full lane is lost (a record leaving that lane at the
//                    same edge does not make room) and sets overflow_o.
//   room_o         = every lane's free >= ROOM (after each edge, from a
//                    per-lane flag registered with the count).
//   level_o        = sum over the lanes of held.
//   emitted_o      = records that arrived (in_valid_i bits, a lost one
//                    included, so that emitted - sent - level shows a loss)
//                    since reset or the last clr_i. clr_i zeroes the count
//                    before the edge's arrivals are added: the records that
//                    arrive with clr_i are counted. Wraps at 2^32.
//   overflow_o     = sticky (until rst_i, not clr_i): a record arrived at a
//                    full lane. Cannot happen while each lane receives at
//                    most ROOM records from a cycle in which room_o was
//                    high (its core starts a step only with room_o).
//
// rst_i (synchronous, active high) empties every FIFO and the output stage
// and zeroes the counts and flags; the memories are not cleared.
module snn_spike_merge #(
  // Lanes (cores); 1..256.
  parameter integer LANES = 1,
  // Width of a lane's neuron id; 1..32 (out_neuron_o zero-extends it).
  parameter integer GID_W = 11,
  // Records each lane's FIFO holds; >= 2.
  parameter integer DEPTH = 2048,
  // Free records every lane must have for room_o (its core's neuron
  // capacity: at most one spike per neuron and step); 1..DEPTH.
  parameter integer ROOM = 1250
) (
  input  wire                   clk_i,
  input  wire                   rst_i,
  // one record per lane and cycle at most, valid only
  input  wire [LANES-1:0]       in_valid_i,
  input  wire [LANES*32-1:0]    in_step_i,
  input  wire [LANES*GID_W-1:0] in_neuron_i,
  // the merged stream (valid/ready)
  output wire                   out_valid_o,
  output wire [31:0]            out_step_o,
  output wire [31:0]            out_neuron_o,
  input  wire                   out_ready_i,
  // every lane has >= ROOM free records
  output wire                   room_o,
  // records held, all lanes
  output wire [31:0]            level_o,
  // records that arrived since reset or clr_i
  output wire [31:0]            emitted_o,
  input  wire                   clr_i,
  // sticky until reset: a record arrived at a full lane (lost)
  output wire                   overflow_o
);
  // Sizes as the logic gets them (an illegal parameter is rejected below).
  localparam integer LANES_M = (LANES < 1) ? 1 : LANES;
  localparam integer GID_M   = (GID_W < 1) ? 1 : ((GID_W > 32) ? 32 : GID_W);
  localparam integer DEPTH_M = (DEPTH < 2) ? 2 : DEPTH;
  // Lane index, memory address and count widths.
  localparam integer LW = (LANES_M > 1) ? $clog2(LANES_M) : 1;
  localparam integer AW = $clog2(DEPTH_M);
  localparam integer CW = $clog2(DEPTH_M + 1);
  // Arrivals in one cycle: 0..LANES.
  localparam integer PW = $clog2(LANES_M + 1);
  // A record {step, neuron}.
  localparam integer REC_W = 32 + GID_M;

  // ---------------------------------------------------------------- checks
  generate
    if (LANES < 1 || LANES > 256) begin : g_err_lanes
`ifdef VERILATOR
      $error("snn_spike_merge: LANES (%0d) must be in 1..256", LANES);
`else
      snn_spike_merge__LANES_must_be_in_1_to_256 param_error ();
`endif
    end
    if (GID_W < 1 || GID_W > 32) begin : g_err_gid_w
`ifdef VERILATOR
      $error("snn_spike_merge: GID_W (%0d) must be in 1..32", GID_W);
`else
      snn_spike_merge__GID_W_must_be_in_1_to_32 param_error ();
`endif
    end
    if (DEPTH < 2) begin : g_err_depth
`ifdef VERILATOR
      $error("snn_spike_merge: DEPTH (%0d) must be >= 2", DEPTH);
`else
      snn_spike_merge__DEPTH_must_be_at_least_2 param_error ();
`endif
    end
    if (ROOM < 1 || ROOM > DEPTH) begin : g_err_room
`ifdef VERILATOR
      $error("snn_spike_merge: ROOM (%0d) must be in 1..DEPTH (%0d)", ROOM, DEPTH);
`else
      snn_spike_merge__ROOM_must_be_in_1_to_DEPTH param_error ();
`endif
    end
  endgenerate

  // Constants at their widths (from 32-bit values; the low bits are used).
  localparam [31:0] DEPTH_X = DEPTH_M;
  localparam [31:0] LAST_X  = DEPTH_M - 1;
  localparam [31:0] SLACK_X = (ROOM > DEPTH_M) ? 0 : DEPTH_M - ROOM;  // most held with room
  localparam [31:0] LLAST_X = LANES_M - 1;
  localparam [CW-1:0] CNT_FULL  = DEPTH_X[CW-1:0];
  localparam [CW-1:0] CNT_SLACK = SLACK_X[CW-1:0];
  localparam [CW-1:0] CNT_ZERO  = {CW{1'b0}};
  localparam [AW-1:0] ADDR_LAST = LAST_X[AW-1:0];
  localparam [AW-1:0] ADDR_ZERO = {AW{1'b0}};
  localparam [AW-1:0] ADDR_ONE  = 1;
  localparam [LW-1:0] LANE_LAST = LLAST_X[LW-1:0];
  localparam [LW-1:0] LANE_ZERO = {LW{1'b0}};
  localparam [LW-1:0] LANE_ONE  = 1;

  // ---------------------------------------------------------------- output side (declared for the lanes)
  reg              s1_valid_q;
  reg [LW-1:0]     s1_lane_q;
  reg              o_valid_q;
  reg [LW-1:0]     o_lane_q;
  reg [REC_W-1:0]  o_rec_q;

  wire             out_fire = o_valid_q & out_ready_i;
  wire             s1_move  = s1_valid_q & (~o_valid_q | out_ready_i);
  wire             any_avail;
  wire             issue    = any_avail & (~s1_valid_q | s1_move);
  reg  [LW-1:0]    pick;

  // ---------------------------------------------------------------- lanes
  wire [LANES_M-1:0] avail;          // unread words in the lane's memory
  wire [LANES_M-1:0] full;           // the lane holds DEPTH records
  wire [LANES_M-1:0] ok;             // the lane has >= ROOM free records
  wire [REC_W-1:0]   rd_word [0:LANES_M-1];
  wire [LANES_M-1:0] arrive = in_valid_i[LANES_M-1:0];
  wire [LANES_M-1:0] store  = arrive & ~full;

  genvar l;
  generate
    for (l = 0; l < LANES_M; l = l + 1) begin : g_lane
      localparam [31:0] ID_X = l;
      localparam [LW-1:0] ID = ID_X[LW-1:0];

      reg [REC_W-1:0] mem_q [0:DEPTH_M-1];
      reg [REC_W-1:0] rd_q;
      reg [AW-1:0]    wa_q;
      reg [AW-1:0]    ra_q;
      reg [CW-1:0]    unread_q;
      reg [CW-1:0]    hold_q;
      reg             ok_q;

      wire re  = issue & (pick == ID);
      wire dec = out_fire & (o_lane_q == ID);
      wire [CW-1:0] unread_n = unread_q + {{(CW - 1){1'b0}}, store[l]} - {{(CW - 1){1'b0}}, re};
      wire [CW-1:0] hold_n   = hold_q + {{(CW - 1){1'b0}}, store[l]} - {{(CW - 1){1'b0}}, dec};

      always @(posedge clk_i) begin
        if (store[l]) begin
          mem_q[wa_q] <= {in_step_i[l*32 +: 32], in_neuron_i[l*GID_M +: GID_M]};
        end
        if (re) begin
          rd_q <= mem_q[ra_q];
        end
      end

      always @(posedge clk_i) begin
        if (rst_i) begin
          wa_q     <= ADDR_ZERO;
          ra_q     <= ADDR_ZERO;
          unread_q <= CNT_ZERO;
          hold_q   <= CNT_ZERO;
          ok_q     <= 1'b1;
        end else begin
          if (store[l]) begin
            wa_q <= (wa_q == ADDR_LAST) ? ADDR_ZERO : wa_q + ADDR_ONE;
          end
          if (re) begin
            ra_q <= (ra_q == ADDR_LAST) ? ADDR_ZERO : ra_q + ADDR_ONE;
          end
          unread_q <= unread_n;
          hold_q   <= hold_n;
          ok_q     <= (hold_n <= CNT_SLACK);
        end
      end

      assign avail[l]   = (unread_q != CNT_ZERO);
      assign full[l]    = (hold_q == CNT_FULL);
      assign ok[l]      = ok_q;
      assign rd_word[l] = rd_q;
    end
  endgenerate

  // ---------------------------------------------------------------- arbiter
  // the first lane with unread words at or after rr_q, else the first of all
  reg [LW-1:0] rr_q;
  reg [LW-1:0] pick_hi;
  reg [LW-1:0] pick_lo;
  reg          found_hi;
  reg          found_lo;
  wire [31:0]  rr_x = {{(32 - LW){1'b0}}, rr_q};
  integer i;
  always @* begin
    pick_hi  = LANE_ZERO;
    pick_lo  = LANE_ZERO;
    found_hi = 1'b0;
    found_lo = 1'b0;
    // from the top down: the last match is the lowest lane
    for (i = LANES_M - 1; i >= 0; i = i - 1) begin
      if (avail[i]) begin
        pick_lo  = i[LW-1:0];
        found_lo = 1'b1;
        if (i >= rr_x) begin
          pick_hi  = i[LW-1:0];
          found_hi = 1'b1;
        end
      end
    end
    pick = found_hi ? pick_hi : pick_lo;
  end
  assign any_avail = found_lo;

  always @(posedge clk_i) begin
    if (rst_i) begin
      rr_q <= LANE_ZERO;
    end else if (issue) begin
      rr_q <= (pick == LANE_LAST) ? LANE_ZERO : pick + LANE_ONE;
    end
  end

  // ---------------------------------------------------------------- S1 and O
  always @(posedge clk_i) begin
    if (rst_i) begin
      s1_valid_q <= 1'b0;
      o_valid_q  <= 1'b0;
    end else begin
      if (issue) begin
        s1_valid_q <= 1'b1;
      end else if (s1_move) begin
        s1_valid_q <= 1'b0;
      end
      if (s1_move) begin
        o_valid_q <= 1'b1;
      end else if (out_ready_i) begin
        o_valid_q <= 1'b0;
      end
    end
  end

  always @(posedge clk_i) begin
    if (issue) begin
      s1_lane_q <= pick;
    end
    if (s1_move) begin
      o_rec_q  <= rd_word[s1_lane_q];
      o_lane_q <= s1_lane_q;
    end
  end

  // ---------------------------------------------------------------- counts
  // records stored and arriving this cycle
  reg [PW-1:0] n_store;
  reg [PW-1:0] n_arrive;
  integer j;
  always @* begin
    n_store  = {PW{1'b0}};
    n_arrive = {PW{1'b0}};
    for (j = 0; j < LANES_M; j = j + 1) begin
      n_store  = n_store + {{(PW - 1){1'b0}}, store[j]};
      n_arrive = n_arrive + {{(PW - 1){1'b0}}, arrive[j]};
    end
  end

  reg [31:0] level_q;
  reg [31:0] emitted_q;
  reg        overflow_q;
  wire [31:0] emitted_base = clr_i ? 32'd0 : emitted_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      level_q    <= 32'd0;
      emitted_q  <= 32'd0;
      overflow_q <= 1'b0;
    end else begin
      level_q    <= level_q + {{(32 - PW){1'b0}}, n_store} - {31'd0, out_fire};
      emitted_q  <= emitted_base + {{(32 - PW){1'b0}}, n_arrive};
      overflow_q <= overflow_q | (|(arrive & full));
    end
  end

  // ---------------------------------------------------------------- outputs
  wire [GID_M+31:0] neuron_x = {32'd0, o_rec_q[GID_M-1:0]};

  assign out_valid_o  = o_valid_q;
  assign out_step_o   = o_rec_q[REC_W-1:GID_M];
  assign out_neuron_o = neuron_x[31:0];
  assign room_o       = &ok;
  assign level_o      = level_q;
  assign emitted_o    = emitted_q;
  assign overflow_o   = overflow_q;

  // bits the logic does not use (collected for lint)
  wire unused_x = &{1'b0, neuron_x[GID_M+31:32]};
endmodule
`default_nettype wire
