`default_nettype none
// Testbench of snn_ext_write, driven by hdltest/tests/snn_ext_write.rs (the
// expected AXI4 writes, in_ready_o and err_o come from a model in Rust; this
// bench only drives and records).
//
// +vec holds N lines of VEC_W = 124 bits; line i has three unrelated parts,
// read by three counters: item i of the load-port source, response i of the
// AXI4 write slave, and the draws of clock cycle i. From the least
// significant bit:
//   [31:0]    item: in_data_i
//   [63:32]   item: in_addr_i
//   [79:64]   item: gap, clocks the source waits after the previous item
//             (a word's handshake or a reset's end) before offering it
//   [80]      item: in_last_i
//   [81]      item: a reset (rst_i high for rst_len clocks) instead of a word
//   [87:84]   item: rst_len (1..15)
//   [95:88]   response: latency, clocks from the clock after the later of
//             the AW and W handshakes to BVALID
//   [97:96]   response: BRESP
//   [100]     cycle: AWREADY
//   [101]     cycle: WREADY
//   [105:104] cycle: BRESP while BVALID is low (junk the DUT must ignore)
//   [123:108] cycle: BID while BVALID is low (junk; 0 while BVALID is high)
// While the source offers no word, in_addr_i, in_data_i and in_last_i carry
// the cycle's line's item fields (junk). A word once offered is held until
// taken. While rst_i is high the source offers nothing, AWREADY, WREADY and
// BVALID are low, and the slave forgets its write in flight.
//
// The slave takes AW and W in either order (as its READYs fall), answers
// one write once both are taken, and holds BVALID until BREADY. Items run
// from 0 to NI - 1; the run ends 8 idle clocks (in_ready_o high, no VALID,
// no BREADY, no response pending) after the last item, or after N clocks.
//
// Records every cycle after a 3-cycle reset, sampled just before rising
// edge k (the inputs of that edge, the outputs of the state before it):
//   "k rst in_valid in_ready in_last in_addr in_data
//    awvalid awready awaddr awlen awsize awburst awid awcache awprot
//    wvalid wready wlast bvalid bready bresp bid err
//    wstrb[31:0] wstrb[63:32] .. wdata[31:0] wdata[63:32] .."
// (wstrb in SC = ceil(DATA_W / 256) 32-bit chunks, zero-extended; wdata in
// DATA_W / 32 words).
// Prints "TB_DONE sent=<items done> recv=<B handshakes> cycles=<records>".
module tb_snn_ext_write #(
  // DUT: AXI data width.
  parameter integer DATA_W = 256,
  // DUT: AXI address width.
  parameter integer ADDR_W = 34,
  // DUT: AXI ID width.
  parameter integer ID_W = 4,
  // Items in +vec (<= N).
  parameter integer NI = 1,
  // Lines in +vec: the most clocks the run may take.
  parameter integer N = 1
);
  localparam integer VEC_W = 124;
  localparam integer WORDS = DATA_W / 32;
  localparam integer SC = (DATA_W / 8 + 31) / 32;

  reg [VEC_W-1:0] vec_mem [0:N-1];
`include "tb_io.vh"

  reg                 clk = 1'b0;
  reg                 rst = 1'b1;
  reg                 in_valid = 1'b0;
  reg                 in_last = 1'b0;
  reg  [31:0]         in_addr = 32'd0;
  reg  [31:0]         in_data = 32'd0;
  reg                 awready = 1'b0;
  reg                 wready = 1'b0;
  reg                 bvalid = 1'b0;
  reg  [1:0]          bresp = 2'd0;
  reg  [ID_W-1:0]     bid = {ID_W{1'b0}};
  wire                in_ready;
  wire                awvalid;
  wire [ADDR_W-1:0]   awaddr;
  wire [7:0]          awlen;
  wire [2:0]          awsize;
  wire [1:0]          awburst;
  wire [ID_W-1:0]     awid;
  wire [3:0]          awcache;
  wire [2:0]          awprot;
  wire                wvalid;
  wire [DATA_W-1:0]   wdata;
  wire [DATA_W/8-1:0] wstrb;
  wire                wlast;
  wire                bready;
  wire                err;

  snn_ext_write #(
    .DATA_W(DATA_W),
    .ADDR_W(ADDR_W),
    .ID_W  (ID_W)
  ) dut (
    .clk_i          (clk),
    .rst_i          (rst),
    .in_valid_i     (in_valid),
    .in_ready_o     (in_ready),
    .in_last_i      (in_last),
    .in_addr_i      (in_addr),
    .in_data_i      (in_data),
    .m_axi_awvalid_o(awvalid),
    .m_axi_awready_i(awready),
    .m_axi_awaddr_o (awaddr),
    .m_axi_awlen_o  (awlen),
    .m_axi_awsize_o (awsize),
    .m_axi_awburst_o(awburst),
    .m_axi_awid_o   (awid),
    .m_axi_awcache_o(awcache),
    .m_axi_awprot_o (awprot),
    .m_axi_wvalid_o (wvalid),
    .m_axi_wready_i (wready),
    .m_axi_wdata_o  (wdata),
    .m_axi_wstrb_o  (wstrb),
    .m_axi_wlast_o  (wlast),
    .m_axi_bvalid_i (bvalid),
    .m_axi_bready_o (bready),
    .m_axi_bresp_i  (bresp),
    .m_axi_bid_i    (bid),
    .err_o          (err)
  );

  reg [SC*32-1:0] strb_pad;
  always @* begin
    strb_pad = {(SC * 32){1'b0}};
    strb_pad[DATA_W/8-1:0] = wstrb;
  end

  integer k;        // clock (record) number
  integer item;     // next item of the source
  integer gap_n;    // clocks since the previous item
  integer rst_n;    // reset clocks left
  integer resp;     // next response line
  integer recv;     // B handshakes
  integer idle;     // idle clocks after the last item
  integer lat_n;    // response latency left
  integer i;
  reg     got_aw;
  reg     got_w;
  reg     pending;  // both taken, response not yet handshaked
  reg     bvalid_q; // BVALID of the coming clock
  reg [1:0] bresp_v;
  reg     in_hs;
  reg     aw_hs;
  reg     w_hs;
  reg     b_hs;
  reg     done;
  reg [VEC_W-1:0] it;
  reg [VEC_W-1:0] cy;

  initial begin
    load_vec;
    open_out;
    repeat (3) begin
      #5 clk = 1'b1;
      #5 clk = 1'b0;
    end
    rst = 1'b0;
    k = 0;
    item = 0;
    gap_n = 0;
    rst_n = 0;
    resp = 0;
    recv = 0;
    idle = 0;
    lat_n = 0;
    got_aw = 1'b0;
    got_w = 1'b0;
    pending = 1'b0;
    bvalid_q = 1'b0;
    bresp_v = 2'd0;
    done = (N < 1);
    while (!done) begin
      // inputs of cycle k
      cy = vec_mem[k];
      it = (item < NI) ? vec_mem[item] : {VEC_W{1'b0}};
      if (rst_n == 0 && item < NI && it[81] && gap_n >= it[79:64]) begin
        rst_n = it[87:84];
        item = item + 1;
        gap_n = 0;
        it = (item < NI) ? vec_mem[item] : {VEC_W{1'b0}};
      end
      rst = (rst_n > 0);
      in_valid = !rst && item < NI && !it[81] && gap_n >= it[79:64];
      if (in_valid) begin
        in_data = it[31:0];
        in_addr = it[63:32];
        in_last = it[80];
      end else begin
        in_data = cy[31:0];
        in_addr = cy[63:32];
        in_last = cy[80];
      end
      awready = !rst && cy[100];
      wready = !rst && cy[101];
      bvalid = !rst && bvalid_q;
      bresp = bvalid ? bresp_v : cy[105:104];
      bid = bvalid ? {ID_W{1'b0}} : cy[108 +: ID_W];
      #4;
      $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d ", k, rst, in_valid, in_ready, in_last, in_addr,
              in_data);
      $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d %0d %0d ", awvalid, awready, awaddr, awlen, awsize,
              awburst, awid, awcache, awprot);
      $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d %0d", wvalid, wready, wlast, bvalid, bready, bresp,
              bid, err);
      for (i = 0; i < SC; i = i + 1) $fwrite(fd, " %0d", strb_pad[32 * i +: 32]);
      for (i = 0; i < WORDS; i = i + 1) $fwrite(fd, " %0d", wdata[32 * i +: 32]);
      $fwrite(fd, "\n");
      in_hs = in_valid && in_ready;
      aw_hs = awvalid && awready;
      w_hs = wvalid && wready;
      b_hs = bvalid && bready;
      #1 clk = 1'b1;
      // the source's and the slave's state after edge k
      if (rst) begin
        rst_n = rst_n - 1;
        gap_n = 0;
        got_aw = 1'b0;
        got_w = 1'b0;
        pending = 1'b0;
        bvalid_q = 1'b0;
      end else begin
        if (in_hs) begin
          item = item + 1;
          gap_n = 0;
        end else begin
          gap_n = gap_n + 1;
        end
        if (b_hs) begin
          recv = recv + 1;
          got_aw = 1'b0;
          got_w = 1'b0;
          pending = 1'b0;
          bvalid_q = 1'b0;
        end
        if (aw_hs) got_aw = 1'b1;
        if (w_hs) got_w = 1'b1;
        if (got_aw && got_w && !pending) begin
          pending = 1'b1;
          lat_n = (resp < N) ? vec_mem[resp][95:88] : 0;
          bresp_v = (resp < N) ? vec_mem[resp][97:96] : 2'd0;
          resp = resp + 1;
          bvalid_q = (lat_n == 0);
        end else if (pending && !bvalid_q) begin
          lat_n = lat_n - 1;
          bvalid_q = (lat_n == 0);
        end
      end
      if (item >= NI && !rst && in_ready && !awvalid && !wvalid && !bready && !pending)
        idle = idle + 1;
      else
        idle = 0;
      k = k + 1;
      done = (idle >= 8) || (k >= N);
      #5 clk = 1'b0;
    end
    $display("TB_DONE sent=%0d recv=%0d cycles=%0d", item, recv, k);
    $fclose(fd);
    $finish;
  end
endmodule
`default_nettype wire
