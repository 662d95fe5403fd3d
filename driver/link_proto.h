/*
 * link_proto.h - message types, payload layouts and codes of the link
 * protocol, shared by the host session (link_host.c) and the device model
 * (link_device.c). docs/protocol.md is the normative description; every
 * multi-byte field is little-endian.
 */
#ifndef CW_LINK_PROTO_H
#define CW_LINK_PROTO_H

#include <stdint.h>

#include "link_frame.h"

#define CW_LINK_VERSION 1u

/* Frame types. Commands (host -> device) 0x01..0x3F; the response to
 * command C has type C | 0x80 and C's seq; events (device -> host,
 * unsolicited) 0x40..0x7F. */
enum {
    CW_LINK_CMD_INFO = 0x01,
    CW_LINK_CMD_WRITE = 0x02,
    CW_LINK_CMD_READ = 0x03,
    CW_LINK_CMD_RUN = 0x04,
    CW_LINK_CMD_CANCEL = 0x05,
    CW_LINK_CMD_RESET = 0x06,
    CW_LINK_CMD_STATUS = 0x07,
    CW_LINK_RESPONSE = 0x80,
    CW_LINK_EV_TOKEN = 0x41,
    CW_LINK_EV_DONE = 0x42,
    CW_LINK_EV_ERROR = 0x43,
};

/* Status: byte 0 of every response payload. */
enum {
    CW_LINK_ST_OK = 0,
    CW_LINK_ST_BAD_COMMAND = 1,  /* unknown command type */
    CW_LINK_ST_BAD_LENGTH = 2,   /* payload length wrong for the command */
    CW_LINK_ST_BAD_REGION = 3,   /* no such region (or size 0) */
    CW_LINK_ST_OUT_OF_RANGE = 4, /* offset + length past the region's end */
    CW_LINK_ST_BUSY = 5,         /* WRITE or RUN while the core runs */
    CW_LINK_ST_BAD_ARG = 6,      /* RUN arguments or READ length out of range */
};

/* Memory regions (WRITE/READ region ids; INFO reports their sizes). */
enum {
    CW_LINK_REGION_PROGRAM = 0,
    CW_LINK_REGION_WEIGHTS = 1,
    CW_LINK_REGION_SCALES = 2,
    CW_LINK_REGION_CONST = 3,   /* constants: norm gains, RoPE increments, tables */
    CW_LINK_REGION_ACT = 4,
    CW_LINK_REGION_KV = 5,
    CW_LINK_REGION_PROMPT = 6, /* n_prompt u32 token ids */
    CW_LINK_REGION_OUTPUT = 7, /* one 16-byte entry per produced token */
    CW_LINK_N_REGIONS = 8,
};

/* Core state and exit reason (STATUS, INFO, CANCEL, DONE). */
enum {
    CW_LINK_CORE_IDLE = 0,    /* nothing run since power-up or RESET */
    CW_LINK_CORE_RUNNING = 1,
    CW_LINK_CORE_DONE = 2,    /* finished; the exit reason says how */
    CW_LINK_CORE_ERROR = 3,   /* stopped on an error; the error code says which */
};
enum {
    CW_LINK_EXIT_NONE = 0,
    CW_LINK_EXIT_STEPS = 1,     /* all requested positions ran */
    CW_LINK_EXIT_EOS = 2,       /* the end token (BOS, as llama2.c) was produced */
    CW_LINK_EXIT_CANCELLED = 3, /* CANCEL */
    CW_LINK_EXIT_ERROR = 4,     /* the core stopped on an error */
};

/* Payload sizes and offsets (docs/protocol.md has the tables). */
#define CW_LINK_IO_HEADER 8u  /* WRITE request / READ response: before the data */
#define CW_LINK_IO_MAX (CW_LINK_MAX_PAYLOAD - CW_LINK_IO_HEADER) /* 1016 */
#define CW_LINK_READ_REQ_LEN 12u
#define CW_LINK_RUN_REQ_LEN 16u
#define CW_LINK_INFO_RESP_LEN 64u
#define CW_LINK_WRITE_RESP_LEN 12u
#define CW_LINK_RUN_RESP_LEN 8u
#define CW_LINK_CANCEL_RESP_LEN 12u
#define CW_LINK_RESET_RESP_LEN 8u
#define CW_LINK_STATUS_RESP_LEN 40u
#define CW_LINK_TOKEN_LEN 20u
#define CW_LINK_DONE_LEN 20u
#define CW_LINK_ERROR_LEN 16u
#define CW_LINK_OUT_ENTRY 16u /* output buffer entry: pos u32, token u32, cycle u64 */

/* Little-endian field access. */
static inline void cw_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}
static inline void cw_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)((v >> (8 * i)) & 0xFFu);
}
static inline void cw_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((v >> (8 * i)) & 0xFFu);
}
static inline uint16_t cw_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t cw_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t cw_get64(const uint8_t *p)
{
    return (uint64_t)cw_get32(p) | ((uint64_t)cw_get32(p + 4) << 32);
}

#endif
