`default_nettype none
// snn_mem: one memory of a neuron core, the single definition of the
// "$readmemh image or zeros" memory behind every table of snn_lif_core and
// snn_syn_event (and the route memory of snn_mesh_top's network interfaces).
// Written in the inference style of Yosys, Vivado and Quartus: RD_REG = 1 is
// block RAM, RD_REG = 0 distributed RAM (or registers, for a wide table).
//
//   contents   DEPTH words of WIDTH bits: INIT_FILE's $readmemh image at
//              configuration, or zeros when INIT_FILE is "". Not reset.
//   write      we_i writes wdata_i into the word at waddr_i at the clock
//              edge. The word is split into lanes of LANE_W bits from bit 0
//              (the top lane holds what remains when LANE_W does not divide
//              WIDTH); only the lanes whose wlane_i bit is set are written,
//              the others keep their bits. LANE_W = WIDTH (the default):
//              one lane, a whole-word write (tie wlane_i high).
//   read       RD_PORTS read ports, port k on slice k of re_i, raddr_i and
//              rdata_o. RD_REG = 1: registered; when re_i[k] is high,
//              port k's data takes the word at its address at the clock
//              edge, else it holds. Read-first: a read of the word being
//              written returns its old contents (a second port on the write
//              address is the read half of a read-first read/write port).
//              RD_REG = 0: combinational, the data is the word at the
//              address now (re_i unused).
//
// An address >= DEPTH (DEPTH not a power of two) writes nothing; its read
// data is undefined.
//
// Synthesis estimates (spikefab synth, eda/src/yosys_mem.rs) define macros
// that exist nowhere else; without them (simulation, Verilator, Vivado) the
// module is exactly as described above.
//   SNN_MEM_PROBE        every instance reports WIDTH, DEPTH, whether it has
//                        an image and its treatment through a
//                        spikefab_mem_probe cell (a black box the flow
//                        lists and deletes before synthesis).
//   SNN_MEM_BLANK_ABOVE  (bits) a memory of more than this many bits is
//                        blank: no initial block, neither the image nor the
//                        zeros (the host loads it; block RAM without INIT is
//                        zeros, so a zero memory is the same hardware). Yosys
//                        0.23 elaborates the zero loop in time quadratic in
//                        DEPTH, which is what kept large cores from finishing.
//   SNN_MEM_BLACKBOX     with SNN_MEM_BLANK_ABOVE: a blank memory is instead
//                        a spikefab_mem_blackbox instance on the same ports;
//                        its block RAM is counted from WIDTH x DEPTH.
module snn_mem #(
  // Word width; >= 1.
  parameter integer WIDTH = 8,
  // Words; >= 1.
  parameter integer DEPTH = 16,
  // Write lane width; 1..WIDTH (WIDTH: whole-word writes only).
  parameter integer LANE_W = WIDTH,
  // 1: registered reads (block RAM); 0: combinational reads (distributed RAM).
  parameter integer RD_REG = 1,
  // Read ports; 1 or 2 (block RAM has two).
  parameter integer RD_PORTS = 1,
  // $readmemh image (DEPTH words); "" = zeros.
  parameter INIT_FILE = ""
) (
  input  wire                      clk_i,
  // write port
  input  wire                      we_i,
  input  wire [AW-1:0]             waddr_i,
  input  wire [WIDTH-1:0]          wdata_i,
  input  wire [LANES-1:0]          wlane_i,
  // read ports (port k: bit k, slice k)
  input  wire [RD_PORTS-1:0]       re_i,
  input  wire [RD_PORTS*AW-1:0]    raddr_i,
  output wire [RD_PORTS*WIDTH-1:0] rdata_o
);
  // Address width.
  localparam integer AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  // Write lanes.
  localparam integer LANES = (LANE_W >= 1) ? (WIDTH + LANE_W - 1) / LANE_W : 1;

  // ---------------------------------------------------------------- checks
  generate
    if (WIDTH < 1) begin : g_err_width
`ifdef VERILATOR
      $error("snn_mem: WIDTH (%0d) must be >= 1", WIDTH);
`else
      snn_mem__WIDTH_must_be_at_least_1 param_error ();
`endif
    end
    if (DEPTH < 1) begin : g_err_depth
`ifdef VERILATOR
      $error("snn_mem: DEPTH (%0d) must be >= 1", DEPTH);
`else
      snn_mem__DEPTH_must_be_at_least_1 param_error ();
`endif
    end
    if (LANE_W < 1 || LANE_W > WIDTH) begin : g_err_lane_w
`ifdef VERILATOR
      $error("snn_mem: LANE_W (%0d) must be in 1..WIDTH (%0d)", LANE_W, WIDTH);
`else
      snn_mem__LANE_W_must_be_in_1_to_WIDTH param_error ();
`endif
    end
    if (RD_REG != 0 && RD_REG != 1) begin : g_err_rd_reg
`ifdef VERILATOR
      $error("snn_mem: RD_REG (%0d) must be 0 or 1", RD_REG);
`else
      snn_mem__RD_REG_must_be_0_or_1 param_error ();
`endif
    end
    if (RD_PORTS != 1 && RD_PORTS != 2) begin : g_err_rd_ports
`ifdef VERILATOR
      $error("snn_mem: RD_PORTS (%0d) must be 1 or 2", RD_PORTS);
`else
      snn_mem__RD_PORTS_must_be_1_or_2 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- estimates
  // Treatment in synthesis estimates (see the header): BLANK = 1 drops the
  // initial block, BBOX = 1 replaces the memory by a black box.
`ifdef SNN_MEM_BLANK_ABOVE
  // WIDTH * DEPTH > limit, without the product's overflow
  localparam integer BLANK = (DEPTH > (`SNN_MEM_BLANK_ABOVE) / WIDTH) ? 1 : 0;
`else
  localparam integer BLANK = 0;
`endif
`ifdef SNN_MEM_BLACKBOX
  localparam integer BBOX = BLANK;
`else
  localparam integer BBOX = 0;
`endif
`ifdef SNN_MEM_PROBE
  (* keep *) spikefab_mem_probe u_probe (
    .width_i(WIDTH),
    .depth_i(DEPTH),
    .image_i(INIT_FILE != ""),
    .treat_i(BLANK + BBOX)
  );
`endif

  // ---------------------------------------------------------------- contents
  reg [WIDTH-1:0] mem [0:DEPTH-1];

  generate
    if (BLANK == 1) begin : g_blank
      // no initial block (synthesis estimates only)
    end else if (INIT_FILE != "") begin : g_file
      initial $readmemh(INIT_FILE, mem);
    end else begin : g_zero
      integer j;
      initial begin
        for (j = 0; j < DEPTH; j = j + 1) mem[j] = {WIDTH{1'b0}};
      end
    end
  endgenerate

  // ---------------------------------------------------------------- write
  genvar l;
  generate
    for (l = 0; l < LANES; l = l + 1) begin : g_lane
      // Lane l: bits LO .. LO+LW-1.
      localparam integer LO = l * LANE_W;
      localparam integer LW = (WIDTH - LO < LANE_W) ? WIDTH - LO : LANE_W;
      always @(posedge clk_i) begin
        if (BBOX == 0 && we_i && wlane_i[l]) begin
          mem[waddr_i][LO +: LW] <= wdata_i[LO +: LW];
        end
      end
    end
  endgenerate

  // ---------------------------------------------------------------- read
  genvar p;
  generate
    for (p = 0; p < RD_PORTS; p = p + 1) begin : g_rd
      wire [AW-1:0] addr = raddr_i[p * AW +: AW];
      if (BBOX == 1) begin : g_bbox
        // the black box below drives this port
      end else if (RD_REG == 1) begin : g_reg
        reg [WIDTH-1:0] data_q;
        always @(posedge clk_i) begin
          if (re_i[p]) begin
            data_q <= mem[addr];
          end
        end
        assign rdata_o[p * WIDTH +: WIDTH] = data_q;
      end else begin : g_comb
        wire unused_re = re_i[p];
        assign rdata_o[p * WIDTH +: WIDTH] = mem[addr];
      end
    end
  endgenerate

`ifdef SNN_MEM_BLACKBOX
  // ---------------------------------------------------------------- black box
  generate
    if (BBOX == 1) begin : g_bbox
      spikefab_mem_blackbox #(
        .WIDTH(WIDTH),
        .DEPTH(DEPTH),
        .LANES(LANES),
        .RD_PORTS(RD_PORTS)
      ) u_bbox (
        .clk_i(clk_i),
        .we_i(we_i),
        .waddr_i(waddr_i),
        .wdata_i(wdata_i),
        .wlane_i(wlane_i),
        .re_i(re_i),
        .raddr_i(raddr_i),
        .rdata_o(rdata_o)
      );
    end
  endgenerate
`endif
endmodule
`default_nettype wire
