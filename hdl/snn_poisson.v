`default_nettype none
// snn_poisson: the Poisson background count of docs/numerics.md ("Random
// numbers", "Poisson background"): the number of inverse-CDF table entries
// cdf[k] <= u, exactly as spikefab_sim::quant::PoissonParams::count computes
// it (a scan from k = 0 that stops at the first entry above u). For the
// monotone tables quant::poisson_table builds, this equals the plain number
// of entries <= u; for any other table it is the prefix length, as in Rust.
//
// Purely combinational (no clock, no latency): TABLE_LEN 32-bit comparators
// and a priority encoder that finds the first k with cdf[k] > u
// (count = TABLE_LEN when there is none). The enclosing pipeline registers
// u_i/cdf_i or count_o as its timing needs.
//
// cdf_i is the flat table: entry k is cdf_i[32*k +: 32].
module snn_poisson #(
  // Number of table entries (numerics.poisson_table_len); the largest count; 1..256.
  parameter integer TABLE_LEN = 32
) (
  input  wire [31:0]                      u_i,
  input  wire [TABLE_LEN*32-1:0]          cdf_i,
  output reg  [$clog2(TABLE_LEN+1)-1:0]   count_o
);
  // Width of the count.
  localparam integer CW = $clog2(TABLE_LEN + 1);

  // ---------------------------------------------------------------- checks
  generate
    if (TABLE_LEN < 1 || TABLE_LEN > 256) begin : g_err_table_len
`ifdef VERILATOR
      $error("snn_poisson: TABLE_LEN (%0d) must be in 1..256", TABLE_LEN);
`else
      snn_poisson__TABLE_LEN_must_be_in_1_to_256 param_error ();
`endif
    end
  endgenerate

  // ---------------------------------------------------------------- datapath
  // above[k]: entry k is greater than u (the scan stops there).
  wire [TABLE_LEN-1:0] above;

  genvar k;
  generate
    for (k = 0; k < TABLE_LEN; k = k + 1) begin : g_cmp
      assign above[k] = cdf_i[32*k +: 32] > u_i;
    end
  endgenerate

  // Priority encoder: index of the first entry above u, or TABLE_LEN.
  integer j;
  always @* begin
    count_o = TABLE_LEN[CW-1:0];
    for (j = TABLE_LEN - 1; j >= 0; j = j - 1) begin
      if (above[j]) begin
        count_o = j[CW-1:0];
      end
    end
  end
endmodule
`default_nettype wire
