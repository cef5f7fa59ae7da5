`default_nettype none
// Testbench of snn_poisson (combinational), driven by
// hdltest/tests/snn_poisson.rs (expected values come from
// spikefab_sim::quant::PoissonParams::count in Rust; this bench only drives
// and records).
//
// Plusargs:
//   +vec=<file>   input records, $readmemh: one line per record of
//                 (TABLE_LEN + 1) x 32 bits: bits [31:0] = u, then
//                 cdf[k] at bits [32*(k+1) +: 32]
//   +out=<file>   written: one line per record "index count" (decimal)
// Prints "TB_DONE sent=.. recv=..".
module tb_snn_poisson #(
  // DUT: table length.
  parameter integer TABLE_LEN = 32,
  // Number of input records in +vec.
  parameter integer N = 1
);
  localparam integer REC_W = (TABLE_LEN + 1) * 32;
  localparam integer CW = $clog2(TABLE_LEN + 1);

  reg [REC_W-1:0] vec_mem [0:N-1];
`include "tb_io.vh"
  integer i;

  reg  [REC_W-1:0] rec;
  wire [CW-1:0] count;

  snn_poisson #(
    .TABLE_LEN(TABLE_LEN)
  ) dut (
    .u_i    (rec[31:0]),
    .cdf_i  (rec[REC_W-1:32]),
    .count_o(count)
  );

  initial begin
    load_vec;
    open_out;
    for (i = 0; i < N; i = i + 1) begin
      rec = vec_mem[i];
      #1;
      $fwrite(fd, "%0d %0d\n", i, count);
    end
    $display("TB_DONE sent=%0d recv=%0d", N, N);
    $fclose(fd);
    $finish;
  end
endmodule
`default_nettype wire
