`default_nettype none
// snn_host_link: the board side of the host link (docs/runtime.md; the
// protocol is written once in host/src/proto.rs, and the drift test of
// hdltest/tests/snn_host_link.rs checks the REG_/CMD_/ST_ localparams and
// the constants below against it). It takes request frames from a byte
// stream, executes them on the register map, the accelerator's load port,
// its step control and the spike stream, and sends one response frame per
// executed request. One byte per clock at most; the host is stop-and-wait.
//
// Frame: sync, seq, cmd, status (0 in a request), len u16, payload, CRC-32
// (ISO-HDLC, reflected, poly 0xEDB88320, init and final xor 0xFFFFFFFF)
// over bytes 1 .. 6+len, all little-endian.
//
// Receive (rx_ready_o high only while hunting or inside a frame):
//   HUNT  bytes other than 0xA5 are skipped
//   HDR   seq, cmd, reserved, len (the CRC runs from here)
//   PAY   len bytes: the first 8 into p_q (command fields), all of them as
//         little-endian words into the request buffer req_w (LOAD's beats)
//   CRC   4 bytes compared with the computed CRC
// A length above MAX_PAYLOAD or a nonzero reserved byte (at the header's
// last byte), a CRC mismatch (at the CRC's last byte), or more than
// IDLE_CYCLES clocks between two byte handshakes of a frame drops the
// frame: BAD_FRAMES counts it, nothing is answered, and hunting restarts at
// the next byte (the bytes taken so far are not rescanned, unlike
// proto::Scanner, which rescans from the byte after the dropped sync byte;
// the host resends only after its deadline, and with a deadline longer than
// IDLE_CYCLES any false frame begun inside the dropped one has timed out by
// then).
//
// Execute (only whole frames with a good CRC; rx_ready_o low until the
// response has been sent):
//   - a request whose seq equals the kept response's (a response is kept)
//     and whose command is not HELLO is a retry: the kept response is sent
//     again, byte for byte, DUP_FRAMES counts it, nothing is executed;
//   - HELLO (empty payload): registers 0..3; afterwards nothing is kept;
//   - READ addr, count: count (1..MAX_READ) registers from addr, all of
//     them readable (addr + count <= 17); CYCLES_LO/HI are a snapshot taken
//     when the READ starts, the others are read one per clock after it;
//   - WRITE addr, 3 bytes (not checked), value: RUN (STEPS_LEFT += value,
//     saturating at 2^32-1), STOP (STEPS_LEFT = 0), PACE, CLEAR (counters
//     SPK_SENT, STALL_CYCLES, BAD_FRAMES, DUP_FRAMES, OVERRUNS, RX_ERRORS to
//     0 and clr_o pulses, so the spike buffer zeroes SPK_EMITTED; the sticky
//     overrun bit stays until reset);
//   - LOAD mem, bpw, core, addr, k beats (k a multiple of bpw >= 1, 1..58):
//     BAD_ADDRESS for a core field of N_CORES or above, BUSY while running,
//     else beat i on the load port (address addr + i / bpw, ld_last_o on
//     every bpw-th beat, ld_core_o the core field, ld_mem_o the mem field's
//     low 4 bits), answered after the last beat's handshake however long
//     ld_ready_i stays low;
//   - SPIKES max (1..MAX_SPIKES): records popped from the spike stream while
//     spk_valid_i is high, up to max, into the response (step, neuron);
//     SPK_SENT counts each popped record;
//   - an unknown command is BAD_COMMAND; a payload that does not fit its
//     command BAD_LENGTH (READ: a count of 0 or above MAX_READ too), a
//     register that cannot be read or written BAD_ADDRESS. Error responses
//     have an empty payload and are kept like any other.
// Transmit: the response header from registers, the payload from the
// response buffer resp_w, the CRC computed while sending (two clocks per
// byte), so a resend gives the same bytes. Both buffers are 64 x 32-bit
// memories with one write port and asynchronous reads (LUT-RAM); a LOAD
// beat takes two clocks at least, a popped spike record two.
//
// Step control: a step starts (start_o high for one clock, a register:
// decided at the clock edge before it) when STEPS_LEFT != 0, no started
// step is in flight, core_busy_i is low, room_i is high, no LOAD is
// executing and, with PACE = P > 0, at least P clocks have passed since the
// previous start; STEPS_LEFT then decrements. A started step is in flight
// until core_busy_i has been seen high and then low again, so one start is
// one step. A start more than P clocks after the previous one, when that
// one left steps in the run (STEPS_LEFT != 0 ever since), is late:
// OVERRUNS counts it and overrun_o (STATUS bit 3) is set until reset.
// STALL_CYCLES counts the clocks in which a step would start but for room_i.
// RX_ERRORS counts the clocks rx_err_i is high. Counters wrap at 2^32;
// CYCLES counts every clock since reset (64 bits).
//
// rst_i (synchronous, active high) clears the control state and every
// register and counter (nothing is kept after reset), not the buffers.
module snn_host_link #(
  // The built design's config hash (registers HASH_LO/HASH_HI).
  parameter [63:0] CONFIG_HASH = 64'd0,
  // Width of ld_core_o (mesh core id); 1..16.
  parameter integer CORE_W = 1,
  // Cores behind the load port (a mesh's; 1 on a single core): a LOAD that
  // names core N_CORES or above is BAD_ADDRESS; 1..2^CORE_W.
  parameter integer N_CORES = 1,
  // Most clock cycles between two bytes of one frame before the parser drops it; >= 1.
  parameter integer IDLE_CYCLES = 100000
) (
  input  wire              clk_i,
  input  wire              rst_i,
  // bytes from the host (valid/ready)
  input  wire              rx_valid_i,
  input  wire [7:0]        rx_data_i,
  output wire              rx_ready_o,
  // pulse: the PHY lost a byte (counted in RX_ERRORS)
  input  wire              rx_err_i,
  // bytes to the host (valid/ready)
  output wire              tx_valid_o,
  output wire [7:0]        tx_data_o,
  input  wire              tx_ready_i,
  // load port master (the accelerator's ld_* port; valid/ready)
  output wire              ld_valid_o,
  input  wire              ld_ready_i,
  output wire              ld_last_o,
  output wire [CORE_W-1:0] ld_core_o,
  output wire [3:0]        ld_mem_o,
  output wire [31:0]       ld_addr_o,
  output wire [31:0]       ld_data_o,
  // step control
  output wire              start_o,
  input  wire              core_busy_i,
  input  wire [31:0]       core_step_i,
  input  wire              mem_err_i,
  input  wire              room_i,
  // spike records from the spike buffer (valid/ready)
  input  wire              spk_valid_i,
  input  wire [31:0]       spk_step_i,
  input  wire [31:0]       spk_neuron_i,
  output wire              spk_ready_o,
  input  wire [31:0]       spk_level_i,
  input  wire [31:0]       spk_emitted_i,
  output wire              clr_o,
  output wire              overrun_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (CORE_W < 1 || CORE_W > 16) begin : g_err_core_w
`ifdef VERILATOR
      $error("snn_host_link: CORE_W (%0d) must be 1..16", CORE_W);
`else
      snn_host_link__CORE_W_must_be_1_to_16 param_error ();
`endif
    end
    if (N_CORES < 1 || N_CORES > (1 << CORE_W)) begin : g_err_n_cores
`ifdef VERILATOR
      $error("snn_host_link: N_CORES (%0d) must be 1..2^CORE_W", N_CORES);
`else
      snn_host_link__N_CORES_must_be_1_to_2_pow_CORE_W param_error ();
`endif
    end
    if (IDLE_CYCLES < 1) begin : g_err_idle_cycles
`ifdef VERILATOR
      $error("snn_host_link: IDLE_CYCLES (%0d) must be >= 1", IDLE_CYCLES);
`else
      snn_host_link__IDLE_CYCLES_must_be_at_least_1 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- protocol
  // (host/src/proto.rs; checked by the drift test)
  localparam [7:0]  SYNC_REQ       = 8'hA5;
  localparam [7:0]  SYNC_RESP      = 8'h5A;
  localparam [7:0]  MAX_PAYLOAD    = 8'd240;
  localparam [7:0]  MAX_READ       = 8'd60;
  localparam [7:0]  MAX_LOAD_BEATS = 8'd58;
  localparam [7:0]  LOAD_HEADER    = 8'd8;
  localparam [7:0]  MAX_SPIKES     = 8'd30;
  localparam [31:0] MAGIC          = 32'h464B5053;
  localparam [31:0] VERSION        = 32'd1;

  localparam [7:0] CMD_HELLO  = 8'h00;
  localparam [7:0] CMD_READ   = 8'h01;
  localparam [7:0] CMD_WRITE  = 8'h02;
  localparam [7:0] CMD_LOAD   = 8'h03;
  localparam [7:0] CMD_SPIKES = 8'h04;

  localparam [7:0] ST_OK          = 8'd0;
  localparam [7:0] ST_BAD_COMMAND = 8'd1;
  localparam [7:0] ST_BAD_LENGTH  = 8'd2;
  localparam [7:0] ST_BAD_ADDRESS = 8'd3;
  localparam [7:0] ST_BUSY        = 8'd4;

  localparam [7:0] REG_MAGIC        = 8'd0;
  localparam [7:0] REG_VERSION      = 8'd1;
  localparam [7:0] REG_HASH_LO      = 8'd2;
  localparam [7:0] REG_HASH_HI      = 8'd3;
  localparam [7:0] REG_STATUS       = 8'd4;
  localparam [7:0] REG_STEPS_DONE   = 8'd5;
  localparam [7:0] REG_STEPS_LEFT   = 8'd6;
  localparam [7:0] REG_CYCLES_LO    = 8'd7;
  localparam [7:0] REG_CYCLES_HI    = 8'd8;
  localparam [7:0] REG_SPK_EMITTED  = 8'd9;
  localparam [7:0] REG_SPK_SENT     = 8'd10;
  localparam [7:0] REG_SPK_LEVEL    = 8'd11;
  localparam [7:0] REG_STALL_CYCLES = 8'd12;
  localparam [7:0] REG_BAD_FRAMES   = 8'd13;
  localparam [7:0] REG_DUP_FRAMES   = 8'd14;
  localparam [7:0] REG_OVERRUNS     = 8'd15;
  localparam [7:0] REG_RX_ERRORS    = 8'd16;
  localparam [7:0] REG_RUN          = 8'd32;
  localparam [7:0] REG_STOP         = 8'd33;
  localparam [7:0] REG_PACE         = 8'd34;
  localparam [7:0] REG_CLEAR        = 8'd35;
  // Registers READ reads: 0 .. READABLE - 1.
  localparam [8:0] READABLE = 9'd17;

  // CRC-32/ISO-HDLC, one byte at a time.
  localparam [31:0] CRC_INIT = 32'hFFFFFFFF;
  localparam [31:0] CRC_POLY = 32'hEDB88320;
  function [31:0] crc32_step;
    input [31:0] c;
    input [7:0]  b;
    integer      i;
    reg   [31:0] x;
    begin
      x = c ^ {24'd0, b};
      for (i = 0; i < 8; i = i + 1) begin
        x = x[0] ? ((x >> 1) ^ CRC_POLY) : (x >> 1);
      end
      crc32_step = x;
    end
  endfunction

  // Width of ld_core_o as the logic gets it (an illegal CORE_W is rejected above).
  localparam integer CW = (CORE_W < 1) ? 1 : ((CORE_W > 16) ? 16 : CORE_W);
  localparam [31:0] IDLE = IDLE_CYCLES;

  // ---------------------------------------------------------------- state
  localparam [3:0] S_HUNT = 4'd0;
  localparam [3:0] S_HDR  = 4'd1;
  localparam [3:0] S_PAY  = 4'd2;
  localparam [3:0] S_CRC  = 4'd3;
  localparam [3:0] S_EXEC = 4'd4;
  localparam [3:0] S_READ = 4'd5;
  localparam [3:0] S_LOAD = 4'd6;
  localparam [3:0] S_SPK  = 4'd7;
  localparam [3:0] S_TX   = 4'd8;

  reg  [3:0]  st_q;
  reg  [7:0]  cnt_q;        // byte of the current header / payload / CRC
  reg  [31:0] gap_q;        // clocks since the frame's last byte handshake
  reg  [31:0] crc_q;        // running CRC of the request
  reg         crc_bad_q;    // a CRC byte so far mismatched
  reg  [7:0]  seq_q;
  reg  [7:0]  cmd_q;
  reg  [7:0]  rsv_q;
  reg  [7:0]  lenlo_q;
  reg  [7:0]  len_q;        // the accepted payload length (<= MAX_PAYLOAD)
  reg  [63:0] p_q;          // the payload's first 8 bytes, little-endian
  reg  [23:0] asm_q;        // the payload word being assembled
  reg  [31:0] req_w [0:63]; // the payload as little-endian words

  // the kept response: header fields and payload words
  reg         kept_q;
  reg  [7:0]  rseq_q;
  reg  [7:0]  rcmd_q;
  reg  [7:0]  rstat_q;
  reg  [7:0]  rlen_q;
  reg  [31:0] resp_w [0:63];

  // transmit
  reg  [7:0]  tpos_q;       // next byte of the response to put out
  reg         tx_valid_q;
  reg  [7:0]  tx_byte_q;
  reg  [31:0] tcrc_q;

  // READ / HELLO
  reg  [7:0]  raddr_q;
  reg  [5:0]  widx_q;
  reg  [5:0]  wlast_q;      // the last word's index
  reg  [63:0] cyc_snap_q;

  // LOAD
  reg            ld_valid_q;
  reg            ld_last_q;
  reg  [CW-1:0]  ld_core_q;
  reg  [3:0]     ld_mem_q;
  reg  [31:0]    ld_addr_q;
  reg  [31:0]    ld_data_q;
  reg  [7:0]     bpw_q;
  reg  [7:0]     sub_q;     // beat within the current word
  reg  [5:0]     bidx_q;    // beats done
  reg  [5:0]     k_q;       // beats of the run

  // SPIKES
  reg         sphase_q;     // 1: the popped record's neuron is written next
  reg  [31:0] neuron_q;
  reg  [4:0]  spk_n_q;
  reg  [4:0]  spk_max_q;

  // step control and counters
  reg  [31:0] steps_left_q;
  reg  [31:0] pace_q;
  reg  [32:0] since_q;      // clocks since the last start (saturating)
  reg         start_q;
  reg         inflight_q;
  reg         seen_busy_q;
  reg         due_q;
  reg         overrun_q;
  reg  [63:0] cyc_q;
  reg  [31:0] sent_q;
  reg  [31:0] stall_q;
  reg  [31:0] bad_q;
  reg  [31:0] dup_q;
  reg  [31:0] ovr_q;
  reg  [31:0] rxerr_q;

  // ---------------------------------------------------------------- receive
  wire in_frame = (st_q == S_HDR) | (st_q == S_PAY) | (st_q == S_CRC);
  assign rx_ready_o = (st_q == S_HUNT) | in_frame;
  wire rx_fire = rx_valid_i & rx_ready_o;

  wire [15:0] hdr_len  = {rx_data_i, lenlo_q};
  wire        hdr_end  = (st_q == S_HDR) & rx_fire & (cnt_q == 8'd4);
  wire        hdr_bad  = (hdr_len > {8'd0, MAX_PAYLOAD}) | (rsv_q != 8'd0);
  wire [31:0] crc_want = ~crc_q;
  wire [7:0]  want_b   = crc_want[{cnt_q[1:0], 3'b000} +: 8];
  wire        crc_end  = (st_q == S_CRC) & rx_fire & (cnt_q == 8'd3);
  wire        crc_drop = crc_end & (crc_bad_q | (rx_data_i != want_b));
  wire        gap_drop = in_frame & ~rx_fire & (gap_q >= IDLE);
  wire        bad_inc  = gap_drop | (hdr_end & hdr_bad) | crc_drop;

  // ---------------------------------------------------------------- decode
  wire running = (steps_left_q != 32'd0) | inflight_q;
  wire in_exec = (st_q == S_EXEC);
  wire is_dup  = kept_q & (seq_q == rseq_q) & (cmd_q != CMD_HELLO);

  // READ addr, count
  wire [7:0] rd_addr   = p_q[7:0];
  wire [7:0] rd_count  = p_q[15:8];
  wire [8:0] rd_end    = {1'b0, rd_addr} + {1'b0, rd_count};
  wire       rd_len_ok = (len_q == 8'd2) & (rd_count != 8'd0) & (rd_count <= MAX_READ);
  wire       rd_addr_ok = (rd_end <= READABLE);
  // WRITE addr, 0, 0, 0, value
  wire [7:0]  wr_addr   = p_q[7:0];
  wire [31:0] wr_val    = p_q[63:32];
  wire        wr_len_ok = (len_q == 8'd8);
  wire        wr_addr_ok = (wr_addr >= REG_RUN) & (wr_addr <= REG_CLEAR);
  wire        wr_exec   = in_exec & ~is_dup & (cmd_q == CMD_WRITE) & wr_len_ok & wr_addr_ok;
  wire        wr_run    = wr_exec & (wr_addr == REG_RUN);
  wire        wr_stop   = wr_exec & (wr_addr == REG_STOP);
  wire        wr_pace   = wr_exec & (wr_addr == REG_PACE);
  wire        wr_clear  = wr_exec & (wr_addr == REG_CLEAR);
  // LOAD mem, bpw, core u16, addr u32, beats
  wire [7:0] lb_bytes  = len_q - LOAD_HEADER;
  wire [7:0] lk        = {2'b00, lb_bytes[7:2]};
  wire [7:0] lbpw      = p_q[15:8];
  wire       ld_len_ok = (len_q >= LOAD_HEADER) & (lb_bytes[1:0] == 2'b00) & (lk != 8'd0) &
                         (lk <= MAX_LOAD_BEATS) & (lbpw != 8'd0) & ((lk % lbpw) == 8'd0);
  // The number of cores, 32 bits (N_CORES <= 2^16).
  localparam [31:0] NC = N_CORES;
  wire       ld_core_ok = ({16'd0, p_q[31:16]} < NC);
  // SPIKES max
  wire [7:0] sp_max    = p_q[7:0];
  wire       sp_len_ok = (len_q == 8'd1) & (sp_max != 8'd0) & (sp_max <= MAX_SPIKES);

  // the register READ reads this clock
  wire [31:0] status_w = {27'd0, ld_ready_i, overrun_q, mem_err_i, core_busy_i, running};
  reg  [31:0] reg_rd;
  always @* begin
    case (raddr_q)
      REG_MAGIC:        reg_rd = MAGIC;
      REG_VERSION:      reg_rd = VERSION;
      REG_HASH_LO:      reg_rd = CONFIG_HASH[31:0];
      REG_HASH_HI:      reg_rd = CONFIG_HASH[63:32];
      REG_STATUS:       reg_rd = status_w;
      REG_STEPS_DONE:   reg_rd = core_step_i;
      REG_STEPS_LEFT:   reg_rd = steps_left_q;
      REG_CYCLES_LO:    reg_rd = cyc_snap_q[31:0];
      REG_CYCLES_HI:    reg_rd = cyc_snap_q[63:32];
      REG_SPK_EMITTED:  reg_rd = spk_emitted_i;
      REG_SPK_SENT:     reg_rd = sent_q;
      REG_SPK_LEVEL:    reg_rd = spk_level_i;
      REG_STALL_CYCLES: reg_rd = stall_q;
      REG_BAD_FRAMES:   reg_rd = bad_q;
      REG_DUP_FRAMES:   reg_rd = dup_q;
      REG_OVERRUNS:     reg_rd = ovr_q;
      REG_RX_ERRORS:    reg_rd = rxerr_q;
      default:          reg_rd = 32'd0;
    endcase
  end

  // ---------------------------------------------------------------- transmit
  wire [7:0]  tx_total = rlen_q + 8'd10;
  wire [7:0]  tx_pend  = rlen_q + 8'd6;      // first CRC byte
  wire [7:0]  tpay     = tpos_q - 8'd6;
  wire [31:0] tx_word  = resp_w[tpay[7:2]];
  wire [7:0]  tcix     = tpos_q - tx_pend;
  wire [31:0] tcrc_out = ~tcrc_q;
  reg  [7:0]  tx_next;
  always @* begin
    case (tpos_q)
      8'd0:    tx_next = SYNC_RESP;
      8'd1:    tx_next = rseq_q;
      8'd2:    tx_next = rcmd_q;
      8'd3:    tx_next = rstat_q;
      8'd4:    tx_next = rlen_q;
      8'd5:    tx_next = 8'd0;
      default: tx_next = (tpos_q < tx_pend) ? tx_word[{tpay[1:0], 3'b000} +: 8]
                                            : tcrc_out[{tcix[1:0], 3'b000} +: 8];
    endcase
  end

  assign spk_ready_o = (st_q == S_SPK) & ~sphase_q & (spk_n_q < spk_max_q);
  wire spk_fire = spk_ready_o & spk_valid_i;

  // The response buffer's one write port: READ's registers, SPIKES' records
  // (a record's step as it is popped, its neuron the clock after).
  wire        resp_we = (st_q == S_READ) | ((st_q == S_SPK) & (sphase_q | spk_fire));
  wire [5:0]  resp_wa = (st_q == S_READ) ? widx_q : {spk_n_q, sphase_q};
  wire [31:0] resp_wd = (st_q == S_READ) ? reg_rd : (sphase_q ? neuron_q : spk_step_i);
  always @(posedge clk_i) begin
    if (resp_we) resp_w[resp_wa] <= resp_wd;
  end

  // ---------------------------------------------------------------- the frame FSM
  // End of a command: the response header, then transmit it.
  task respond;
    input [7:0] status;
    input [7:0] len;
    begin
      rstat_q <= status;
      rlen_q  <= len;
      rseq_q  <= seq_q;
      rcmd_q  <= cmd_q;
      kept_q  <= (cmd_q != CMD_HELLO);
      tpos_q  <= 8'd0;
      tcrc_q  <= CRC_INIT;
      st_q    <= S_TX;
    end
  endtask

  always @(posedge clk_i) begin
    if (rst_i) begin
      st_q       <= S_HUNT;
      cnt_q      <= 8'd0;
      gap_q      <= 32'd0;
      crc_q      <= CRC_INIT;
      crc_bad_q  <= 1'b0;
      kept_q     <= 1'b0;
      tx_valid_q <= 1'b0;
      ld_valid_q <= 1'b0;
      sphase_q   <= 1'b0;
    end else begin
      case (st_q)
        S_HUNT: begin
          if (rx_fire && rx_data_i == SYNC_REQ) begin
            st_q      <= S_HDR;
            cnt_q     <= 8'd0;
            gap_q     <= 32'd1;
            crc_q     <= CRC_INIT;
            crc_bad_q <= 1'b0;
            p_q       <= 64'd0;
          end
        end
        S_HDR, S_PAY, S_CRC: begin
          if (rx_fire) begin
            gap_q <= 32'd1;
            cnt_q <= cnt_q + 8'd1;
            if (st_q != S_CRC) crc_q <= crc32_step(crc_q, rx_data_i);
            if (st_q == S_HDR) begin
              case (cnt_q)
                8'd0: seq_q   <= rx_data_i;
                8'd1: cmd_q   <= rx_data_i;
                8'd2: rsv_q   <= rx_data_i;
                8'd3: lenlo_q <= rx_data_i;
                default: begin
                  cnt_q <= 8'd0;
                  len_q <= lenlo_q;
                  if (hdr_bad) st_q <= S_HUNT;
                  else st_q <= (hdr_len == 16'd0) ? S_CRC : S_PAY;
                end
              endcase
            end else if (st_q == S_PAY) begin
              if (cnt_q < 8'd8) p_q[{cnt_q[2:0], 3'b000} +: 8] <= rx_data_i;
              asm_q <= {rx_data_i, asm_q[23:8]};
              if (cnt_q[1:0] == 2'b11) req_w[cnt_q[7:2]] <= {rx_data_i, asm_q};
              if (cnt_q == len_q - 8'd1) begin
                cnt_q <= 8'd0;
                st_q  <= S_CRC;
              end
            end else begin
              crc_bad_q <= crc_bad_q | (rx_data_i != want_b);
              if (cnt_q == 8'd3) st_q <= crc_drop ? S_HUNT : S_EXEC;
            end
          end else if (gap_drop) begin
            st_q <= S_HUNT;
          end else begin
            gap_q <= gap_q + 32'd1;
          end
        end
        S_EXEC: begin
          widx_q     <= 6'd0;
          cyc_snap_q <= cyc_q;
          if (is_dup) begin
            tpos_q <= 8'd0;
            tcrc_q <= CRC_INIT;
            st_q   <= S_TX;
          end else begin
            case (cmd_q)
              CMD_HELLO: begin
                if (len_q != 8'd0) begin
                  respond(ST_BAD_LENGTH, 8'd0);
                end else begin
                  raddr_q <= REG_MAGIC;
                  wlast_q <= 6'd3;
                  st_q    <= S_READ;
                end
              end
              CMD_READ: begin
                if (!rd_len_ok) begin
                  respond(ST_BAD_LENGTH, 8'd0);
                end else if (!rd_addr_ok) begin
                  respond(ST_BAD_ADDRESS, 8'd0);
                end else begin
                  raddr_q <= rd_addr;
                  wlast_q <= rd_count[5:0] - 6'd1;
                  st_q    <= S_READ;
                end
              end
              CMD_WRITE: begin
                // the write itself: wr_* (step control and counters below)
                if (!wr_len_ok) respond(ST_BAD_LENGTH, 8'd0);
                else if (!wr_addr_ok) respond(ST_BAD_ADDRESS, 8'd0);
                else respond(ST_OK, 8'd0);
              end
              CMD_LOAD: begin
                if (!ld_len_ok) begin
                  respond(ST_BAD_LENGTH, 8'd0);
                end else if (!ld_core_ok) begin
                  respond(ST_BAD_ADDRESS, 8'd0);
                end else if (running) begin
                  respond(ST_BUSY, 8'd0);
                end else begin
                  ld_mem_q   <= p_q[3:0];
                  bpw_q      <= lbpw;
                  ld_core_q  <= p_q[16 +: CW];
                  ld_addr_q  <= p_q[63:32];
                  k_q        <= lk[5:0];
                  bidx_q     <= 6'd0;
                  sub_q      <= 8'd0;
                  ld_valid_q <= 1'b0;
                  st_q       <= S_LOAD;
                end
              end
              CMD_SPIKES: begin
                if (!sp_len_ok) begin
                  respond(ST_BAD_LENGTH, 8'd0);
                end else begin
                  spk_max_q <= sp_max[4:0];
                  spk_n_q   <= 5'd0;
                  sphase_q  <= 1'b0;
                  st_q      <= S_SPK;
                end
              end
              default: respond(ST_BAD_COMMAND, 8'd0);
            endcase
          end
        end
        S_READ: begin
          raddr_q <= raddr_q + 8'd1;
          widx_q  <= widx_q + 6'd1;
          if (widx_q == wlast_q) respond(ST_OK, {widx_q, 2'b00} + 8'd4);
        end
        S_LOAD: begin
          if (!ld_valid_q) begin
            if (bidx_q == k_q) begin
              respond(ST_OK, 8'd0);
            end else begin
              ld_data_q  <= req_w[bidx_q + 6'd2];
              ld_last_q  <= (sub_q == bpw_q - 8'd1);
              ld_valid_q <= 1'b1;
            end
          end else if (ld_ready_i) begin
            ld_valid_q <= 1'b0;
            bidx_q     <= bidx_q + 6'd1;
            if (ld_last_q) begin
              sub_q     <= 8'd0;
              ld_addr_q <= ld_addr_q + 32'd1;
            end else begin
              sub_q <= sub_q + 8'd1;
            end
          end
        end
        S_SPK: begin
          if (!sphase_q) begin
            if (spk_fire) begin
              neuron_q <= spk_neuron_i;
              sphase_q <= 1'b1;
            end else begin
              respond(ST_OK, {spk_n_q, 3'b000});
            end
          end else begin
            spk_n_q  <= spk_n_q + 5'd1;
            sphase_q <= 1'b0;
          end
        end
        S_TX: begin
          if (tx_valid_q) begin
            if (tx_ready_i) tx_valid_q <= 1'b0;
          end else if (tpos_q == tx_total) begin
            st_q <= S_HUNT;
          end else begin
            tx_byte_q  <= tx_next;
            tx_valid_q <= 1'b1;
            tpos_q     <= tpos_q + 8'd1;
            if (tpos_q != 8'd0 && tpos_q < tx_pend) tcrc_q <= crc32_step(tcrc_q, tx_next);
          end
        end
        default: st_q <= S_HUNT;
      endcase
    end
  end

  // ---------------------------------------------------------------- step control
  wire        pace_ok   = (pace_q == 32'd0) | (since_q >= {1'b0, pace_q});
  wire        start_ok  = (steps_left_q != 32'd0) & ~inflight_q & ~core_busy_i &
                          (st_q != S_LOAD) & pace_ok & ~wr_stop;
  wire        start_now = start_ok & room_i;
  wire        stall_now = start_ok & ~room_i;
  wire        late      = due_q & (pace_q != 32'd0) & (since_q > {1'b0, pace_q});
  wire [31:0] sl_dec    = steps_left_q - {31'd0, start_now};
  wire [32:0] sl_sum    = {1'b0, sl_dec} + {1'b0, wr_val};
  wire [31:0] sl_next   = wr_stop ? 32'd0 :
                          wr_run  ? (sl_sum[32] ? 32'hFFFFFFFF : sl_sum[31:0]) : sl_dec;

  always @(posedge clk_i) begin
    if (rst_i) begin
      steps_left_q <= 32'd0;
      pace_q       <= 32'd0;
      since_q      <= 33'd0;
      start_q      <= 1'b0;
      inflight_q   <= 1'b0;
      seen_busy_q  <= 1'b0;
      due_q        <= 1'b0;
      overrun_q    <= 1'b0;
    end else begin
      steps_left_q <= sl_next;
      if (wr_pace) pace_q <= wr_val;
      start_q <= start_now;
      if (start_now) begin
        since_q <= 33'd1;
      end else if (since_q != {33{1'b1}}) begin
        since_q <= since_q + 33'd1;
      end
      if (start_now) begin
        inflight_q  <= 1'b1;
        seen_busy_q <= 1'b0;
      end else if (inflight_q) begin
        if (core_busy_i) seen_busy_q <= 1'b1;
        else if (seen_busy_q) inflight_q <= 1'b0;
      end
      due_q <= (start_now | due_q) & (sl_next != 32'd0);
      if (start_now & late) overrun_q <= 1'b1;
    end
  end

  // ---------------------------------------------------------------- counters
  always @(posedge clk_i) begin
    if (rst_i) begin
      cyc_q   <= 64'd0;
      sent_q  <= 32'd0;
      stall_q <= 32'd0;
      bad_q   <= 32'd0;
      dup_q   <= 32'd0;
      ovr_q   <= 32'd0;
      rxerr_q <= 32'd0;
    end else begin
      cyc_q <= cyc_q + 64'd1;
      if (wr_clear) begin
        sent_q  <= 32'd0;
        stall_q <= 32'd0;
        bad_q   <= 32'd0;
        dup_q   <= 32'd0;
        ovr_q   <= 32'd0;
        rxerr_q <= 32'd0;
      end else begin
        sent_q  <= sent_q + {31'd0, spk_fire};
        stall_q <= stall_q + {31'd0, stall_now};
        bad_q   <= bad_q + {31'd0, bad_inc};
        dup_q   <= dup_q + {31'd0, in_exec & is_dup};
        ovr_q   <= ovr_q + {31'd0, start_now & late};
        rxerr_q <= rxerr_q + {31'd0, rx_err_i};
      end
    end
  end

  // ---------------------------------------------------------------- outputs
  assign tx_valid_o = tx_valid_q;
  assign tx_data_o  = tx_byte_q;
  assign ld_valid_o = ld_valid_q;
  assign ld_last_o  = ld_last_q;
  assign ld_core_o  = ld_core_q;
  assign ld_mem_o   = ld_mem_q;
  assign ld_addr_o  = ld_addr_q;
  assign ld_data_o  = ld_data_q;
  assign start_o    = start_q;
  // in the cycle of the CLEAR write, as the link's own counters clear
  assign clr_o      = wr_clear;
  assign overrun_o  = overrun_q;

  // Read only in part: the CRC byte index above its low 2 bits.
  wire unused_link = &{1'b0, tcix[7:2]};
endmodule
`default_nettype wire
