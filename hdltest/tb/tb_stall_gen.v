`default_nettype none
// Seeded random stall generator shared by the testbenches (hdltest/tb/),
// redrawn every clock cycle.
//
// A xorshift32 is loaded from seed_i (1 when seed_i is 0) while rst_i is high
// and steps once per clock edge after that. At each edge out of reset,
// stall_o is that edge's draw: low ("go") when one 16-bit half of the next
// xorshift32 value, modulo 100, is below pct_i (LANE 0: bits 15:0, LANE 1:
// bits 31:16), so the side it drives moves on pct_i percent of the cycles.
// Two instances with the same seed and different lanes draw two sides from
// one xorshift32 stream (the low half for one, the high half for the other).
module tb_stall_gen #(
  // Which 16-bit half of the xorshift32 value is drawn: 0 = [15:0], 1 = [31:16].
  parameter integer LANE = 0
) (
  input  wire        clk_i,
  input  wire        rst_i,
  // Seed of the xorshift32 (a +seed plusarg), read while rst_i is high.
  input  wire [31:0] seed_i,
  // Percent of cycles without a stall.
  input  wire [31:0] pct_i,
  // High: stall this cycle (the draw for the coming clock edge).
  output wire        stall_o
);
  function [31:0] xorshift32;
    input [31:0] x;
    reg [31:0] y;
    begin
      y = x ^ (x << 13);
      y = y ^ (y >> 17);
      xorshift32 = y ^ (y << 5);
    end
  endfunction

  reg  [31:0] state_q;
  wire [31:0] draw = xorshift32(state_q);
  wire [15:0] half = (LANE == 0) ? draw[15:0] : draw[31:16];

  always @(posedge clk_i) begin
    if (rst_i) begin
      state_q <= (seed_i == 32'd0) ? 32'h1 : seed_i;
    end else begin
      state_q <= draw;
    end
  end

  assign stall_o = !((half % 100) < pct_i);
endmodule
`default_nettype wire
