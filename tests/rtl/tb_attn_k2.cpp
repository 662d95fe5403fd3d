// top: cw_op_attn
// params: -GLANES=2 -GK=2 -GWBITS=8 -GACT_AW=14 -GKV_AW=20 -GKVE_AW=19 -GMAX_CTX=128 -GMAX_HS=64 -GOBUF_DEPTH=1024 -GMAX_HEADS=16
/*
 * tb_attn_k2.cpp - tb_attn.cpp with the icebreaker target's parameters
 * (K = 2, max_ctx 128): the same checks against host/ref_core.c's ATTN.
 */
#define TB_K 2
#define TB_MAX_CTX 128
#define TB_TARGET "icebreaker"
#define TB_NAME "tb_attn_k2"
#define TB_TRIALS 300
#include "tb_attn.cpp"
