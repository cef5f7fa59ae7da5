`default_nettype none
// snn_noc_router: one five-port router of the spike-routing network-on-chip
// (snn_noc_mesh), for a ROWS x COLS mesh of neuron cores. This router sits at
// column X, row Y.
//
// Ports (index p in every flattened vector): 0 local (the core), 1 north
// (row Y-1), 2 east (column X+1), 3 south (row Y+1), 4 west (column X-1).
// Each port has an input stream (in_*, into this router) and an output stream
// (out_*, out of it), valid/ready, with the fields of port p at
// in_mask_i[p*N +: N], in_data_i[p*DATA_W +: DATA_W] (N = ROWS * COLS), and the
// same for out_*.
//
// Packet: one flit {mask[N], data[DATA_W]}. Bit r*COLS + c of the mask is the
// core at row r, column c; the packet is to be delivered once to every core
// in its mask. data is the payload (e.g. a global source neuron id and a few
// step bits), carried unchanged.
//
// Routing: multicast by dimension-order (XY) tree routing. The mask is split
// by output port (X first): destinations in a column > X go east, < X west;
// in column X, rows > Y go south, rows < Y north; the core (X, Y) itself
// local. One copy goes out of each port whose sub-mask is not empty, carrying
// that sub-mask (mask & region of the port; the regions are constants of X,
// Y, ROWS, COLS). A packet with an empty mask is dropped (it leaves its FIFO
// without a copy).
//
// Microarchitecture:
//   - one input FIFO per port (FIFO_DEPTH packets, register array), written
//     by the input handshake; in_ready_o = FIFO not full (a register, no
//     combinational path from any output's ready);
//   - the head of each FIFO requests every output its mask needs and has
//     not been sent to yet (sent_q: its sent branches); asynchronous
//     replication: each branch goes as soon as its output grants it, and the
//     head leaves the FIFO in the cycle its last branch is taken, so an
//     uncontended packet moves one hop per clock and every output can send
//     one packet per clock;
//   - per output, a round-robin arbiter among the requesting inputs: the
//     priority pointer moves just past the input granted on a handshake, so
//     an input that keeps requesting is granted within 4 grants of that
//     output. While an output's packet is stalled (valid, not ready), the
//     pointer stays on the granted input, whose request cannot go away (its
//     head cannot leave before this branch is sent), so the output holds its
//     valid and data until taken, as the stream convention requires;
//   - out_valid_o/out_mask_o/out_data_o depend on registers only (FIFO heads,
//     sent_q, pointers), never on a ready or valid input in the same cycle.
//   Latency: one clock per router (input FIFO write to the next router's
//   input FIFO write).
//
// Turns: a packet that arrives from north or south travels in Y and never
// needs an X output (XY order: its column is already X), and no packet leaves
// through the port it came in on. The request matrix only contains the
// legal turns (local in: any output; north in: south, local; south in: north,
// local; east in: west, north, south, local; west in: east, north, south,
// local), so the crossbar has no other paths; in simulation a head that
// needs an illegal turn stops the simulation ($stop, not under SYNTHESIS).
// Edge ports: the regions of the ports that leave the mesh are empty by
// construction (no column > COLS-1, ...), so their out_valid_o is constant 0;
// their inputs have no FIFO (in_ready_o = 0) and a valid there stops the
// simulation. snn_noc_mesh ties them off.
//
// Deadlock freedom. A packet waits only for FIFO space in the next router
// (or for the local ejection), while it holds its own input FIFO slot. The
// channel-dependency graph (an edge from channel a to channel b when a packet
// in a's FIFO may wait for b) is acyclic: an X channel (east- or west-bound)
// leads to the next X channel in the same direction (X strictly monotone), to
// Y channels or to ejection; a Y channel leads only to the next Y channel in
// the same direction (Y strictly monotone) or to ejection; Y-direction inputs
// never request X outputs. Replication does not add dependencies: a head sends
// each branch independently, so it never holds an output while waiting for
// another one, and packets are single-flit (no worm spans several channels).
// By induction from the sinks of the graph, every FIFO head is eventually
// fully sent (round-robin arbitration: a requesting input is never starved),
// PROVIDED that every local ejection port always eventually takes its packet
// (out_ready_i[0] goes high while out_valid_o[0] is high). A core that waits
// for its own injection to be accepted before it drains its ejection could
// deadlock the mesh; the ejection must be drained independently (e.g. into the
// synaptic event pipeline, which never waits for the mesh).
//
// busy_o: some input FIFO holds a packet (pending_o: per input port). A
// packet moves from one FIFO to the next at a single clock edge, so the OR
// over a mesh's routers is exactly "a packet is in flight" (after its
// injection handshake, until its last copy's ejection handshake).
//
// rst_i (synchronous, active high) clears the control state (FIFO pointers
// and counts, sent branches, arbiter pointers); the FIFO contents have no
// reset.
module snn_noc_router #(
  // Mesh rows (Y extent); 1..16.
  parameter integer ROWS = 2,
  // Mesh columns (X extent); 1..16.
  parameter integer COLS = 2,
  // This router's column; 0..COLS-1.
  parameter integer X = 0,
  // This router's row; 0..ROWS-1.
  parameter integer Y = 0,
  // Payload bits per packet (e.g. a 24-bit global source neuron id and 3 step bits); >= 1.
  parameter integer DATA_W = 27,
  // Depth of each input FIFO, in packets; >= 2.
  parameter integer FIFO_DEPTH = 4
) (
  input  wire                          clk_i,
  input  wire                          rst_i,
  // input streams, port p = 0 local, 1 north, 2 east, 3 south, 4 west
  input  wire [4:0]                    in_valid_i,
  output wire [4:0]                    in_ready_o,
  input  wire [5*ROWS*COLS-1:0]        in_mask_i,
  input  wire [5*DATA_W-1:0]           in_data_i,
  // output streams, same port order; out_mask_o carries the port's sub-mask
  output wire [4:0]                    out_valid_o,
  input  wire [4:0]                    out_ready_i,
  output wire [5*ROWS*COLS-1:0]        out_mask_o,
  output wire [5*DATA_W-1:0]           out_data_o,
  // input FIFO p holds a packet; busy_o = |pending_o
  output wire [4:0]                    pending_o,
  output wire                          busy_o
);
  // Mask bits (one per core).
  localparam integer N = ROWS * COLS;
  // FIFO entry {mask, data}.
  localparam integer ENT_W = N + DATA_W;
  // FIFO read/write pointer (FIFO_DEPTH >= 2, so >= 1 bit).
  localparam integer PTR_W = (FIFO_DEPTH > 1) ? $clog2(FIFO_DEPTH) : 1;
  // FIFO fill count 0..FIFO_DEPTH.
  localparam integer CNT_W = $clog2(FIFO_DEPTH + 1);
  // Port indices.
  localparam integer P_L = 0;
  localparam integer P_N = 1;
  localparam integer P_E = 2;
  localparam integer P_S = 3;
  localparam integer P_W = 4;
  // Ports that have a neighbour (bit p); local always.
  localparam [4:0] PRESENT = {(X > 0) ? 1'b1 : 1'b0, (Y < ROWS - 1) ? 1'b1 : 1'b0,
                              (X < COLS - 1) ? 1'b1 : 1'b0, (Y > 0) ? 1'b1 : 1'b0, 1'b1};
  // Legal turns, bit i*5 + o: input i may send to output o (XY routing, no U-turns).
  localparam [24:0] TURN_OK = {5'b01111,   // from west (eastbound): E, N, S, L
                               5'b00011,   // from south (northbound): N, L
                               5'b11011,   // from east (westbound): W, N, S, L
                               5'b01001,   // from north (southbound): S, L
                               5'b11111};  // from local: any

  // ---------------------------------------------------------------- checks
  generate
    if (ROWS < 1 || ROWS > 16) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_noc_router: ROWS (%0d) must be in 1..16", ROWS);
`else
      snn_noc_router__ROWS_must_be_in_1_to_16 param_error ();
`endif
    end
    if (COLS < 1 || COLS > 16) begin : g_err_cols
`ifdef VERILATOR
      $error("snn_noc_router: COLS (%0d) must be in 1..16", COLS);
`else
      snn_noc_router__COLS_must_be_in_1_to_16 param_error ();
`endif
    end
    if (X < 0 || X >= COLS) begin : g_err_x
`ifdef VERILATOR
      $error("snn_noc_router: X (%0d) must be in 0..COLS-1 (COLS = %0d)", X, COLS);
`else
      snn_noc_router__X_must_be_in_0_to_COLS_minus_1 param_error ();
`endif
    end
    if (Y < 0 || Y >= ROWS) begin : g_err_y
`ifdef VERILATOR
      $error("snn_noc_router: Y (%0d) must be in 0..ROWS-1 (ROWS = %0d)", Y, ROWS);
`else
      snn_noc_router__Y_must_be_in_0_to_ROWS_minus_1 param_error ();
`endif
    end
    if (DATA_W < 1) begin : g_err_data_w
`ifdef VERILATOR
      $error("snn_noc_router: DATA_W (%0d) must be >= 1", DATA_W);
`else
      snn_noc_router__DATA_W_must_be_at_least_1 param_error ();
`endif
    end
    if (FIFO_DEPTH < 2) begin : g_err_fifo_depth
`ifdef VERILATOR
      $error("snn_noc_router: FIFO_DEPTH (%0d) must be >= 2", FIFO_DEPTH);
`else
      snn_noc_router__FIFO_DEPTH_must_be_at_least_2 param_error ();
`endif
    end
  endgenerate

  // --------------------------------------------------------------- regions
  // region_w[o*N + b]: core b is reached through output o.
  wire [5*N-1:0] region_w;

  genvar b, o, p;
  generate
    for (b = 0; b < N; b = b + 1) begin : g_region
      // Column and row of core b.
      localparam integer BC = b % COLS;
      localparam integer BR = b / COLS;
      // The output that leads towards core b (X first, then Y).
      localparam integer BP = (BC > X) ? P_E : (BC < X) ? P_W : (BR > Y) ? P_S : (BR < Y) ? P_N : P_L;
      for (o = 0; o < 5; o = o + 1) begin : g_port
        assign region_w[o*N + b] = (BP == o) ? 1'b1 : 1'b0;
      end
    end
  endgenerate

  // ---------------------------------------------------------- input FIFOs
  wire [4:0]       head_valid_w;
  wire [5*N-1:0]   head_mask_w;
  wire [5*DATA_W-1:0] head_data_w;
  wire [4:0]       pop_w;

  generate
    for (p = 0; p < 5; p = p + 1) begin : g_in
      if (PRESENT[p]) begin : g_fifo
        // Full count.
        localparam [CNT_W-1:0] FULL = FIFO_DEPTH[CNT_W-1:0];
        // Last pointer value (wraps to 0).
        localparam integer LAST_I = FIFO_DEPTH - 1;
        localparam [PTR_W-1:0] LAST = LAST_I[PTR_W-1:0];
        reg [ENT_W-1:0] mem_q [0:FIFO_DEPTH-1];
        reg [PTR_W-1:0] rd_q;
        reg [PTR_W-1:0] wr_q;
        reg [CNT_W-1:0] cnt_q;
        wire            push = in_valid_i[p] & (cnt_q != FULL);

        assign in_ready_o[p]                    = (cnt_q != FULL);
        assign head_valid_w[p]                  = (cnt_q != {CNT_W{1'b0}});
        assign head_mask_w[p*N +: N]            = mem_q[rd_q][DATA_W +: N];
        assign head_data_w[p*DATA_W +: DATA_W]  = mem_q[rd_q][0 +: DATA_W];

        always @(posedge clk_i) begin
          if (push) begin
            mem_q[wr_q] <= {in_mask_i[p*N +: N], in_data_i[p*DATA_W +: DATA_W]};
          end
        end

        always @(posedge clk_i) begin
          if (rst_i) begin
            rd_q  <= {PTR_W{1'b0}};
            wr_q  <= {PTR_W{1'b0}};
            cnt_q <= {CNT_W{1'b0}};
          end else begin
            if (push) begin
              wr_q <= (wr_q == LAST) ? {PTR_W{1'b0}} : wr_q + 1'b1;
            end
            if (pop_w[p]) begin
              rd_q <= (rd_q == LAST) ? {PTR_W{1'b0}} : rd_q + 1'b1;
            end
            if (push && !pop_w[p]) begin
              cnt_q <= cnt_q + 1'b1;
            end else if (!push && pop_w[p]) begin
              cnt_q <= cnt_q - 1'b1;
            end
          end
        end
      end else begin : g_edge
        // No neighbour on this side: nothing can enter (tied off by the mesh).
        assign in_ready_o[p]                   = 1'b0;
        assign head_valid_w[p]                 = 1'b0;
        assign head_mask_w[p*N +: N]           = {N{1'b0}};
        assign head_data_w[p*DATA_W +: DATA_W] = {DATA_W{1'b0}};
        wire unused_edge = ^{in_valid_i[p], in_mask_i[p*N +: N], in_data_i[p*DATA_W +: DATA_W]};
`ifndef SYNTHESIS
        always @(posedge clk_i) begin
          if (!rst_i && in_valid_i[p]) begin
            $display("snn_noc_router (X %0d, Y %0d): valid on edge input %0d", X, Y, p);
            $stop;
          end
        end
`endif
      end
    end
  endgenerate

  assign pending_o = head_valid_w;
  assign busy_o    = |head_valid_w;

  // -------------------------------------------------------------- requests
  // need_w[i*5 + o]: the head of input i has destinations behind output o.
  wire [24:0] raw_need_w;
  wire [24:0] need_w;
  // req_w[o*5 + i]: input i requests output o (needed, not sent yet).
  wire [24:0] req_w;
  // sent_w[i*5 + o]: input i's head has already sent its branch to output o.
  wire [24:0] sent_w;

  generate
    for (p = 0; p < 5; p = p + 1) begin : g_need
      for (o = 0; o < 5; o = o + 1) begin : g_out
        assign raw_need_w[p*5 + o] = head_valid_w[p] & (|(head_mask_w[p*N +: N] & region_w[o*N +: N]));
        assign need_w[p*5 + o]     = raw_need_w[p*5 + o] & TURN_OK[p*5 + o];
        assign req_w[o*5 + p]      = need_w[p*5 + o] & ~sent_w[p*5 + o];
      end
    end
  endgenerate

  // ------------------------------------------------------ arbiters, crossbar
  // fire_w[i*5 + o]: input i's branch to output o is taken this cycle.
  wire [24:0] fire_w;

  generate
    for (o = 0; o < 5; o = o + 1) begin : g_arb
      // Round-robin priority: inputs at or above the pointer first (thermometer mask).
      reg  [4:0] prio_q;
      wire [4:0] req     = req_w[o*5 +: 5];
      wire [4:0] req_hi  = req & prio_q;
      wire [4:0] pick    = (req_hi != 5'b0) ? req_hi : req;
      // lowest set bit of pick
      wire [4:0] gnt     = pick & (~pick + 5'd1);
      wire       valid   = (req != 5'b0);
      reg  [N-1:0]      mask_mux;
      reg  [DATA_W-1:0] data_mux;
      integer i;

      assign out_valid_o[o]                  = valid;
      assign out_mask_o[o*N +: N]            = mask_mux & region_w[o*N +: N];
      assign out_data_o[o*DATA_W +: DATA_W]  = data_mux;

      always @(*) begin
        mask_mux = {N{1'b0}};
        data_mux = {DATA_W{1'b0}};
        for (i = 0; i < 5; i = i + 1) begin
          mask_mux = mask_mux | (head_mask_w[i*N +: N] & {N{gnt[i]}});
          data_mux = data_mux | (head_data_w[i*DATA_W +: DATA_W] & {DATA_W{gnt[i]}});
        end
      end

      // After a handshake the inputs above the granted one come first; while
      // stalled, the granted input keeps the highest priority (it still requests).
      always @(posedge clk_i) begin
        if (rst_i) begin
          prio_q <= 5'b11111;
        end else if (valid) begin
          prio_q <= out_ready_i[o] ? ~(gnt | (gnt - 5'd1)) : ~(gnt - 5'd1);
        end
      end

      for (p = 0; p < 5; p = p + 1) begin : g_fire
        assign fire_w[p*5 + o] = gnt[p] & out_ready_i[o];
      end
    end
  endgenerate

  // --------------------------------------------------------- sent branches
  generate
    for (p = 0; p < 5; p = p + 1) begin : g_pop
      reg  [4:0] sent_q;
      wire [4:0] left = need_w[p*5 +: 5] & ~sent_q & ~fire_w[p*5 +: 5];
      // The head leaves when its last branch is taken (at once if its mask is empty).
      assign pop_w[p] = head_valid_w[p] & (left == 5'b0);
      assign sent_w[p*5 +: 5] = sent_q;

      always @(posedge clk_i) begin
        if (rst_i || pop_w[p]) begin
          sent_q <= 5'b0;
        end else begin
          sent_q <= sent_q | fire_w[p*5 +: 5];
        end
      end
    end
  endgenerate

`ifndef SYNTHESIS
  // ------------------------------------------------ simulation-only checks
  integer ci;
  always @(posedge clk_i) begin
    if (!rst_i) begin
      for (ci = 0; ci < 25; ci = ci + 1) begin
        if (raw_need_w[ci] && !TURN_OK[ci]) begin
          $display("snn_noc_router (X %0d, Y %0d): the packet at input %0d needs output %0d (not an XY route)",
                   X, Y, ci / 5, ci % 5);
          $stop;
        end
      end
    end
  end
`endif
endmodule
`default_nettype wire
