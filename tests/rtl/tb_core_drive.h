/*
 * tb_core_drive.h - driving a Verilated cw_core from a bench (tb_core,
 * tb_watchdog): reset, words and programs through the write port, a run
 * started or run to its end with its tokens collected, and op_done held
 * low (an op module that never finishes; needs tests/rtl/tb_force.vlt in
 * the bench's `// sources:`).
 */
#ifndef CW_TB_CORE_DRIVE_H
#define CW_TB_CORE_DRIVE_H

#include "Vcw_core.h"
#include "Vcw_core___024root.h"
#include "tb_core_port.h"

namespace tb {

/* cw_core through its ports, and its op_done forced. */
struct Core : CorePort<Vcw_core> {
    using CorePort<Vcw_core>::CorePort;
    /* op_done held low (an op module that never finishes) or released */
    void hang(bool on)
    {
        m->rootp->cw_core__DOT__op_done__VforceEn = on;
        m->rootp->cw_core__DOT__op_done__VforceVal = 0;
        b.ctx->assertOn(!on); /* its done is late by design while forced */
    }
};

} // namespace tb

#endif
