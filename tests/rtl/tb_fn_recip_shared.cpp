// top: cw_fn_recip
// params: -GSHARED=1
/*
 * tb_fn_recip_shared.cpp - tb_fn_recip.cpp with SHARED = 1, as cw_op_attn
 * uses it: the four Newton products on one multiplier, a start every 4 to 7
 * cycles with random v between starts; every started v is checked against
 * cw_hls_recip on its exact output cycle.
 */
#define TB_SHARED 1
#define TB_NAME "tb_fn_recip_shared"
#include "tb_fn_recip.cpp"
