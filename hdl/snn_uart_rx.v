`default_nettype none
// snn_uart_rx: the receiver of the host link's UART (docs/runtime.md): 8N1
// (a start bit, 8 data bits LSB first, one stop bit, no parity), CLKS_PER_BIT
// clock cycles per bit, one byte out per frame.
//
// The pin rxd_i is asynchronous to clk_i: it passes through a 2-flip-flop
// synchronizer (sync1_q, sync2_q, both ASYNC_REG, reset high) and the state
// machine sees only sync2_q, two cycles behind the pin.
//
//   HUNT   the line is watched for low (the start bit's falling edge; a
//          frame's end returns here at its stop bit's middle, so the edge
//          of the next start bit is seen even when the sender's clock is
//          faster). The first low cycle is position 0 of the start bit:
//          every frame is timed from its own start edge.
//   START  at position MID = CLKS_PER_BIT / 2 the line is sampled: low, the
//          frame goes on; high, the low was a glitch and the hunt goes on
//          (a low pulse shorter than MID + 1 cycles is never a start bit).
//   DATA   data bit k is sampled at position MID + (k + 1) * CLKS_PER_BIT,
//          the middle of the bit, and shifted in LSB first.
//   STOP   the stop bit is sampled at position MID + 9 * CLKS_PER_BIT:
//          high, valid_o pulses for one cycle with the byte on data_o (held
//          until the next byte); low (a framing error, or a break), err_o
//          pulses for one cycle instead, the byte is dropped and the
//          receiver waits (WAIT) for the line to be high before it hunts
//          again, so a held-low line gives one error, not a stream of them.
//
// A sender whose bit period differs from CLKS_PER_BIT cycles by a few
// percent is still decoded: the stop bit's sample drifts by 9.5 bit periods
// times the mismatch (about 19% of a bit at 2%) from its middle. There is
// no majority vote: a glitch inside a frame corrupts that frame's bit.
//
// valid_o (or err_o) is high in the cycle 3 + MID + 9 * CLKS_PER_BIT cycles
// after the first cycle in which the start bit is on rxd_i (two synchronizer
// cycles, the edge seen, the sample registered). There is no ready: a UART
// cannot wait, so the byte must be taken when valid_o is high.
//
// rst_i (synchronous, active high) returns to HUNT with the synchronizer
// high (idle) and the outputs low; data_o keeps its last byte.
module snn_uart_rx #(
  // Clock cycles per bit (the clock frequency over the baud rate, rounded);
  // >= 4 (the start bit's middle sample must lie 2 or more cycles after its
  // edge, so that a 1-cycle glitch is never taken for a start bit).
  parameter integer CLKS_PER_BIT = 868
) (
  input  wire       clk_i,
  input  wire       rst_i,
  // the pin (asynchronous to clk_i), idle high
  input  wire       rxd_i,
  // one cycle per received byte, with the byte on data_o
  output wire       valid_o,
  output wire [7:0] data_o,
  // one cycle per framing error (stop bit low); that byte is dropped
  output wire       err_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (CLKS_PER_BIT < 4) begin : g_err_clks
`ifdef VERILATOR
      $error("snn_uart_rx: CLKS_PER_BIT (%0d) must be >= 4", CLKS_PER_BIT);
`else
      snn_uart_rx__CLKS_PER_BIT_must_be_at_least_4 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- synchronizer
  (* ASYNC_REG = "TRUE" *) reg sync1_q;
  (* ASYNC_REG = "TRUE" *) reg sync2_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      sync1_q <= 1'b1;
      sync2_q <= 1'b1;
    end else begin
      sync1_q <= rxd_i;
      sync2_q <= sync1_q;
    end
  end

  // ---------------------------------------------------------------- frame
  // Width of the position counter: it counts 1 .. CLKS_PER_BIT.
  localparam integer CNT_W = $clog2(CLKS_PER_BIT + 1);
  // The start bit's sample position and a bit's length (32 bits; their
  // low CNT_W bits are used).
  localparam [31:0] MID_X  = CLKS_PER_BIT / 2;
  localparam [31:0] FULL_X = CLKS_PER_BIT;
  localparam [CNT_W-1:0] MID  = MID_X[CNT_W-1:0];
  localparam [CNT_W-1:0] FULL = FULL_X[CNT_W-1:0];
  localparam [CNT_W-1:0] ONE  = 1;

  localparam [2:0] S_HUNT  = 3'd0;
  localparam [2:0] S_START = 3'd1;
  localparam [2:0] S_DATA  = 3'd2;
  localparam [2:0] S_STOP  = 3'd3;
  localparam [2:0] S_WAIT  = 3'd4;

  reg [2:0]       state_q;
  reg [CNT_W-1:0] cnt_q;      // cycles since the last sample (or the start edge)
  reg [2:0]       bit_q;      // data bits sampled so far, mod 8
  reg [7:0]       shift_q;    // data bits, LSB first from the top
  reg [7:0]       data_q;
  reg             valid_q;
  reg             err_q;

  wire at_mid  = (cnt_q == MID);
  wire at_full = (cnt_q == FULL);

  always @(posedge clk_i) begin
    if (rst_i) begin
      state_q <= S_HUNT;
      cnt_q   <= ONE;
      bit_q   <= 3'd0;
      valid_q <= 1'b0;
      err_q   <= 1'b0;
    end else begin
      valid_q <= 1'b0;
      err_q   <= 1'b0;
      case (state_q)
        S_HUNT: begin
          cnt_q <= ONE;
          if (!sync2_q) begin
            state_q <= S_START;
          end
        end
        S_START: begin
          if (at_mid) begin
            cnt_q   <= ONE;
            bit_q   <= 3'd0;
            state_q <= sync2_q ? S_HUNT : S_DATA;
          end else begin
            cnt_q <= cnt_q + ONE;
          end
        end
        S_DATA: begin
          if (at_full) begin
            cnt_q <= ONE;
            bit_q <= bit_q + 3'd1;
            if (bit_q == 3'd7) begin
              state_q <= S_STOP;
            end
          end else begin
            cnt_q <= cnt_q + ONE;
          end
        end
        S_STOP: begin
          if (at_full) begin
            cnt_q   <= ONE;
            valid_q <= sync2_q;
            err_q   <= ~sync2_q;
            state_q <= sync2_q ? S_HUNT : S_WAIT;
          end else begin
            cnt_q <= cnt_q + ONE;
          end
        end
        default: begin  // S_WAIT
          cnt_q <= ONE;
          if (sync2_q) begin
            state_q <= S_HUNT;
          end
        end
      endcase
    end
  end

  // data path (not reset): the shift register and the byte out
  always @(posedge clk_i) begin
    if (state_q == S_DATA && at_full) begin
      shift_q <= {sync2_q, shift_q[7:1]};
    end
    if (state_q == S_STOP && at_full && sync2_q) begin
      data_q <= shift_q;
    end
  end

  assign valid_o = valid_q;
  assign data_o  = data_q;
  assign err_o   = err_q;
endmodule
`default_nettype wire
