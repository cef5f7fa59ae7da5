`default_nettype none
// Testbench of the Alveo shells' host-link path without its vendor parts
// (build/tests/xdma.rs): h2c beats as the XDMA IP delivers them ->
// snn_axis_to_bytes -> a generated spikefab_fpga_core -> snn_bytes_to_axis
// -> c2h beats, all on one clock (the shell's xpm_fifo_axis clock crossings
// and the IP are left out). Compiled with every *.v of a build directory but
// the shell, run in that directory (the $readmemh images, h2c.hex).
//
// h2c.hex: one beat per line, {tkeep[KEEP_W-1:0], tdata[DATA_W-1:0]} in hex,
// offered in order from the end of the reset, each held until taken; a new
// beat is offered in IN_PCT percent of the cycles, and the c2h sink is ready
// in OUT_PCT percent (one xorshift32 from SEED). Prints every c2h handshake:
//   "C2H <cycle> <tlast> <tkeep hex> <tdata hex>"
// TB_ERROR when a c2h beat changes or is withdrawn before its handshake.
// Ends CYCLES cycles after the reset:
//   "TB_DONE beats_taken=<h2c beats> c2h=<c2h beats>"
module tb_xdma_path #(
  // Cycles to run after the reset.
  parameter integer CYCLES = 1000,
  // Beats in h2c.hex.
  parameter integer N_BEATS = 1,
  // TDATA width of both streams.
  parameter integer DATA_W = 512,
  // The core's HEARTBEAT_DIV.
  parameter integer HEARTBEAT_DIV = 7,
  // Percent of cycles with a new h2c offer, and with the c2h sink ready.
  parameter integer IN_PCT = 100,
  parameter integer OUT_PCT = 100,
  // Seed of the stalls (nonzero).
  parameter integer SEED = 1
);
  localparam integer KEEP_W = DATA_W / 8;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  reg [DATA_W+KEEP_W-1:0] h2c_mem [0:N_BEATS-1];
  integer nb = 0;
  wire [DATA_W+KEEP_W-1:0] beat = h2c_mem[(nb < N_BEATS) ? nb : N_BEATS - 1];
  reg  h2c_valid = 1'b0;
  wire h2c_ready;
  reg  c2h_ready = 1'b0;

  wire       rx_valid;
  wire [7:0] rx_data;
  wire       rx_ready;
  wire       tx_valid;
  wire [7:0] tx_data;
  wire       tx_ready;
  wire [3:0] status;
  wire              c2h_valid;
  wire [DATA_W-1:0] c2h_data;
  wire [KEEP_W-1:0] c2h_keep;
  wire              c2h_last;

  snn_axis_to_bytes #(
    .DATA_W(DATA_W)
  ) u_h2c (
    .clk_i          (clk),
    .rst_i          (rst),
    .s_axis_tvalid_i(h2c_valid),
    .s_axis_tready_o(h2c_ready),
    .s_axis_tdata_i (beat[DATA_W-1:0]),
    .s_axis_tkeep_i (beat[DATA_W+KEEP_W-1:DATA_W]),
    .valid_o        (rx_valid),
    .data_o         (rx_data),
    .ready_i        (rx_ready)
  );

  spikefab_fpga_core #(
    .HEARTBEAT_DIV(HEARTBEAT_DIV)
  ) dut (
    .clk_i     (clk),
    .rst_i     (rst),
    .rx_valid_i(rx_valid),
    .rx_data_i (rx_data),
    .rx_ready_o(rx_ready),
    .rx_err_i  (1'b0),
    .tx_valid_o(tx_valid),
    .tx_data_o (tx_data),
    .tx_ready_i(tx_ready),
    .status_o  (status)
  );

  snn_bytes_to_axis #(
    .DATA_W(DATA_W)
  ) u_c2h (
    .clk_i          (clk),
    .rst_i          (rst),
    .valid_i        (tx_valid),
    .data_i         (tx_data),
    .ready_o        (tx_ready),
    .m_axis_tvalid_o(c2h_valid),
    .m_axis_tready_i(c2h_ready),
    .m_axis_tdata_o (c2h_data),
    .m_axis_tkeep_o (c2h_keep),
    .m_axis_tlast_o (c2h_last)
  );

  reg [31:0] x = SEED;
  function [31:0] xorshift32;
    input [31:0] v;
    reg [31:0] y;
    begin
      y = v ^ (v << 13);
      y = y ^ (y >> 17);
      xorshift32 = y ^ (y << 5);
    end
  endfunction

  integer k;
  integer cyc = 0;
  integer nc2h = 0;
  reg h2c_fire = 1'b0;
  reg prev_stall = 1'b0;
  reg [DATA_W+KEEP_W:0] prev_bus = 0;
  wire [DATA_W+KEEP_W:0] bus = {c2h_last, c2h_keep, c2h_data};

  initial begin
    $readmemh("h2c.hex", h2c_mem);
    for (k = 0; k < 5; k = k + 1) @(posedge clk);
    #1 rst = 1'b0;
    for (k = 0; k < CYCLES; k = k + 1) begin
      @(posedge clk);
      if (prev_stall && (c2h_valid !== 1'b1 || bus !== prev_bus)) begin
        $display("TB_ERROR c2h beat changed while stalled at cycle %0d", cyc);
      end
      prev_stall = c2h_valid && !c2h_ready;
      prev_bus = bus;
      if (c2h_valid === 1'b1 && c2h_ready) begin
        $display("C2H %0d %0d %h %h", cyc, c2h_last, c2h_keep, c2h_data);
        nc2h = nc2h + 1;
      end
      h2c_fire = h2c_valid && h2c_ready === 1'b1;
      if (h2c_fire) nb = nb + 1;
      #1;
      cyc = cyc + 1;
      x = xorshift32(x);
      // an offer is held until taken
      if (!h2c_valid || h2c_fire) begin
        h2c_valid = (nb < N_BEATS) && ((x[15:0] % 100) < IN_PCT);
      end
      c2h_ready = (x[31:16] % 100) < OUT_PCT;
    end
    $display("TB_DONE beats_taken=%0d c2h=%0d", nb, nc2h);
    $finish;
  end
endmodule
`default_nettype wire
