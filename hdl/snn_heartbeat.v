`default_nettype none
// snn_heartbeat: an LED blinker that shows a board's clock runs and its
// reset has ended. A counter counts DIV cycles (0 .. DIV-1); when it wraps,
// led_o toggles. led_o is a square wave of period 2 * DIV cycles: with a
// 100 MHz clock, DIV = 50,000,000 blinks once per second.
//
//   cnt_q <= (cnt_q == DIV-1) ? 0 : cnt_q + 1
//   led_q <= led_q ^ (cnt_q == DIV-1)
//
// rst_i (synchronous, active high) clears both: led_o is low during reset and
// for DIV cycles after it, then toggles every DIV cycles.
module snn_heartbeat #(
  // Clock cycles per half period of led_o; 1 .. 2^31 - 1 (1: led_o toggles
  // every cycle).
  parameter integer DIV = 50000000
) (
  input  wire clk_i,
  input  wire rst_i,
  output wire led_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (DIV < 1) begin : g_err_div
`ifdef VERILATOR
      $error("snn_heartbeat: DIV (%0d) must be >= 1", DIV);
`else
      snn_heartbeat__DIV_must_be_at_least_1 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- counter
  // Width of the counter: enough for DIV - 1 (at least one bit).
  localparam integer CNT_W = (DIV > 1) ? $clog2(DIV) : 1;
  // The counter's last value, DIV - 1 (32 bits; its low CNT_W bits are used).
  localparam [31:0] LAST = DIV - 1;

  reg  [CNT_W-1:0] cnt_q;
  reg              led_q;
  wire             wrap = (cnt_q == LAST[CNT_W-1:0]);

  always @(posedge clk_i) begin
    if (rst_i) begin
      cnt_q <= {CNT_W{1'b0}};
      led_q <= 1'b0;
    end else begin
      cnt_q <= wrap ? {CNT_W{1'b0}} : cnt_q + 1'b1;
      led_q <= led_q ^ wrap;
    end
  end

  assign led_o = led_q;
endmodule
`default_nettype wire
