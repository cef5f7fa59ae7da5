`default_nettype none
// snn_syn_fetch: the front end of snn_syn_event when a core's synapse rows
// live in external memory (SYN_EXT = 1): it turns spike events (row, slot)
// into a stream of synapse words (and the event's slot) at up to one per
// clock, reading the rows through an AXI4 read master (of the kind Vivado's
// DDR4 and HBM controllers and SmartConnect accept) and hiding the memory's
// latency by requesting the bursts of later spikes while earlier ones
// stream.
//
// External layout (docs/hardware.md, "External synapse memory"; written by
// spikefab_gen's image writer): the core's region starts at byte address
// base_i; beat b (AXI_DATA_W bits) is at base_i + b * AXI_DATA_W/8; a beat
// holds LANES = AXI_DATA_W / SYN_W synapse words, lane l in bits
// [l*SYN_W +: SYN_W] (the bits above the last lane are 0); every non-empty
// row starts at a fresh beat. The row memory (ROWS words, on chip, loaded
// like the on-chip core's) holds {beats, last, start_beat} per row: the
// row's beats, the synapses in its last beat (1..LANES), its first beat; a
// row with 0 beats is empty.
//
// ROW_EXT = 1 (snn_syn_event's SYN_EXT = 2): the row words are in the
// region too, not on chip. The region then starts with the row index:
// IDX_BEATS = ceil(ROWS / IDX_LANES) beats, row word r in lane r %
// IDX_LANES (IDX_W = the row word's width rounded up to a power of two
// bits, IDX_LANES = AXI_DATA_W / IDX_W) of index beat r / IDX_LANES; the
// synapse beats follow, so synapse beat b is at base_i + (IDX_BEATS + b) *
// AXI_DATA_W/8. Each event reads its row word with a one-beat burst of ID
// AXI_OUTSTANDING (all index reads share that ID, so the memory returns
// them in order) into a ring of AXI_OUTSTANDING index entries; an event is
// accepted while the ring has room, and its index read goes out ahead of
// the bursts of earlier rows (the AR register takes an index read first),
// so both latencies overlap the streaming of earlier rows. The row memory
// is not built and the load port's row writes are ignored.
//
// Pipeline:
//   I  (ROW_EXT = 1) event accepted into the index ring; its index read is
//      issued through the AR register; its row word arrives on R
//   F  event accepted (ev_valid_i & ev_ready_o): row memory read (ROW_EXT =
//      1: the oldest index entry whose row word is in); an empty row is
//      dropped here
//   Q  burst splitter: the current row's next burst is at most AXI_BURST
//      beats, never crosses a 4 KiB boundary, and ends at the row's end; it
//      is issued when a burst slot is free and the AR register can take it.
//      A row moves from F to Q when Q is idle or issues the row's last burst.
//   AR register: m_axi_ar* (held, unchanged, until m_axi_arready_i)
//   slots: AXI_OUTSTANDING burst slots, allocated in issue order (the
//      burst's ARID is its slot), freed in the same order when the burst's
//      last beat is read out. Each slot owns AXI_BURST words of the beat
//      buffer, so a beat is stored at (rid * AXI_BURST + its index in the
//      burst) whatever order the memory answers in (AXI4 orders beats only
//      within one ID): m_axi_rready_o is always high.
//   X  read-out: the beats of the oldest slot, in order, into the beat
//      buffer's registered read port, which is the output stage: x_syn_o
//      is lane x_lane of that beat; the next beat is read while the last
//      lane of the current one leaves, so LANES = 1 still streams one
//      synapse per clock.
// Throughput: one synapse per clock from the oldest burst once its beats
// are in, as long as the synapses of the next AXI_OUTSTANDING - 1 bursts
// cover the memory's latency (about latency + 3 cycles): the cover scales
// with bursts, not bytes, so short rows hide less (docs/hardware.md, "The
// fetch pipeline"). The first synapse leaves latency + 6 cycles after an
// event reaches an idle fetch. ROW_EXT = 1: the first synapse leaves about 2
// x latency + 10 cycles after the event (its index read, then its first
// burst, one cycle later for each index read the AR register takes ahead of
// that burst); after that the same rule holds, except that with one lane
// per beat (LANES = 1) R carries one synapse per clock, so each index beat
// that arrives while rows stream costs that clock.
//
// mem_err_o (sticky, cleared by rst_i or err_clr_i): a read beat with
// RRESP != OKAY (its data is used anyway), a beat whose RID names no burst
// in flight or one beat too many (dropped), or RLAST on the wrong beat. A
// core whose memory misbehaves may then stall; the host sees the flag.
//
// rst_i (synchronous, active high) clears control state, not the memories.
module snn_syn_fetch #(
  // Source rows (entries of the row memory); >= 1.
  parameter integer ROWS = 64,
  // Synapse lanes of the external region (beats * LANES, padding included); >= 1.
  parameter integer SYN_DEPTH = 1024,
  // Synapse word width {weight, delay, target}; 1..AXI_DATA_W.
  parameter integer SYN_W = 32,
  // Slot index width (ev_slot_i, x_slot_o); >= 1.
  parameter integer SLOT_W = 6,
  // AXI data width in bits: a power of two, 32..1024.
  parameter integer AXI_DATA_W = 256,
  // AXI byte-address width; 12..64.
  parameter integer AXI_ADDR_W = 34,
  // AXI read ID width; 1..8 and 2^AXI_ID_W >= AXI_OUTSTANDING.
  parameter integer AXI_ID_W = 4,
  // Most beats per burst (ARLEN + 1); 1..256, any value.
  parameter integer AXI_BURST = 16,
  // Bursts in flight (burst slots); 1..64; < 2^AXI_ID_W when ROW_EXT = 1.
  parameter integer AXI_OUTSTANDING = 16,
  // 1: the row words are read from the region's row index (no row memory); 0: on chip.
  parameter integer ROW_EXT = 0,
  // $readmemh image of the row memory (ROWS words {beats, last, start_beat}); "" = none.
  parameter ROW_MEM_FILE = ""
) (
  input  wire                    clk_i,
  input  wire                    rst_i,
  // spike events
  input  wire                    ev_valid_i,
  output wire                    ev_ready_o,
  input  wire [ROW_W-1:0]        ev_row_i,
  input  wire [SLOT_W-1:0]       ev_slot_i,
  // synapse stream (valid/ready)
  output wire                    x_valid_o,
  input  wire                    x_ready_i,
  output wire [SYN_W-1:0]        x_syn_o,
  output wire [SLOT_W-1:0]       x_slot_o,
  // work in flight (an event in F/Q, a burst requested or buffered, a beat out)
  output wire                    busy_o,
  // the core's region in external memory (byte address; a multiple of 4096)
  input  wire [AXI_ADDR_W-1:0]   base_i,
  input  wire                    err_clr_i,
  output wire                    err_o,
  // AXI4 read master
  output wire                    m_axi_arvalid_o,
  input  wire                    m_axi_arready_i,
  output wire [AXI_ADDR_W-1:0]   m_axi_araddr_o,
  output wire [7:0]              m_axi_arlen_o,
  output wire [2:0]              m_axi_arsize_o,
  output wire [1:0]              m_axi_arburst_o,
  output wire [AXI_ID_W-1:0]     m_axi_arid_o,
  output wire [3:0]              m_axi_arcache_o,
  output wire [2:0]              m_axi_arprot_o,
  input  wire                    m_axi_rvalid_i,
  output wire                    m_axi_rready_o,
  input  wire [AXI_DATA_W-1:0]   m_axi_rdata_i,
  input  wire [AXI_ID_W-1:0]     m_axi_rid_i,
  input  wire [1:0]              m_axi_rresp_i,
  input  wire                    m_axi_rlast_i,
  // load port (only while idle): a whole row word
  input  wire                    ld_row_i,
  input  wire [31:0]             ld_addr_i,
  input  wire [RW_W-1:0]         ld_word_i
);
  // Sizes as the memories get them (an illegal parameter is rejected below).
  localparam integer ROWS_M  = (ROWS < 1) ? 1 : ROWS;
  localparam integer SYN_W_M = (SYN_W < 1) ? 1 : SYN_W;
  localparam integer OUT_M   = (AXI_OUTSTANDING < 1) ? 1 : AXI_OUTSTANDING;
  localparam integer BURST_M = (AXI_BURST < 1) ? 1 : AXI_BURST;
  // Row index width.
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  // Synapse words per beat.
  localparam integer LANES = (AXI_DATA_W / SYN_W_M < 1) ? 1 : AXI_DATA_W / SYN_W_M;
  // Beats of the region, and the widths of a row word's fields.
  localparam integer EXT_BEATS = (SYN_DEPTH + LANES - 1) / LANES;
  localparam integer BEAT_AW = (EXT_BEATS > 1) ? $clog2(EXT_BEATS) : 1;
  localparam integer BCNT_W = $clog2(EXT_BEATS + 1);
  localparam integer LCNT_W = $clog2(LANES + 1);
  // Row word {beats, last, start_beat}.
  localparam integer RW_W = BCNT_W + LCNT_W + BEAT_AW;
  // Bytes per beat and ARSIZE.
  localparam integer BEAT_BYTES = AXI_DATA_W / 8;
  localparam integer SIZE = $clog2(BEAT_BYTES);
  // Beats in a 4 KiB page, and the width of a beat's index within one.
  localparam integer PAGE_BEATS = 4096 / BEAT_BYTES;
  localparam integer PAGE_W = 12 - SIZE;
  // Burst length width (1..AXI_BURST) and the beat buffer.
  localparam integer LEN_W = $clog2(BURST_M + 1);
  localparam integer SLOT_IW = (OUT_M > 1) ? $clog2(OUT_M) : 1;
  localparam integer BUF_DEPTH = OUT_M * BURST_M;
  localparam integer BUF_AW = (BUF_DEPTH > 1) ? $clog2(BUF_DEPTH) : 1;
  // Lane index width.
  localparam integer LANE_W = (LANES > 1) ? $clog2(LANES) : 1;
  // Row index (ROW_EXT = 1): a row word's lane width (a power of two), lanes
  // per beat, their index width, and the index's beats before the synapses.
  localparam integer IDX_W = 1 << $clog2(RW_W);
  localparam integer IDX_LANES = (AXI_DATA_W / IDX_W < 1) ? 1 : AXI_DATA_W / IDX_W;
  localparam integer IL_W = (IDX_LANES > 1) ? $clog2(IDX_LANES) : 1;
  localparam integer IDX_BEATS = (ROW_EXT == 1) ? (ROWS_M + IDX_LANES - 1) / IDX_LANES : 0;
  // Index ring entries (1 when ROW_EXT = 0) and their index width.
  localparam integer IX_N = (ROW_EXT == 1) ? OUT_M : 1;
  localparam integer IX_IW = (IX_N > 1) ? $clog2(IX_N) : 1;
  // Width of the address arithmetic (the region's beats times the beat size fit).
  localparam integer AX_W = AXI_ADDR_W + ((BCNT_W > ROW_W) ? BCNT_W : ROW_W) + SIZE + 2;

  // ---------------------------------------------------------------- checks
  generate
    if (ROWS < 1) begin : g_err_rows
`ifdef VERILATOR
      $error("snn_syn_fetch: ROWS (%0d) must be >= 1", ROWS);
`else
      snn_syn_fetch__ROWS_must_be_at_least_1 param_error ();
`endif
    end
    if (SYN_DEPTH < 1) begin : g_err_syn_depth
`ifdef VERILATOR
      $error("snn_syn_fetch: SYN_DEPTH (%0d) must be >= 1", SYN_DEPTH);
`else
      snn_syn_fetch__SYN_DEPTH_must_be_at_least_1 param_error ();
`endif
    end
    if (AXI_DATA_W < 32 || AXI_DATA_W > 1024 || (AXI_DATA_W & (AXI_DATA_W - 1)) != 0) begin : g_err_data_w
`ifdef VERILATOR
      $error("snn_syn_fetch: AXI_DATA_W (%0d) must be a power of two in 32..1024", AXI_DATA_W);
`else
      snn_syn_fetch__AXI_DATA_W_must_be_a_power_of_two_in_32_to_1024 param_error ();
`endif
    end
    if (SYN_W < 1 || SYN_W > AXI_DATA_W) begin : g_err_syn_w
`ifdef VERILATOR
      $error("snn_syn_fetch: SYN_W (%0d) must be in 1..AXI_DATA_W (%0d)", SYN_W, AXI_DATA_W);
`else
      snn_syn_fetch__SYN_W_must_fit_in_AXI_DATA_W param_error ();
`endif
    end
    if (AXI_ADDR_W < 12 || AXI_ADDR_W > 64) begin : g_err_addr_w
`ifdef VERILATOR
      $error("snn_syn_fetch: AXI_ADDR_W (%0d) must be in 12..64", AXI_ADDR_W);
`else
      snn_syn_fetch__AXI_ADDR_W_must_be_in_12_to_64 param_error ();
`endif
    end
    if (AXI_ID_W < 1 || AXI_ID_W > 8) begin : g_err_id_w
`ifdef VERILATOR
      $error("snn_syn_fetch: AXI_ID_W (%0d) must be in 1..8", AXI_ID_W);
`else
      snn_syn_fetch__AXI_ID_W_must_be_in_1_to_8 param_error ();
`endif
    end
    if (AXI_BURST < 1 || AXI_BURST > 256) begin : g_err_burst
`ifdef VERILATOR
      $error("snn_syn_fetch: AXI_BURST (%0d) must be in 1..256", AXI_BURST);
`else
      snn_syn_fetch__AXI_BURST_must_be_in_1_to_256 param_error ();
`endif
    end
    if (ROW_EXT != 0 && (ROW_EXT != 1 || AXI_OUTSTANDING >= (1 << AXI_ID_W) || IDX_W > AXI_DATA_W)) begin : g_err_row_ext
`ifdef VERILATOR
      $error("snn_syn_fetch: ROW_EXT (%0d) must be 0 or 1; with 1, AXI_OUTSTANDING (%0d) < 2^AXI_ID_W (%0d) (the index reads' ID) and the row word's lane (%0d bits) fits AXI_DATA_W (%0d)",
             ROW_EXT, AXI_OUTSTANDING, 1 << AXI_ID_W, IDX_W, AXI_DATA_W);
`else
      snn_syn_fetch__ROW_EXT_needs_a_free_ID_and_a_row_word_within_a_beat param_error ();
`endif
    end
    if (AXI_OUTSTANDING < 1 || AXI_OUTSTANDING > 64 || AXI_OUTSTANDING > (1 << AXI_ID_W)) begin : g_err_outstanding
`ifdef VERILATOR
      $error("snn_syn_fetch: AXI_OUTSTANDING (%0d) must be in 1..64 and at most 2^AXI_ID_W (%0d)", AXI_OUTSTANDING, 1 << AXI_ID_W);
`else
      snn_syn_fetch__AXI_OUTSTANDING_must_be_in_1_to_64_and_fit_AXI_ID_W param_error ();
`endif
    end
  endgenerate

  // ======================================================== F: row lookup
  reg                 f_valid_q;
  reg [SLOT_W-1:0]    f_slot_q;
  wire [RW_W-1:0]     f_row;          // the row word (row memory or index entry, registered)
  wire [BEAT_AW-1:0]  f_start = f_row[BEAT_AW-1:0];
  wire [LCNT_W-1:0]   f_last  = f_row[BEAT_AW +: LCNT_W];
  wire [BCNT_W-1:0]   f_beats = f_row[BEAT_AW + LCNT_W +: BCNT_W];
  wire                f_empty = (f_beats == {BCNT_W{1'b0}});

  // ======================================================== I: index ring (ROW_EXT = 1)
  // entries allocated at ix_w (event accepted), their reads issued at ix_a,
  // their row words received at ix_r, popped into F at ix_h, all in order
  reg [ROW_W-1:0]     ix_row_q  [0:IX_N-1];
  reg [SLOT_W-1:0]    ix_slot_q [0:IX_N-1];
  reg [RW_W-1:0]      ix_word_q [0:IX_N-1];
  reg [IX_IW-1:0]     ix_w_q, ix_a_q, ix_r_q, ix_h_q;
  reg [IX_IW:0]       ix_used_q;      // entries held
  reg [IX_IW:0]       ix_toar_q;      // entries whose read is not yet in the AR register
  reg [IX_IW:0]       ix_out_q;       // reads in the AR register or at the memory
  reg [IX_IW:0]       ix_rdy_q;       // entries whose row word is in

  // ======================================================== Q: burst splitter
  reg                 q_act_q;        // a row with beats left to request
  reg [AX_W-1:0]      q_addr_q;       // byte address of its next beat
  reg [BCNT_W-1:0]    q_left_q;       // its beats not yet requested
  reg [LCNT_W-1:0]    q_last_q;       // synapses in its last beat
  reg [SLOT_W-1:0]    q_slot_q;

  // the AR register
  reg                 ar_valid_q;
  reg [AX_W-1:0]      ar_addr_q;
  reg [7:0]           ar_len_q;
  reg [SLOT_IW-1:0]   ar_id_q;
  reg                 ar_idx_q;       // it holds an index read (ID AXI_OUTSTANDING)

  // burst slots: allocated at tail, freed at head, in order
  reg [SLOT_IW-1:0]   tail_q;
  reg [SLOT_IW-1:0]   head_q;
  reg [SLOT_IW:0]     used_q;         // slots allocated
  reg                 s_alloc_q [0:OUT_M-1];
  reg [LEN_W-1:0]     s_len_q   [0:OUT_M-1];  // beats of the burst
  reg [LEN_W-1:0]     s_rcv_q   [0:OUT_M-1];  // beats received so far
  reg [LCNT_W-1:0]    s_fin_q   [0:OUT_M-1];  // synapses in its last beat
  reg [SLOT_W-1:0]    s_slot_q  [0:OUT_M-1];

  // the next burst of the row in Q: at most AXI_BURST beats, up to the
  // 4 KiB boundary, up to the row's end
  localparam [LEN_W-1:0]  BURST_L = BURST_M[LEN_W-1:0];
  localparam [LEN_W-1:0]  LEN_ONE = 1;
  localparam [PAGE_W:0]   PAGE_L  = PAGE_BEATS[PAGE_W:0];
  wire [PAGE_W-1:0]   q_page_at = q_addr_q[SIZE +: PAGE_W];     // beat within the page
  wire [PAGE_W:0]     q_to_page = PAGE_L - {1'b0, q_page_at};   // 1..PAGE_BEATS
  // (compared at a common width wide enough for all three)
  localparam integer CMP_W = ((BCNT_W > LEN_W) ? BCNT_W : LEN_W) + PAGE_W + 1;
  wire [CMP_W-1:0]    c_left  = {{(CMP_W - BCNT_W){1'b0}}, q_left_q};
  wire [CMP_W-1:0]    c_page  = {{(CMP_W - PAGE_W - 1){1'b0}}, q_to_page};
  wire [CMP_W-1:0]    c_burst = {{(CMP_W - LEN_W){1'b0}}, BURST_L};
  wire [CMP_W-1:0]    c_cap   = (c_page < c_burst) ? c_page : c_burst;
  wire                q_final = (c_left <= c_cap);              // the row's last burst
  wire [CMP_W-1:0]    q_len_x = q_final ? c_left : c_cap;       // 1..AXI_BURST
  wire [LEN_W-1:0]    q_len   = q_len_x[LEN_W-1:0];
  wire [LCNT_W-1:0]   q_fin   = q_final ? q_last_q : LANES[LCNT_W-1:0];

  localparam [IX_IW:0] IX_FULL = IX_N[IX_IW:0];
  localparam [IX_IW:0] IX_NONE = {(IX_IW + 1){1'b0}};
  wire                slot_free = (used_q != OUT_M[SLOT_IW:0]);
  wire                ar_free   = ~ar_valid_q | m_axi_arready_i;
  // the AR register takes an index read before a burst (ix_toar_q is 0 when ROW_EXT = 0)
  wire                ia_issue  = (ix_toar_q != IX_NONE) & ar_free;
  wire                q_issue   = q_act_q & slot_free & ar_free & ~ia_issue;
  // Q can take a row when idle or while issuing its row's last burst
  wire                q_free    = ~q_act_q | (q_issue & q_final);
  wire                q_take    = f_valid_q & ~f_empty & q_free;
  wire                f_adv     = ~f_valid_q | f_empty | q_take;

  // F's input: the event (row memory) or the oldest index entry whose word is in
  wire                ix_have    = (ix_rdy_q != IX_NONE);
  wire                f_in_valid = (ROW_EXT == 1) ? ix_have : ev_valid_i;
  wire [SLOT_W-1:0]   f_in_slot  = (ROW_EXT == 1) ? ix_slot_q[ix_h_q] : ev_slot_i;
  wire                ix_room    = (ix_used_q != IX_FULL);
  assign ev_ready_o = (ROW_EXT == 1) ? ix_room : f_adv;
  wire                ix_acc = (ROW_EXT == 1) & ev_valid_i & ix_room;
  wire                ix_pop = f_adv & ix_have;

  always @(posedge clk_i) begin
    if (rst_i) begin
      f_valid_q <= 1'b0;
    end else if (f_adv) begin
      f_valid_q <= f_in_valid;
    end
  end

  always @(posedge clk_i) begin
    if (f_adv) begin
      f_slot_q <= f_in_slot;
    end
  end

  // the row word: the row memory's registered read, or (ROW_EXT = 1) the
  // index entry popped into F
  wire [RW_W-1:0]     f_row_mem;
  reg  [RW_W-1:0]     f_row_q;
  always @(posedge clk_i) begin
    if (f_adv) begin
      f_row_q <= ix_word_q[ix_h_q];
    end
  end
  assign f_row = (ROW_EXT == 1) ? f_row_q : f_row_mem;

  generate
    if (ROW_EXT == 0) begin : g_row_mem
      snn_mem #(
        .WIDTH    (RW_W),
        .DEPTH    (ROWS_M),
        .INIT_FILE(ROW_MEM_FILE)
      ) u_row_mem (
        .clk_i  (clk_i),
        .we_i   (ld_row_i),
        .waddr_i(ld_addr_i[ROW_W-1:0]),
        .wdata_i(ld_word_i),
        .wlane_i(1'b1),
        .re_i   (f_adv),
        .raddr_i(ev_row_i),
        .rdata_o(f_row_mem)
      );
    end else begin : g_row_idx
      assign f_row_mem = {RW_W{1'b0}};
      // the row memory's load port has nothing to write
      wire unused_ld = &{1'b0, ld_row_i, ld_addr_i, ld_word_i};
    end
  endgenerate

  // the first beat's byte address: base + (IDX_BEATS + start_beat) * BEAT_BYTES
  localparam [AX_W-1:0] IDX_BEATS_X = {{(AX_W - ROW_W - 1){1'b0}}, IDX_BEATS[ROW_W:0]};  // <= ROWS
  wire [AX_W-1:0] f_base_x  = {{(AX_W - AXI_ADDR_W){1'b0}}, base_i};
  wire [AX_W-1:0] f_start_x = {{(AX_W - BEAT_AW){1'b0}}, f_start};
  wire [AX_W-1:0] f_addr    = f_base_x + ((IDX_BEATS_X + f_start_x) << SIZE);
  wire [AX_W-1:0] q_len_b   = {{(AX_W - LEN_W){1'b0}}, q_len} << SIZE;
  wire [BCNT_W+LEN_W-1:0] q_left_x = {{LEN_W{1'b0}}, q_left_q};
  wire [BCNT_W+LEN_W-1:0] q_len_c  = {{BCNT_W{1'b0}}, q_len};
  wire [BCNT_W+LEN_W-1:0] q_left_n = q_left_x - q_len_c;

  // the index read of entry ix_a: base + (row / IDX_LANES) * BEAT_BYTES
  localparam integer IL_SH = (IDX_LANES > 1) ? $clog2(IDX_LANES) : 0;
  wire [AX_W-1:0] ia_row_x = {{(AX_W - ROW_W){1'b0}}, ix_row_q[ix_a_q]};
  wire [AX_W-1:0] ia_addr  = f_base_x + ((ia_row_x >> IL_SH) << SIZE);

  always @(posedge clk_i) begin
    if (rst_i) begin
      q_act_q <= 1'b0;
    end else if (q_take) begin
      q_act_q <= 1'b1;
    end else if (q_issue && q_final) begin
      q_act_q <= 1'b0;
    end
  end

  always @(posedge clk_i) begin
    if (q_take) begin
      q_addr_q <= f_addr;
      q_left_q <= f_beats;
      q_last_q <= f_last;
      q_slot_q <= f_slot_q;
    end else if (q_issue) begin
      q_addr_q <= q_addr_q + q_len_b;
      q_left_q <= q_left_n[BCNT_W-1:0];
    end
  end

  // ======================================================== AR register
  always @(posedge clk_i) begin
    if (rst_i) begin
      ar_valid_q <= 1'b0;
    end else if (ia_issue || q_issue) begin
      ar_valid_q <= 1'b1;
    end else if (m_axi_arready_i) begin
      ar_valid_q <= 1'b0;
    end
  end

  localparam [8+LEN_W-1:0] ARLEN_ONE = 1;
  wire [8+LEN_W-1:0] q_arlen = {8'd0, q_len} - ARLEN_ONE;

  always @(posedge clk_i) begin
    if (ia_issue) begin
      ar_addr_q <= ia_addr;
      ar_len_q  <= 8'd0;
      ar_idx_q  <= 1'b1;
    end else if (q_issue) begin
      ar_addr_q <= q_addr_q;
      ar_len_q  <= q_arlen[7:0];
      ar_id_q   <= tail_q;
      ar_idx_q  <= 1'b0;
    end
  end

  // IDs at a width that holds the slots' and AXI_OUTSTANDING (the index reads')
  localparam integer IDW_X = AXI_ID_W + SLOT_IW + 1;
  localparam [IDW_X-1:0] IDX_ID = OUT_M[IDW_X-1:0];
  wire [IDW_X-1:0] ar_id_x = ar_idx_q ? IDX_ID : {{(IDW_X - SLOT_IW){1'b0}}, ar_id_q};

  assign m_axi_arvalid_o = ar_valid_q;
  assign m_axi_araddr_o  = ar_addr_q[AXI_ADDR_W-1:0];
  assign m_axi_arlen_o   = ar_len_q;
  assign m_axi_arsize_o  = SIZE[2:0];
  assign m_axi_arburst_o = 2'b01;        // INCR
  assign m_axi_arid_o    = ar_id_x[AXI_ID_W-1:0];
  assign m_axi_arcache_o = 4'b0011;      // normal, non-cacheable, bufferable
  assign m_axi_arprot_o  = 3'b000;       // unprivileged, secure, data
  assign m_axi_rready_o  = 1'b1;         // every slot and index entry has room for its beats

  // ======================================================== R: beats into the buffer
  // (a beat whose RID is outside the slots, names a free slot, a slot whose
  // AR still waits in the AR register (not yet accepted by the memory) or
  // would be one too many is dropped and flagged; so is an index beat
  // (RID = AXI_OUTSTANDING, ROW_EXT = 1) with no index read at the memory)
  wire [IDW_X-1:0]    r_id_x   = {{(IDW_X - AXI_ID_W){1'b0}}, m_axi_rid_i};
  wire [SLOT_IW-1:0]  r_slot   = r_id_x[SLOT_IW-1:0];
  wire                r_in     = (r_id_x < IDX_ID);
  wire                r_wait   = ar_valid_q && !ar_idx_q && (ar_id_q == r_slot);
  wire                r_known  = r_in && s_alloc_q[r_slot] && !r_wait && (s_rcv_q[r_slot] != s_len_q[r_slot]);
  wire                r_take   = m_axi_rvalid_i & r_known;
  wire [LEN_W-1:0]    r_rcv_n  = s_rcv_q[r_slot] + LEN_ONE;
  wire                r_isidx  = (ROW_EXT == 1) && (r_id_x == IDX_ID);
  wire [IX_IW:0]      ix_fly   = ix_out_q - {{IX_IW{1'b0}}, ar_valid_q & ar_idx_q};
  wire                ix_known = r_isidx && (ix_fly != IX_NONE);
  wire                ix_take  = m_axi_rvalid_i & ix_known;
  wire                r_lastok = r_isidx ? m_axi_rlast_i : ((r_rcv_n == s_len_q[r_slot]) == m_axi_rlast_i);
  wire                r_err    = m_axi_rvalid_i & (~(r_known | ix_known) | ~r_lastok | (m_axi_rresp_i != 2'b00));

  // the row word of index entry ix_r: lane (row % IDX_LANES) of the beat
  localparam [IL_W-1:0] IL_MASK = IDX_LANES[IL_W-1:0] - 1'b1;
  wire [AX_W-1:0]       ix_rrow = {{(AX_W - ROW_W){1'b0}}, ix_row_q[ix_r_q]};
  wire [IL_W-1:0]       ix_lane = ix_rrow[IL_W-1:0] & IL_MASK;
  wire [AXI_DATA_W-1:0] ix_beat = m_axi_rdata_i >> (ix_lane * IDX_W);

  // index ring bookkeeping
  localparam [IX_IW-1:0] IX_LAST = IX_N[IX_IW-1:0] - 1'b1;
  localparam [IX_IW-1:0] IX_ONE  = 1;
  localparam [IX_IW:0]   IX_ONE_C = 1;
  wire [IX_IW:0] ix_acc_c  = ix_acc   ? IX_ONE_C : IX_NONE;
  wire [IX_IW:0] ix_pop_c  = ix_pop   ? IX_ONE_C : IX_NONE;
  wire [IX_IW:0] ia_iss_c  = ia_issue ? IX_ONE_C : IX_NONE;
  wire [IX_IW:0] ix_take_c = ix_take  ? IX_ONE_C : IX_NONE;
  always @(posedge clk_i) begin
    if (rst_i) begin
      ix_w_q    <= {IX_IW{1'b0}};
      ix_a_q    <= {IX_IW{1'b0}};
      ix_r_q    <= {IX_IW{1'b0}};
      ix_h_q    <= {IX_IW{1'b0}};
      ix_used_q <= IX_NONE;
      ix_toar_q <= IX_NONE;
      ix_out_q  <= IX_NONE;
      ix_rdy_q  <= IX_NONE;
    end else begin
      if (ix_acc) begin
        ix_w_q <= (ix_w_q == IX_LAST) ? {IX_IW{1'b0}} : ix_w_q + IX_ONE;
      end
      if (ia_issue) begin
        ix_a_q <= (ix_a_q == IX_LAST) ? {IX_IW{1'b0}} : ix_a_q + IX_ONE;
      end
      if (ix_take) begin
        ix_r_q <= (ix_r_q == IX_LAST) ? {IX_IW{1'b0}} : ix_r_q + IX_ONE;
      end
      if (ix_pop) begin
        ix_h_q <= (ix_h_q == IX_LAST) ? {IX_IW{1'b0}} : ix_h_q + IX_ONE;
      end
      ix_used_q <= ix_used_q + ix_acc_c - ix_pop_c;
      ix_toar_q <= ix_toar_q + ix_acc_c - ia_iss_c;
      ix_out_q  <= ix_out_q + ia_iss_c - ix_take_c;
      ix_rdy_q  <= ix_rdy_q + ix_take_c - ix_pop_c;
    end
  end

  always @(posedge clk_i) begin
    if (ix_acc) begin
      ix_row_q[ix_w_q]  <= ev_row_i;
      ix_slot_q[ix_w_q] <= ev_slot_i;
    end
    if (ix_take) begin
      ix_word_q[ix_r_q] <= ix_beat[RW_W-1:0];
    end
  end

  // buffer word of (slot, beat): slot * AXI_BURST + beat, computed at a
  // width that holds any operand (BA_W), of which the low BUF_AW bits are used
  localparam integer BA_W = BUF_AW + SLOT_IW + LEN_W + 9;
  localparam [BA_W-1:0] BURST_A = BURST_M[BA_W-1:0];
  wire [BA_W-1:0]     r_baddr = {{(BA_W - SLOT_IW){1'b0}}, r_slot} * BURST_A
                              + {{(BA_W - LEN_W){1'b0}}, s_rcv_q[r_slot]};

  reg err_q;
  always @(posedge clk_i) begin
    if (rst_i || err_clr_i) begin
      err_q <= 1'b0;
    end else if (r_err) begin
      err_q <= 1'b1;
    end
  end
  assign err_o = err_q;

  // ======================================================== X: read-out
  reg                 x_valid_q;      // a beat is on the buffer's read port
  reg [LANE_W-1:0]    x_lane_q;       // the lane leaving now
  reg [LCNT_W-1:0]    x_nl_q;         // lanes of that beat
  reg [SLOT_W-1:0]    x_slot_q;
  reg [LEN_W-1:0]     h_beat_q;       // next beat of the head slot to read
  wire [AXI_DATA_W-1:0] x_beat;       // buffer read data (registered)

  localparam [LANE_W:0] LANE_ONE = 1;
  wire [LANE_W:0]     x_lane_n = {1'b0, x_lane_q} + LANE_ONE;
  wire [LCNT_W+LANE_W:0] x_lane_c = {{LCNT_W{1'b0}}, x_lane_n};
  wire [LCNT_W+LANE_W:0] x_nl_c   = {{(LANE_W + 1){1'b0}}, x_nl_q};
  wire                x_lastl  = (x_lane_c == x_nl_c);
  wire                x_fire   = x_valid_q & x_ready_i;
  // the head slot's next beat is in
  wire [LEN_W-1:0]    h_beat_n = h_beat_q + LEN_ONE;
  wire                h_have   = s_alloc_q[head_q] && (s_rcv_q[head_q] != h_beat_q);
  wire                h_lastb  = (h_beat_n == s_len_q[head_q]);
  wire                x_adv    = ~x_valid_q | (x_fire & x_lastl);
  wire                h_read   = x_adv & h_have;
  wire                h_free   = h_read & h_lastb;

  wire [BA_W-1:0]     h_baddr = {{(BA_W - SLOT_IW){1'b0}}, head_q} * BURST_A
                              + {{(BA_W - LEN_W){1'b0}}, h_beat_q};

  snn_mem #(
    .WIDTH(AXI_DATA_W),
    .DEPTH(BUF_DEPTH)
  ) u_buf (
    .clk_i  (clk_i),
    .we_i   (r_take),
    .waddr_i(r_baddr[BUF_AW-1:0]),
    .wdata_i(m_axi_rdata_i),
    .wlane_i(1'b1),
    .re_i   (h_read),
    .raddr_i(h_baddr[BUF_AW-1:0]),
    .rdata_o(x_beat)
  );

  always @(posedge clk_i) begin
    if (rst_i) begin
      x_valid_q <= 1'b0;
    end else if (x_adv) begin
      x_valid_q <= h_have;
    end
  end

  always @(posedge clk_i) begin
    if (h_read) begin
      x_lane_q <= {LANE_W{1'b0}};
      x_nl_q   <= h_lastb ? s_fin_q[head_q] : LANES[LCNT_W-1:0];
      x_slot_q <= s_slot_q[head_q];
    end else if (x_fire) begin
      x_lane_q <= x_lane_n[LANE_W-1:0];
    end
  end

  // slot bookkeeping
  localparam [SLOT_IW-1:0] SLOT_LAST = OUT_M[SLOT_IW-1:0] - 1'b1;
  localparam [SLOT_IW-1:0] SLOT_ONE  = 1;
  localparam [SLOT_IW:0]   USED_ONE  = 1;
  integer k;
  always @(posedge clk_i) begin
    if (rst_i) begin
      tail_q   <= {SLOT_IW{1'b0}};
      head_q   <= {SLOT_IW{1'b0}};
      used_q   <= {(SLOT_IW + 1){1'b0}};
      h_beat_q <= {LEN_W{1'b0}};
      for (k = 0; k < OUT_M; k = k + 1) begin
        s_alloc_q[k] <= 1'b0;
      end
    end else begin
      if (q_issue) begin
        s_alloc_q[tail_q] <= 1'b1;
        s_len_q[tail_q]   <= q_len;
        s_rcv_q[tail_q]   <= {LEN_W{1'b0}};
        s_fin_q[tail_q]   <= q_fin;
        s_slot_q[tail_q]  <= q_slot_q;
        tail_q <= (tail_q == SLOT_LAST) ? {SLOT_IW{1'b0}} : tail_q + SLOT_ONE;
      end
      if (r_take) begin
        s_rcv_q[r_slot] <= r_rcv_n;
      end
      if (h_read) begin
        h_beat_q <= h_lastb ? {LEN_W{1'b0}} : h_beat_n;
      end
      if (h_free) begin
        s_alloc_q[head_q] <= 1'b0;
        head_q <= (head_q == SLOT_LAST) ? {SLOT_IW{1'b0}} : head_q + SLOT_ONE;
      end
      case ({q_issue, h_free})
        2'b10:   used_q <= used_q + USED_ONE;
        2'b01:   used_q <= used_q - USED_ONE;
        default: used_q <= used_q;
      endcase
    end
  end

  // lane x_lane_q of the beat on the read port
  // (one bit wider than a beat, so that SYN_W = AXI_DATA_W leaves bits above the lane)
  wire [AXI_DATA_W:0] x_shift = {1'b0, x_beat} >> (x_lane_q * SYN_W_M);
  assign x_valid_o = x_valid_q;
  assign x_syn_o   = x_shift[SYN_W-1:0];
  assign x_slot_o  = x_slot_q;
  assign busy_o    = f_valid_q | q_act_q | ar_valid_q | (used_q != {(SLOT_IW + 1){1'b0}}) | x_valid_q
                   | (ix_used_q != IX_NONE);

  // bits above what the arithmetic can reach (collected for lint)
  wire unused_x = &{1'b0, ar_addr_q[AX_W-1:AXI_ADDR_W], q_arlen[8+LEN_W-1:8], q_left_n[BCNT_W+LEN_W-1:BCNT_W],
                    r_id_x[IDW_X-1:SLOT_IW], ar_id_x[IDW_X-1:AXI_ID_W],
                    ix_rrow[AX_W-1:IL_W], ix_beat[AXI_DATA_W-1:RW_W],
                    r_baddr[BA_W-1:BUF_AW], h_baddr[BA_W-1:BUF_AW], ld_addr_i[31:ROW_W],
                    x_shift[AXI_DATA_W:SYN_W], q_len_x[CMP_W-1:LEN_W]};
endmodule
`default_nettype wire
