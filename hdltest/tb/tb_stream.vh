// Shared body of the streaming testbenches (tb_snn_rng, tb_snn_lif_update,
// tb_snn_stdp): `include "tb_stream.vh" inside the module, after the DUT's
// output wires and before the DUT instance. The includer provides:
//   parameter N              number of input records in +vec
//   localparam REC_W         width of one +vec record
//   localparam BUS_W and wire [BUS_W-1:0] out_bus
//                            every DUT output but out_valid (the hold check)
//   task write_record        $fwrite of one output record to fd
// and connects the DUT to what this file declares: clk, rst, in_valid_q,
// in_ready, rec (the record offered, idx clamped to N-1), idx_u (its index,
// the user sideband), out_valid and out_ready_q.
//
// Plusargs (besides +vec and +out, see tb_io.vh):
//   +seed=<n>     seed of the xorshift32 that draws the stalls (nonzero)
//   +in_pct=<p>   percent of cycles the source offers a new record
//   +out_pct=<p>  percent of cycles the sink is ready
// Records every output handshake with write_record, prints TB_ERROR when an
// output changes while stalled or on timeout and, at the end,
// "TB_DONE sent=.. recv=.. first_latency=.. span=..".

  reg [REC_W-1:0] vec_mem [0:N-1];
`include "tb_io.vh"
  integer seed;
  integer in_pct;
  integer out_pct;

  reg clk = 1'b0;
  reg rst = 1'b1;
  always #5 clk = ~clk;

  reg  in_valid_q;
  wire in_ready;
  wire out_valid;
  reg  out_ready_q;

  integer idx;                       // next record to offer
  wire [REC_W-1:0] rec = vec_mem[(idx < N) ? idx : (N - 1)];
  wire [31:0] idx_u = idx;

  // ------------------------------------------------------------------ stimulus
  // one xorshift32 stream: its low half draws the source, its high half the sink
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
  integer tail;
  integer idx_n;
  // previous cycle's output, for the hold check
  reg prev_stall;
  reg [BUS_W-1:0] prev_bus;

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
    tail = 0;
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
      // output side: hold check, then record the handshake
      if (prev_stall && (!out_valid || out_bus !== prev_bus)) begin
        $display("TB_ERROR output changed while stalled at cycle %0d", cycle);
      end
      prev_stall = out_valid && !out_ready_q;
      prev_bus = out_bus;
      if (out_valid && out_ready_q) begin
        write_record;
        if (recv == 0) first_out = cycle;
        last_out = cycle;
        recv = recv + 1;
      end
      // input side
      idx_n = idx;
      if (in_valid_q && in_ready) begin
        if (idx == 0) first_in = cycle;
        idx_n = idx + 1;
      end
      if (in_valid_q && !in_ready) begin
        in_valid_q <= 1'b1;          // a valid offer is held until taken
      end else begin
        in_valid_q <= (idx_n < N) && !in_stall;
      end
      out_ready_q <= !out_stall;
      idx <= idx_n;
      // end: all records received, then a quiet tail to catch duplicates
      if (recv >= N) begin
        tail = tail + 1;
        if (tail > 40) begin
          $display("TB_DONE sent=%0d recv=%0d first_latency=%0d span=%0d",
                   idx_n, recv, first_out - first_in, last_out - first_in);
          $fclose(fd);
          $finish;
        end
      end
      if (cycle > 200 * N + 1000) begin
        $display("TB_ERROR timeout: sent=%0d recv=%0d", idx_n, recv);
        $fclose(fd);
        $finish;
      end
    end
  end
