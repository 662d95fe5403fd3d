// top: cw_op_matvec
// params: -GLANES=4 -GK=8 -GWBITS=8
/*
 * tb_matvec_w8.cpp - cw_op_matvec with 4 lanes of 8 columns and 8-bit
 * weight lanes (LANES != K) against cw_hls_matvec_w8, and its done on the
 * ISA's cycle. The test itself is tests/rtl/tb_matvec_body.h.
 */
#include "Vcw_op_matvec.h"
#define TB_MODEL Vcw_op_matvec
#define TB_NAME "tb_matvec_w8"
#define TB_LANES 4
#define TB_K 8
#define TB_WBITS 8
#define TB_SEED 19
#define TB_TRIALS 1000
#include "tb_matvec_body.h"
