`default_nettype none
// snn_axil_const: an AXI4-Lite slave that answers every request and holds
// nothing: every read returns READ_VALUE, every write is acknowledged and
// dropped, both with response OKAY. The Alveo shells put it on the XDMA IP's
// AXI4-Lite master (the card's user BAR, /dev/xdma0_user): the XDMA driver
// creates that device only when the BAR exists, host/src/xdma.rs opens it,
// and a BAR whose requests got no answer would hang the host's CPU on its
// first access. A host that reads READ_VALUE (the shells give it the host
// link's MAGIC) knows the fabric behind the BAR is up.
//
// Reads: arready_o is high while no read response is waiting; a read
// address taken at edge k gives rvalid_o after edge k, held until rready_i.
// Writes: the address and the data are taken in either order (awready_o
// high until the address is taken, wready_o until the data is); once both
// are in and no write response is waiting, bvalid_o rises, held until
// bready_i, and the next address and data are taken after it. Addresses,
// protection bits, data and strobes are not looked at.
//
// rst_i (synchronous, active high) drops every request and response.
module snn_axil_const #(
  // Width of the AXI4-Lite addresses; 1..64.
  parameter integer ADDR_W = 32,
  // The value every read returns.
  parameter [31:0] READ_VALUE = 32'd0
) (
  input  wire              clk_i,
  input  wire              rst_i,
  // write address
  input  wire              s_axil_awvalid_i,
  output wire              s_axil_awready_o,
  input  wire [ADDR_W-1:0] s_axil_awaddr_i,
  input  wire [2:0]        s_axil_awprot_i,
  // write data
  input  wire              s_axil_wvalid_i,
  output wire              s_axil_wready_o,
  input  wire [31:0]       s_axil_wdata_i,
  input  wire [3:0]        s_axil_wstrb_i,
  // write response
  output wire              s_axil_bvalid_o,
  input  wire              s_axil_bready_i,
  output wire [1:0]        s_axil_bresp_o,
  // read address
  input  wire              s_axil_arvalid_i,
  output wire              s_axil_arready_o,
  input  wire [ADDR_W-1:0] s_axil_araddr_i,
  input  wire [2:0]        s_axil_arprot_i,
  // read data
  output wire              s_axil_rvalid_o,
  input  wire              s_axil_rready_i,
  output wire [31:0]       s_axil_rdata_o,
  output wire [1:0]        s_axil_rresp_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (ADDR_W < 1 || ADDR_W > 64) begin : g_err_addr_w
`ifdef VERILATOR
      $error("snn_axil_const: ADDR_W (%0d) must be 1..64", ADDR_W);
`else
      snn_axil_const__ADDR_W_must_be_1_to_64 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- writes
  reg  aw_q;      // a write address taken, its response not yet begun
  reg  w_q;       // write data taken, its response not yet begun
  reg  bvalid_q;
  wire b_start = aw_q & w_q & ~bvalid_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      aw_q     <= 1'b0;
      w_q      <= 1'b0;
      bvalid_q <= 1'b0;
    end else begin
      if (b_start) begin
        aw_q <= 1'b0;
      end else if (s_axil_awvalid_i) begin
        aw_q <= 1'b1;
      end
      if (b_start) begin
        w_q <= 1'b0;
      end else if (s_axil_wvalid_i) begin
        w_q <= 1'b1;
      end
      if (b_start) begin
        bvalid_q <= 1'b1;
      end else if (s_axil_bready_i) begin
        bvalid_q <= 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------- reads
  reg rvalid_q;

  always @(posedge clk_i) begin
    if (rst_i) begin
      rvalid_q <= 1'b0;
    end else if (!rvalid_q) begin
      rvalid_q <= s_axil_arvalid_i;
    end else if (s_axil_rready_i) begin
      rvalid_q <= 1'b0;
    end
  end

  // ---------------------------------------------------------------- outputs
  assign s_axil_awready_o = ~aw_q;
  assign s_axil_wready_o  = ~w_q;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign s_axil_arready_o = ~rvalid_q;
  assign s_axil_rvalid_o  = rvalid_q;
  assign s_axil_rdata_o   = READ_VALUE;
  assign s_axil_rresp_o   = 2'b00;

  // what a slave that holds nothing does not look at
  wire unused_axil = &{1'b0, s_axil_awaddr_i, s_axil_awprot_i, s_axil_wdata_i, s_axil_wstrb_i,
                       s_axil_araddr_i, s_axil_arprot_i};
endmodule
`default_nettype wire
