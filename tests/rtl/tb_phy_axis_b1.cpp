// top: cw_phy_axis
// params: -GDATA_BYTES=1
/* tb_phy_axis_b1.cpp - tb_phy_axis.cpp with 8-bit streams. */
#define TB_DB 1
#define TB_NAME "tb_phy_axis_b1"
#include "tb_phy_axis.cpp"
