// top: cw_op_heads
// params: -GACT_AW=14 -GCST_AW=14 -GKV_AW=20 -GKVE_AW=19 -GMAX_CTX=1024 -GMAX_HEAD=256 -GKV_BITS=9
/*
 * tb_heads_kv9.cpp - tb_heads.cpp with 9-bit KV cache entries (KV_BITS = 9,
 * the kvbits of ulx3s-85f): every cached head is compared with
 * cw_hls_kv_round of the reference head, its exponent with eo + 7.
 */
#define TB_KV_BITS 9
#define TB_NAME "tb_heads_kv9"
#include "tb_heads.cpp"
