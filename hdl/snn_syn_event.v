`default_nettype none
// snn_syn_event: the synaptic event pipeline of one neuron core (static or
// STDP, single or on a mesh), phase B's "pre pass" delivery of
// docs/numerics.md, bit-identical to the accumulator updates of
// spikefab_sim::engine (deliver_parallel):
//
//   for each spike event (row r, slot s = t mod SLOTS) and each synapse
//   (target i, delay d, weight w) of row r:
//     acc_ex[(s + d) mod SLOTS][i] += w << W_SHIFT    if w >= 0
//     acc_in[(s + d) mod SLOTS][i] += w << W_SHIFT    if w <  0
//
// plus the phase-A side: a read-and-clear port that returns (acc_ex, acc_in)
// of one (slot, neuron) and sets both to 0 (numerics.md phase A, item 1).
// Sums are exact in signed ACC_BITS; the contract's accumulator bound
// (connect::build) proves they cannot overflow, so nothing saturates here.
//
// Memories (snn_mem instances, block-RAM style, synchronous reads):
//   row memory  ROWS      x 2*PTR_W   word {end, start}: the synapses of row r
//                                     are syn[start .. end-1] (end exclusive,
//                                     start == end is an empty row);
//                                     loaded from ROW_MEM_FILE ($readmemh)
//   syn memory  SYN_DEPTH x SYN_W     word {weight[W_BITS] (signed),
//                                     delay[SLOT_W], target[TGT_W]};
//                                     loaded from SYN_MEM_FILE ($readmemh)
//   acc         SLOTS*N_NEURONS x 2*ACC_BITS, two lanes {acc_in, acc_ex}
//                                     (lane writes), address slot * N_NEURONS
//                                     + neuron; port A reads (RMW read), port
//                                     B is read-first read/write (RMW write of
//                                     one lane or read-and-clear of both)
//
// Event pipeline (initiation interval 1 synapse per clock, also across rows):
//   F  : event accepted, row memory read ({start, end} ready next cycle);
//        an empty row is dropped here
//   W  : row walker: issues syn[ptr] each cycle, ptr++; on the last synapse of
//        a row it loads the next row from F in the same cycle
//   s1 : synapse word -> target slot (s + d, minus SLOTS if >= SLOTS),
//        accumulator address, channel (weight sign), weight << W_SHIFT
//   s2 : port A read of acc_{ex,in}[addr]
//   s3 : sum = (forwarded or read value) + weight, written through port B
// Read-modify-write hazard: a synapse in s2 reads at the same clock edge at
// which its predecessor (in s3) writes, so it sees the old value; the write is
// registered (wb_*) and forwarded into s3 when address and channel match
// (distance 1). Distance 2 and more read the memory after the write and need
// nothing. Whatever a same-address read returns during a port-B write
// (collision) is never used.
//
// Drain (read-and-clear) port: dr_valid_i with dr_slot_i/dr_neuron_i; always
// ready. It uses port B for one cycle (read-first: old values out, zeros in)
// and stalls the whole event pipeline for that cycle (common enable
// s_adv = ~drain). Outputs: dr_valid_o for one cycle exactly one cycle after
// the request, with dr_ex_o/dr_in_o/dr_neuron_o (no backpressure: issue a
// drain only when the result can be taken the next cycle).
//
// ev_ready_o depends combinationally on dr_valid_i (through the stall); the
// drain address (slot * N_NEURONS + neuron) is computed combinationally in
// the request cycle. Row indices >= ROWS and images with a target
// >= N_NEURONS or a delay outside 1..SLOTS-1 are illegal (not checked here).
//
// Ordering rule (the caller's, as in the contract): slot s may be drained only
// when no synapse that targets slot s is in flight. Phase B of step t writes
// slots t+1 .. t+SLOTS-1 (delay 1..SLOTS-1), never slot t, so phase A of step
// t (drain of slot t) may overlap the delivery of step t's spikes; it must
// start only after busy_o has gone low following the last event of step t-1,
// and step t+1's events must wait until slot t is drained.
//
// Accumulator contents: rst_i clears control state only. Simulation starts
// from zero (snn_mem's initial block). On an FPGA, block RAM initialised
// from the bitstream (which honours the initial block in Vivado, Quartus
// and Yosys flows) also starts at zero. A core that reconfigures after a
// run (snn_core_ctrl's configuration clear) drains every (slot, neuron)
// once through the drain port, which clears both memories.
//
// Synapse taps and the weight port (used by the STDP core, snn_lif_core with
// PLASTIC = 1; a static core leaves the inputs low and the taps unused):
//   tap_*   valid-only: one record per synapse the walker delivers, in the
//           cycle its word is decoded (s1): synapse address, weight (the one
//           delivered, i.e. before this step's update), target;
//   wp_*    weight write: wp_valid_i writes wp_w_i into the weight field of
//           syn[wp_addr_i] (the delay and target bits are kept); at most one
//           write per clock; it may run while the walker reads other words
//           (dual-port synapse memory);
//   ax_*    auxiliary read of a weight while no row is walked (busy_o low
//           and no event offered): ax_valid_i with ax_addr_i, the weight is
//           on ax_w_o the next cycle (the walker's read port, idle then).
// Load port (configuration, while idle): ld_syn_i / ld_row_i write a whole
// word ld_word_i at ld_addr_i of the synapse / row memory.
//
// rst_i (synchronous, active high) clears the valid bits only.
module snn_syn_event #(
  // Targets (neurons) in this core; 1..2^24 (numerics.md: 24 target bits).
  parameter integer N_NEURONS = 64,
  // Delay-ring slots, max_delay_steps + 1 (any value, power of two not needed); 2..256.
  parameter integer SLOTS = 64,
  // Accumulator width, signed (numerics.acc_bits); 4..32.
  parameter integer ACC_BITS = 32,
  // Synaptic weight width, signed (numerics.w_bits); 2..16.
  parameter integer W_BITS = 16,
  // A weight adds w << W_SHIFT current LSBs (numerics.w_shift); W_BITS + W_SHIFT <= ACC_BITS.
  parameter integer W_SHIFT = 0,
  // Source rows held by this core (entries of the row memory); >= 1.
  parameter integer ROWS = 64,
  // Synapse memory entries; >= 1.
  parameter integer SYN_DEPTH = 1024,
  // $readmemh image of the synapse memory (SYN_DEPTH words {w, delay, target}); "" = none.
  parameter SYN_MEM_FILE = "",
  // $readmemh image of the row memory (ROWS words {end, start}, or with SYN_EXT = 1
  // snn_syn_fetch's {beats, last, start_beat}; unused with SYN_EXT = 2); "" = none.
  parameter ROW_MEM_FILE = "",
  // 1: the synapse rows are in external memory, read through the AXI4 master m_axi_*
  // (snn_syn_fetch); no synapse memory, taps, weight port or auxiliary read. 2: the
  // same, and the row index is there too (no row memory). 0: on chip.
  parameter integer SYN_EXT = 0,
  // AXI data width in bits (SYN_EXT != 0): a power of two, 32..1024, >= the synapse word.
  parameter integer AXI_DATA_W = 256,
  // AXI byte-address width (SYN_EXT != 0); 12..64.
  parameter integer AXI_ADDR_W = 34,
  // AXI read ID width (SYN_EXT != 0); 1..8.
  parameter integer AXI_ID_W = 4,
  // Most beats per burst (SYN_EXT != 0); 1..256.
  parameter integer AXI_BURST = 16,
  // Bursts in flight (SYN_EXT != 0); 1..min(64, 2^AXI_ID_W) (SYN_EXT = 2: < 2^AXI_ID_W).
  parameter integer AXI_OUTSTANDING = 16
) (
  input  wire                       clk_i,
  input  wire                       rst_i,
  // spike events (phase B)
  input  wire                       ev_valid_i,
  output wire                       ev_ready_o,
  input  wire [ROW_W-1:0]           ev_row_i,
  input  wire [SLOT_W-1:0]          ev_slot_i,
  output wire                       busy_o,
  // read-and-clear (phase A)
  input  wire                       dr_valid_i,
  output wire                       dr_ready_o,
  input  wire [SLOT_W-1:0]          dr_slot_i,
  input  wire [TGT_W-1:0]           dr_neuron_i,
  output wire                       dr_valid_o,
  output wire [TGT_W-1:0]           dr_neuron_o,
  output wire signed [ACC_BITS-1:0] dr_ex_o,
  output wire signed [ACC_BITS-1:0] dr_in_o,
  // synapse taps (valid-only)
  output wire                       tap_valid_o,
  output wire [SYN_AW-1:0]          tap_addr_o,
  output wire signed [W_BITS-1:0]   tap_w_o,
  output wire [TGT_W-1:0]           tap_tgt_o,
  // weight write
  input  wire                       wp_valid_i,
  input  wire [SYN_AW-1:0]          wp_addr_i,
  input  wire signed [W_BITS-1:0]   wp_w_i,
  // auxiliary weight read (only while idle)
  input  wire                       ax_valid_i,
  input  wire [SYN_AW-1:0]          ax_addr_i,
  output wire signed [W_BITS-1:0]   ax_w_o,
  // load port (only while idle): whole words
  input  wire                       ld_syn_i,
  input  wire                       ld_row_i,
  input  wire [31:0]                ld_addr_i,
  input  wire [LD_W-1:0]            ld_word_i,
  // external synapse memory (SYN_EXT != 0; an on-chip pipeline never requests
  // and ignores the inputs): the region's byte address, the sticky error
  // flag and its clear, the AXI4 read master
  input  wire [AXI_ADDR_W-1:0]      ext_base_i,
  input  wire                       err_clr_i,
  output wire                       err_o,
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
  input  wire                       m_axi_rlast_i
);
  // The memory sizes as snn_mem gets them: the parameters whenever they are
  // legal. An illegal one (rejected below, by this module's checks) is
  // replaced by a legal value, so that snn_mem's check does not report it
  // first, under another name.
  localparam integer ROWS_M      = (ROWS < 1) ? 1 : ROWS;
  localparam integer SYN_DEPTH_M = (SYN_DEPTH < 1) ? 1 : SYN_DEPTH;
  // Slot index and delay width (delays are 1..SLOTS-1).
  localparam integer SLOT_W = $clog2(SLOTS);
  // Target / neuron index width.
  localparam integer TGT_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  // Row index width.
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Synapse memory address width.
  localparam integer SYN_AW = (SYN_DEPTH > 1) ? $clog2(SYN_DEPTH) : 1;
  // Row pointer width (0..SYN_DEPTH inclusive).
  localparam integer PTR_W = $clog2(SYN_DEPTH_M + 1);
  // Synapse word: {weight, delay, target}.
  localparam integer SYN_W = W_BITS + SLOT_W + TGT_W;
  // External row word {beats, last, start_beat} (snn_syn_fetch's).
  localparam integer X_LANES = (AXI_DATA_W / SYN_W < 1) ? 1 : AXI_DATA_W / SYN_W;
  localparam integer X_BEATS = (SYN_DEPTH_M + X_LANES - 1) / X_LANES;
  localparam integer X_RW_W = $clog2(X_BEATS + 1) + $clog2(X_LANES + 1) + ((X_BEATS > 1) ? $clog2(X_BEATS) : 1);
  // Load word width: the widest of the synapse and row words.
  localparam integer LD_W0 = (SYN_W > 2 * PTR_W) ? SYN_W : 2 * PTR_W;
  localparam integer LD_W = (LD_W0 > X_RW_W) ? LD_W0 : X_RW_W;
  // Accumulator entries per channel and their address width.
  localparam integer ACC_DEPTH = SLOTS * N_NEURONS;
  localparam integer ACC_AW = $clog2(ACC_DEPTH);
  // (as snn_mem gets it, like ROWS_M above)
  localparam integer ACC_DEPTH_M = (ACC_DEPTH < 2) ? 2 : ACC_DEPTH;

  // ---------------------------------------------------------------- checks
  generate
    if (N_NEURONS < 1 || N_NEURONS > 16777216) begin : g_err_n_neurons
`ifdef VERILATOR
      $error("snn_syn_event: N_NEURONS (%0d) must be in 1..2^24", N_NEURONS);
`else
      snn_syn_event__N_NEURONS_must_be_in_1_to_2pow24 param_error ();
`endif
    end
    if (SLOTS < 2 || SLOTS > 256) begin : g_err_slots
`ifdef VERILATOR
      $error("snn_syn_event: SLOTS (%0d) must be in 2..256", SLOTS);
`else
      snn_syn_event__SLOTS_must_be_in_2_to_256 param_error ();
`endif
    end
    if (ACC_BITS < 4 || ACC_BITS > 32) begin : g_err_acc_bits
`ifdef VERILATOR
      $error("snn_syn_event: ACC_BITS (%0d) must be in 4..32", ACC_BITS);
`else
      snn_syn_event__ACC_BITS_must_be_in_4_to_32 param_error ();
`endif
    end
    if (W_BITS < 2 || W_BITS > 16) begin : g_err_w_bits
`ifdef VERILATOR
      $error("snn_syn_event: W_BITS (%0d) must be in 2..16", W_BITS);
`else
      snn_syn_event__W_BITS_must_be_in_2_to_16 param_error ();
`endif
    end
    if (W_SHIFT < 0 || W_BITS + W_SHIFT > ACC_BITS) begin : g_err_w_shift
`ifdef VERILATOR
      $error("snn_syn_event: W_SHIFT (%0d) must be >= 0 and W_BITS + W_SHIFT (%0d) <= ACC_BITS (%0d)", W_SHIFT, W_BITS + W_SHIFT, ACC_BITS);
`else
      snn_syn_event__W_SHIFT_must_keep_W_BITS_plus_W_SHIFT_within_ACC_BITS param_error ();
`endif
    end
    if (ROWS < 1) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_syn_event: ROWS (%0d) must be >= 1", ROWS);
`else
      snn_syn_event__ROWS_must_be_at_least_1 param_error ();
`endif
    end
    if (SYN_DEPTH < 1) begin : g_err_syn_depth
`ifdef VERILATOR
      $error("snn_syn_event: SYN_DEPTH (%0d) must be >= 1", SYN_DEPTH);
`else
      snn_syn_event__SYN_DEPTH_must_be_at_least_1 param_error ();
`endif
    end
    if (SYN_EXT < 0 || SYN_EXT > 2) begin : g_err_syn_ext
`ifdef VERILATOR
      $error("snn_syn_event: SYN_EXT (%0d) must be 0, 1 or 2", SYN_EXT);
`else
      snn_syn_event__SYN_EXT_must_be_0_1_or_2 param_error ();
`endif
    end
  endgenerate

  // Constants at the widths they are used with.
  localparam [ACC_AW-1:0] N_A = N_NEURONS[ACC_AW-1:0];
  localparam [SLOT_W:0]   S_C = SLOTS[SLOT_W:0];

  // ---------------------------------------------------------------- memories
  // (snn_mem instances below, next to the stage that reads them: row memory
  // in F, synapse memory in s1, accumulators in s3 and port B. Images from
  // the generator; without a file a memory starts at zero, every row empty.
  // The accumulators always start at zero.)

  // ---------------------------------------------------------------- control
  wire dr_fire = dr_valid_i;          // the drain port is always ready
  wire s_adv   = ~dr_fire;            // event pipeline enable (port B is the drain's this cycle)

  assign dr_ready_o = 1'b1;

  // ======================================================== front end
  // Synapse words enter stage s1 (s1_valid, s1_syn: the word, s1_slot: its
  // event's slot, s1_addr: its synapse address) from the on-chip row walker
  // or, with SYN_EXT != 0, from snn_syn_fetch; both hold while s_adv is low.
  wire                s1_valid;
  wire [SYN_W-1:0]    s1_syn;
  wire [SYN_AW-1:0]   s1_addr;
  wire [SLOT_W-1:0]   s1_slot;
  wire                front_busy;     // events or words in the front end (s1 included)

  generate
    if (SYN_EXT == 0) begin : g_onchip
    // ======================================================== F: row fetch
    reg                 f_valid_q;
    reg [SLOT_W-1:0]    f_slot_q;
    wire [2*PTR_W-1:0]  f_row;          // row memory output (registered read)
    wire [PTR_W-1:0]    f_start = f_row[PTR_W-1:0];
    wire [PTR_W-1:0]    f_end   = f_row[2*PTR_W-1:PTR_W];
    wire                f_empty = (f_start == f_end);

    // ======================================================== W: row walker
    reg                 w_act_q;        // a row with ptr < end is being walked
    reg [PTR_W-1:0]     w_ptr_q;
    reg [PTR_W-1:0]     w_end_q;
    reg [SLOT_W-1:0]    w_slot_q;
    localparam [PTR_W-1:0] PTR_ONE = 1;
    wire [PTR_W-1:0]    w_ptr_inc = w_ptr_q + PTR_ONE;
    wire                w_last    = (w_ptr_inc == w_end_q);
    wire                w_issue   = w_act_q & s_adv;
    // The walker can load a row when idle or while issuing its last synapse.
    wire                w_free    = ~w_act_q | (s_adv & w_last);
    wire                w_take    = f_valid_q & ~f_empty & w_free;
    // F moves on when empty, when its (empty) row is dropped, or when W takes it.
    wire                f_adv     = ~f_valid_q | f_empty | w_take;

    assign ev_ready_o = f_adv;

    always @(posedge clk_i) begin
      if (rst_i) begin
        f_valid_q <= 1'b0;
      end else if (f_adv) begin
        f_valid_q <= ev_valid_i;
      end
    end

    always @(posedge clk_i) begin
      if (f_adv) begin
        f_slot_q <= ev_slot_i;
      end
    end

    // row memory: read as the event is accepted (f_row, held while F stalls);
    // written by the load port
    snn_mem #(
      .WIDTH    (2 * PTR_W),
      .DEPTH    (ROWS_M),
      .INIT_FILE(ROW_MEM_FILE)
    ) u_row_mem (
      .clk_i  (clk_i),
      .we_i   (ld_row_i),
      .waddr_i(ld_addr_i[ROW_W-1:0]),
      .wdata_i(ld_word_i[2*PTR_W-1:0]),
      .wlane_i(1'b1),
      .re_i   (f_adv),
      .raddr_i(ev_row_i),
      .rdata_o(f_row)
    );

    always @(posedge clk_i) begin
      if (rst_i) begin
        w_act_q <= 1'b0;
      end else if (w_take) begin
        w_act_q <= 1'b1;
      end else if (w_issue && w_last) begin
        w_act_q <= 1'b0;
      end
    end

    always @(posedge clk_i) begin
      if (w_take) begin
        w_ptr_q  <= f_start;
        w_end_q  <= f_end;
        w_slot_q <= f_slot_q;
      end else if (w_issue) begin
        w_ptr_q  <= w_ptr_inc;
      end
    end

    // ------------------------------------------------------ s1: synapse word
    reg                 s1_valid_q;
    // (s1_syn: the synapse memory's output, registered read)
    reg [SYN_AW-1:0]    s1_addr_q;
    reg [SLOT_W-1:0]    s1_slot_q;
    // port A address: the walker's pointer, or the auxiliary read while idle
    wire [SYN_AW-1:0]   a_syn_addr = ax_valid_i ? ax_addr_i : w_ptr_q[SYN_AW-1:0];

    always @(posedge clk_i) begin
      if (rst_i) begin
        s1_valid_q <= 1'b0;
      end else if (s_adv) begin
        s1_valid_q <= w_act_q;
      end
    end

    always @(posedge clk_i) begin
      if (s_adv) begin
        s1_addr_q <= a_syn_addr;
        s1_slot_q <= w_slot_q;
      end
    end

    // The synapse memory. Its write port takes a whole word (load) or the
    // weight field (STDP write-back): the word's write lanes are {delay,
    // target} (lane 0, SYN_LO bits) and the weight (the lanes above).
    localparam integer SYN_LO    = TGT_W + SLOT_W;
    localparam integer SYN_LANES = (SYN_W + SYN_LO - 1) / SYN_LO;
    // (lane 0 is kept only by a weight write: in a static core, where
    // wp_valid_i is tied low, every lane's enable is the same signal and the
    // memory maps to block RAM like one written in whole words)
    wire w_only = wp_valid_i & ~ld_syn_i;

    snn_mem #(
      .WIDTH    (SYN_W),
      .DEPTH    (SYN_DEPTH_M),
      .LANE_W   (SYN_LO),
      .INIT_FILE(SYN_MEM_FILE)
    ) u_syn_mem (
      .clk_i  (clk_i),
      .we_i   (ld_syn_i | wp_valid_i),
      .waddr_i(ld_syn_i ? ld_addr_i[SYN_AW-1:0] : wp_addr_i),
      .wdata_i(ld_syn_i ? ld_word_i[SYN_W-1:0] : {wp_w_i, {SYN_LO{1'b0}}}),
      .wlane_i({{(SYN_LANES - 1){1'b1}}, ~w_only}),
      .re_i   (s_adv),
      .raddr_i(a_syn_addr),
      .rdata_o(s1_syn)
    );


      assign s1_valid   = s1_valid_q;
      assign s1_addr    = s1_addr_q;
      assign s1_slot    = s1_slot_q;
      assign front_busy = f_valid_q | w_act_q | s1_valid_q;
      assign ax_w_o     = s1_syn[TGT_W + SLOT_W +: W_BITS];
      assign err_o      = 1'b0;
      assign m_axi_arvalid_o = 1'b0;
      assign m_axi_araddr_o  = {AXI_ADDR_W{1'b0}};
      assign m_axi_arlen_o   = 8'd0;
      assign m_axi_arsize_o  = 3'd0;
      assign m_axi_arburst_o = 2'd0;
      assign m_axi_arid_o    = {AXI_ID_W{1'b0}};
      assign m_axi_arcache_o = 4'd0;
      assign m_axi_arprot_o  = 3'd0;
      assign m_axi_rready_o  = 1'b0;
      wire unused_ext = &{1'b0, ext_base_i, err_clr_i, m_axi_arready_i, m_axi_rvalid_i, m_axi_rdata_i,
                          m_axi_rid_i, m_axi_rresp_i, m_axi_rlast_i};
    end else begin : g_ext
      // synapse words from external memory: no synapse memory, so no
      // synapse address (taps report 0), no weight port, no auxiliary read
      wire x_valid;
      snn_syn_fetch #(
        .ROWS           (ROWS_M),
        .SYN_DEPTH      (SYN_DEPTH_M),
        .SYN_W          (SYN_W),
        .SLOT_W         (SLOT_W),
        .AXI_DATA_W     (AXI_DATA_W),
        .AXI_ADDR_W     (AXI_ADDR_W),
        .AXI_ID_W       (AXI_ID_W),
        .AXI_BURST      (AXI_BURST),
        .AXI_OUTSTANDING(AXI_OUTSTANDING),
        .ROW_EXT        ((SYN_EXT == 2) ? 1 : 0),
        .ROW_MEM_FILE   (ROW_MEM_FILE)
      ) u_fetch (
        .clk_i          (clk_i),
        .rst_i          (rst_i),
        .ev_valid_i     (ev_valid_i),
        .ev_ready_o     (ev_ready_o),
        .ev_row_i       (ev_row_i),
        .ev_slot_i      (ev_slot_i),
        .x_valid_o      (x_valid),
        .x_ready_i      (s_adv),
        .x_syn_o        (s1_syn),
        .x_slot_o       (s1_slot),
        .busy_o         (front_busy),
        .base_i         (ext_base_i),
        .err_clr_i      (err_clr_i),
        .err_o          (err_o),
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
        .m_axi_rlast_i  (m_axi_rlast_i),
        .ld_row_i       (ld_row_i),
        .ld_addr_i      (ld_addr_i),
        .ld_word_i      (ld_word_i[X_RW_W-1:0])
      );
      assign s1_valid = x_valid;
      assign s1_addr  = {SYN_AW{1'b0}};
      assign ax_w_o   = {W_BITS{1'b0}};
      wire unused_onchip = &{1'b0, ld_syn_i, wp_valid_i, wp_addr_i, wp_w_i, ax_valid_i, ax_addr_i,
                             ld_word_i};
    end
  endgenerate

  // decode
  wire [TGT_W-1:0]        s1_tgt   = s1_syn[TGT_W-1:0];
  wire [SLOT_W-1:0]       s1_dly   = s1_syn[TGT_W +: SLOT_W];
  wire [W_BITS-1:0]       s1_w     = s1_syn[TGT_W + SLOT_W +: W_BITS];
  // target slot: s + d < 2 SLOTS, one conditional subtraction
  wire [SLOT_W:0]         s1_ssum  = {1'b0, s1_slot} + {1'b0, s1_dly};
  wire [SLOT_W:0]         s1_smod  = (s1_ssum >= S_C) ? (s1_ssum - S_C) : s1_ssum;
  // zero-extend slot and target to ACC_AW (via a wider concatenation, so no
  // zero-width replication is needed when the widths are equal)
  wire [ACC_AW+SLOT_W:0]  s1_slot_x = {{ACC_AW{1'b0}}, s1_smod};
  wire [ACC_AW+TGT_W-1:0] s1_tgt_x  = {{ACC_AW{1'b0}}, s1_tgt};
  wire [ACC_AW-1:0]       s1_addr_d = s1_slot_x[ACC_AW-1:0] * N_A + s1_tgt_x[ACC_AW-1:0];
  // weight sign-extended to ACC_BITS, then shifted (exact: W_BITS + W_SHIFT <= ACC_BITS)
  wire [ACC_BITS+W_BITS-1:0] s1_w_x = {{ACC_BITS{s1_w[W_BITS-1]}}, s1_w};
  wire [ACC_BITS-1:0]     s1_wl_d   = s1_w_x[ACC_BITS-1:0] << W_SHIFT;

  // ======================================================== s2: accumulator read (port A)
  reg                 s2_valid_q;
  reg [ACC_AW-1:0]    s2_addr_q;
  reg                 s2_neg_q;       // channel: 1 = inhibitory (w < 0)
  reg [ACC_BITS-1:0]  s2_wl_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      s2_valid_q <= 1'b0;
    end else if (s_adv) begin
      s2_valid_q <= s1_valid;
    end
  end

  always @(posedge clk_i) begin
    if (s_adv) begin
      s2_addr_q <= s1_addr_d;
      s2_neg_q  <= s1_w[W_BITS-1];
      s2_wl_q   <= s1_wl_d;
    end
  end

  // ======================================================== s3: add, write (port B)
  reg                 s3_valid_q;
  reg [ACC_AW-1:0]    s3_addr_q;
  reg                 s3_neg_q;
  reg [ACC_BITS-1:0]  s3_wl_q;
  wire [ACC_BITS-1:0] exa_rd;         // port A read data (registered)
  wire [ACC_BITS-1:0] ina_rd;

  always @(posedge clk_i) begin
    if (rst_i) begin
      s3_valid_q <= 1'b0;
    end else if (s_adv) begin
      s3_valid_q <= s2_valid_q;
    end
  end

  always @(posedge clk_i) begin
    if (s_adv) begin
      s3_addr_q <= s2_addr_q;
      s3_neg_q  <= s2_neg_q;
      s3_wl_q   <= s2_wl_q;
    end
  end

  // (port A: read only, both channels at the same address; the
  // accumulator memories are below, with port B)

  // last write (the forwarding source for the next synapse)
  reg                 wb_valid_q;
  reg [ACC_AW-1:0]    wb_addr_q;
  reg                 wb_neg_q;
  reg [ACC_BITS-1:0]  wb_sum_q;

  wire                s3_fwd = wb_valid_q & (wb_addr_q == s3_addr_q) & (wb_neg_q == s3_neg_q);
  wire [ACC_BITS-1:0] s3_old = s3_fwd ? wb_sum_q : (s3_neg_q ? ina_rd : exa_rd);
  wire [ACC_BITS-1:0] s3_sum = s3_old + s3_wl_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      wb_valid_q <= 1'b0;
    end else if (s_adv) begin
      wb_valid_q <= s3_valid_q;
    end
  end

  always @(posedge clk_i) begin
    if (s_adv) begin
      wb_addr_q <= s3_addr_q;
      wb_neg_q  <= s3_neg_q;
      wb_sum_q  <= s3_sum;
    end
  end

  // ======================================================== port B: RMW write or read-and-clear
  wire [SLOT_W+ACC_AW-1:0] dr_slot_x = {{ACC_AW{1'b0}}, dr_slot_i};
  wire [TGT_W+ACC_AW-1:0] dr_tgt_x  = {{ACC_AW{1'b0}}, dr_neuron_i};
  wire [ACC_AW-1:0]       dr_addr   = dr_slot_x[ACC_AW-1:0] * N_A + dr_tgt_x[ACC_AW-1:0];

  wire                b_wr_syn = s3_valid_q & s_adv;
  wire [ACC_AW-1:0]   b_addr   = dr_fire ? dr_addr : s3_addr_q;
  wire [ACC_BITS-1:0] b_wd     = dr_fire ? {ACC_BITS{1'b0}} : s3_sum;
  // (writes qualified with ~rst_i: the valid bits may hold power-up values
  // during reset, and the accumulators are never reloaded)
  wire                exb_we   = ~rst_i & (dr_fire | (b_wr_syn & ~s3_neg_q));
  wire                inb_we   = ~rst_i & (dr_fire | (b_wr_syn & s3_neg_q));

  wire [ACC_BITS-1:0] exb_rd;         // port B read data (read-first)
  wire [ACC_BITS-1:0] inb_rd;

  // The accumulators, both channels in one memory of two lanes (lane 0
  // acc_ex, lane 1 acc_in: one word per (slot, neuron), so a 72-bit
  // UltraRAM word holds both 32-bit sums); a synapse writes its channel's
  // lane, a drain both. Read port 0 is port A (s2's read), read port 1 with
  // the write port is port B (read-first: the old value out as the new one
  // goes in).
  wire                b_we = exb_we | inb_we;
  snn_mem #(
    .WIDTH   (2 * ACC_BITS),
    .DEPTH   (ACC_DEPTH_M),
    .LANE_W  (ACC_BITS),
    .RD_PORTS(2)
  ) u_acc (
    .clk_i  (clk_i),
    .we_i   (b_we),
    .waddr_i(b_addr),
    .wdata_i({b_wd, b_wd}),
    .wlane_i({inb_we, exb_we}),
    .re_i   ({b_we, s_adv}),
    .raddr_i({b_addr, s2_addr_q}),
    .rdata_o({inb_rd, exb_rd, ina_rd, exa_rd})
  );

  reg               dr_valid_q;
  reg [TGT_W-1:0]   dr_neuron_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      dr_valid_q <= 1'b0;
    end else begin
      dr_valid_q <= dr_fire;
    end
  end

  always @(posedge clk_i) begin
    if (dr_fire) begin
      dr_neuron_q <= dr_neuron_i;
    end
  end

  // Padding bits of the zero/sign extensions above (always 0 or copies of the
  // sign); collected here so that lint sees them used (Verilator ignores
  // signals named *unused*).
  wire unused_pad = &{1'b0, s1_slot_x[ACC_AW+SLOT_W:ACC_AW], s1_tgt_x[ACC_AW+TGT_W-1:ACC_AW],
                      s1_w_x[ACC_BITS+W_BITS-1:ACC_BITS], dr_slot_x[ACC_AW+SLOT_W-1:ACC_AW],
                      dr_tgt_x[ACC_AW+TGT_W-1:ACC_AW]};

  assign tap_valid_o = s1_valid & s_adv;
  assign tap_addr_o  = s1_addr;
  assign tap_w_o     = s1_w;
  assign tap_tgt_o   = s1_tgt;
  wire unused_ld = &{1'b0, ld_addr_i, ld_word_i};

  assign dr_valid_o  = dr_valid_q;
  assign dr_neuron_o = dr_neuron_q;
  assign dr_ex_o     = exb_rd;
  assign dr_in_o     = inb_rd;
  assign busy_o      = front_busy | s2_valid_q | s3_valid_q;
endmodule
`default_nettype wire
