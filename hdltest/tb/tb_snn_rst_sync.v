`default_nettype none
// Testbench of snn_rst_sync, driven by hdltest/tests/snn_rst_sync.rs (the
// expected rst_o comes from a model in Rust; this bench only drives and
// records).
//
// Plusargs:
//   +vec=<file>   one line per clock cycle: the reset request rst_i (0 or 1),
//                 applied between two rising edges (at the falling edge)
//   +out=<file>   written: "-1 rst_o" at time 0 (before any edge), then one
//                 line per cycle "k rst_o", rst_o sampled after rising edge k
// Prints "TB_DONE sent=.. recv=..".
module tb_snn_rst_sync #(
  // DUT: flip-flops in the chain.
  parameter integer STAGES = 3,
  // Number of cycles in +vec.
  parameter integer N = 1
);
  reg [3:0] vec_mem [0:N-1];
`include "tb_io.vh"
  integer k;

  reg  clk = 1'b0;
  reg  rst_req = 1'b0;
  wire rst_sync;

  snn_rst_sync #(
    .STAGES(STAGES)
  ) dut (
    .clk_i(clk),
    .rst_i(rst_req),
    .rst_o(rst_sync)
  );

  initial begin
    load_vec;
    open_out;
    #1;
    $fwrite(fd, "-1 %0d\n", rst_sync);
    for (k = 0; k < N; k = k + 1) begin
      // falling edge: the request changes half a period before the edge
      #4;
      rst_req = vec_mem[k][0];
      #1;
      clk = 1'b1;
      #1;
      $fwrite(fd, "%0d %0d\n", k, rst_sync);
      #4;
      clk = 1'b0;
    end
    $display("TB_DONE sent=%0d recv=%0d", N, N);
    $fclose(fd);
    $finish;
  end
endmodule
`default_nettype wire
