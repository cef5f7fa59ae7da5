// Lint-only black box of the XDMA IP spikefab_xdma that xdma_ip.tcl has Vivado
// create (PCIe Gen3 x16, AXI-Stream, one h2c and one c2h channel of 512 bits,
// the AXI4-Lite master of the user BAR, one user interrupt): the ports the
// Alveo shells connect, named as the IP's instantiation template names them
// (its other outputs are left open there and not declared here). Not a model.
/* verilator lint_off UNUSEDSIGNAL */
module spikefab_xdma (
  input  wire         sys_clk,
  input  wire         sys_clk_gt,
  input  wire         sys_rst_n,
  output wire [15:0]  pci_exp_txp,
  output wire [15:0]  pci_exp_txn,
  input  wire [15:0]  pci_exp_rxp,
  input  wire [15:0]  pci_exp_rxn,
  output wire         axi_aclk,
  output wire         axi_aresetn,
  input  wire [0:0]   usr_irq_req,
  // the user BAR: AXI4-Lite master
  output wire [31:0]  m_axil_awaddr,
  output wire [2:0]   m_axil_awprot,
  output wire         m_axil_awvalid,
  input  wire         m_axil_awready,
  output wire [31:0]  m_axil_wdata,
  output wire [3:0]   m_axil_wstrb,
  output wire         m_axil_wvalid,
  input  wire         m_axil_wready,
  input  wire         m_axil_bvalid,
  input  wire [1:0]   m_axil_bresp,
  output wire         m_axil_bready,
  output wire [31:0]  m_axil_araddr,
  output wire [2:0]   m_axil_arprot,
  output wire         m_axil_arvalid,
  input  wire         m_axil_arready,
  input  wire [31:0]  m_axil_rdata,
  input  wire [1:0]   m_axil_rresp,
  input  wire         m_axil_rvalid,
  output wire         m_axil_rready,
  // card-to-host stream, channel 0
  input  wire [511:0] s_axis_c2h_tdata_0,
  input  wire [63:0]  s_axis_c2h_tkeep_0,
  input  wire         s_axis_c2h_tlast_0,
  input  wire         s_axis_c2h_tvalid_0,
  output wire         s_axis_c2h_tready_0,
  // host-to-card stream, channel 0
  output wire [511:0] m_axis_h2c_tdata_0,
  output wire [63:0]  m_axis_h2c_tkeep_0,
  output wire         m_axis_h2c_tlast_0,
  output wire         m_axis_h2c_tvalid_0,
  input  wire         m_axis_h2c_tready_0
);
  assign pci_exp_txp = 16'd0;
  assign pci_exp_txn = 16'd0;
  assign axi_aclk = 1'b0;
  assign axi_aresetn = 1'b0;
  assign {m_axil_awaddr, m_axil_awprot, m_axil_awvalid} = 36'd0;
  assign {m_axil_wdata, m_axil_wstrb, m_axil_wvalid} = 37'd0;
  assign m_axil_bready = 1'b0;
  assign {m_axil_araddr, m_axil_arprot, m_axil_arvalid} = 36'd0;
  assign m_axil_rready = 1'b0;
  assign s_axis_c2h_tready_0 = 1'b0;
  assign m_axis_h2c_tdata_0 = 512'd0;
  assign m_axis_h2c_tkeep_0 = 64'd0;
  assign m_axis_h2c_tlast_0 = 1'b0;
  assign m_axis_h2c_tvalid_0 = 1'b0;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
