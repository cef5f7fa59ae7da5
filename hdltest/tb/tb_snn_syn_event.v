`default_nettype none
// Testbench of snn_syn_event, driven by hdltest/tests/snn_syn_event.rs (the
// expected accumulator sums come from the reference semantics in Rust; this
// bench only drives and records).
//
// The synapse and row memories are loaded by the DUT from SYN_MEM_FILE and
// ROW_MEM_FILE. The bench runs DRAIN_STEPS = STEPS + SLOTS - 1 steps; step t:
//   1. barrier: all events of earlier steps accepted, busy_o low (their
//      deliveries are written) and the last drain result received;
//   2. the read-and-clear port drains slot t mod SLOTS for neurons
//      0 .. N_NEURONS-1 (ascending), as phase A would, while the events of
//      step t (slot t mod SLOTS) are offered in file order (with +serial=1 the
//      events start only after the last drain request);
//   3. the step ends when every drain was issued and every event of the step
//      accepted.
//
// Plusargs:
//   +vec=<file>   events, $readmemh, one 64-bit line per event:
//                 step in bits 63:32, row in bits 31:0; steps ascending, < STEPS
//   +out=<file>   written, one line per record (decimal):
//                 "0 step neuron ex in"              each drain result
//                 "1 step events cycles drains"      per step: cycles from the
//                 first event handshake of the step to the first clock edge at
//                 which busy_o is low after its last one, and the drain
//                 requests inside that window (0 0 0 for a step without events)
//                 "2 addr weight target"             each synapse tap (tap_valid_o)
//   +seed=<n>     seed of the xorshift32 that draws the stalls (nonzero)
//   +ev_pct=<p>   percent of cycles the event source offers a new event
//   +dr_pct=<p>   percent of cycles the phase-A side requests a drain
//   +serial=<0|1> 1: drain the whole slot before the step's events start
// Prints TB_ERROR lines on protocol violations or timeout and, at the end,
// "TB_DONE sent=<events> recv=<drain records> first_latency=0 span=<cycles>".
module tb_snn_syn_event #(
  // DUT parameters (see snn_syn_event.v).
  parameter integer N_NEURONS = 64,
  // DUT parameter.
  parameter integer SLOTS = 64,
  // DUT parameter.
  parameter integer ACC_BITS = 32,
  // DUT parameter.
  parameter integer W_BITS = 16,
  // DUT parameter.
  parameter integer W_SHIFT = 0,
  // DUT parameter.
  parameter integer ROWS = 64,
  // DUT parameter.
  parameter integer SYN_DEPTH = 1024,
  // DUT parameter.
  parameter SYN_MEM_FILE = "",
  // DUT parameter.
  parameter ROW_MEM_FILE = "",
  // Number of events in +vec (>= 1).
  parameter integer N_EV = 1,
  // Steps that carry events; the bench drains STEPS + SLOTS - 1 steps.
  parameter integer STEPS = 1
);
  localparam integer SLOT_W = $clog2(SLOTS);
  localparam integer TGT_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  localparam integer ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;
  localparam integer SYN_AW = (SYN_DEPTH > 1) ? $clog2(SYN_DEPTH) : 1;
  localparam integer PTR_W = $clog2(SYN_DEPTH + 1);
  localparam integer SYN_W = W_BITS + SLOT_W + TGT_W;
  localparam integer LD_W = (SYN_W > 2 * PTR_W) ? SYN_W : 2 * PTR_W;
  localparam integer DRAIN_STEPS = STEPS + SLOTS - 1;

  reg [63:0] vec_mem [0:N_EV-1];
`include "tb_io.vh"
  integer seed;
  integer ev_pct;
  integer dr_pct;
  integer serial;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  // ------------------------------------------------------------------ DUT
  reg                 ev_valid_q;
  wire                ev_ready;
  reg  [ROW_W-1:0]    ev_row_q;
  reg  [SLOT_W-1:0]   ev_slot_q;
  wire                busy;
  reg                 dr_valid_q;
  wire                dr_ready;
  reg  [SLOT_W-1:0]   dr_slot_q;
  reg  [TGT_W-1:0]    dr_neuron_q;
  wire                dr_valid_o;
  wire [TGT_W-1:0]    dr_neuron_o;
  wire signed [ACC_BITS-1:0] dr_ex_o;
  wire signed [ACC_BITS-1:0] dr_in_o;

  snn_syn_event #(
    .N_NEURONS   (N_NEURONS),
    .SLOTS       (SLOTS),
    .ACC_BITS    (ACC_BITS),
    .W_BITS      (W_BITS),
    .W_SHIFT     (W_SHIFT),
    .ROWS        (ROWS),
    .SYN_DEPTH   (SYN_DEPTH),
    .SYN_MEM_FILE(SYN_MEM_FILE),
    .ROW_MEM_FILE(ROW_MEM_FILE)
  ) dut (
    .clk_i      (clk),
    .rst_i      (rst),
    .ev_valid_i (ev_valid_q),
    .ev_ready_o (ev_ready),
    .ev_row_i   (ev_row_q),
    .ev_slot_i  (ev_slot_q),
    .busy_o     (busy),
    .dr_valid_i (dr_valid_q),
    .dr_ready_o (dr_ready),
    .dr_slot_i  (dr_slot_q),
    .dr_neuron_i(dr_neuron_q),
    .dr_valid_o (dr_valid_o),
    .dr_neuron_o(dr_neuron_o),
    .dr_ex_o    (dr_ex_o),
    .dr_in_o    (dr_in_o),
    .tap_valid_o(tap_valid),
    .tap_addr_o (tap_addr),
    .tap_w_o    (tap_w),
    .tap_tgt_o  (tap_tgt),
    .wp_valid_i (1'b0),
    .wp_addr_i  ({SYN_AW{1'b0}}),
    .wp_w_i     ({W_BITS{1'b0}}),
    .ax_valid_i (1'b0),
    .ax_addr_i  ({SYN_AW{1'b0}}),
    .ax_w_o     (ax_w),
    .ld_syn_i   (1'b0),
    .ld_row_i   (1'b0),
    .ld_addr_i  (32'd0),
    .ld_word_i  ({LD_W{1'b0}}),
    // on-chip synapses (SYN_EXT = 0): the external-memory port stays idle
    .ext_base_i     (34'd0),
    .err_clr_i      (1'b0),
    .err_o          (),
    .m_axi_arvalid_o(),
    .m_axi_arready_i(1'b0),
    .m_axi_araddr_o (),
    .m_axi_arlen_o  (),
    .m_axi_arsize_o (),
    .m_axi_arburst_o(),
    .m_axi_arid_o   (),
    .m_axi_arcache_o(),
    .m_axi_arprot_o (),
    .m_axi_rvalid_i (1'b0),
    .m_axi_rready_o (),
    .m_axi_rdata_i  ({256{1'b0}}),
    .m_axi_rid_i    (4'd0),
    .m_axi_rresp_i  (2'd0),
    .m_axi_rlast_i  (1'b0)
  );
  wire                      tap_valid;
  wire [SYN_AW-1:0]         tap_addr;
  wire signed [W_BITS-1:0]  tap_w;
  wire [TGT_W-1:0]          tap_tgt;
  wire signed [W_BITS-1:0]  ax_w;

  // ------------------------------------------------------------------ stimulus
  // one xorshift32 stream: its low half draws the drains, its high half the events
  wire dr_stall;
  wire ev_stall;
  tb_stall_gen #(.LANE(0)) dr_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(dr_pct), .stall_o(dr_stall)
  );
  tb_stall_gen #(.LANE(1)) ev_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(ev_pct), .stall_o(ev_stall)
  );

  integer cycle;
  integer step;          // current step
  integer active;        // 1 while step's drains/events are issued, 0 at the barrier
  integer ev_idx;        // next event to offer
  integer ev_idx_n;
  integer dr_n;          // next neuron to drain
  integer dr_n_n;
  integer recv;          // drain results received
  integer dr_pend;       // a drain request was taken at the previous edge
  integer step_ev;       // events of this step accepted
  integer ev_t0;         // cycle of the step's first event handshake
  integer win;           // 1 from the first event handshake until busy_o is low after the last
  integer win_dr;        // drain requests inside the window
  integer cycles;
  integer pend_rec;      // the step's statistics line is still to be written
  integer ev_left;       // events of this step not yet accepted (computed)
  integer k;

  initial begin
    load_vec;
    open_out;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("ev_pct=%d", ev_pct)) ev_pct = 100;
    if (!$value$plusargs("dr_pct=%d", dr_pct)) dr_pct = 100;
    if (!$value$plusargs("serial=%d", serial)) serial = 0;
    for (k = 1; k < N_EV; k = k + 1) begin
      if (vec_mem[k][63:32] < vec_mem[k-1][63:32] || vec_mem[k][63:32] >= STEPS) begin
        $display("TB_ERROR event %0d: steps must ascend and be < STEPS", k);
      end
    end
    cycle = 0;
    step = 0;
    active = 0;
    ev_idx = 0;
    dr_n = 0;
    recv = 0;
    dr_pend = 0;
    step_ev = 0;
    ev_t0 = 0;
    win = 0;
    win_dr = 0;
    pend_rec = 0;
    ev_valid_q = 1'b0;
    ev_row_q = {ROW_W{1'b0}};
    ev_slot_q = {SLOT_W{1'b0}};
    dr_valid_q = 1'b0;
    dr_slot_q = {SLOT_W{1'b0}};
    dr_neuron_q = {TGT_W{1'b0}};
    repeat (3) @(posedge clk);
    rst <= 1'b0;
  end

  // events of step `s` still in the file from index `i` on
  function integer events_of_step_from;
    input integer i;
    input integer s;
    begin
      events_of_step_from = (i < N_EV) && (vec_mem[i][63:32] == s);
    end
  endfunction

  always @(posedge clk) begin
    if (!rst) begin
      cycle = cycle + 1;
      // ---- drain results: exactly one cycle after each request
      if (dr_valid_o !== (dr_pend != 0)) begin
        $display("TB_ERROR drain result valid=%0d at cycle %0d, request pending=%0d",
                 dr_valid_o, cycle, dr_pend);
      end
      if (tap_valid) begin
        $fwrite(fd, "2 %0d %0d %0d\n", tap_addr, tap_w, tap_tgt);
      end
      if (dr_valid_o) begin
        $fwrite(fd, "0 %0d %0d %0d %0d\n", step, dr_neuron_o, dr_ex_o, dr_in_o);
        recv = recv + 1;
      end
      if (dr_ready !== 1'b1) begin
        $display("TB_ERROR dr_ready_o low at cycle %0d", cycle);
      end
      dr_pend = dr_valid_q;
      // ---- handshakes at this edge
      ev_idx_n = ev_idx;
      if (ev_valid_q && ev_ready) begin
        ev_idx_n = ev_idx + 1;
        if (step_ev == 0) begin
          ev_t0 = cycle;
          win = 1;
          win_dr = 0;
        end
        step_ev = step_ev + 1;
      end
      dr_n_n = dr_n;
      if (dr_valid_q) begin
        dr_n_n = dr_n + 1;
        if (win != 0) win_dr = win_dr + 1;
      end
      ev_idx <= ev_idx_n;
      dr_n <= dr_n_n;
      ev_left = events_of_step_from(ev_idx_n, step);
      // ---- window end: all of the step's events accepted and written
      if (win != 0 && ev_left == 0 && !(ev_valid_q && !ev_ready) && !busy
          && !(ev_valid_q && ev_ready)) begin
        cycles = cycle - ev_t0;
        win = 0;
      end
      // ---- drive the next cycle
      if (active != 0) begin
        // drain side (always ready)
        if (dr_n_n < N_NEURONS && !dr_stall) begin
          dr_valid_q <= 1'b1;
          dr_slot_q <= step % SLOTS;
          dr_neuron_q <= dr_n_n;
        end else begin
          dr_valid_q <= 1'b0;
        end
        // event side: a valid offer is held until taken
        if (ev_valid_q && !ev_ready) begin
          ev_valid_q <= 1'b1;
        end else if (ev_left != 0 && (serial == 0 || dr_n_n >= N_NEURONS)
                     && !ev_stall) begin
          ev_valid_q <= 1'b1;
          ev_row_q <= vec_mem[ev_idx_n][ROW_W-1:0];
          ev_slot_q <= step % SLOTS;
        end else begin
          ev_valid_q <= 1'b0;
        end
        // end of the step's issue phase
        if (dr_n_n >= N_NEURONS && ev_left == 0 && !(ev_valid_q && !ev_ready)) begin
          active = 0;
          pend_rec = 1;
          dr_valid_q <= 1'b0;
          ev_valid_q <= 1'b0;
        end
      end else begin
        dr_valid_q <= 1'b0;
        ev_valid_q <= 1'b0;
        // barrier: deliveries written, last drain result received
        if (pend_rec != 0 && win == 0 && !busy && dr_pend == 0 && !dr_valid_o) begin
          if (step_ev == 0) cycles = 0;
          $fwrite(fd, "1 %0d %0d %0d %0d\n", step, step_ev, cycles, win_dr);
          if (recv != (step + 1) * N_NEURONS) begin
            $display("TB_ERROR step %0d: %0d drain results, expected %0d", step, recv,
                     (step + 1) * N_NEURONS);
          end
          pend_rec = 0;
          step = step + 1;
        end
        if (pend_rec == 0) begin
          if (step >= DRAIN_STEPS) begin
            if (ev_idx_n != N_EV) begin
              $display("TB_ERROR %0d of %0d events sent", ev_idx_n, N_EV);
            end
            $display("TB_DONE sent=%0d recv=%0d first_latency=0 span=%0d", ev_idx_n, recv, cycle);
            $fclose(fd);
            $finish;
          end
          // start the step
          active = 1;
          dr_n <= 0;
          step_ev = 0;
          win = 0;
          win_dr = 0;
          cycles = 0;
        end
      end
      if (cycle > 200 * (N_EV + DRAIN_STEPS * N_NEURONS) + 100 * SYN_DEPTH + 10000) begin
        $display("TB_ERROR timeout: step=%0d events=%0d recv=%0d", step, ev_idx_n, recv);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
