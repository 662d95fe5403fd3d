/*
 * cw_simlink_vl.h - included first in every file of the sim library
 * (scripts/build-sim.sh: -include), with -DVL_PRINTF=cw_simlink_vl_printf:
 * Verilator prints through this function of rtl/sim/cw_simlink.cpp, which
 * keeps the text for cw_simlink_error() instead of printing it.
 */
#ifndef CW_SIMLINK_VL_H
#define CW_SIMLINK_VL_H

#ifdef __cplusplus
extern "C" {
#endif

int cw_simlink_vl_printf(const char *fmt, ...);

#ifdef __cplusplus
}
#endif

#endif
