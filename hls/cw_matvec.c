/*
 * cw_matvec.c - the matrix-vector kernel: int16 activations times int8 or
 * int16 weights, exact integer accumulation, per-row requantization by an
 * unsigned 16-bit multiplier and a round-half-up shift.
 *
 * Accumulator bound: |x| <= 2^15-1, |w| <= 2^15-1 (int16; 127 for int8),
 * cols <= CW_HLS_MAX_VEC = 2^14, so |acc| < 2^14 * 2^30 = 2^44 (45-bit
 * signed accumulator in RTL; 37 bits for int8 weights), and
 * |acc * mult| < 2^60 (61-bit product before the shift).
 */
#if defined(__GNUC__) && !defined(__SYNTHESIS__)
/* gcc builds: the HLS pragmas and loop labels are for Vitis HLS only */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"
#endif
#include <assert.h>

#include "cw_fixed.h"
#include "cw_hls.h"

void cw_hls_matvec_w8(int64_t *out, const int16_t *x, const int8_t *w,
                      const uint16_t *mult, const uint8_t *shift, int rows,
                      int cols)
{
    assert(rows > 0 && rows <= CW_HLS_MAX_ROWS);
    assert(cols > 0 && cols <= CW_HLS_MAX_VEC);
ROWS:
    for (int r = 0; r < rows; r++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=32000
        const int8_t *wr = w + (long)r * cols;
        int64_t acc = 0;
COLS:
        for (int c = 0; c < cols; c++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=16384
#pragma HLS PIPELINE II=1
            acc += (int32_t)x[c] * (int32_t)wr[c];
        }
        assert(shift[r] >= CW_MULT_SHIFT_MIN && shift[r] <= 62);
        out[r] = cw_rshift_round(acc * (int64_t)mult[r], shift[r]);
    }
}

void cw_hls_matvec_w16(int64_t *out, const int16_t *x, const int16_t *w,
                       const uint16_t *mult, const uint8_t *shift, int rows,
                       int cols)
{
    assert(rows > 0 && rows <= CW_HLS_MAX_ROWS);
    assert(cols > 0 && cols <= CW_HLS_MAX_VEC);
ROWS:
    for (int r = 0; r < rows; r++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=32000
        const int16_t *wr = w + (long)r * cols;
        int64_t acc = 0;
COLS:
        for (int c = 0; c < cols; c++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=16384
#pragma HLS PIPELINE II=1
            acc += (int32_t)x[c] * (int32_t)wr[c];
        }
        assert(shift[r] >= CW_MULT_SHIFT_MIN && shift[r] <= 62);
        out[r] = cw_rshift_round(acc * (int64_t)mult[r], shift[r]);
    }
}

void cw_hls_embed_w8(int64_t *out, const int8_t *row, uint16_t mult, int n)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC);
EMBED:
    for (int j = 0; j < n; j++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=16384
#pragma HLS PIPELINE II=1
        out[j] = (int64_t)row[j] * mult;
    }
}

void cw_hls_embed_w16(int64_t *out, const int16_t *row, uint16_t mult, int n)
{
    assert(n > 0 && n <= CW_HLS_MAX_VEC);
EMBED:
    for (int j = 0; j < n; j++) {
#pragma HLS LOOP_TRIPCOUNT min=64 max=16384
#pragma HLS PIPELINE II=1
        out[j] = (int64_t)row[j] * mult;
    }
}
