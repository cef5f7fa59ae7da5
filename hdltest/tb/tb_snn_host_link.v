`default_nettype none
// Testbench of snn_host_link, driven by hdltest/tests/snn_host_link.rs: the
// Rust side makes every request frame (spikefab_host::proto) and writes a
// script of operations; this bench plays the host, the load port, the
// accelerator's step control and the spike buffer, and records what the
// link does. The Rust side decodes the recorded bytes with proto::Scanner
// and checks them.
//
// Script (+vec): one op per line, {op[31:0], arg[31:0]} in hex; ops run in
// order, each until it is done:
//   0  END        stop the script (also the end of the file)
//   1  BYTE       offer byte arg[7:0] on rx until it is taken; arg[31:8] = 0:
//                 after a random gap (+rx_pct), else offered so that it is
//                 taken exactly arg[31:8] clocks after the previous rx byte
//                 (a TB_ERROR when the script is already later than that)
//   2  WAITRESP   until one more whole response frame has been sent, or
//                 arg clocks (arg > 0)
//   3  IDLE       arg clocks
//   4  ROOM       room_i high in arg percent of the clocks (0: low, 100: high)
//   5  LDPCT      ld_ready_i high in arg percent of the clocks
//   6  LDSTALL    ld_ready_i low for the next arg clocks
//   7  SPKSTEP    the step of the records pushed next
//   8  SPKPUSH    push record (step, arg) into the spike buffer model
//   9  RXERR      rx_err_i high for one clock
//   10 MARK       write record "4 cycle arg"
//   11 COREDUR    a step keeps core_busy_i high arg[15:0] .. arg[31:16] clocks
//   12 WAITSTEPS  until the core model has finished arg steps and is idle
//   13 RXPCT      percent of clocks a random-gap byte is offered
//   14 TXPCT      percent of clocks tx_ready_i is high
//   15 EXTBUSY    core_busy_i high for arg clocks without a step (a
//                 configuration clear)
//   16 MEMERR     mem_err_i = arg[0]
//   17 RESET      rst_i high for arg clocks (the core model is reset too)
//
// Records (+out), one per line, decimal, cycle = clock edges since the
// first reset ended:
//   1 cycle byte                          tx handshake
//   2 cycle core mem addr data last       load port handshake
//   3 cycle room busy                     start_o high at this edge; room_i
//                                         and core_busy_i at the edge before
//                                         (the one the link decided at)
//   4 cycle id                            MARK
//   5 cycle step neuron                   spike record popped
//   6 cycle                               clr_o high
//   7 cycle                               a started step ended (busy fell)
//   8 cycle byte                          rx handshake
//   9 cycle                               overrun_o rose
// TB_ERROR lines: tx or load port outputs changed while stalled, start_o
// while the core is busy or on two clocks in a row, a late exact gap, a
// response byte outside a frame, a timeout (+max_cycles).
// Prints "TB_DONE sent=<rx bytes> recv=<tx bytes>".
module tb_snn_host_link #(
  // DUT: width of ld_core_o.
  parameter integer CORE_W = 3,
  // DUT: cores behind the load port (1..2^CORE_W).
  parameter integer N_CORES = 7,
  // DUT: the gap limit inside a frame.
  parameter integer IDLE_CYCLES = 50,
  // DUT: CONFIG_HASH = {HASH_HI, HASH_LO}.
  parameter [31:0] HASH_LO = 32'd0,
  parameter [31:0] HASH_HI = 32'd0,
  // Number of script lines in +vec.
  parameter integer N = 1
);
  reg [63:0] vec_mem [0:N-1];
`include "tb_io.vh"

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  // ---------------------------------------------------------------- DUT
  reg               rx_valid_q;
  reg  [7:0]        rx_data_q;
  wire              rx_ready;
  reg               rx_err_q;
  wire              tx_valid;
  wire [7:0]        tx_data;
  reg               tx_ready_q;
  wire              ld_valid;
  reg               ld_ready_q;
  wire              ld_last;
  wire [CORE_W-1:0] ld_core;
  wire [3:0]        ld_mem;
  wire [31:0]       ld_addr;
  wire [31:0]       ld_data;
  wire              start;
  reg               busy_q;
  reg  [31:0]       step_q;
  reg               mem_err_q;
  reg               room_q;
  wire              spk_valid;
  wire [31:0]       spk_step;
  wire [31:0]       spk_neuron;
  wire              spk_ready;
  wire [31:0]       spk_level;
  reg  [31:0]       emitted_q;
  wire              clr;
  wire              overrun;

  snn_host_link #(
    .CONFIG_HASH({HASH_HI, HASH_LO}),
    .CORE_W(CORE_W),
    .N_CORES(N_CORES),
    .IDLE_CYCLES(IDLE_CYCLES)
  ) dut (
    .clk_i(clk),
    .rst_i(rst),
    .rx_valid_i(rx_valid_q),
    .rx_data_i(rx_data_q),
    .rx_ready_o(rx_ready),
    .rx_err_i(rx_err_q),
    .tx_valid_o(tx_valid),
    .tx_data_o(tx_data),
    .tx_ready_i(tx_ready_q),
    .ld_valid_o(ld_valid),
    .ld_ready_i(ld_ready_q),
    .ld_last_o(ld_last),
    .ld_core_o(ld_core),
    .ld_mem_o(ld_mem),
    .ld_addr_o(ld_addr),
    .ld_data_o(ld_data),
    .start_o(start),
    .core_busy_i(busy_q),
    .core_step_i(step_q),
    .mem_err_i(mem_err_q),
    .room_i(room_q),
    .spk_valid_i(spk_valid),
    .spk_step_i(spk_step),
    .spk_neuron_i(spk_neuron),
    .spk_ready_o(spk_ready),
    .spk_level_i(spk_level),
    .spk_emitted_i(emitted_q),
    .clr_o(clr),
    .overrun_o(overrun)
  );

  // ---------------------------------------------------------------- spike buffer model
  localparam integer FD = 4096;
  reg  [31:0] f_step [0:FD-1];
  reg  [31:0] f_neuron [0:FD-1];
  reg  [31:0] head_q;
  reg  [31:0] tail_q;
  assign spk_valid  = (head_q != tail_q);
  assign spk_step   = f_step[head_q % FD];
  assign spk_neuron = f_neuron[head_q % FD];
  assign spk_level  = tail_q - head_q;

  // ---------------------------------------------------------------- bench state
  integer seed;
  integer max_cycles;
  integer cycle;
  integer pc;
  reg     active;
  reg [31:0] op;
  reg [31:0] arg;
  reg     offered;
  integer deadline;
  integer target;
  integer go;
  integer guard;
  integer last_rx;
  integer rx_pct, tx_pct, ld_pct, room_pct;
  integer ld_stall;
  integer dur_min, dur_max;
  integer left;
  reg     ext_busy;
  integer done_steps;
  reg [31:0] push_step;
  integer rst_left;
  integer tail_cnt;
  integer sent, recv;
  // tx frame monitor
  integer tpos, tlen, rframes;
  // previous edge's values (hold checks, start decisions)
  reg prev_tx_stall, prev_ld_stall, prev_start, prev_overrun;
  reg [7:0] prev_tx;
  reg [CORE_W+4+32+32+1-1:0] prev_ld;
  reg room_last, busy_last;
  // next values of the model's registers
  reg [31:0] head_n, tail_n, emitted_n, step_n;
  reg        busy_n;

  function draw;
    input integer pct;
    integer r;
    begin
      r = $random(seed);
      if (r < 0) r = -r;
      draw = (r % 100) < pct;
    end
  endfunction

  initial begin
    load_vec;
    open_out;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("max_cycles=%d", max_cycles)) max_cycles = 2000000;
    cycle = 0;
    pc = 0;
    active = 1'b0;
    offered = 1'b0;
    last_rx = -1000000;
    rx_pct = 100;
    tx_pct = 100;
    ld_pct = 100;
    room_pct = 100;
    ld_stall = 0;
    dur_min = 3;
    dur_max = 3;
    left = 0;
    ext_busy = 1'b0;
    done_steps = 0;
    push_step = 32'd0;
    rst_left = 0;
    tail_cnt = 0;
    sent = 0;
    recv = 0;
    tpos = 0;
    tlen = 0;
    rframes = 0;
    prev_tx_stall = 1'b0;
    prev_ld_stall = 1'b0;
    prev_start = 1'b0;
    prev_overrun = 1'b0;
    prev_tx = 8'd0;
    prev_ld = 0;
    room_last = 1'b0;
    busy_last = 1'b0;
    rx_valid_q = 1'b0;
    rx_data_q = 8'd0;
    rx_err_q = 1'b0;
    tx_ready_q = 1'b0;
    ld_ready_q = 1'b0;
    busy_q = 1'b0;
    step_q = 32'd0;
    mem_err_q = 1'b0;
    room_q = 1'b1;
    head_q = 32'd0;
    tail_q = 32'd0;
    emitted_q = 32'd0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
  end

  always @(posedge clk) begin
    if (cycle > 0 || !rst) begin
      cycle = cycle + 1;
      head_n = head_q;
      tail_n = tail_q;
      emitted_n = clr ? 32'd0 : emitted_q;
      step_n = step_q;
      busy_n = busy_q;

      // ------------------------------------------------ monitors
      if (prev_tx_stall && (!tx_valid || tx_data !== prev_tx))
        $display("TB_ERROR tx output changed while stalled at cycle %0d", cycle);
      prev_tx_stall = tx_valid && !tx_ready_q;
      prev_tx = tx_data;
      if (tx_valid && tx_ready_q) begin
        $fwrite(fd, "1 %0d %0d\n", cycle, tx_data);
        recv = recv + 1;
        if (tpos == 0 && tx_data != 8'h5A)
          $display("TB_ERROR response byte %0d outside a frame at cycle %0d", tx_data, cycle);
        if (tpos == 4) tlen = tx_data;
        if (tpos == 5) tlen = tlen + 256 * tx_data;
        tpos = tpos + 1;
        if (tpos >= 6 && tpos == tlen + 10) begin
          tpos = 0;
          rframes = rframes + 1;
        end
      end
      if (prev_ld_stall && (!ld_valid || {ld_core, ld_mem, ld_addr, ld_data, ld_last} !== prev_ld))
        $display("TB_ERROR load port output changed while stalled at cycle %0d", cycle);
      prev_ld_stall = ld_valid && !ld_ready_q;
      prev_ld = {ld_core, ld_mem, ld_addr, ld_data, ld_last};
      if (ld_valid && ld_ready_q)
        $fwrite(fd, "2 %0d %0d %0d %0d %0d %0d\n", cycle, ld_core, ld_mem, ld_addr, ld_data, ld_last);
      if (spk_valid && spk_ready) begin
        $fwrite(fd, "5 %0d %0d %0d\n", cycle, spk_step, spk_neuron);
        head_n = head_n + 1;
      end
      if (clr) $fwrite(fd, "6 %0d\n", cycle);
      if (overrun && !prev_overrun) $fwrite(fd, "9 %0d\n", cycle);
      prev_overrun = overrun;

      // ------------------------------------------------ core model
      if (busy_q) begin
        if (left <= 1) begin
          busy_n = 1'b0;
          if (!ext_busy) begin
            step_n = step_n + 1;
            done_steps = done_steps + 1;
            $fwrite(fd, "7 %0d\n", cycle);
          end
        end else begin
          left = left - 1;
        end
      end
      if (start) begin
        $fwrite(fd, "3 %0d %0d %0d\n", cycle, room_last, busy_last);
        if (busy_q) $display("TB_ERROR start_o while the core is busy at cycle %0d", cycle);
        if (prev_start) $display("TB_ERROR start_o on two clocks in a row at cycle %0d", cycle);
        busy_n = 1'b1;
        ext_busy = 1'b0;
        left = dur_min + (dur_max > dur_min ? ($random(seed) & 32'h7fffffff) % (dur_max - dur_min + 1) : 0);
      end
      prev_start = start;

      // ------------------------------------------------ rx handshake
      if (rx_valid_q && rx_ready) begin
        $fwrite(fd, "8 %0d %0d\n", cycle, rx_data_q);
        sent = sent + 1;
        last_rx = cycle;
        rx_valid_q <= 1'b0;
        if (active && op == 1) active = 1'b0;
      end
      rx_err_q <= 1'b0;

      // ------------------------------------------------ script
      go = 1;
      guard = 0;
      while (go && guard < 64) begin
        guard = guard + 1;
        if (!active) begin
          if (pc >= N || vec_mem[pc][63:32] == 32'd0) begin
            go = 0;
          end else begin
            op = vec_mem[pc][63:32];
            arg = vec_mem[pc][31:0];
            pc = pc + 1;
            active = 1'b1;
            offered = 1'b0;
            case (op)
              2: begin
                target = rframes + 1;
                deadline = cycle + arg;
              end
              3: deadline = cycle + arg;
              4: begin room_pct = arg; active = 1'b0; end
              5: begin ld_pct = arg; active = 1'b0; end
              6: begin ld_stall = arg; active = 1'b0; end
              7: begin push_step = arg; active = 1'b0; end
              8: begin
                f_step[tail_n % FD] <= push_step;
                f_neuron[tail_n % FD] <= arg;
                tail_n = tail_n + 1;
                emitted_n = emitted_n + 1;
                active = 1'b0;
              end
              9: begin rx_err_q <= 1'b1; active = 1'b0; end
              10: begin $fwrite(fd, "4 %0d %0d\n", cycle, arg); active = 1'b0; end
              11: begin dur_min = arg[15:0]; dur_max = arg[31:16]; active = 1'b0; end
              13: begin rx_pct = arg; active = 1'b0; end
              14: begin tx_pct = arg; active = 1'b0; end
              15: begin
                busy_n = 1'b1;
                ext_busy = 1'b1;
                left = arg;
                active = 1'b0;
              end
              16: begin mem_err_q <= arg[0]; active = 1'b0; end
              17: begin
                rst <= 1'b1;
                rst_left = arg;
                busy_n = 1'b0;
                step_n = 32'd0;
                done_steps = 0;
                left = 0;
              end
              default: ;
            endcase
          end
        end
        if (active) begin
          case (op)
            1: begin
              if (!offered) begin
                if (arg[31:8] == 24'd0 ? draw(rx_pct) : (cycle + 1 >= last_rx + arg[31:8])) begin
                  if (arg[31:8] != 24'd0 && cycle + 1 > last_rx + arg[31:8])
                    $display("TB_ERROR exact gap %0d missed at cycle %0d", arg[31:8], cycle);
                  rx_valid_q <= 1'b1;
                  rx_data_q <= arg[7:0];
                  offered = 1'b1;
                end
              end
              go = 0;
            end
            2: begin
              if (rframes >= target || (arg != 0 && cycle >= deadline)) active = 1'b0;
              else go = 0;
            end
            3: begin
              if (cycle >= deadline) active = 1'b0;
              else go = 0;
            end
            12: begin
              if (done_steps >= arg && !busy_q) active = 1'b0;
              else go = 0;
            end
            17: begin
              if (rst_left <= 1) begin
                rst <= 1'b0;
                active = 1'b0;
              end else begin
                rst_left = rst_left - 1;
              end
              go = 0;
            end
            default: active = 1'b0;
          endcase
        end
      end

      // ------------------------------------------------ random sinks and room
      tx_ready_q <= draw(tx_pct);
      if (ld_stall > 0) begin
        ld_ready_q <= 1'b0;
        ld_stall = ld_stall - 1;
      end else begin
        ld_ready_q <= draw(ld_pct);
      end
      room_q <= draw(room_pct);
      room_last = room_q;
      busy_last = busy_q;

      head_q <= head_n;
      tail_q <= tail_n;
      emitted_q <= emitted_n;
      step_q <= step_n;
      busy_q <= busy_n;

      // ------------------------------------------------ end
      if (!active && (pc >= N || vec_mem[pc][63:32] == 32'd0)) begin
        tail_cnt = tail_cnt + 1;
        if (tail_cnt > 50) begin
          $display("TB_DONE sent=%0d recv=%0d", sent, recv);
          $fclose(fd);
          $finish;
        end
      end
      if (cycle > max_cycles) begin
        $display("TB_ERROR timeout at cycle %0d (script line %0d, op %0d)", cycle, pc, op);
        $display("TB_DONE sent=%0d recv=%0d", sent, recv);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
