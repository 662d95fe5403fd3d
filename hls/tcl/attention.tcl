# Vitis HLS: C synthesis of cw_hls_attention (docs/numerics.md, hls/cw_hls.h).
# Run from the repository root:  vitis_hls -f hls/tcl/attention.tcl
# Another part:                  CW_HLS_PART=xc7a100tcsg324-1 vitis_hls -f hls/tcl/attention.tcl
# The C simulation of this kernel is tests/unit/test_hls_kernels.c, run by
# 'make test' with gcc (it needs cmocka, so it is not added as a -tb here).
set part [expr {[info exists ::env(CW_HLS_PART)] ? $::env(CW_HLS_PART) : "xczu3eg-sbva484-1-e"}]
open_project -reset build/hls/attention
set_top cw_hls_attention
foreach src {cw_matvec.c cw_vector.c cw_attention.c cw_math.c} {
    add_files hls/$src -cflags "-std=c11 -Ihls"
}
open_solution -reset solution1 -flow_target vivado
set_part $part
create_clock -period 10 -name default
csynth_design
exit
