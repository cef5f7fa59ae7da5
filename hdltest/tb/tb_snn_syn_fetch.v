`default_nettype none
// Testbench of snn_syn_fetch, driven by hdltest/tests/snn_syn_fetch.rs (the
// expected synapse stream and burst split are computed in Rust; this bench
// drives the events, plays a behavioral AXI4 read slave and records).
//
// The row memory is loaded by the DUT from ROW_MEM_FILE, or (+ld=<file>)
// written through the load port after reset, before the first event. The
// slave serves reads from MEM_FILE: MEM_BEATS bus words, word j at byte
// address BASE + j * AXI_DATA_W/8 (BASE = {BASE_HI, BASE_LO}, also the DUT's
// base_i). With ROW_EXT = 1 the DUT has no row memory (ROW_MEM_FILE and the
// load port's writes are ignored): MEM_FILE starts with the row index and
// the slave serves the index reads (ID AXI_OUTSTANDING) like any burst; an
// "index beat" below is a beat of that ID (there are none with ROW_EXT =
// 0). Each accepted AR becomes a burst whose first beat may leave `lat` + a
// random 0..`jit` cycles after the AR handshake; a cycle carries a beat
// with probability r_pct percent. Which burst's beat comes next:
//   +reorder=0  strictly in AR order, one burst after the other
//   +reorder=1  any burst whose time has come, beat by beat (beats of
//               different IDs interleave; within one ID in AR order)
//   +reorder=2  any burst whose time has come, a burst once started runs to
//               its end (reordered across IDs, never interleaved)
// The slave checks every AR and prints "TB_ERROR ... at cycle N" on: a burst
// crossing a 4 KiB boundary, ARLEN + 1 > AXI_BURST, ARSIZE != log2(bytes per
// beat), ARBURST != INCR, an address not beat aligned, a burst outside the
// image, the AR payload changing while ARVALID && !ARREADY (or ARVALID
// dropping), and on more than 64 reads outstanding of one ID or 128 in all.
// The bench also checks that x_* holds while x_valid_o && !x_ready_i, that
// err_o never falls without err_clr_i, and that busy_o is high while a
// synapse is offered, an AR is requested or a read is outstanding at the
// slave.
//
// Injection (+inj=<k>, +inj_at=<n>: the n-th synapse beat handed out, from
// 0; with +inj_idx=1 the n-th index beat instead):
//   1  that beat carries RRESP = +inj_resp (1..3)
//   2  an extra beat, before that one, whose RID has nothing outstanding at
//      the slave (and is not on the AR channel): it names no burst in flight
//      (+inj_rid=<id>: that RID, once it has nothing outstanding; default a
//      random one)
//   3  that beat's RLAST is inverted
//   4  an extra beat, at or after that one, while an AR waits on the AR
//      channel (ARVALID && !ARREADY) whose ID has nothing outstanding at the
//      slave (+inj_idx=1: an index read's AR, else a burst's), with that
//      AR's ID, the data of its first beat and RLAST as its first beat would
//      have: a beat for a read the memory has not accepted yet (ARREADY is
//      held low one more cycle)
//
// Plusargs (besides +vec and +out, see tb_io.vh):
//   +seed=<n> +ev_pct=<p> +x_pct=<p> +ar_pct=<p> +r_pct=<p>
//   +lat=<cycles> +jit=<cycles> +reorder=<0|1|2> +inj=<k> +inj_at=<n>
//   +inj_resp=<r> +inj_rid=<id> +inj_idx=<0|1> +ld=<file> +max_cycles=<n>
//   +vec=<file>  events, $readmemh, one 64-bit line per event: slot in bits
//                63:32, row in bits 31:0
//   +out=<file>  written, one line per record (decimal):
//                "0 cycle syn slot"                   each x handshake
//                "1 cycle addr len id size burst"     each AR handshake
//                "2 cycle"                            each index beat's handshake
//                                                     (ROW_EXT = 1, injected ones not)
//                "3 cycle"                            err_o first seen high
//                "5 cycle kind"                       the injected beat's handshake
//                "6 cycle"                            each event handshake
//                "4 err_before_clear err_after_clear" at the end
// At the end (all events accepted, busy_o low and the slave idle for 40
// cycles; then err_clr_i is pulsed): "TB_DONE sent=<events> recv=<synapses>
// first_latency=<first event handshake to first synapse> span=<first event
// handshake to last synapse> maxout=<most synapse bursts outstanding at the
// slave> maxidx=<most index reads outstanding at the slave> beats=<beats
// handed out, index beats included, injected extra beats not>
// ibeats=<index beats handed out> first_beat=<cycle of the first beat
// handshake> first_syn=<cycle of the first synapse>".
module tb_snn_syn_fetch #(
  // DUT parameter (see snn_syn_fetch.v).
  parameter integer ROWS = 64,
  // DUT parameter.
  parameter integer SYN_DEPTH = 1024,
  // DUT parameter.
  parameter integer SYN_W = 32,
  // DUT parameter.
  parameter integer SLOT_W = 6,
  // DUT parameter.
  parameter integer AXI_DATA_W = 256,
  // DUT parameter.
  parameter integer AXI_ADDR_W = 34,
  // DUT parameter.
  parameter integer AXI_ID_W = 4,
  // DUT parameter.
  parameter integer AXI_BURST = 16,
  // DUT parameter.
  parameter integer AXI_OUTSTANDING = 16,
  // DUT parameter (1: the row words are read from MEM_FILE's row index).
  parameter integer ROW_EXT = 0,
  // DUT parameter ("" with +ld).
  parameter ROW_MEM_FILE = "",
  // The external memory image: MEM_BEATS bus words ($readmemh).
  parameter MEM_FILE = "",
  // Bus words of MEM_FILE.
  parameter integer MEM_BEATS = 1,
  // Low 32 bits of the region's byte address.
  parameter [31:0] BASE_LO = 32'd0,
  // High 32 bits of the region's byte address.
  parameter [31:0] BASE_HI = 32'd0,
  // Number of events in +vec (>= 1).
  parameter integer N_EV = 1
);
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  localparam integer LANES = (AXI_DATA_W / SYN_W < 1) ? 1 : AXI_DATA_W / SYN_W;
  localparam integer EXT_BEATS = (SYN_DEPTH + LANES - 1) / LANES;
  localparam integer BEAT_AW = (EXT_BEATS > 1) ? $clog2(EXT_BEATS) : 1;
  localparam integer RW_W = $clog2(EXT_BEATS + 1) + $clog2(LANES + 1) + BEAT_AW;
  localparam integer BEAT_BYTES = AXI_DATA_W / 8;
  localparam integer SIZE = $clog2(BEAT_BYTES);
  localparam integer NID = 1 << AXI_ID_W;
  // reads the slave can hold, in all and per ID (a correct master has at
  // most AXI_OUTSTANDING <= 64 bursts and, with ROW_EXT = 1, as many index
  // reads)
  localparam integer QCAP = 128;
  localparam integer QD = 64;

  reg [63:0] vec_mem [0:N_EV-1];
`include "tb_io.vh"
  reg [AXI_DATA_W-1:0] mem [0:MEM_BEATS-1];
  reg [RW_W-1:0] ld_mem [0:ROWS-1];
  reg [8*1024-1:0] ld_path;

  integer seed;
  integer ev_pct;
  integer x_pct;
  integer ar_pct;
  integer r_pct;
  integer lat;
  integer jit;
  integer reorder;
  integer inj;
  integer inj_at;
  integer inj_resp;
  integer inj_rid;
  integer inj_idx;
  integer max_cycles;
  integer use_ld;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  wire [63:0] base64 = {BASE_HI, BASE_LO};

  // ------------------------------------------------------------------ DUT
  reg                    ev_valid_q;
  wire                   ev_ready;
  reg  [ROW_W-1:0]       ev_row_q;
  reg  [SLOT_W-1:0]      ev_slot_q;
  wire                   x_valid;
  reg                    x_ready_q;
  wire [SYN_W-1:0]       x_syn;
  wire [SLOT_W-1:0]      x_slot;
  wire                   busy;
  reg                    err_clr_q;
  wire                   err;
  wire                   arvalid;
  reg                    arready_q;
  wire [AXI_ADDR_W-1:0]  araddr;
  wire [7:0]             arlen;
  wire [2:0]             arsize;
  wire [1:0]             arburst;
  wire [AXI_ID_W-1:0]    arid;
  wire [3:0]             arcache;
  wire [2:0]             arprot;
  reg                    rvalid_q;
  wire                   rready;
  reg  [AXI_DATA_W-1:0]  rdata_q;
  reg  [AXI_ID_W-1:0]    rid_q;
  reg  [1:0]             rresp_q;
  reg                    rlast_q;
  reg                    ld_row_q;
  reg  [31:0]            ld_addr_q;
  reg  [RW_W-1:0]        ld_word_q;

  snn_syn_fetch #(
    .ROWS           (ROWS),
    .SYN_DEPTH      (SYN_DEPTH),
    .SYN_W          (SYN_W),
    .SLOT_W         (SLOT_W),
    .AXI_DATA_W     (AXI_DATA_W),
    .AXI_ADDR_W     (AXI_ADDR_W),
    .AXI_ID_W       (AXI_ID_W),
    .AXI_BURST      (AXI_BURST),
    .AXI_OUTSTANDING(AXI_OUTSTANDING),
    .ROW_EXT        (ROW_EXT),
    .ROW_MEM_FILE   (ROW_MEM_FILE)
  ) dut (
    .clk_i          (clk),
    .rst_i          (rst),
    .ev_valid_i     (ev_valid_q),
    .ev_ready_o     (ev_ready),
    .ev_row_i       (ev_row_q),
    .ev_slot_i      (ev_slot_q),
    .x_valid_o      (x_valid),
    .x_ready_i      (x_ready_q),
    .x_syn_o        (x_syn),
    .x_slot_o       (x_slot),
    .busy_o         (busy),
    .base_i         (base64[AXI_ADDR_W-1:0]),
    .err_clr_i      (err_clr_q),
    .err_o          (err),
    .m_axi_arvalid_o(arvalid),
    .m_axi_arready_i(arready_q),
    .m_axi_araddr_o (araddr),
    .m_axi_arlen_o  (arlen),
    .m_axi_arsize_o (arsize),
    .m_axi_arburst_o(arburst),
    .m_axi_arid_o   (arid),
    .m_axi_arcache_o(arcache),
    .m_axi_arprot_o (arprot),
    .m_axi_rvalid_i (rvalid_q),
    .m_axi_rready_o (rready),
    .m_axi_rdata_i  (rdata_q),
    .m_axi_rid_i    (rid_q),
    .m_axi_rresp_i  (rresp_q),
    .m_axi_rlast_i  (rlast_q),
    .ld_row_i       (ld_row_q),
    .ld_addr_i      (ld_addr_q),
    .ld_word_i      (ld_word_q)
  );

  // ------------------------------------------------------------------ stimulus
  // one xorshift32 stream for the event source (low half) and the sink (high
  // half); a second one (rs) draws the slave's ready, gaps, latencies and order
  wire ev_stall;
  wire x_stall;
  tb_stall_gen #(.LANE(0)) ev_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(ev_pct), .stall_o(ev_stall)
  );
  tb_stall_gen #(.LANE(1)) x_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(x_pct), .stall_o(x_stall)
  );

  reg [31:0] rs;
  function [31:0] xorshift32;
    input [31:0] x;
    reg [31:0] y;
    begin
      y = x ^ (x << 13);
      y = y ^ (y >> 17);
      xorshift32 = y ^ (y << 5);
    end
  endfunction
  // uniform in 0..n-1 (n >= 1)
  function [31:0] draw_below;
    input [31:0] n;
    begin
      rs = xorshift32(rs);
      draw_below = (rs >> 8) % n;
    end
  endfunction

  // ------------------------------------------------------------------ slave state
  // one FIFO of accepted bursts per ID (AXI orders responses within an ID);
  // burst p of ID d is entry d * QD + p
  reg [63:0] b_addr [0:NID*QD-1];   // byte address of the first beat
  reg [8:0]  b_len  [0:NID*QD-1];   // beats
  reg [8:0]  b_sent [0:NID*QD-1];   // beats handed out
  integer    b_seq  [0:NID*QD-1];   // AR order
  integer    b_at   [0:NID*QD-1];   // first cycle a beat may leave
  integer    f_head [0:NID-1];
  integer    f_cnt  [0:NID-1];
  integer    q_n;                   // reads outstanding (all IDs)
  integer    qi_n;                  // of which index reads
  integer    seq;
  integer    cur;                   // reorder=2: the ID being sent, -1 none
  integer    id_hi;                 // 1 + the highest ARID seen (the IDs the loops visit)

  integer cycle;
  integer idx;
  integer idx_n;
  integer recv;
  integer first_in;
  integer first_out;
  integer last_out;
  integer first_beat;
  integer beats;
  integer ibeats;
  integer maxout;
  integer maxidx;
  integer tail;
  integer phase;           // 0 load, 1 run, 2 clear, 3 end
  integer ld_i;
  integer err_seen;
  integer err_before;
  integer err_prev;
  integer inj_done;
  integer inj_beat;        // the beat on R now is the injected one (kind)
  integer i;
  integer j;
  integer d;
  integer e;
  integer oldest;
  integer n_elig;
  integer pick;
  integer rid_pick;
  reg [63:0] off;

  // reads of ID id are index reads
  function is_idx;
    input integer id;
    begin
      is_idx = (ROW_EXT == 1) && (id == AXI_OUTSTANDING);
    end
  endfunction
  // the beats the injection counts (+inj_idx): index beats or synapse beats
  function integer inj_count;
    input integer dummy;
    begin
      inj_count = (inj_idx != 0) ? ibeats : beats - ibeats;
    end
  endfunction
  // ID d's head burst may hand out a beat now (uses oldest, cur and cycle)
  function may_send;
    input integer id;
    integer h;
    begin
      h = id * QD + f_head[id];
      may_send = f_cnt[id] > 0 && b_at[h] <= cycle && (reorder != 0 || id == oldest)
                 && (reorder != 2 || cur < 0 || id == cur);
    end
  endfunction
  reg [63:0] a64;
  reg        prev_x_stall;
  reg [SYN_W-1:0]  prev_syn;
  reg [SLOT_W-1:0] prev_slot;
  reg        prev_ar_stall;
  reg [AXI_ADDR_W-1:0] prev_araddr;
  reg [7:0]  prev_arlen;
  reg [2:0]  prev_arsize;
  reg [1:0]  prev_arburst;
  reg [AXI_ID_W-1:0] prev_arid;
  reg [3:0]  prev_arcache;
  reg [2:0]  prev_arprot;

  initial begin
    load_vec;
    open_out;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("ev_pct=%d", ev_pct)) ev_pct = 100;
    if (!$value$plusargs("x_pct=%d", x_pct)) x_pct = 100;
    if (!$value$plusargs("ar_pct=%d", ar_pct)) ar_pct = 100;
    if (!$value$plusargs("r_pct=%d", r_pct)) r_pct = 100;
    if (!$value$plusargs("lat=%d", lat)) lat = 0;
    if (!$value$plusargs("jit=%d", jit)) jit = 0;
    if (!$value$plusargs("reorder=%d", reorder)) reorder = 0;
    if (!$value$plusargs("inj=%d", inj)) inj = 0;
    if (!$value$plusargs("inj_at=%d", inj_at)) inj_at = 0;
    if (!$value$plusargs("inj_resp=%d", inj_resp)) inj_resp = 2;
    if (!$value$plusargs("inj_rid=%d", inj_rid)) inj_rid = -1;
    if (!$value$plusargs("inj_idx=%d", inj_idx)) inj_idx = 0;
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 1000000;
    use_ld = 0;
    if ($value$plusargs("ld=%s", ld_path)) begin
      $readmemh(ld_path, ld_mem);
      use_ld = 1;
    end
    $readmemh(MEM_FILE, mem);
    rs = seed ^ 32'h5a17_c3e1;
    if (rs == 0) rs = 1;
    for (i = 0; i < NID; i = i + 1) begin
      f_head[i] = 0;
      f_cnt[i] = 0;
    end
    q_n = 0;
    qi_n = 0;
    seq = 0;
    cur = -1;
    id_hi = 0;
    cycle = 0;
    idx = 0;
    recv = 0;
    first_in = -1;
    first_out = -1;
    last_out = -1;
    first_beat = -1;
    beats = 0;
    ibeats = 0;
    maxout = 0;
    maxidx = 0;
    tail = 0;
    phase = 0;
    ld_i = 0;
    err_seen = 0;
    err_before = 0;
    err_prev = 0;
    inj_done = 0;
    inj_beat = 0;
    prev_x_stall = 1'b0;
    prev_syn = {SYN_W{1'b0}};
    prev_slot = {SLOT_W{1'b0}};
    prev_ar_stall = 1'b0;
    ev_valid_q = 1'b0;
    ev_row_q = {ROW_W{1'b0}};
    ev_slot_q = {SLOT_W{1'b0}};
    x_ready_q = 1'b0;
    err_clr_q = 1'b0;
    arready_q = 1'b0;
    rvalid_q = 1'b0;
    rdata_q = {AXI_DATA_W{1'b0}};
    rid_q = {AXI_ID_W{1'b0}};
    rresp_q = 2'b00;
    rlast_q = 1'b0;
    ld_row_q = 1'b0;
    ld_addr_q = 32'd0;
    ld_word_q = {RW_W{1'b0}};
    repeat (3) @(posedge clk);
    rst <= 1'b0;
  end

  always @(posedge clk) begin
    if (!rst) begin
      cycle = cycle + 1;
      // ================================================= busy_o (the state before this edge)
      if (busy !== 1'b1 && (x_valid !== 1'b0 || arvalid !== 1'b0 || q_n != 0
                            || (rvalid_q && inj_beat != 2))) begin
        $display("TB_ERROR busy_o low at cycle %0d with x_valid_o %0d, ARVALID %0d, %0d bursts outstanding",
                 cycle, x_valid, arvalid, q_n);
      end
      // ================================================= load port
      if (phase == 0) begin
        if (use_ld != 0 && ld_i < ROWS) begin
          ld_row_q <= 1'b1;
          ld_addr_q <= ld_i;
          ld_word_q <= ld_mem[ld_i];
          ld_i = ld_i + 1;
        end else begin
          ld_row_q <= 1'b0;
          phase = 1;
        end
      end
      // ================================================= synapse stream
      if (prev_x_stall && (x_valid !== 1'b1 || x_syn !== prev_syn || x_slot !== prev_slot)) begin
        $display("TB_ERROR x_* changed while x_valid_o && !x_ready_i at cycle %0d", cycle);
      end
      prev_x_stall = x_valid && !x_ready_q;
      prev_syn = x_syn;
      prev_slot = x_slot;
      if (x_valid && x_ready_q) begin
        $fwrite(fd, "0 %0d %0d %0d\n", cycle, x_syn, x_slot);
        if (recv == 0) first_out = cycle;
        last_out = cycle;
        recv = recv + 1;
      end
      x_ready_q <= !x_stall;
      // ================================================= events
      idx_n = idx;
      if (ev_valid_q && ev_ready) begin
        $fwrite(fd, "6 %0d\n", cycle);
        if (idx == 0) first_in = cycle;
        idx_n = idx + 1;
      end
      if (ev_valid_q && !ev_ready) begin
        ev_valid_q <= 1'b1;          // a valid offer is held until taken
      end else if (phase == 1 && ld_row_q == 1'b0 && idx_n < N_EV && !ev_stall) begin
        ev_valid_q <= 1'b1;
        ev_row_q <= vec_mem[idx_n][ROW_W-1:0];
        ev_slot_q <= vec_mem[idx_n][32 +: SLOT_W];
      end else begin
        ev_valid_q <= 1'b0;
      end
      idx <= idx_n;
      // ================================================= error flag
      if (err === 1'b1 && err_seen == 0) begin
        $fwrite(fd, "3 %0d\n", cycle);
        err_seen = 1;
      end
      if (err_prev != 0 && err !== 1'b1 && phase < 2) begin
        $display("TB_ERROR err_o fell without err_clr_i at cycle %0d", cycle);
      end
      err_prev = (err === 1'b1);
      // ================================================= AR channel
      if (prev_ar_stall && (arvalid !== 1'b1 || araddr !== prev_araddr || arlen !== prev_arlen
          || arsize !== prev_arsize || arburst !== prev_arburst || arid !== prev_arid
          || arcache !== prev_arcache || arprot !== prev_arprot)) begin
        $display("TB_ERROR AR payload changed (or ARVALID fell) while ARVALID && !ARREADY at cycle %0d",
                 cycle);
      end
      prev_ar_stall = arvalid && !arready_q;
      prev_araddr = araddr;
      prev_arlen = arlen;
      prev_arsize = arsize;
      prev_arburst = arburst;
      prev_arid = arid;
      prev_arcache = arcache;
      prev_arprot = arprot;
      if (arvalid === 1'b1 && arready_q) begin
        a64 = {{(64 - AXI_ADDR_W){1'b0}}, araddr};
        $fwrite(fd, "1 %0d %0d %0d %0d %0d %0d\n", cycle, a64, arlen, arid, arsize, arburst);
        if (arsize != SIZE) begin
          $display("TB_ERROR ARSIZE %0d, expected %0d (AXI_DATA_W %0d) at cycle %0d",
                   arsize, SIZE, AXI_DATA_W, cycle);
        end
        if (arburst != 2'b01) begin
          $display("TB_ERROR ARBURST %0d is not INCR at cycle %0d", arburst, cycle);
        end
        if (arlen + 1 > AXI_BURST) begin
          $display("TB_ERROR ARLEN %0d: %0d beats > AXI_BURST %0d at cycle %0d",
                   arlen, arlen + 1, AXI_BURST, cycle);
        end
        if ((a64 & (BEAT_BYTES - 1)) != 0) begin
          $display("TB_ERROR ARADDR %0h is not aligned to a %0d-byte beat at cycle %0d",
                   a64, BEAT_BYTES, cycle);
        end
        if ((a64 & 64'hfff) + (arlen + 1) * BEAT_BYTES > 4096) begin
          $display("TB_ERROR burst at %0h of %0d beats crosses a 4 KiB boundary at cycle %0d",
                   a64, arlen + 1, cycle);
        end
        off = (a64 - base64) >> SIZE;
        if (a64 < base64 || off + arlen + 1 > MEM_BEATS) begin
          $display("TB_ERROR burst at %0h of %0d beats is outside the image at cycle %0d",
                   a64, arlen + 1, cycle);
        end
        if (q_n >= QCAP || f_cnt[arid] >= QD) begin
          $display("TB_ERROR more than %0d reads outstanding of ID %0d or %0d in all at cycle %0d",
                   QD, arid, QCAP, cycle);
        end else begin
          e = arid * QD + (f_head[arid] + f_cnt[arid]) % QD;
          b_addr[e] = a64;
          b_len[e] = arlen + 1;
          b_sent[e] = 0;
          b_seq[e] = seq;
          b_at[e] = cycle + lat + ((jit > 0) ? draw_below(jit + 1) : 0);
          f_cnt[arid] = f_cnt[arid] + 1;
          if (arid >= id_hi) id_hi = arid + 1;
          seq = seq + 1;
          q_n = q_n + 1;
          if (is_idx(arid)) qi_n = qi_n + 1;
          if (qi_n > maxidx) maxidx = qi_n;
          if (q_n - qi_n > maxout) maxout = q_n - qi_n;
        end
      end
      arready_q <= (draw_below(100) < ar_pct);
      // ================================================= R channel
      if (rvalid_q && rready === 1'b1) begin
        if (first_beat < 0) first_beat = cycle;
        if (inj_beat != 0) begin
          $fwrite(fd, "5 %0d %0d\n", cycle, inj_beat);
        end
        if (inj_beat != 2 && inj_beat != 4) begin   // extra beats are not the image's
          beats = beats + 1;
          if (is_idx(rid_q)) begin
            ibeats = ibeats + 1;
            $fwrite(fd, "2 %0d\n", cycle);
          end
        end
        inj_beat = 0;
      end
      if (!rvalid_q || rready === 1'b1) begin
        rvalid_q <= 1'b0;
        if (draw_below(100) < r_pct) begin
          // the IDs that may send now: the head burst of the ID's FIFO has
          // its time come (reorder 0: and is the oldest burst of all;
          // reorder 2: and no other ID's burst is half sent)
          oldest = -1;
          for (d = 0; d < id_hi; d = d + 1) begin
            if (f_cnt[d] > 0 && (oldest < 0
                || b_seq[d * QD + f_head[d]] < b_seq[oldest * QD + f_head[oldest]])) begin
              oldest = d;
            end
          end
          n_elig = 0;
          for (d = 0; d < id_hi; d = d + 1) begin
            if (may_send(d)) n_elig = n_elig + 1;
          end
          if (inj == 4 && inj_done == 0 && inj_count(0) >= inj_at && arvalid === 1'b1 && !arready_q
              && f_cnt[arid] == 0 && is_idx(arid) == (inj_idx != 0)) begin
            a64 = {{(64 - AXI_ADDR_W){1'b0}}, araddr};
            off = (a64 - base64) >> SIZE;
            rvalid_q <= 1'b1;
            rid_q <= arid;
            rdata_q <= (off < MEM_BEATS) ? mem[off] : {AXI_DATA_W{1'bx}};
            rresp_q <= 2'b00;
            rlast_q <= (arlen == 8'd0);
            arready_q <= 1'b0;
            inj_beat = 4;
            inj_done = 1;
            n_elig = 0;
          end
          if (inj == 2 && inj_done == 0 && inj_count(0) >= inj_at) begin
            // an extra beat whose RID has nothing outstanding (and is not on AR)
            rid_pick = -1;
            j = draw_below(NID);
            for (i = 0; i < NID; i = i + 1) begin
              d = (i + j) % NID;
              if (f_cnt[d] == 0 && !(arvalid === 1'b1 && arid == d) && rid_pick < 0
                  && (inj_rid < 0 || inj_rid == d)) begin
                rid_pick = d;
              end
            end
            if (rid_pick >= 0) begin
              rvalid_q <= 1'b1;
              rid_q <= rid_pick;
              rdata_q <= {(AXI_DATA_W / 32 + 1){rs}};
              rresp_q <= 2'b00;
              rlast_q <= 1'b1;
              inj_beat = 2;
              inj_done = 1;
              n_elig = 0;
            end
          end
          if (n_elig > 0) begin
            pick = draw_below(n_elig);
            for (d = 0; d < id_hi; d = d + 1) begin
              if (may_send(d)) begin
                if (pick == 0) begin
                  // hand out beat b_sent of the head burst of ID d
                  e = d * QD + f_head[d];
                  off = ((b_addr[e] - base64) >> SIZE) + b_sent[e];
                  rvalid_q <= 1'b1;
                  rid_q <= d;
                  rdata_q <= (off < MEM_BEATS) ? mem[off] : {AXI_DATA_W{1'bx}};
                  rresp_q <= 2'b00;
                  rlast_q <= (b_sent[e] + 1 == b_len[e]);
                  if (inj_done == 0 && inj_count(0) == inj_at && (inj == 1 || inj == 3)
                      && is_idx(d) == (inj_idx != 0)) begin
                    if (inj == 1) rresp_q <= inj_resp;
                    if (inj == 3) rlast_q <= !(b_sent[e] + 1 == b_len[e]);
                    inj_beat = inj;
                    inj_done = 1;
                  end
                  b_sent[e] = b_sent[e] + 1;
                  cur = d;
                  if (b_sent[e] == b_len[e]) begin
                    f_head[d] = (f_head[d] + 1) % QD;
                    f_cnt[d] = f_cnt[d] - 1;
                    q_n = q_n - 1;
                    if (is_idx(d)) qi_n = qi_n - 1;
                    cur = -1;
                  end
                end
                pick = pick - 1;
              end
            end
          end
        end
      end
      // ================================================= end
      if (phase == 1) begin
        if (idx_n == N_EV && !ev_valid_q && busy === 1'b0 && q_n == 0 && !rvalid_q) begin
          tail = tail + 1;
        end else begin
          tail = 0;
        end
        if (tail > 40) begin
          err_before = (err === 1'b1);
          err_clr_q <= 1'b1;
          phase = 2;
        end
      end else if (phase == 2) begin
        err_clr_q <= 1'b0;
        phase = 3;
      end else if (phase == 3) begin
        $fwrite(fd, "4 %0d %0d\n", err_before, (err === 1'b1));
        $display("TB_DONE sent=%0d recv=%0d first_latency=%0d span=%0d maxout=%0d maxidx=%0d beats=%0d ibeats=%0d first_beat=%0d first_syn=%0d",
                 idx_n, recv, first_out - first_in, last_out - first_in, maxout, maxidx, beats,
                 ibeats, first_beat, first_out);
        $fclose(fd);
        $finish;
      end
      if (cycle > max_cycles) begin
        $display("TB_ERROR timeout at cycle %0d: events sent=%0d synapses=%0d bursts outstanding=%0d busy=%0d",
                 cycle, idx_n, recv, q_n, busy);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
