`default_nettype none
// snn_ext_write: the host's way into the external synapse store
// (docs/runtime.md, "External memory"). The board core routes the load
// port's words of memory id EXT (14; spikefab_hdl::core::EXT_LOAD_ID) here
// instead of to the accelerator, and this module writes them to memory as
// AXI4 write bursts of one beat each, on the write channels of the same
// AXI4 port whose read channels the cores use.
//
// A beat is DATA_W / 32 words, sent least significant word first (word j
// lands in bytes 4j .. 4j+3 of the beat), all with the beat's index as
// their address (byte address = index * DATA_W / 8, as the link's LOAD
// gives one address to every load-port word of one image word); in_last_i
// marks the beat's last word. A beat cut short by in_last_i writes only the
// words it got (WSTRB); words past a full beat are dropped and flag err_o.
//
//   COLLECT  in_ready_o high: each word goes into the beat register at the
//            word counter's position and sets its four strobes; the first
//            word's address is the beat's; in_last_i ends the beat
//   SEND     AWVALID and WVALID high (AWLEN 0, AWSIZE log2(DATA_W/8),
//            INCR, AWID 0, WLAST 1), each until its handshake
//   RESP     BREADY high until BVALID; a BRESP of SLVERR or DECERR sets the
//            sticky err_o; then COLLECT
//
// One beat is in flight at a time (a few clocks plus the memory's write
// latency per beat): the host link delivers at most a word every two
// clocks, and a UART or a stop-and-wait PCIe link far less.
// err_o (sticky until reset) also flags a beat index whose byte address
// does not fit ADDR_W bits (nothing is written for that beat).
//
// rst_i (synchronous, active high) returns to COLLECT with an empty beat,
// lowers AWVALID, WVALID and BREADY, and clears err_o. in_ready_o follows
// the state only, so it may be high while rst_i is: a word handed over in a
// reset clock is dropped (the host link resets with this module and offers
// nothing then).
module snn_ext_write #(
  // AXI data bus width in bits (AXI_DATA_W of the cores' port): a power of
  // two, 32..1024.
  parameter integer DATA_W = 256,
  // AXI byte address width (AXI_ADDR_W): 12..64.
  parameter integer ADDR_W = 34,
  // AXI ID width (AXI_ID_W); writes use ID 0: 1..16.
  parameter integer ID_W = 4
) (
  input  wire              clk_i,
  input  wire              rst_i,
  // load-port words of memory EXT (valid/ready)
  input  wire              in_valid_i,
  output wire              in_ready_o,
  input  wire              in_last_i,
  input  wire [31:0]       in_addr_i,
  input  wire [31:0]       in_data_i,
  // AXI4 write address channel
  output wire              m_axi_awvalid_o,
  input  wire              m_axi_awready_i,
  output wire [ADDR_W-1:0] m_axi_awaddr_o,
  output wire [7:0]        m_axi_awlen_o,
  output wire [2:0]        m_axi_awsize_o,
  output wire [1:0]        m_axi_awburst_o,
  output wire [ID_W-1:0]   m_axi_awid_o,
  output wire [3:0]        m_axi_awcache_o,
  output wire [2:0]        m_axi_awprot_o,
  // AXI4 write data channel
  output wire              m_axi_wvalid_o,
  input  wire              m_axi_wready_i,
  output wire [DATA_W-1:0] m_axi_wdata_o,
  output wire [DATA_W/8-1:0] m_axi_wstrb_o,
  output wire              m_axi_wlast_o,
  // AXI4 write response channel
  input  wire              m_axi_bvalid_i,
  output wire              m_axi_bready_o,
  input  wire [1:0]        m_axi_bresp_i,
  input  wire [ID_W-1:0]   m_axi_bid_i,
  // sticky: an error response, a word past a full beat, or an address
  // beyond ADDR_W bits
  output wire              err_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (DATA_W < 32 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_err_data_w
`ifdef VERILATOR
      $error("snn_ext_write: DATA_W (%0d) must be a power of two in 32..1024", DATA_W);
`else
      snn_ext_write__DATA_W_must_be_a_power_of_two_in_32_to_1024 param_error ();
`endif
    end
    if (ADDR_W < 12 || ADDR_W > 64) begin : g_err_addr_w
`ifdef VERILATOR
      $error("snn_ext_write: ADDR_W (%0d) must be 12..64", ADDR_W);
`else
      snn_ext_write__ADDR_W_must_be_12_to_64 param_error ();
`endif
    end
    if (ID_W < 1 || ID_W > 16) begin : g_err_id_w
`ifdef VERILATOR
      $error("snn_ext_write: ID_W (%0d) must be 1..16", ID_W);
`else
      snn_ext_write__ID_W_must_be_1_to_16 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- beat
  // Words per beat.
  localparam integer WORDS = DATA_W / 32;
  // Width of the word counter: 0 .. WORDS (WORDS itself: the beat is full).
  localparam integer POS_W = $clog2(WORDS + 1);
  // log2 of the beat's bytes: AWSIZE, and the shift from index to address.
  localparam integer SIZE = $clog2(DATA_W / 8);
  // The word counter's full value.
  localparam [POS_W-1:0] FULL = WORDS[POS_W-1:0];

  localparam [1:0] S_COLLECT = 2'd0, S_SEND = 2'd1, S_RESP = 2'd2;

  reg [1:0]          state_q;
  reg [POS_W-1:0]    pos_q;
  reg [31:0]         index_q;
  reg [DATA_W-1:0]   data_q;
  reg [DATA_W/8-1:0] strb_q;
  reg                aw_done_q;
  reg                w_done_q;
  reg                err_q;

  // The beat's byte address, 64 bits; the part above ADDR_W must be zero.
  wire [63:0] byte_addr = {32'd0, index_q} << SIZE;
  wire [63:0] addr_hi   = (ADDR_W == 64) ? 64'd0 : (byte_addr >> ADDR_W);
  wire        addr_ok   = (addr_hi == 64'd0);

  wire take  = (state_q == S_COLLECT) && in_valid_i;
  wire aw_hs = m_axi_awvalid_o && m_axi_awready_i;
  wire w_hs  = m_axi_wvalid_o && m_axi_wready_i;

  always @(posedge clk_i) begin
    if (rst_i) begin
      state_q   <= S_COLLECT;
      pos_q     <= {POS_W{1'b0}};
      index_q   <= 32'd0;
      data_q    <= {DATA_W{1'b0}};
      strb_q    <= {(DATA_W / 8){1'b0}};
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
      err_q     <= 1'b0;
    end else begin
      case (state_q)
        S_COLLECT: if (take) begin
          if (pos_q == {POS_W{1'b0}}) index_q <= in_addr_i;
          if (pos_q == FULL) begin
            err_q <= 1'b1;
          end else begin
            data_q[32 * pos_q +: 32] <= in_data_i;
            strb_q[4 * pos_q +: 4]   <= 4'hf;
            pos_q                    <= pos_q + 1'b1;
          end
          if (in_last_i) begin
            state_q   <= S_SEND;
            aw_done_q <= 1'b0;
            w_done_q  <= 1'b0;
          end
        end
        S_SEND: begin
          if (!addr_ok) begin
            // nothing is written for a beat beyond the address space
            err_q   <= 1'b1;
            state_q <= S_COLLECT;
            pos_q   <= {POS_W{1'b0}};
            strb_q  <= {(DATA_W / 8){1'b0}};
          end else begin
            if (aw_hs) aw_done_q <= 1'b1;
            if (w_hs) w_done_q <= 1'b1;
            if ((aw_done_q || aw_hs) && (w_done_q || w_hs)) state_q <= S_RESP;
          end
        end
        S_RESP: if (m_axi_bvalid_i) begin
          if (m_axi_bresp_i[1]) err_q <= 1'b1;
          state_q <= S_COLLECT;
          pos_q   <= {POS_W{1'b0}};
          strb_q  <= {(DATA_W / 8){1'b0}};
        end
        default: state_q <= S_COLLECT;
      endcase
    end
  end

  assign in_ready_o      = (state_q == S_COLLECT);
  assign m_axi_awvalid_o = (state_q == S_SEND) && addr_ok && !aw_done_q;
  assign m_axi_awaddr_o  = byte_addr[ADDR_W-1:0];
  assign m_axi_awlen_o   = 8'd0;
  assign m_axi_awsize_o  = SIZE[2:0];
  assign m_axi_awburst_o = 2'b01;
  assign m_axi_awid_o    = {ID_W{1'b0}};
  assign m_axi_awcache_o = 4'b0011;
  assign m_axi_awprot_o  = 3'b000;
  assign m_axi_wvalid_o  = (state_q == S_SEND) && addr_ok && !w_done_q;
  assign m_axi_wdata_o   = data_q;
  assign m_axi_wstrb_o   = strb_q;
  assign m_axi_wlast_o   = 1'b1;
  assign m_axi_bready_o  = (state_q == S_RESP);
  assign err_o           = err_q;

  // The write response's ID is always 0 (one write in flight); BRESP[0]
  // tells EXOKAY from OKAY and SLVERR from DECERR, neither of which matters.
  wire unused_b = ^{m_axi_bid_i, m_axi_bresp_i[0]};
endmodule
`default_nettype wire
