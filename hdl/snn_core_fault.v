`default_nettype none
// snn_core_fault: the fault injection of a neuron core (snn_lif_core), a
// verification aid for the co-simulation's mutation check: it proves that a
// comparison against the reference can fail, at the step where the fault
// acts. Never in a real design: FAULT = 0 (the default and what the
// generator writes) makes every output a constant 0 and synthesizes no
// logic at all.
//
//   FAULT 1  trunc_v_o is high during step FAULT_STEP: the membrane
//            rounding of every update of that step truncates
//            (snn_lif_update's trunc_v_i);
//   FAULT 2  drop_o is high from step FAULT_STEP on until it has acted
//            once: the spike record on spike_i is observed but not listed
//            (so neither delivered nor sent);
//   FAULT 3  skip_o is high from step FAULT_STEP on until it has acted
//            once: the weight write on wwrite_i is skipped (no write-back,
//            no record).
//
// Faults 2 and 3 are one-shot: armed by rst_i, disarmed by the first spike
// (wwrite) they act on, so each acts exactly once, at the first step where
// it can.
module snn_core_fault #(
  // 0 none, 1 truncating membrane rounding, 2 a dropped spike, 3 a skipped weight write; 0..3.
  parameter integer FAULT = 0,
  // The step the fault acts in (FAULT 1) or from which it is armed (FAULT 2, 3); >= 0.
  parameter integer FAULT_STEP = 0
) (
  input  wire        clk_i,
  input  wire        rst_i,
  // the step that runs (the core's step counter)
  input  wire [31:0] step_i,
  // a spiking neuron's record leaves phase A this cycle
  input  wire        spike_i,
  // a weight write leaves snn_stdp this cycle
  input  wire        wwrite_i,
  // FAULT 1: truncate the membrane rounding
  output wire        trunc_v_o,
  // FAULT 2: do not list the spike on spike_i
  output wire        drop_o,
  // FAULT 3: skip the weight write on wwrite_i
  output wire        skip_o
);
  // ---------------------------------------------------------------- checks
  generate
    if (FAULT < 0 || FAULT > 3) begin : g_err_fault
`ifdef VERILATOR
      $error("snn_core_fault: FAULT (%0d) must be in 0..3", FAULT);
`else
      snn_core_fault__FAULT_must_be_in_0_to_3 param_error ();
`endif
    end
    if (FAULT_STEP < 0) begin : g_err_fault_step
`ifdef VERILATOR
      $error("snn_core_fault: FAULT_STEP (%0d) must be >= 0", FAULT_STEP);
`else
      snn_core_fault__FAULT_STEP_must_be_at_least_0 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- faults
  localparam [31:0] FAULT_STEP_C = FAULT_STEP;

  generate
    if (FAULT == 1) begin : g_trunc
      assign trunc_v_o = (step_i == FAULT_STEP_C);
      assign drop_o    = 1'b0;
      assign skip_o    = 1'b0;
      wire unused_fault = &{1'b0, clk_i, rst_i, spike_i, wwrite_i};
    end else if (FAULT == 2 || FAULT == 3) begin : g_one_shot
      // armed: the fault has not acted yet
      reg  armed_q;
      wire from;
      if (FAULT_STEP == 0) begin : g_from_0
        assign from = 1'b1;
        wire unused_step = &{1'b0, step_i};
      end else begin : g_from
        assign from = (step_i >= FAULT_STEP_C);
      end
      wire act = from & armed_q;
      assign trunc_v_o = 1'b0;
      assign drop_o    = (FAULT == 2) & act;
      assign skip_o    = (FAULT == 3) & act;

      always @(posedge clk_i) begin
        if (rst_i) begin
          armed_q <= 1'b1;
        end else if ((spike_i && drop_o) || (wwrite_i && skip_o)) begin
          armed_q <= 1'b0;
        end
      end
    end else begin : g_none
      assign trunc_v_o = 1'b0;
      assign drop_o    = 1'b0;
      assign skip_o    = 1'b0;
      wire unused_fault = &{1'b0, clk_i, rst_i, step_i, spike_i, wwrite_i};
    end
  endgenerate
endmodule
`default_nettype wire
