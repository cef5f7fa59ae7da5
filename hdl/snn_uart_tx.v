`default_nettype none
// snn_uart_tx: the transmitter of the host link's UART (docs/runtime.md):
// 8N1 (a start bit, 8 data bits LSB first, one stop bit, no parity),
// CLKS_PER_BIT clock cycles per bit, from a valid/ready byte stream.
//
// ready_o is high exactly while no frame is on the line. A byte taken at a
// clock edge (valid_i & ready_o) is sent from that edge on, every bit
// CLKS_PER_BIT cycles long on the registered txd_o:
//   cycles 1 .. C            start bit (low)            (C = CLKS_PER_BIT)
//   cycles kC+1 .. (k+1)C    data bit k - 1, k = 1..8 (LSB first)
//   cycles 9C+1 .. 10C       stop bit (high)
// (cycle 1 is the cycle right after the edge that took the byte). ready_o is
// low for those 10C cycles and high again after them, so back-to-back bytes
// go out every 10C + 1 cycles (the stop bit then lasts C + 1 cycles, which
// every receiver accepts).
//
// rst_i (synchronous, active high) abandons a frame: txd_o high (idle),
// ready_o high after the edge.
module snn_uart_tx #(
  // Clock cycles per bit (the clock frequency over the baud rate, rounded);
  // >= 4 (the lower limit of snn_uart_rx, which shares the value).
  parameter integer CLKS_PER_BIT = 868
) (
  input  wire       clk_i,
  input  wire       rst_i,
  // the byte stream (valid/ready)
  input  wire       valid_i,
  input  wire [7:0] data_i,
  output wire       ready_o,
  // the pin, idle high
  output wire       txd_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (CLKS_PER_BIT < 4) begin : g_err_clks
`ifdef VERILATOR
      $error("snn_uart_tx: CLKS_PER_BIT (%0d) must be >= 4", CLKS_PER_BIT);
`else
      snn_uart_tx__CLKS_PER_BIT_must_be_at_least_4 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- frame
  // Width of the bit timer: it counts CLKS_PER_BIT - 1 .. 0.
  localparam integer CNT_W = $clog2(CLKS_PER_BIT);
  // A bit's last count, CLKS_PER_BIT - 1 (32 bits; its low CNT_W bits are used).
  localparam [31:0] LAST_X = CLKS_PER_BIT - 1;
  localparam [CNT_W-1:0] LAST = LAST_X[CNT_W-1:0];
  localparam [CNT_W-1:0] ZERO = 0;
  localparam [CNT_W-1:0] ONE  = 1;

  reg             busy_q;     // a frame is on the line
  reg [CNT_W-1:0] cnt_q;      // cycles left of the current bit, minus 1
  reg [3:0]       bits_q;     // bits left after the current one (9 .. 0)
  reg [8:0]       shift_q;    // {stop, data}: the next bits, LSB first
  reg             txd_q;

  wire take = valid_i & ~busy_q;
  wire bit_end = (cnt_q == ZERO);

  always @(posedge clk_i) begin
    if (rst_i) begin
      busy_q <= 1'b0;
      txd_q  <= 1'b1;
      cnt_q  <= LAST;
      bits_q <= 4'd0;
    end else if (take) begin
      busy_q <= 1'b1;
      txd_q  <= 1'b0;             // start bit
      cnt_q  <= LAST;
      bits_q <= 4'd9;
    end else if (busy_q) begin
      if (!bit_end) begin
        cnt_q <= cnt_q - ONE;
      end else if (bits_q == 4'd0) begin
        busy_q <= 1'b0;           // the stop bit's last cycle is over
        txd_q  <= 1'b1;
      end else begin
        cnt_q  <= LAST;
        bits_q <= bits_q - 4'd1;
        txd_q  <= shift_q[0];
      end
    end
  end

  // data path (not reset)
  always @(posedge clk_i) begin
    if (take) begin
      shift_q <= {1'b1, data_i};
    end else if (busy_q && bit_end && bits_q != 4'd0) begin
      shift_q <= {1'b1, shift_q[8:1]};
    end
  end

  assign ready_o = ~busy_q;
  assign txd_o   = txd_q;
endmodule
`default_nettype wire
