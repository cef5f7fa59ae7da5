`default_nettype none
// snn_bytes_to_axis: the host link's response bytes (valid/ready) into an
// AXI4-Stream (TDATA of DATA_W bits, TKEEP, TLAST), the card-to-host
// direction of the host link over PCIe (docs/runtime.md): the XDMA IP's c2h
// stream, read by host/src/xdma.rs from /dev/xdma0_c2h_0. A read of that
// device returns when the card ends a packet with TLAST, so every response
// frame must end with one.
//
// Bytes are packed into beats LSB first (the first byte of a beat in
// TDATA[7:0], the next in TDATA[15:8], ...), TKEEP set for the bytes filled
// (from bit 0 up; the bytes above are stale and marked low). A beat goes out
// when it is full or when its last byte ends a frame; that beat has TLAST.
//
// Where a frame ends: from its header. snn_host_link's tx_valid_o/tx_data_o
// carry no end-of-frame flag, and an idle timer would be a guess (and add
// latency to every response); the length field is exact. A response frame
// is (host/src/proto.rs) sync SYNC, seq, cmd, status, len u16 little-endian,
// len payload bytes and 4 CRC bytes: 10 + len bytes. The parser counts the
// header's bytes, takes len from bytes 4 and 5, then counts len + 4 more; the
// last of them ends the frame (TLAST) and the next byte is a header's first.
// It also resynchronizes by itself should the bytes ever not be frames
// (snn_host_link sends whole frames from reset on, so this never happens
// with it): a first byte other than SYNC is sent alone as a one-byte packet
// (TLAST) and the next byte is taken as a header's first again; a length
// above MAX_LEN ends the packet at the header's last byte. The host's frame
// scanner drops such packets.
//
//   hdr_q    header bytes taken of the current frame, 0..6 (6: in the body)
//   len_lo_q the length's low byte
//   rem_q    body bytes (payload and CRC) still to come, 1..MAX_LEN + 4
//   tdata_q, tkeep_q, tlast_q, tvalid_q
//            the beat: filling while tvalid_q is low, out (m_axis_*) while
//            it is high, held until m_axis_tready_i
//   lane_q   the lane the next byte goes to, one-hot (lane 0 while tvalid_q)
// ready_o is high when the beat is filling or leaves in this cycle
// (~tvalid_q | m_axis_tready_i); a byte taken as a beat leaves goes to
// lane 0 of the next beat. So with m_axis_tready_i high a byte is taken
// every clock: a beat completed at edge k is out after edge k and leaves at
// edge k + 1 while the next beat fills. ready_o depends on m_axis_tready_i,
// not on valid_i.
//
// No byte is lost or duplicated under any pattern of valid_i and
// m_axis_tready_i: a byte is taken only into a beat that is filling (or
// emptied at that edge), a beat's registers change only while it is not
// out, and a beat out is held until its handshake.
//
// rst_i (synchronous, active high) drops the beat and restarts the parser
// at a header's first byte; the data registers are not reset.
module snn_bytes_to_axis #(
  // Width of TDATA in bits: a multiple of 8, 8..1024 (the XDMA IP's
  // AXI-Stream is 64, 128, 256 or 512 bits wide).
  parameter integer DATA_W = 64,
  // The frames' sync byte (snn_host_link's response sync, 0x5A).
  parameter [7:0] SYNC = 8'h5A,
  // Largest payload length of a frame; 0..65535 (the protocol's 240).
  parameter integer MAX_LEN = 240
) (
  input  wire                clk_i,
  input  wire                rst_i,
  // bytes in (valid/ready): frames back to back
  input  wire                valid_i,
  input  wire [7:0]          data_i,
  output wire                ready_o,
  // AXI4-Stream out (valid/ready); TLAST on each frame's last beat
  output wire                m_axis_tvalid_o,
  input  wire                m_axis_tready_i,
  output wire [DATA_W-1:0]   m_axis_tdata_o,
  output wire [DATA_W/8-1:0] m_axis_tkeep_o,
  output wire                m_axis_tlast_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (DATA_W < 8 || DATA_W > 1024 || DATA_W % 8 != 0) begin : g_err_data_w
`ifdef VERILATOR
      $error("snn_bytes_to_axis: DATA_W (%0d) must be a multiple of 8 in 8..1024", DATA_W);
`else
      snn_bytes_to_axis__DATA_W_must_be_a_multiple_of_8_in_8_to_1024 param_error ();
`endif
    end
    if (MAX_LEN < 0 || MAX_LEN > 65535) begin : g_err_max_len
`ifdef VERILATOR
      $error("snn_bytes_to_axis: MAX_LEN (%0d) must be 0..65535", MAX_LEN);
`else
      snn_bytes_to_axis__MAX_LEN_must_be_0_to_65535 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- frame
  // The header's length (6) and the CRC's (4), in the counters' widths.
  localparam [2:0]  HDR_LEN = 3'd6;
  localparam [16:0] CRC_LEN = 17'd4;
  localparam [16:0] ONE_17  = 17'd1;
  // The largest length field accepted (32 bits; its low 17 are used).
  localparam [31:0] MAX_LEN_X = MAX_LEN;

  reg  [2:0]  hdr_q;
  reg  [7:0]  len_lo_q;
  reg  [16:0] rem_q;

  wire        in_body = (hdr_q == HDR_LEN);
  wire [16:0] len     = {1'b0, data_i, len_lo_q};
  // the byte offered ends a packet: a frame's last byte, a stray first
  // byte, or a header with a length above MAX_LEN
  wire        ends    = in_body ? (rem_q == ONE_17) :
                        (hdr_q == 3'd0) ? (data_i != SYNC) :
                        (hdr_q == 3'd5) ? (len > MAX_LEN_X[16:0]) : 1'b0;

  // ---------------------------------------------------------------- beat
  // Bytes per beat (TKEEP bits).
  localparam integer KEEP_W = DATA_W / 8;
  // Lane 0, one-hot.
  localparam [KEEP_W-1:0] LANE0 = 1;

  reg  [DATA_W-1:0] tdata_q;
  reg  [KEEP_W-1:0] tkeep_q;
  reg               tlast_q;
  reg               tvalid_q;
  reg  [KEEP_W-1:0] lane_q;

  wire fire     = valid_i & ready_o;
  wire full     = lane_q[KEEP_W-1];
  wire complete = ends | full;

  assign ready_o = ~tvalid_q | m_axis_tready_i;

  always @(posedge clk_i) begin
    if (rst_i) begin
      hdr_q    <= 3'd0;
      rem_q    <= ONE_17;
      tkeep_q  <= {KEEP_W{1'b0}};
      tvalid_q <= 1'b0;
      lane_q   <= LANE0;
    end else begin
      if (fire) begin
        // the parser
        if (in_body) begin
          rem_q <= rem_q - ONE_17;
          if (ends) hdr_q <= 3'd0;
        end else if (ends) begin
          hdr_q <= 3'd0;
        end else begin
          hdr_q <= hdr_q + 3'd1;
          if (hdr_q == 3'd5) rem_q <= len + CRC_LEN;
        end
        // the beat
        tkeep_q  <= (tvalid_q ? {KEEP_W{1'b0}} : tkeep_q) | lane_q;
        tvalid_q <= complete;
        lane_q   <= complete ? LANE0 : (lane_q << 1);
      end else if (tvalid_q & m_axis_tready_i) begin
        tkeep_q  <= {KEEP_W{1'b0}};
        tvalid_q <= 1'b0;
      end
    end
  end

  // data path (not reset): the length's low byte, the byte into its lane,
  // TLAST with the byte that completes the beat
  integer k;
  always @(posedge clk_i) begin
    if (fire && hdr_q == 3'd4) begin
      len_lo_q <= data_i;
    end
    for (k = 0; k < KEEP_W; k = k + 1) begin
      if (fire && lane_q[k]) begin
        tdata_q[8*k +: 8] <= data_i;
      end
    end
    if (fire) begin
      tlast_q <= ends;
    end
  end

  assign m_axis_tvalid_o = tvalid_q;
  assign m_axis_tdata_o  = tdata_q;
  assign m_axis_tkeep_o  = tkeep_q;
  assign m_axis_tlast_o  = tlast_q;
endmodule
`default_nettype wire
