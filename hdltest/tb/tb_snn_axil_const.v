`default_nettype none
// Testbench of snn_axil_const, driven by hdltest/tests/snn_axil_const.rs
// (which checks the order of the handshakes; this bench drives, checks the
// handshake rules and records).
//
// A master issues N_WR writes and N_RD reads: each write's address and data
// are offered on their own channels, each read's address on AR, every offer
// drawn at random (+seed, +pct percent of the cycles) and held until taken;
// B and R are ready at random (+pct too). The addresses are the write's or
// read's index times 0x0101010101010101 cut to ADDR_W bits, the data the
// write's index times 0x01010101.
// Records every handshake:
//   "cycle kind index value resp"
// kind 0 AW, 1 W, 2 B, 3 AR, 4 R; value: the address, the data or the read
// data (0 for B), resp: the response (0 for AW, W, AR). TB_ERROR when
// bvalid_o or rvalid_o falls, or rdata/rresp/bresp change, before the
// handshake, and on timeout. Ends 50 cycles after the last response:
// "TB_DONE sent=<writes + reads issued> recv=<responses>".
module tb_snn_axil_const #(
  // DUT: address width.
  parameter integer ADDR_W = 32,
  // DUT: the value every read returns.
  parameter [31:0] READ_VALUE = 32'h464B5053,
  // Writes and reads to issue.
  parameter integer N_WR = 1,
  parameter integer N_RD = 1
);
  reg [7:0] vec_mem [0:0];
`include "tb_io.vh"
  integer seed;
  integer pct;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  reg  awvalid_q;
  reg  wvalid_q;
  reg  arvalid_q;
  reg  bready_q;
  reg  rready_q;
  integer aw_n;
  integer w_n;
  integer b_n;
  integer ar_n;
  integer r_n;
  wire [63:0] aw_val = aw_n * 64'h0101010101010101;
  wire [31:0] w_val  = w_n * 32'h01010101;
  wire [63:0] ar_val = ar_n * 64'h0101010101010101;

  wire        awready;
  wire        wready;
  wire        bvalid;
  wire [1:0]  bresp;
  wire        arready;
  wire        rvalid;
  wire [31:0] rdata;
  wire [1:0]  rresp;

  snn_axil_const #(
    .ADDR_W    (ADDR_W),
    .READ_VALUE(READ_VALUE)
  ) dut (
    .clk_i           (clk),
    .rst_i           (rst),
    .s_axil_awvalid_i(awvalid_q),
    .s_axil_awready_o(awready),
    .s_axil_awaddr_i (aw_val[ADDR_W-1:0]),
    .s_axil_awprot_i (3'b010),
    .s_axil_wvalid_i (wvalid_q),
    .s_axil_wready_o (wready),
    .s_axil_wdata_i  (w_val),
    .s_axil_wstrb_i  (4'hF),
    .s_axil_bvalid_o (bvalid),
    .s_axil_bready_i (bready_q),
    .s_axil_bresp_o  (bresp),
    .s_axil_arvalid_i(arvalid_q),
    .s_axil_arready_o(arready),
    .s_axil_araddr_i (ar_val[ADDR_W-1:0]),
    .s_axil_arprot_i (3'b000),
    .s_axil_rvalid_o (rvalid),
    .s_axil_rready_i (rready_q),
    .s_axil_rdata_o  (rdata),
    .s_axil_rresp_o  (rresp)
  );

  // five independent draws: one generator per channel, seeds apart
  wire [4:0] stall;
  genvar c;
  generate
    for (c = 0; c < 5; c = c + 1) begin : g_stall
      wire [31:0] seed_c = seed + 7919 * c;
      tb_stall_gen #(.LANE(c % 2)) u_gen (
        .clk_i(clk), .rst_i(rst), .seed_i(seed_c), .pct_i(pct), .stall_o(stall[c])
      );
    end
  endgenerate

  integer cycle;
  integer quiet;
  reg     prev_b;
  reg     prev_r;
  reg [1:0]  prev_bresp;
  reg [33:0] prev_rbus;

  initial begin
    load_vec;
    open_out;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("pct=%d", pct)) pct = 100;
    aw_n = 0;
    w_n = 0;
    b_n = 0;
    ar_n = 0;
    r_n = 0;
    cycle = 0;
    quiet = 0;
    awvalid_q = 1'b0;
    wvalid_q = 1'b0;
    arvalid_q = 1'b0;
    bready_q = 1'b0;
    rready_q = 1'b0;
    prev_b = 1'b0;
    prev_r = 1'b0;
    prev_bresp = 2'd0;
    prev_rbus = 34'd0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
  end

  always @(posedge clk) begin
    if (!rst) begin
      cycle = cycle + 1;
      quiet = quiet + 1;
      // responses are held until taken
      if (prev_b && (!bvalid || bresp !== prev_bresp)) begin
        $display("TB_ERROR B changed while stalled at cycle %0d", cycle);
      end
      if (prev_r && (!rvalid || {rresp, rdata} !== prev_rbus)) begin
        $display("TB_ERROR R changed while stalled at cycle %0d", cycle);
      end
      prev_b = bvalid && !bready_q;
      prev_r = rvalid && !rready_q;
      prev_bresp = bresp;
      prev_rbus = {rresp, rdata};
      if (awvalid_q && awready) begin
        $fwrite(fd, "%0d 0 %0d %0d 0\n", cycle, aw_n, aw_val[ADDR_W-1:0]);
        aw_n = aw_n + 1;
      end
      if (wvalid_q && wready) begin
        $fwrite(fd, "%0d 1 %0d %0d 0\n", cycle, w_n, w_val);
        w_n = w_n + 1;
      end
      if (bvalid && bready_q) begin
        $fwrite(fd, "%0d 2 %0d 0 %0d\n", cycle, b_n, bresp);
        b_n = b_n + 1;
        quiet = 0;
      end
      if (arvalid_q && arready) begin
        $fwrite(fd, "%0d 3 %0d %0d 0\n", cycle, ar_n, ar_val[ADDR_W-1:0]);
        ar_n = ar_n + 1;
      end
      if (rvalid && rready_q) begin
        $fwrite(fd, "%0d 4 %0d %0d %0d\n", cycle, r_n, rdata, rresp);
        r_n = r_n + 1;
        quiet = 0;
      end
      // offers: held until taken, else drawn
      if (!(awvalid_q && !awready)) awvalid_q <= (aw_n < N_WR) && !stall[0];
      if (!(wvalid_q && !wready)) wvalid_q <= (w_n < N_WR) && !stall[1];
      if (!(arvalid_q && !arready)) arvalid_q <= (ar_n < N_RD) && !stall[2];
      bready_q <= !stall[3];
      rready_q <= !stall[4];
      if (aw_n >= N_WR && w_n >= N_WR && ar_n >= N_RD && quiet > 50) begin
        $display("TB_DONE sent=%0d recv=%0d", aw_n + ar_n, b_n + r_n);
        $fclose(fd);
        $finish;
      end
      if (cycle > 100 * (N_WR + N_RD) + 1000) begin
        $display("TB_ERROR timeout: writes %0d/%0d/%0d reads %0d/%0d", aw_n, w_n, b_n, ar_n, r_n);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
