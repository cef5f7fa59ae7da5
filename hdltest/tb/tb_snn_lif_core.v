`default_nettype none
// Testbench of snn_lif_core, driven by hdltest/tests/snn_lif_core.rs (the
// expected records come from spikefab_sim::engine::Engine::step_observed;
// this bench only drives and records).
//
// All memories are loaded by the DUT from the image files named by the string
// parameters, or through the load port (+load). The bench runs STEPS steps:
// it raises start_i whenever the core is idle, and records every output;
// then, with +reload, it reconfigures the running core and runs again.
//
// Plusargs:
//   +vec=<file>      ignored (the harness always writes one)
//   +out=<file>      written, one line per record (decimal):
//                    "0 step neuron v i_ex i_in refr spike"   each observation record
//                    "2 step neuron"                          each spike-out handshake
//                    "3 step synapse old new"                 each weight-write record
//                    "1 step cycles cycles_a spikes"          per step: cycles from the
//                    start handshake to done_o, to the last observation record, and
//                    the spike-out handshakes of the step
//   +bg_key=<hex>    the background key (64 bits), written through the load
//                    port (configuration registers 3, 4) before the first step
//   +load=<file>     optional: load-port beats "mem addr last data(hex)", one
//                    per line, sent (with random valid gaps) before the first step
//   +ld_pct=<p>      percent of cycles a load beat is offered (default 100)
//   +reload=<file>   optional: after the STEPS steps, reconfigure WITHOUT a reset
//                    and run again: lines "mem addr last data(hex)" are beats,
//                    a line "99 <n> 0 0" runs n steps of the network loaded so far
//                    (step_o must have returned to 0); each such line first writes
//                    "4 <n> <cycles>" (cycles from the first beat offered to the
//                    last one taken, the configuration clear included)
//   +seed=<n>        seed of the xorshift32 that draws spike-out stalls (nonzero)
//   +spk_pct=<p>     percent of cycles spk_ready_i is high
// Prints TB_ERROR lines on protocol violations or timeout and, at the end,
// "TB_DONE sent=<steps> recv=<observation records> first_latency=0 span=<cycles>".
module tb_snn_lif_core #(
  // DUT parameters (see snn_lif_core.v).
  parameter integer N_NEURONS = 64,
  // DUT parameter.
  parameter integer N_POPS = 2,
  // DUT parameter.
  parameter integer SLOTS = 64,
  // DUT parameter.
  parameter integer V_BITS = 24,
  // DUT parameter.
  parameter integer I_BITS = 24,
  // DUT parameter.
  parameter integer COEF_BITS = 20,
  // DUT parameter.
  parameter integer COEF_FRAC = 18,
  // DUT parameter.
  parameter integer REF_BITS = 8,
  // DUT parameter.
  parameter integer ACC_BITS = 32,
  // DUT parameter.
  parameter integer W_BITS = 16,
  // DUT parameter.
  parameter integer W_SHIFT = 0,
  // DUT parameter.
  parameter integer TABLE_LEN = 32,
  // DUT parameter.
  parameter integer SYN_DEPTH = 1024,
  // DUT parameter.
  parameter STATE_MEM_FILE = "",
  // DUT parameter.
  parameter POP_MEM_FILE = "",
  // DUT parameter.
  parameter PARAM_MEM_FILE = "",
  // DUT parameter.
  parameter CDF_MEM_FILE = "",
  // DUT parameter.
  parameter SYN_MEM_FILE = "",
  // DUT parameter.
  parameter ROW_MEM_FILE = "",
  // DUT parameter.
  parameter integer PLASTIC = 0,
  // DUT parameter.
  parameter integer TRACE_BITS = 16,
  // DUT parameter.
  parameter integer TRACE_FRAC = 12,
  // DUT parameter.
  parameter integer N_RULES = 1,
  // DUT parameter.
  parameter integer INC_DEPTH = 1,
  // DUT parameter.
  parameter integer N_ACTIVE = N_NEURONS,
  // DUT parameter.
  parameter integer P_PLUS = 0,
  // DUT parameter.
  parameter integer P_MINUS = 0,
  // DUT parameter.
  parameter integer FAULT = 0,
  // DUT parameter.
  parameter integer FAULT_STEP = 0,
  // DUT parameter.
  parameter RULE_MEM_FILE = "",
  // DUT parameter.
  parameter STDP_MEM_FILE = "",
  // DUT parameter.
  parameter INC_ROW_MEM_FILE = "",
  // DUT parameter.
  parameter INC_MEM_FILE = "",
  // Steps to run.
  parameter integer STEPS = 1
);
  localparam integer NRN_W = (N_NEURONS > 1) ? $clog2(N_NEURONS) : 1;
  localparam integer SYN_AW = (SYN_DEPTH > 1) ? $clog2(SYN_DEPTH) : 1;

  reg [8*1024-1:0] out_path;
  reg [8*1024-1:0] load_path;
  integer lfd;
  integer ld_pct;
  reg [63:0] bg_key;
  integer fd;
  integer seed;
  integer spk_pct;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  // ------------------------------------------------------------------ DUT
  reg                       start_q;
  wire                      busy;
  wire                      done;
  wire [31:0]               step;
  wire                      obs_valid;
  wire [31:0]               obs_step;
  wire [NRN_W-1:0]          obs_neuron;
  wire signed [V_BITS-1:0]  obs_v;
  wire signed [I_BITS-1:0]  obs_i_ex;
  wire signed [I_BITS-1:0]  obs_i_in;
  wire [REF_BITS-1:0]       obs_refr;
  wire                      obs_spike;
  wire [2:0]                phase;
  reg                       ld_valid_q;
  wire                      ld_ready;
  reg                       ld_last_q;
  reg [3:0]                 ld_mem_q;
  reg [31:0]                ld_addr_q;
  reg [31:0]                ld_data_q;
  wire                      wobs_valid;
  wire [31:0]               wobs_step;
  wire [SYN_AW-1:0]         wobs_syn;
  wire signed [W_BITS-1:0]  wobs_old;
  wire signed [W_BITS-1:0]  wobs_new;
  wire                      spk_valid;
  reg                       spk_ready_q;
  wire [31:0]               spk_step;
  wire [NRN_W-1:0]          spk_neuron;

  snn_lif_core #(
    .N_NEURONS     (N_NEURONS),
    .N_POPS        (N_POPS),
    .SLOTS         (SLOTS),
    .V_BITS        (V_BITS),
    .I_BITS        (I_BITS),
    .COEF_BITS     (COEF_BITS),
    .COEF_FRAC     (COEF_FRAC),
    .REF_BITS      (REF_BITS),
    .ACC_BITS      (ACC_BITS),
    .W_BITS        (W_BITS),
    .W_SHIFT       (W_SHIFT),
    .TABLE_LEN     (TABLE_LEN),
    .SYN_DEPTH     (SYN_DEPTH),
    .STATE_MEM_FILE(STATE_MEM_FILE),
    .POP_MEM_FILE  (POP_MEM_FILE),
    .PARAM_MEM_FILE(PARAM_MEM_FILE),
    .CDF_MEM_FILE  (CDF_MEM_FILE),
    .SYN_MEM_FILE  (SYN_MEM_FILE),
    .ROW_MEM_FILE  (ROW_MEM_FILE),
    .PLASTIC       (PLASTIC),
    .TRACE_BITS    (TRACE_BITS),
    .TRACE_FRAC    (TRACE_FRAC),
    .N_RULES       (N_RULES),
    .INC_DEPTH     (INC_DEPTH),
    .N_ACTIVE      (N_ACTIVE),
    .P_PLUS        (P_PLUS[COEF_BITS-1:0]),
    .P_MINUS       (P_MINUS[COEF_BITS-1:0]),
    .FAULT         (FAULT),
    .FAULT_STEP    (FAULT_STEP),
    .RULE_MEM_FILE (RULE_MEM_FILE),
    .STDP_MEM_FILE (STDP_MEM_FILE),
    .INC_ROW_MEM_FILE(INC_ROW_MEM_FILE),
    .INC_MEM_FILE  (INC_MEM_FILE)
  ) dut (
    .clk_i       (clk),
    .rst_i       (rst),
    .start_i     (start_q),
    .busy_o      (busy),
    .done_o      (done),
    .step_o      (step),
    .phase_o     (phase),
    .ev_valid_i  (1'b0),
    .ev_ready_o  (),
    .ev_row_i    ({NRN_W{1'b0}}),
    .sent_o      (),
    .syn_busy_o  (),
    .step_done_i (1'b0),
    .base_o      (),
    .ld_valid_i  (ld_valid_q),
    .ld_ready_o  (ld_ready),
    .ld_last_i   (ld_last_q),
    .ld_mem_i    (ld_mem_q),
    .ld_addr_i   (ld_addr_q),
    .ld_data_i   (ld_data_q),
    .wobs_valid_o(wobs_valid),
    .wobs_step_o (wobs_step),
    .wobs_syn_o  (wobs_syn),
    .wobs_old_o  (wobs_old),
    .wobs_new_o  (wobs_new),
    .obs_valid_o (obs_valid),
    .obs_step_o  (obs_step),
    .obs_neuron_o(obs_neuron),
    .obs_v_o     (obs_v),
    .obs_i_ex_o  (obs_i_ex),
    .obs_i_in_o  (obs_i_in),
    .obs_refr_o  (obs_refr),
    .obs_spike_o (obs_spike),
    .spk_valid_o (spk_valid),
    .spk_ready_i (spk_ready_q),
    .spk_step_o  (spk_step),
    .spk_neuron_o(spk_neuron),
    // on-chip synapses: the external-memory port stays idle
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
    .m_axi_rlast_i  (1'b0),
    .mem_err_o      ()
  );

  // ------------------------------------------------------------------ stimulus
  wire spk_stall;
  tb_stall_gen #(.LANE(0)) spk_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(spk_pct), .stall_o(spk_stall)
  );

  integer cycle;
  integer t;             // step being run (or next to start)
  integer running;       // a step was started and done_o not yet seen
  integer t0;            // cycle of the start handshake
  integer last_obs;      // cycle of the step's last observation record
  integer recv;          // observation records
  integer spikes;        // spike-out handshakes of this step
  integer stall_pend;    // spike-out was valid and not taken at the previous edge
  integer loaded;        // configuration (load port) finished
  integer t_loaded;      // cycle at which it finished
  integer beats;         // load beats sent
  integer lseed;         // $random state of the load gaps
  integer lm, la, ll, ldat;
  integer goal;          // steps of the current run (STEPS, then each reload's)
  integer rl_c0;         // cycle at which a reload's first beat was offered
  integer rl_first;      // no beat of this reload offered yet
  reg [8*1024-1:0] reload_path;
  reg [NRN_W-1:0] stall_n;

  initial begin
    if (!$value$plusargs("out=%s", out_path)) begin
      $display("TB_ERROR missing +out");
      $finish;
    end
    if (!$value$plusargs("bg_key=%h", bg_key)) begin
      $display("TB_ERROR missing +bg_key");
      $finish;
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("spk_pct=%d", spk_pct)) spk_pct = 100;
    fd = $fopen(out_path, "w");
    cycle = 0;
    t = 0;
    running = 0;
    t0 = 0;
    last_obs = 0;
    recv = 0;
    spikes = 0;
    stall_pend = 0;
    stall_n = {NRN_W{1'b0}};
    start_q = 1'b0;
    spk_ready_q = 1'b0;
    loaded = 0;
    t_loaded = 0;
    beats = 0;
    ld_valid_q = 1'b0;
    ld_last_q = 1'b0;
    ld_mem_q = 4'd0;
    ld_addr_q = 32'd0;
    ld_data_q = 32'd0;
    if (!$value$plusargs("ld_pct=%d", ld_pct)) ld_pct = 100;
    goal = STEPS;
    lseed = seed;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    @(posedge clk);
    if ($value$plusargs("load=%s", load_path)) begin
      lfd = $fopen(load_path, "r");
      while ($fscanf(lfd, "%d %d %d %h\n", lm, la, ll, ldat) == 4) begin
        send_beat(lm[3:0], la[31:0], ll[0], ldat[31:0]);
      end
      $fclose(lfd);
    end
    send_beat(4'd15, 32'd3, 1'b1, bg_key[31:0]);
    send_beat(4'd15, 32'd4, 1'b1, bg_key[63:32]);
    loaded = 1;
    t_loaded = cycle;
    wait (t >= goal && running == 0);
    loaded = 0;
    if ($value$plusargs("reload=%s", reload_path)) begin
      lfd = $fopen(reload_path, "r");
      rl_first = 1;
      while ($fscanf(lfd, "%d %d %d %h\n", lm, la, ll, ldat) == 4) begin
        if (lm == 99) begin
          // run la steps of the network loaded now, from step 0
          @(posedge clk);
          if (busy || step != 0) begin
            $display("TB_ERROR after the reload: busy_o=%0d step_o=%0d (expected 0, 0)", busy,
                     step);
          end
          $fwrite(fd, "4 %0d %0d\n", la, cycle - rl_c0);
          t = 0;
          goal = la;
          loaded = 1;
          t_loaded = cycle;
          wait (t >= goal && running == 0);
          loaded = 0;
          rl_first = 1;
        end else begin
          if (rl_first != 0) rl_c0 = cycle;
          rl_first = 0;
          send_beat(lm[3:0], la[31:0], ll[0], ldat[31:0]);
        end
      end
      $fclose(lfd);
    end
    $display("TB_DONE sent=%0d recv=%0d first_latency=0 span=%0d", t, recv, cycle);
    $fclose(fd);
    $finish;
  end

  // One load-port beat, after a random gap (ld_pct), held until ld_ready_o
  // takes it (low while a configuration clear is pending or runs: at most
  // SLOTS * N_NEURONS + N_NEURONS + 2 cycles).
  integer ld_wait;
  task send_beat(input [3:0] m, input [31:0] a, input l, input [31:0] d);
    begin
      while (($random(lseed) & 32'h7fffffff) % 100 >= ld_pct) @(posedge clk);
      ld_valid_q <= 1'b1;
      ld_mem_q   <= m;
      ld_addr_q  <= a;
      ld_last_q  <= l;
      ld_data_q  <= d;
      @(posedge clk);
      ld_wait = 0;
      while (!ld_ready) begin
        ld_wait = ld_wait + 1;
        // the port waits only for a configuration clear here, and busy_o is
        // high while it runs (after the cycles that start it)
        if (ld_wait > 3 && !busy) begin
          $display("TB_ERROR busy_o low while the configuration clear runs (cycle %0d)", cycle);
        end
        if (ld_wait > SLOTS * N_NEURONS + N_NEURONS + 2) begin
          $display("TB_ERROR ld_ready_o low for %0d cycles at cycle %0d", ld_wait, cycle);
          $finish;
        end
        @(posedge clk);
      end
      ld_valid_q <= 1'b0;
      beats = beats + 1;
    end
  endtask

  always @(posedge clk) begin
    if (!rst) begin
      cycle = cycle + 1;
      // ---- observation records
      if (obs_valid) begin
        if (running == 0 || obs_step != t) begin
          $display("TB_ERROR observation record of step %0d outside step %0d at cycle %0d",
                   obs_step, t, cycle);
        end
        $fwrite(fd, "0 %0d %0d %0d %0d %0d %0d %0d\n", obs_step, obs_neuron, obs_v, obs_i_ex,
                obs_i_in, obs_refr, obs_spike);
        recv = recv + 1;
        last_obs = cycle;
      end
      // ---- spike-out stream: held while stalled
      if (stall_pend != 0 && (!spk_valid || spk_neuron !== stall_n)) begin
        $display("TB_ERROR spike-out dropped or changed while stalled at cycle %0d", cycle);
      end
      if (spk_valid && spk_ready_q) begin
        if (spk_step != t) begin
          $display("TB_ERROR spike of step %0d during step %0d", spk_step, t);
        end
        $fwrite(fd, "2 %0d %0d\n", spk_step, spk_neuron);
        spikes = spikes + 1;
      end
      stall_pend = spk_valid && !spk_ready_q;
      stall_n = spk_neuron;
      spk_ready_q <= !spk_stall;
      // ---- step control
      if (start_q && !busy) begin
        // start handshake at this edge
        running = 1;
        t0 = cycle;
        spikes = 0;
      end
      if (done) begin
        if (running == 0 || step != t + 1) begin
          $display("TB_ERROR done_o at cycle %0d: running=%0d step_o=%0d t=%0d", cycle, running,
                   step, t);
        end
        $fwrite(fd, "1 %0d %0d %0d %0d\n", t, cycle - t0, last_obs - t0, spikes);
        running = 0;
        t = t + 1;
      end
      // ---- weight-write records
      if (wobs_valid) begin
        if (running == 0 || wobs_step != t) begin
          $display("TB_ERROR weight record of step %0d outside step %0d at cycle %0d",
                   wobs_step, t, cycle);
        end
        $fwrite(fd, "3 %0d %0d %0d %0d\n", wobs_step, wobs_syn, wobs_old, wobs_new);
      end
      if (loaded != 0 && running == 0 && !busy && !done && t < goal && !start_q) begin
        start_q <= 1'b1;
      end else begin
        start_q <= 1'b0;
      end
      if (loaded != 0 && cycle - t_loaded > goal * (10 * N_NEURONS + 8 * SYN_DEPTH + 8 * INC_DEPTH + 100) + 1000) begin
        $display("TB_ERROR timeout: step=%0d recv=%0d", t, recv);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
