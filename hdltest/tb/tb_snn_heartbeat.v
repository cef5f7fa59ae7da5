`default_nettype none
// Testbench of snn_heartbeat, driven by hdltest/tests/snn_heartbeat.rs (the
// expected led_o comes from a model in Rust; this bench only drives and
// records).
//
// Plusargs:
//   +vec=<file>   one line per clock cycle: the synchronous reset rst_i (0 or
//                 1) for rising edge k
//   +out=<file>   written: one line per cycle "k led_o", led_o sampled after
//                 rising edge k
// Prints "TB_DONE sent=.. recv=..".
module tb_snn_heartbeat #(
  // DUT: clock cycles per half period of led_o.
  parameter integer DIV = 7,
  // Number of cycles in +vec.
  parameter integer N = 1
);
  reg [3:0] vec_mem [0:N-1];
`include "tb_io.vh"
  integer k;

  reg  clk = 1'b0;
  reg  rst = 1'b0;
  wire led;

  snn_heartbeat #(
    .DIV(DIV)
  ) dut (
    .clk_i(clk),
    .rst_i(rst),
    .led_o(led)
  );

  initial begin
    load_vec;
    open_out;
    for (k = 0; k < N; k = k + 1) begin
      #4;
      rst = vec_mem[k][0];
      #1;
      clk = 1'b1;
      #1;
      $fwrite(fd, "%0d %0d\n", k, led);
      #4;
      clk = 1'b0;
    end
    $display("TB_DONE sent=%0d recv=%0d", N, N);
    $fclose(fd);
    $finish;
  end
endmodule
`default_nettype wire
