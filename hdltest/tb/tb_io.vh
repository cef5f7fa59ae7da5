// Shared by the testbenches (`include "tb_io.vh" inside the module, after the
// includer's `vec_mem` array): the +vec and +out plusargs.
//
//   load_vec: reads +vec=<file> into vec_mem ($readmemh)
//   open_out: opens +out=<file> for writing as fd
// Either prints "TB_ERROR missing +vec/+out" and ends the run when its
// plusarg is missing.

  reg [8*1024-1:0] vec_path;
  reg [8*1024-1:0] out_path;
  integer fd;

  task load_vec;
    begin
      if (!$value$plusargs("vec=%s", vec_path)) begin
        $display("TB_ERROR missing +vec");
        $finish;
      end
      $readmemh(vec_path, vec_mem);
    end
  endtask

  task open_out;
    begin
      if (!$value$plusargs("out=%s", out_path)) begin
        $display("TB_ERROR missing +out");
        $finish;
      end
      fd = $fopen(out_path, "w");
    end
  endtask
