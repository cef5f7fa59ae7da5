`default_nettype none
// Testbench of snn_axis_to_bytes (MODE 0) and snn_bytes_to_axis (MODE 1),
// driven by hdltest/tests/snn_axis_bytes.rs (the expected bytes and beats
// come from models in Rust; this bench only drives, checks the handshake
// rules and records).
//
// MODE 0: +vec holds one beat per line, {tkeep[KEEP_W-1:0],
// tdata[DATA_W-1:0]}, offered on snn_axis_to_bytes's AXI4-Stream input; its
// bytes leave into a sink. Records every byte handshake:
//   "cycle data"
// MODE 1: +vec holds one byte per line, offered on snn_bytes_to_axis's byte
// input; its beats leave into a sink. Records every beat handshake:
//   "cycle tlast keep0 byte0 keep1 byte1 ... keep<KEEP_W-1> byte<KEEP_W-1>"
// (byte k is tdata[8k+7:8k]; 0 where its keep bit is low).
//
// Stalls as in tb_stream.vh (+seed, +in_pct, +out_pct): one xorshift32
// stream, its low half draws the source (a new offer in in_pct percent of
// the cycles; an offer is held until taken), its high half the sink (ready
// in out_pct percent of the cycles). TB_ERROR when an output offer changes
// or is withdrawn before its handshake, and on timeout. The run ends when
// every input is taken and no output handshake happened for 100 cycles:
//   "TB_DONE sent=<inputs taken> recv=<output handshakes>
//    first_latency=<first output handshake - first input handshake>
//    span=<last output handshake - first input handshake>"
module tb_snn_axis_bytes #(
  // DUT: TDATA width in bits.
  parameter integer DATA_W = 64,
  // 0: snn_axis_to_bytes, 1: snn_bytes_to_axis.
  parameter integer MODE = 0,
  // Lines in +vec.
  parameter integer N = 1
);
  localparam integer KEEP_W = DATA_W / 8;
  localparam integer REC_W = (MODE == 0) ? DATA_W + KEEP_W : 8;

  reg [REC_W-1:0] vec_mem [0:N-1];
`include "tb_io.vh"
  integer seed;
  integer in_pct;
  integer out_pct;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  reg  in_valid_q;
  reg  out_ready_q;
  integer idx;
  wire [REC_W-1:0] rec = vec_mem[(idx < N) ? idx : (N - 1)];

  // ------------------------------------------------------------------ DUT
  wire              in_ready;
  wire              out_valid;
  // every output but out_valid, for the hold check
  wire [DATA_W+KEEP_W:0] out_bus;

  generate
    if (MODE == 0) begin : g_h2c
      wire       b_valid;
      wire [7:0] b_data;
      snn_axis_to_bytes #(
        .DATA_W(DATA_W)
      ) dut (
        .clk_i          (clk),
        .rst_i          (rst),
        .s_axis_tvalid_i(in_valid_q),
        .s_axis_tready_o(in_ready),
        .s_axis_tdata_i (rec[DATA_W-1:0]),
        .s_axis_tkeep_i (rec[REC_W-1:DATA_W]),
        .valid_o        (b_valid),
        .data_o         (b_data),
        .ready_i        (out_ready_q)
      );
      assign out_valid = b_valid;
      assign out_bus = {{(DATA_W + KEEP_W - 7){1'b0}}, b_data};
    end else begin : g_c2h
      wire              m_valid;
      wire [DATA_W-1:0] m_data;
      wire [KEEP_W-1:0] m_keep;
      wire              m_last;
      snn_bytes_to_axis #(
        .DATA_W(DATA_W)
      ) dut (
        .clk_i          (clk),
        .rst_i          (rst),
        .valid_i        (in_valid_q),
        .data_i         (rec[7:0]),
        .ready_o        (in_ready),
        .m_axis_tvalid_o(m_valid),
        .m_axis_tready_i(out_ready_q),
        .m_axis_tdata_o (m_data),
        .m_axis_tkeep_o (m_keep),
        .m_axis_tlast_o (m_last)
      );
      assign out_valid = m_valid;
      assign out_bus = {m_last, m_keep, m_data};
    end
  endgenerate

  // ------------------------------------------------------------------ stimulus
  wire in_stall;
  wire out_stall;
  tb_stall_gen #(.LANE(0)) in_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(in_pct), .stall_o(in_stall)
  );
  tb_stall_gen #(.LANE(1)) out_gen (
    .clk_i(clk), .rst_i(rst), .seed_i(seed), .pct_i(out_pct), .stall_o(out_stall)
  );

  integer recv;
  integer cycle;
  integer first_in;
  integer first_out;
  integer last_out;
  integer quiet;
  integer idx_n;
  integer j;
  reg prev_stall;
  reg [DATA_W+KEEP_W:0] prev_bus;

  task write_record;
    begin
      if (MODE == 0) begin
        $fwrite(fd, "%0d %0d\n", cycle, out_bus[7:0]);
      end else begin
        $fwrite(fd, "%0d %0d", cycle, out_bus[DATA_W+KEEP_W]);
        for (j = 0; j < KEEP_W; j = j + 1) begin
          $fwrite(fd, " %0d %0d", out_bus[DATA_W+j], out_bus[DATA_W+j] ? out_bus[8*j +: 8] : 8'd0);
        end
        $fwrite(fd, "\n");
      end
    end
  endtask

  initial begin
    load_vec;
    open_out;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("in_pct=%d", in_pct)) in_pct = 100;
    if (!$value$plusargs("out_pct=%d", out_pct)) out_pct = 100;
    idx = 0;
    recv = 0;
    cycle = 0;
    first_in = -1;
    first_out = -1;
    last_out = -1;
    quiet = 0;
    in_valid_q = 1'b0;
    out_ready_q = 1'b0;
    prev_stall = 1'b0;
    prev_bus = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
  end

  always @(posedge clk) begin
    if (!rst) begin
      cycle = cycle + 1;
      // output side: an offer is held, unchanged, until taken
      if (prev_stall && (!out_valid || out_bus !== prev_bus)) begin
        $display("TB_ERROR output changed while stalled at cycle %0d", cycle);
      end
      prev_stall = out_valid && !out_ready_q;
      prev_bus = out_bus;
      quiet = quiet + 1;
      if (out_valid && out_ready_q) begin
        write_record;
        if (recv == 0) first_out = cycle;
        last_out = cycle;
        recv = recv + 1;
        quiet = 0;
      end
      // input side
      idx_n = idx;
      if (in_valid_q && in_ready) begin
        if (idx == 0) first_in = cycle;
        idx_n = idx + 1;
        quiet = 0;
      end
      if (in_valid_q && !in_ready) begin
        in_valid_q <= 1'b1;
      end else begin
        in_valid_q <= (idx_n < N) && !in_stall;
      end
      out_ready_q <= !out_stall;
      idx <= idx_n;
      if (idx_n >= N && quiet > 100) begin
        $display("TB_DONE sent=%0d recv=%0d first_latency=%0d span=%0d",
                 idx_n, recv, first_out - first_in, last_out - first_in);
        $fclose(fd);
        $finish;
      end
      if (cycle > 200 * N * KEEP_W + 2000) begin
        $display("TB_ERROR timeout: sent=%0d recv=%0d", idx_n, recv);
        $fclose(fd);
        $finish;
      end
    end
  end
endmodule
`default_nettype wire
