/*
 * fileio.c - file helpers shared by the loaders and writers.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"

const char *cw_errno_text(void)
{
    static _Thread_local char buf[128];
    int e = errno;
    if (strerror_r(e, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", e);
    return buf;
}

int cw_file_length(FILE *f, const char *path, uint64_t *len)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        return cw_fail(CW_ERR_IO, "%s: cannot stat: %s", path, cw_errno_text());
    if (!S_ISREG(st.st_mode))
        return cw_fail(CW_ERR_IO, "%s: not a regular file", path);
    *len = (uint64_t)st.st_size;
    return CW_OK;
}

uint32_t cw_read_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int32_t cw_read_le32s(const unsigned char *p)
{
    uint32_t u = cw_read_le32(p);
    int32_t v;
    memcpy(&v, &u, 4);
    return v;
}

void cw_write_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

void cw_write_le32s(unsigned char *p, int32_t v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    cw_write_le32(p, u);
}

uint64_t cw_read_le64(const unsigned char *p)
{
    return (uint64_t)cw_read_le32(p) | (uint64_t)cw_read_le32(p + 4) << 32;
}

void cw_write_le64(unsigned char *p, uint64_t v)
{
    cw_write_le32(p, (uint32_t)v);
    cw_write_le32(p + 4, (uint32_t)(v >> 32));
}

float cw_read_lef32(const unsigned char *p)
{
    uint32_t u = cw_read_le32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void swap_floats(float *v, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        u = __builtin_bswap32(u);
        memcpy(&v[i], &u, 4);
    }
#else
    (void)v;
    (void)n;
#endif
}

void cw_le_floats_to_host(float *v, size_t n) { swap_floats(v, n); }
void cw_host_floats_to_le(float *v, size_t n) { swap_floats(v, n); }

int cw_tmpfile_open(cw_tmpfile *t, const char *path, FILE **f)
{
    if (strlen(path) >= sizeof t->final_path)
        return cw_fail(CW_ERR_INVALID_ARG, "%s: path too long", path);
    strcpy(t->final_path, path);
    snprintf(t->tmp_path, sizeof t->tmp_path, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(t->tmp_path);
    if (fd < 0)
        return cw_fail(CW_ERR_IO, "%s: cannot create a temporary file: %s", path,
                       cw_errno_text());
    *f = fdopen(fd, "wb");
    if (!*f) {
        close(fd);
        unlink(t->tmp_path);
        return cw_fail(CW_ERR_IO, "%s: cannot open: %s", path, cw_errno_text());
    }
    return CW_OK;
}

void cw_tmpfile_abort(cw_tmpfile *t, FILE *f)
{
    if (f)
        fclose(f);
    unlink(t->tmp_path);
}

int cw_tmpfile_commit(cw_tmpfile *t, FILE *f)
{
    int bad = fflush(f) != 0 || ferror(f);
    bad |= fchmod(fileno(f), 0644) != 0;
    if (fclose(f) != 0 || bad) {
        int rc = cw_fail(CW_ERR_IO, "%s: write failed: %s", t->final_path, cw_errno_text());
        unlink(t->tmp_path);
        return rc;
    }
    if (rename(t->tmp_path, t->final_path) != 0) {
        int rc = cw_fail(CW_ERR_IO, "%s: cannot rename into place: %s", t->final_path,
                         cw_errno_text());
        unlink(t->tmp_path);
        return rc;
    }
    return CW_OK;
}
