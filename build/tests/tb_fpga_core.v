`default_nettype none
// Testbench of a generated spikefab_fpga_core (build/tests/build.rs): a
// clock, reset for 5 cycles, then CYCLES cycles in which the host-link bytes
// of rx.hex are offered at their times and every byte the core sends is
// printed with its cycle. Compiled with every *.v of a build directory but
// the shell, run in that directory (the $readmemh images, rx.hex).
//
// rx.hex: one line per byte, {cycle[31:0], byte[7:0]} in hex: the byte is
// offered from that cycle (after the reset) until the core takes it.
module tb_fpga_core #(
  // Cycles to run after the reset.
  parameter integer CYCLES = 1000,
  // Bytes in rx.hex.
  parameter integer N_RX = 1,
  // The core's HEARTBEAT_DIV.
  parameter integer HEARTBEAT_DIV = 7
);
  reg clk = 1'b0;
  reg rst = 1'b1;
  wire [3:0] status;
  wire       rx_ready;
  wire       tx_valid;
  wire [7:0] tx_data;
  reg  [39:0] rx_mem [0:N_RX-1];
  integer k;
  integer cyc = 0;
  integer nrx = 0;
  integer hb_toggles = 0;
  reg hb_last = 1'b0;
  wire rx_valid = (nrx < N_RX) && (rx_mem[nrx][39:8] <= cyc);
  wire [7:0] rx_data = (nrx < N_RX) ? rx_mem[nrx][7:0] : 8'd0;

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
    .tx_ready_i(1'b1),
    .status_o  (status)
  );

  always #5 clk = ~clk;

  initial begin
    $readmemh("rx.hex", rx_mem);
    for (k = 0; k < 5; k = k + 1) @(posedge clk);
    #1 rst = 1'b0;
    for (k = 0; k < CYCLES; k = k + 1) begin
      @(posedge clk);
      if (tx_valid === 1'b1) $display("TX %0d %0d", cyc, tx_data);
      if (rx_valid && rx_ready === 1'b1) nrx = nrx + 1;
      #1;
      cyc = cyc + 1;
      if (status[0] !== hb_last) hb_toggles = hb_toggles + 1;
      hb_last = status[0];
    end
    $display("TB_DONE rx_taken=%0d hb_toggles=%0d overrun=%0d", nrx, hb_toggles, status[3]);
    $finish;
  end
endmodule
`default_nettype wire
