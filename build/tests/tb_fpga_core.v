`default_nettype none
// Testbench of a generated spikefab_fpga_core (build/tests/build.rs): a
// clock, reset for 5 cycles, then CYCLES cycles; prints what the status bits
// and the accelerator did. Compiled with every *.v of a build directory but
// the shell, run in that directory (the $readmemh images).
module tb_fpga_core #(
  // Cycles to run after the reset.
  parameter integer CYCLES = 1000,
  // The core's STEP_CYCLES.
  parameter integer STEP_CYCLES = 1000,
  // The core's HEARTBEAT_DIV.
  parameter integer HEARTBEAT_DIV = 7
);
  reg clk = 1'b0;
  reg rst = 1'b1;
  wire [3:0] status;
  integer k;
  integer hb_toggles = 0;
  integer steps_done = 0;
  integer spikes = 0;
  // spikes of the steps done (counted at each done_o)
  integer spikes_done = 0;
  reg hb_last = 1'b0;

  spikefab_fpga_core #(
    .HEARTBEAT_DIV(HEARTBEAT_DIV),
    .STEP_CYCLES  (STEP_CYCLES)
  ) dut (
    .clk_i   (clk),
    .rst_i   (rst),
    .status_o(status)
  );

  always #5 clk = ~clk;

  initial begin
    for (k = 0; k < 5; k = k + 1) @(posedge clk);
    #1 rst = 1'b0;
    for (k = 0; k < CYCLES; k = k + 1) begin
      @(posedge clk);
      #1;
      if (status[0] !== hb_last) hb_toggles = hb_toggles + 1;
      hb_last = status[0];
      if (dut.net_spk_valid === 1'b1) spikes = spikes + 1;
      if (dut.net_done === 1'b1) begin
        steps_done = steps_done + 1;
        spikes_done = spikes;
      end
    end
    $display("TB_DONE steps=%0d step_o=%0d hb_toggles=%0d overrun=%0d spikes=%0d",
             steps_done, dut.net_step, hb_toggles, status[3], spikes_done);
    $finish;
  end
endmodule
`default_nettype wire
