// top: cw_op_matvec
// params: -GLANES=8 -GK=8 -GWBITS=16
/*
 * tb_matvec.cpp - cw_op_matvec with the sim target's matrix unit (8 x 8,
 * 16-bit weight lanes: 16-bit and 8-bit weights) against
 * cw_hls_matvec_w16/w8, and its done on the ISA's cycle. The test itself is
 * tests/rtl/tb_matvec_body.h.
 */
#include "Vcw_op_matvec.h"
#define TB_MODEL Vcw_op_matvec
#define TB_NAME "tb_matvec"
#define TB_LANES 8
#define TB_K 8
#define TB_WBITS 16
#define TB_SEED 13
#define TB_TRIALS 1500
#include "tb_matvec_body.h"
