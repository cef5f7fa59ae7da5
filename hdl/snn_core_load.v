`default_nettype none
// snn_core_load: the load port of a neuron core (snn_lif_core): the beat
// staging register, the decode of the memory id, and the core's
// configuration registers.
//
// A word of W bits arrives as ceil(W/32) beats, most significant 32-bit
// chunk first. Every beat accepted (ld_valid_i while open_i, i.e. while the
// core is idle and no configuration clear is pending or running) shifts its 32 bits into the staging register; the beat with
// ld_last_i completes the word: word_o (the staged bits and this beat's, in
// its low bits) is valid in that cycle, with we_o[ld_mem_i] high (one-hot;
// the caller writes memory ld_mem_i at ld_addr_i), and the staging register
// clears for the next word.
//
// Memory id CFG_ID (15) is this module's: the configuration registers,
// selected by ld_addr_i[2:0]: 0 n_active (CNT_W bits), 1 p_plus, 2 p_minus
// (COEF_BITS), 3 and 4 the low and high 32 bits of the background key,
// 5 base (the global id of local neuron 0, on a mesh), 6 and 7 the low and
// high 32 bits of ext_base (the byte address of the synapse region of a core
// whose rows are in external memory). The registers start at the
// parameters' values (N_ACTIVE, P_PLUS, P_MINUS, BG_KEY, base and ext_base 0).
//
// No reset: the staging register is datapath, and the configuration
// registers are loaded like memories (rst_i of the core leaves them alone).
module snn_core_load #(
  // Neuron capacity of the core (n_active is 0..N_NEURONS); 1..2^24.
  parameter integer N_NEURONS = 64,
  // Propagator width (p_plus, p_minus); 2..28.
  parameter integer COEF_BITS = 20,
  // Staging width: the widest word the core's memories take; >= 64.
  parameter integer WORD_W = 64,
  // Initial n_active (configuration register 0); 1..N_NEURONS.
  parameter integer N_ACTIVE = N_NEURONS,
  // Initial presynaptic trace decay (configuration register 1).
  parameter [COEF_BITS-1:0] P_PLUS = {COEF_BITS{1'b0}},
  // Initial postsynaptic trace decay (configuration register 2).
  parameter [COEF_BITS-1:0] P_MINUS = {COEF_BITS{1'b0}},
  // Initial background key (configuration registers 3 and 4).
  parameter [63:0] BG_KEY = 64'd0
) (
  input  wire                 clk_i,
  // beats are accepted (the core is idle)
  input  wire                 open_i,
  // the core's load port (ld_ready_o = open_i is the caller's)
  input  wire                 ld_valid_i,
  input  wire                 ld_last_i,
  input  wire [3:0]           ld_mem_i,
  input  wire [31:0]          ld_addr_i,
  input  wire [31:0]          ld_data_i,
  // the completed word, and which memory takes it (one-hot by id)
  output wire [WORD_W-1:0]    word_o,
  output wire [15:0]          we_o,
  // configuration registers
  output wire [CNT_W-1:0]     n_active_o,
  output wire [COEF_BITS-1:0] p_plus_o,
  output wire [COEF_BITS-1:0] p_minus_o,
  output wire [63:0]          bg_key_o,
  output wire [31:0]          base_o,
  output wire [63:0]          ext_base_o
);
  // Width of n_active (0..N_NEURONS).
  localparam integer CNT_W = $clog2(N_NEURONS + 1);
  // Memory id of the configuration registers.
  localparam [3:0] CFG_ID = 4'd15;

  // ---------------------------------------------------------------- checks
  // (N_NEURONS, N_ACTIVE and COEF_BITS are checked by the core and its
  // leaves)
  generate
    if (WORD_W < 64) begin : g_err_word_w
`ifdef VERILATOR
      $error("snn_core_load: WORD_W (%0d) must be >= 64", WORD_W);
`else
      snn_core_load__WORD_W_must_be_at_least_64 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- staging
  reg  [WORD_W-1:0] stage_q;
  wire              fire = ld_valid_i & open_i;
  wire              last = fire & ld_last_i;
  wire [WORD_W-1:0] word = {stage_q[WORD_W-33:0], ld_data_i};

  always @(posedge clk_i) begin
    if (fire) begin
      stage_q <= ld_last_i ? {WORD_W{1'b0}} : word;
    end
  end

  assign word_o = word;
  assign we_o   = last ? (16'd1 << ld_mem_i) : 16'd0;

  // ---------------------------------------------------------------- configuration registers
  localparam integer N_ACTIVE_I = N_ACTIVE;
  reg [CNT_W-1:0]     n_active_q;
  reg [COEF_BITS-1:0] p_plus_q;
  reg [COEF_BITS-1:0] p_minus_q;
  reg [63:0]          bg_key_q;
  reg [31:0]          base_q;
  reg [63:0]          ext_base_q;
  initial begin
    base_q     = 32'd0;
    ext_base_q = 64'd0;
    n_active_q = N_ACTIVE_I[CNT_W-1:0];
    p_plus_q   = P_PLUS;
    p_minus_q  = P_MINUS;
    bg_key_q   = BG_KEY;
  end

  always @(posedge clk_i) begin
    if (last && ld_mem_i == CFG_ID) begin
      case (ld_addr_i[2:0])
        3'd0: n_active_q <= word[CNT_W-1:0];
        3'd1: p_plus_q <= word[COEF_BITS-1:0];
        3'd2: p_minus_q <= word[COEF_BITS-1:0];
        3'd3: bg_key_q[31:0] <= word[31:0];
        3'd4: bg_key_q[63:32] <= word[31:0];
        3'd5: base_q <= word[31:0];
        3'd6: ext_base_q[31:0] <= word[31:0];
        3'd7: ext_base_q[63:32] <= word[31:0];
      endcase
    end
  end

  assign n_active_o = n_active_q;
  assign p_plus_o   = p_plus_q;
  assign p_minus_o  = p_minus_q;
  assign bg_key_o   = bg_key_q;
  assign base_o     = base_q;
  assign ext_base_o = ext_base_q;

  // The staged bits shifted out at the top, and the address bits above the
  // register select (the memories use them).
  wire unused_load = &{1'b0, stage_q[WORD_W-1:WORD_W-32], ld_addr_i[31:3]};
endmodule
`default_nettype wire
