/*
 * error.h - error details inside libclockwork.
 *
 * cw_fail() records a formatted detail for cw_last_error() and returns the
 * code, so a failure reads: return cw_fail(CW_ERR_FORMAT, "field %s ...", f);
 */
#ifndef CW_ERROR_H
#define CW_ERROR_H

#include "clockwork.h"

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cw_fail(int err, const char *fmt, ...);

/* Clears the detail (called at the start of public entry points). */
void cw_clear_error(void);

#endif
