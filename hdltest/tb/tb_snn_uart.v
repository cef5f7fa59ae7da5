`default_nettype none
// Testbench of snn_uart_tx and snn_uart_rx, driven by
// hdltest/tests/snn_uart.rs (the expected line, ready and received bytes
// come from models in Rust; this bench only drives and records).
//
// MODE 0 (loopback): a byte source feeds snn_uart_tx, whose txd_o drives
// snn_uart_rx's rxd_i. +vec holds one line per byte, {gap[15:0], data[7:0]}:
// the source keeps valid low for gap cycles after the previous handshake (or
// after reset, for the first byte), then offers the byte, held until taken.
// The run ends 12 * CLKS_PER_BIT + 20 cycles after the last handshake.
//
// MODE 1 (receiver alone): +vec holds one line per cycle, the level of
// rxd_i in that cycle (bit 0); the transmitter is idle. The run is N cycles.
//
// Both modes record every cycle after a 3-cycle reset, sampled just before
// rising edge k (inputs of that edge, outputs of the state before it):
//   "k valid data ready txd rx_valid rx_data rx_err"
// (data and rx_data are 0 while their valid is low).
// Prints "TB_DONE sent=<bytes handshaked> recv=<rx_valid cycles>".
module tb_snn_uart #(
  // DUT: clock cycles per bit.
  parameter integer CLKS_PER_BIT = 4,
  // 0: loopback, bytes from +vec; 1: rxd_i from +vec, one line per cycle.
  parameter integer MODE = 0,
  // Lines in +vec.
  parameter integer N = 1
);
  reg [23:0] vec_mem [0:N-1];
`include "tb_io.vh"

  reg        clk = 1'b0;
  reg        rst = 1'b1;
  reg        valid = 1'b0;
  reg  [7:0] data = 8'd0;
  reg        rxd_v = 1'b1;
  wire       ready;
  wire       txd;
  wire       rx_valid;
  wire [7:0] rx_data;
  wire       rx_err;
  wire       rxd = (MODE == 0) ? txd : rxd_v;

  snn_uart_tx #(
    .CLKS_PER_BIT(CLKS_PER_BIT)
  ) u_tx (
    .clk_i  (clk),
    .rst_i  (rst),
    .valid_i(valid),
    .data_i (data),
    .ready_o(ready),
    .txd_o  (txd)
  );

  snn_uart_rx #(
    .CLKS_PER_BIT(CLKS_PER_BIT)
  ) u_rx (
    .clk_i  (clk),
    .rst_i  (rst),
    .rxd_i  (rxd),
    .valid_o(rx_valid),
    .data_o (rx_data),
    .err_o  (rx_err)
  );

  integer k;
  integer idx;
  integer wait_n;
  integer tail;
  integer recv;
  reg     fire;
  reg     done;

  initial begin
    load_vec;
    open_out;
    repeat (3) begin
      #5 clk = 1'b1;
      #5 clk = 1'b0;
    end
    rst = 1'b0;
    k = 0;
    idx = 0;
    recv = 0;
    tail = 0;
    wait_n = (MODE == 0) ? vec_mem[0][23:8] : 0;
    done = (N < 1);
    while (!done) begin
      // inputs of cycle k
      if (MODE == 0) begin
        valid = (idx < N) && (wait_n == 0);
        data = (idx < N) ? vec_mem[idx][7:0] : 8'd0;
      end else begin
        rxd_v = vec_mem[k][0];
      end
      #4;
      $fwrite(fd, "%0d %0d %0d %0d %0d %0d %0d %0d\n", k, valid, valid ? data : 8'd0, ready, txd,
              rx_valid, rx_valid ? rx_data : 8'd0, rx_err);
      if (rx_valid) recv = recv + 1;
      fire = valid && ready;
      #1 clk = 1'b1;
      // the source's state after edge k
      if (MODE == 0) begin
        if (fire) begin
          idx = idx + 1;
          wait_n = (idx < N) ? vec_mem[idx][23:8] : 0;
        end else if (wait_n > 0) begin
          wait_n = wait_n - 1;
        end
        if (idx >= N) begin
          tail = tail + 1;
          done = (tail > 12 * CLKS_PER_BIT + 20);
        end
      end else begin
        done = (k + 1 >= N);
      end
      k = k + 1;
      #5 clk = 1'b0;
    end
    $display("TB_DONE sent=%0d recv=%0d", idx, recv);
    $fclose(fd);
    $finish;
  end
endmodule
`default_nettype wire
