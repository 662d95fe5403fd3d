/*
 * error.c - error codes, their messages and the per-thread detail.
 */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

static _Thread_local char detail[512];

const char *cw_strerror(int err)
{
    switch (err) {
    case CW_OK: return "success";
    case CW_ERR_INVALID_ARG: return "invalid argument";
    case CW_ERR_NO_MEMORY: return "out of memory";
    case CW_ERR_IO: return "input/output error";
    case CW_ERR_FORMAT: return "malformed file";
    case CW_ERR_TRUNCATED: return "file truncated";
    case CW_ERR_UNSUPPORTED: return "not supported";
    case CW_ERR_TOO_LONG: return "longer than the context";
    case CW_ERR_NO_DEVICE: return "no such device";
    case CW_ERR_ABORTED: return "aborted";
    case CW_ERR_NOT_LOADED: return "nothing loaded on the device";
    case CW_ERR_DOES_NOT_FIT: return "model does not fit the target";
    case CW_ERR_MISMATCH: return "configuration mismatch";
    case CW_ERR_DEVICE: return "device error";
    case CW_ERR_TIMEOUT: return "device timed out";
    case CW_ERR_ACCESS: return "permission denied";
    case CW_ERR_PROTOCOL: return "protocol error";
    }
    return "unknown error";
}

const char *cw_last_error(void)
{
    return detail;
}

void cw_clear_error(void)
{
    detail[0] = '\0';
}

int cw_fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return err;
}
