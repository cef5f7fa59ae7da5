`default_nettype none
// snn_axis_to_bytes: an AXI4-Stream (TDATA of DATA_W bits, TKEEP) into a
// byte stream (valid/ready), the host-to-card direction of the host link
// over PCIe (docs/runtime.md): the XDMA IP's h2c stream carries the bytes of
// a write() to /dev/xdma0_h2c_0 (host/src/xdma.rs) in beats of DATA_W / 8
// bytes, byte 0 of the buffer in TDATA[7:0], and this module hands them to
// snn_host_link one per clock.
//
// Every byte of a beat whose TKEEP bit is set is sent, in little-endian
// order (TDATA[8k+7:8k] before TDATA[8k+15:8k+8]); a byte whose TKEEP bit is
// low is dropped, however the set bits are spread (XDMA sets them from bit 0
// up, all of them but in a transfer's last beat). A beat with TKEEP all low
// is taken and gives nothing. TLAST is not an input: the link finds its
// frames in the bytes (the sync byte and the length), so packet boundaries
// carry nothing it needs.
//
//   beat_q, left_q  the beat being sent and its bytes not yet sent (a
//                   TKEEP mask; all low: no beat)
//   first           the lowest set bit of left_q, one-hot (left_q & -left_q):
//                   the next byte, picked from beat_q by an AND-OR of the
//                   lanes
//   valid_q, data_q the output register: valid_o, data_o; held while
//                   valid_o & ~ready_i
// The output register takes the next byte when it is empty or its byte
// leaves (ready_i) in the same cycle. s_axis_tready_o is high when the beat
// has no byte left after this cycle's take (none left, or its last one
// taken now), so a new beat is taken in the cycle its predecessor's last
// byte moves to the output register: with ready_i high the bytes leave one
// per clock across beats. The first byte of a beat taken at edge k is on
// data_o after edge k + 1. s_axis_tready_o depends on ready_i (through the
// take), not on s_axis_tvalid_i.
//
// No byte is lost or sent twice under any pattern of s_axis_tvalid_i and
// ready_i: a beat is taken only when left_q is empty after the edge, a byte
// leaves left_q only into an output register that is empty or emptied at
// that edge, and the output register changes only when empty or taken.
//
// rst_i (synchronous, active high) drops the beat and the output byte; the
// data registers are not reset.
module snn_axis_to_bytes #(
  // Width of TDATA in bits: a multiple of 8, 8..1024 (the XDMA IP's
  // AXI-Stream is 64, 128, 256 or 512 bits wide).
  parameter integer DATA_W = 64
) (
  input  wire                clk_i,
  input  wire                rst_i,
  // AXI4-Stream in (valid/ready); TKEEP bit k marks TDATA[8k+7:8k]
  input  wire                s_axis_tvalid_i,
  output wire                s_axis_tready_o,
  input  wire [DATA_W-1:0]   s_axis_tdata_i,
  input  wire [DATA_W/8-1:0] s_axis_tkeep_i,
  // bytes out (valid/ready)
  output wire                valid_o,
  output wire [7:0]          data_o,
  input  wire                ready_i
);
  // ---------------------------------------------------------------- checks
  generate
    if (DATA_W < 8 || DATA_W > 1024 || DATA_W % 8 != 0) begin : g_err_data_w
`ifdef VERILATOR
      $error("snn_axis_to_bytes: DATA_W (%0d) must be a multiple of 8 in 8..1024", DATA_W);
`else
      snn_axis_to_bytes__DATA_W_must_be_a_multiple_of_8_in_8_to_1024 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- beat
  // Bytes per beat (TKEEP bits).
  localparam integer KEEP_W = DATA_W / 8;
  // 1 in KEEP_W bits (for the two's complement of left_q).
  localparam [KEEP_W-1:0] ONE = 1;

  reg  [DATA_W-1:0] beat_q;
  reg  [KEEP_W-1:0] left_q;
  reg               valid_q;
  reg  [7:0]        data_q;

  wire [KEEP_W-1:0] first = left_q & (~left_q + ONE);
  wire [KEEP_W-1:0] rest  = left_q & ~first;
  wire              take  = (left_q != {KEEP_W{1'b0}}) & (~valid_q | ready_i);
  wire [KEEP_W-1:0] left_after = take ? rest : left_q;
  wire              s_fire = s_axis_tvalid_i & s_axis_tready_o;

  assign s_axis_tready_o = (left_after == {KEEP_W{1'b0}});

  // the byte at the lowest set bit of left_q (all low when left_q is empty)
  reg [7:0] pick;
  integer k;
  always @* begin
    pick = 8'd0;
    for (k = 0; k < KEEP_W; k = k + 1) begin
      pick = pick | (beat_q[8*k +: 8] & {8{first[k]}});
    end
  end

  always @(posedge clk_i) begin
    if (rst_i) begin
      left_q  <= {KEEP_W{1'b0}};
      valid_q <= 1'b0;
    end else begin
      left_q <= s_fire ? s_axis_tkeep_i : left_after;
      if (take) begin
        valid_q <= 1'b1;
      end else if (ready_i) begin
        valid_q <= 1'b0;
      end
    end
  end

  // data path (not reset)
  always @(posedge clk_i) begin
    if (s_fire) begin
      beat_q <= s_axis_tdata_i;
    end
    if (take) begin
      data_q <= pick;
    end
  end

  assign valid_o = valid_q;
  assign data_o  = data_q;
endmodule
`default_nettype wire
