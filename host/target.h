/*
 * target.h - hardware configurations ("targets"): the parameters the
 * compiler plans for and the RTL is built with, read from targets/NAME.target
 * (embedded into the library at build time) or from a file.
 */
#ifndef CW_TARGET_H
#define CW_TARGET_H

#include "clockwork.h"

/* Parses target text; `origin` names it in errors (file name). */
int cw_target_parse(const char *text, const char *origin, cw_target_config *out);

/* The canonical form that the hash covers: "lanes=8;k=8;..." in field
 * order, the name excluded (two boards with equal hardware are one target
 * as far as an artifact is concerned); an optional field (kvbits) appears
 * only when it differs from its default. */
int cw_target_canonical(const cw_target_config *t, char *buf, size_t n);

/* Built-in targets (generated from targets/NAME.target). */
extern const char *const cw_builtin_target_names[];
extern const char *const cw_builtin_target_texts[];
extern const int cw_builtin_target_count;

#endif
