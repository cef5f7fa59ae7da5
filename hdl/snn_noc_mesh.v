`default_nettype none
// snn_noc_mesh: the spike-routing network-on-chip, a ROWS x COLS mesh of
// snn_noc_router (see its header for the packet format, the XY multicast
// routing, the microarchitecture and why it is deadlock-free).
//
// Core k = r*COLS + c (row r, column c) sits at router (X c, Y r) and has
//   - an injection stream inj_*[k] into the mesh: a packet {mask, data} is
//     delivered once to every core whose bit is set in mask (bit r*COLS + c),
//     the core itself included if its own bit is set; an empty mask is
//     dropped;
//   - an ejection stream ej_*[k] out of the mesh: the data of every packet
//     addressed to core k, once per packet (the mask is not carried: it is
//     only core k's own bit there).
// Flattened vectors: core k's fields are inj_mask_i[k*N +: N],
// inj_data_i[k*DATA_W +: DATA_W], ej_data_o[k*DATA_W +: DATA_W] (N = ROWS * COLS).
// All valid/ready. inj_ready_o and ej_valid_o/ej_data_o depend on registers
// only (no combinational path through the mesh). Every ejection port must
// always eventually take its packet (the deadlock-freedom condition of
// snn_noc_router): drain it independently of the core's own injections.
//
// Neighbours: router (c, r)'s east output feeds (c+1, r)'s west input, its
// south output (c, r+1)'s north input, and so on. Edge ports are tied off:
// the inputs that would come from outside the mesh have valid 0 (and no FIFO
// in the router), the outputs that would leave it have ready 0 and can never
// be valid (their routing regions are empty by construction); in simulation a
// valid on such an output stops the simulation ($stop, not under SYNTHESIS).
//
// busy_o: a packet is in flight (some input FIFO of some router is not
// empty), from its injection handshake until the ejection handshake of its
// last copy; pending_o[k*5 + p]: input FIFO p (0 local, 1 north, 2 east,
// 3 south, 4 west) of router k is not empty (for watchdogs and waveforms).
// A timestep barrier waits for every core to have injected its spikes and
// then for !busy_o.
//
// Latency: one clock per router on the path (injection handshake to
// ejection valid: hops + 1 clocks when uncontended, hops = |dc| + |dr|).
//
// rst_i (synchronous, active high) clears the control state of every router.
module snn_noc_mesh #(
  // Mesh rows; 1..16.
  parameter integer ROWS = 2,
  // Mesh columns; 1..16.
  parameter integer COLS = 2,
  // Payload bits per packet (e.g. a 24-bit global source neuron id and 3 step bits); >= 1.
  parameter integer DATA_W = 27,
  // Depth of every router input FIFO, in packets; >= 2.
  parameter integer FIFO_DEPTH = 4
) (
  input  wire                                clk_i,
  input  wire                                rst_i,
  // injection, one stream per core
  input  wire [ROWS*COLS-1:0]                inj_valid_i,
  output wire [ROWS*COLS-1:0]                inj_ready_o,
  input  wire [ROWS*COLS*ROWS*COLS-1:0]      inj_mask_i,
  input  wire [ROWS*COLS*DATA_W-1:0]         inj_data_i,
  // ejection, one stream per core
  output wire [ROWS*COLS-1:0]                ej_valid_o,
  input  wire [ROWS*COLS-1:0]                ej_ready_i,
  output wire [ROWS*COLS*DATA_W-1:0]         ej_data_o,
  // packets in flight
  output wire                                busy_o,
  output wire [5*ROWS*COLS-1:0]              pending_o
);
  // Cores (and routers), also the mask width.
  localparam integer N = ROWS * COLS;
  // Port indices (as snn_noc_router).
  localparam integer P_L = 0;
  localparam integer P_N = 1;
  localparam integer P_E = 2;
  localparam integer P_S = 3;
  localparam integer P_W = 4;
  // The parameters are legal (the routers are only built then, so that an
  // illegal mesh reports its own rule first).
  localparam integer LEGAL = (ROWS >= 1 && ROWS <= 16 && COLS >= 1 && COLS <= 16 && DATA_W >= 1 && FIFO_DEPTH >= 2) ? 1 : 0;

  // ---------------------------------------------------------------- checks
  generate
    if (ROWS < 1 || ROWS > 16) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_noc_mesh: ROWS (%0d) must be in 1..16", ROWS);
`else
      snn_noc_mesh__ROWS_must_be_in_1_to_16 param_error ();
`endif
    end
    if (COLS < 1 || COLS > 16) begin : g_err_cols
`ifdef VERILATOR
      $error("snn_noc_mesh: COLS (%0d) must be in 1..16", COLS);
`else
      snn_noc_mesh__COLS_must_be_in_1_to_16 param_error ();
`endif
    end
    if (DATA_W < 1) begin : g_err_data_w
`ifdef VERILATOR
      $error("snn_noc_mesh: DATA_W (%0d) must be >= 1", DATA_W);
`else
      snn_noc_mesh__DATA_W_must_be_at_least_1 param_error ();
`endif
    end
    if (FIFO_DEPTH < 2) begin : g_err_fifo_depth
`ifdef VERILATOR
      $error("snn_noc_mesh: FIFO_DEPTH (%0d) must be >= 2", FIFO_DEPTH);
`else
      snn_noc_mesh__FIFO_DEPTH_must_be_at_least_2 param_error ();
`endif
    end
  endgenerate

  // ------------------------------------------------------- router signals
  // Port p of router k: bit k*5 + p, fields at (k*5 + p)*N and (k*5 + p)*DATA_W.
  wire [5*N-1:0]        rin_valid;
  wire [5*N-1:0]        rin_ready;
  wire [5*N*N-1:0]      rin_mask;
  wire [5*N*DATA_W-1:0] rin_data;
  wire [5*N-1:0]        rout_valid;
  wire [5*N-1:0]        rout_ready;
  wire [5*N*N-1:0]      rout_mask;
  wire [5*N*DATA_W-1:0] rout_data;
  // per-router busy (the mesh ORs pending_o instead)
  wire [N-1:0]          rbusy;
  wire                  unused_rbusy = ^rbusy;

  genvar r, c, p;
  generate
    for (r = 0; r < ((LEGAL != 0) ? ROWS : 0); r = r + 1) begin : g_row
      for (c = 0; c < COLS; c = c + 1) begin : g_col
        // This router (core) index.
        localparam integer K = r * COLS + c;

        snn_noc_router #(
          .ROWS       (ROWS),
          .COLS       (COLS),
          .X          (c),
          .Y          (r),
          .DATA_W     (DATA_W),
          .FIFO_DEPTH (FIFO_DEPTH)
        ) u_router (
          .clk_i       (clk_i),
          .rst_i       (rst_i),
          .in_valid_i  (rin_valid[K*5 +: 5]),
          .in_ready_o  (rin_ready[K*5 +: 5]),
          .in_mask_i   (rin_mask[K*5*N +: 5*N]),
          .in_data_i   (rin_data[K*5*DATA_W +: 5*DATA_W]),
          .out_valid_o (rout_valid[K*5 +: 5]),
          .out_ready_i (rout_ready[K*5 +: 5]),
          .out_mask_o  (rout_mask[K*5*N +: 5*N]),
          .out_data_o  (rout_data[K*5*DATA_W +: 5*DATA_W]),
          .pending_o   (pending_o[K*5 +: 5]),
          .busy_o      (rbusy[K])
        );

        // local port: the core's injection and ejection streams
        assign rin_valid[K*5 + P_L]                      = inj_valid_i[K];
        assign inj_ready_o[K]                            = rin_ready[K*5 + P_L];
        assign rin_mask[(K*5 + P_L)*N +: N]              = inj_mask_i[K*N +: N];
        assign rin_data[(K*5 + P_L)*DATA_W +: DATA_W]    = inj_data_i[K*DATA_W +: DATA_W];
        assign ej_valid_o[K]                             = rout_valid[K*5 + P_L];
        assign rout_ready[K*5 + P_L]                     = ej_ready_i[K];
        assign ej_data_o[K*DATA_W +: DATA_W]             = rout_data[(K*5 + P_L)*DATA_W +: DATA_W];
        // the ejected sub-mask is only this core's own bit
        wire unused_ej_mask = ^rout_mask[(K*5 + P_L)*N +: N];

        // mesh ports: input p of router K takes output OPP(p) of the neighbour on side p
        for (p = 1; p < 5; p = p + 1) begin : g_port
          // Neighbour on side p (row, column), the port it sends through, and whether it exists.
          localparam integer NR  = (p == P_N) ? r - 1 : (p == P_S) ? r + 1 : r;
          localparam integer NC  = (p == P_E) ? c + 1 : (p == P_W) ? c - 1 : c;
          localparam integer OPP = (p == P_N) ? P_S : (p == P_S) ? P_N : (p == P_E) ? P_W : P_E;
          localparam integer NB  = NR * COLS + NC;
          if (NR >= 0 && NR < ROWS && NC >= 0 && NC < COLS) begin : g_link
            assign rin_valid[K*5 + p]                   = rout_valid[NB*5 + OPP];
            assign rin_mask[(K*5 + p)*N +: N]           = rout_mask[(NB*5 + OPP)*N +: N];
            assign rin_data[(K*5 + p)*DATA_W +: DATA_W] = rout_data[(NB*5 + OPP)*DATA_W +: DATA_W];
            assign rout_ready[NB*5 + OPP]               = rin_ready[K*5 + p];
          end else begin : g_edge
            // nothing enters from outside the mesh, nothing can leave it
            assign rin_valid[K*5 + p]                   = 1'b0;
            assign rin_mask[(K*5 + p)*N +: N]           = {N{1'b0}};
            assign rin_data[(K*5 + p)*DATA_W +: DATA_W] = {DATA_W{1'b0}};
            assign rout_ready[K*5 + p]                  = 1'b0;
            wire unused_edge = ^{rin_ready[K*5 + p], rout_valid[K*5 + p],
                                 rout_mask[(K*5 + p)*N +: N], rout_data[(K*5 + p)*DATA_W +: DATA_W]};
`ifndef SYNTHESIS
            always @(posedge clk_i) begin
              if (!rst_i && rout_valid[K*5 + p]) begin
                $display("snn_noc_mesh: router (X %0d, Y %0d) routes a packet off the mesh through port %0d",
                         c, r, p);
                $stop;
              end
            end
`endif
          end
        end
      end
    end
  endgenerate

  assign busy_o = |pending_o;
endmodule
`default_nettype wire
