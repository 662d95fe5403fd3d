/*
 * fileio.h - small file helpers: lengths, little-endian fields, and
 * temporary files that are renamed into place only when complete.
 */
#ifndef CW_FILEIO_H
#define CW_FILEIO_H

#include <stdint.h>
#include <stdio.h>

/* strerror(errno), thread-safely. */
const char *cw_errno_text(void);

/* The length of an open file; CW_ERR_IO naming path on failure. */
int cw_file_length(FILE *f, const char *path, uint64_t *len);

int32_t cw_read_le32s(const unsigned char *p);
uint32_t cw_read_le32(const unsigned char *p);
void cw_write_le32s(unsigned char *p, int32_t v);
void cw_write_le32(unsigned char *p, uint32_t v);
uint64_t cw_read_le64(const unsigned char *p);
void cw_write_le64(unsigned char *p, uint64_t v);
float cw_read_lef32(const unsigned char *p);

/* In-place conversion of float arrays between file (LE) and host order. */
void cw_le_floats_to_host(float *v, size_t n);
void cw_host_floats_to_le(float *v, size_t n);

/* A file written as PATH.tmp.XXXXXX and renamed to PATH on commit. */
typedef struct cw_tmpfile {
    char final_path[4096];
    char tmp_path[4096 + 16];
} cw_tmpfile;

int cw_tmpfile_open(cw_tmpfile *t, const char *path, FILE **f);
/* Flushes, closes and renames; on any failure removes the temporary. */
int cw_tmpfile_commit(cw_tmpfile *t, FILE *f);
void cw_tmpfile_abort(cw_tmpfile *t, FILE *f);

#endif
