// Lint-only black box of the Xilinx xpm_fifo_axis macro (an AXI4-Stream FIFO,
// here with independent clocks): the parameters the board shells set and the
// ports they connect (the macro's count, flag and ECC outputs are left open
// there and not declared here). Not a model.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module xpm_fifo_axis #(
  parameter integer CDC_SYNC_STAGES = 2,
  parameter CLOCKING_MODE = "common_clock",
  parameter ECC_MODE = "no_ecc",
  parameter integer FIFO_DEPTH = 2048,
  parameter FIFO_MEMORY_TYPE = "auto",
  parameter PACKET_FIFO = "false",
  parameter integer RELATED_CLOCKS = 0,
  parameter integer SIM_ASSERT_CHK = 0,
  parameter integer TDATA_WIDTH = 32,
  parameter integer TDEST_WIDTH = 1,
  parameter integer TID_WIDTH = 1,
  parameter integer TUSER_WIDTH = 1,
  parameter USE_ADV_FEATURES = "1000"
) (
  input  wire                     s_aclk,
  input  wire                     m_aclk,
  input  wire                     s_aresetn,
  input  wire                     s_axis_tvalid,
  output wire                     s_axis_tready,
  input  wire [TDATA_WIDTH-1:0]   s_axis_tdata,
  input  wire [TDATA_WIDTH/8-1:0] s_axis_tkeep,
  input  wire [TDATA_WIDTH/8-1:0] s_axis_tstrb,
  input  wire                     s_axis_tlast,
  input  wire [TID_WIDTH-1:0]     s_axis_tid,
  input  wire [TDEST_WIDTH-1:0]   s_axis_tdest,
  input  wire [TUSER_WIDTH-1:0]   s_axis_tuser,
  input  wire                     injectsbiterr_axis,
  input  wire                     injectdbiterr_axis,
  output wire                     m_axis_tvalid,
  input  wire                     m_axis_tready,
  output wire [TDATA_WIDTH-1:0]   m_axis_tdata,
  output wire [TDATA_WIDTH/8-1:0] m_axis_tkeep,
  output wire                     m_axis_tlast
);
  assign s_axis_tready = 1'b0;
  assign m_axis_tvalid = 1'b0;
  assign m_axis_tdata = {TDATA_WIDTH{1'b0}};
  assign m_axis_tkeep = {(TDATA_WIDTH / 8){1'b0}};
  assign m_axis_tlast = 1'b0;
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
