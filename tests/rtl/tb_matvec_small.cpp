// top: cw_op_matvec
// params: -GLANES=2 -GK=2 -GWBITS=8
/*
 * tb_matvec_small.cpp - cw_op_matvec with the icebreaker target's matrix
 * unit (2 x 2, 8-bit weights) against cw_hls_matvec_w8, and its done on the
 * ISA's cycle. The test itself is tests/rtl/tb_matvec_body.h.
 */
#include "Vcw_op_matvec.h"
#define TB_MODEL Vcw_op_matvec
#define TB_NAME "tb_matvec_small"
#define TB_LANES 2
#define TB_K 2
#define TB_WBITS 8
#define TB_SEED 17
#define TB_TRIALS 1000
#include "tb_matvec_body.h"
