// top: cw_op_embed
// params: -GLANES=2 -GK=2 -GWBITS=8 -GACT_AW=14 -GWGT_AW=14 -GSCL_AW=10
/*
 * tb_embed_w8.cpp - tb_embed.cpp on the icebreaker shape: LANES = K = 2,
 * 8-bit weight lanes.
 */
#define TB_TARGET "icebreaker"
#define TB_NAME "tb_embed_w8"
#define TB_WGT_LINES 16384
#define TB_SCL 1024
#include "tb_embed.cpp"
