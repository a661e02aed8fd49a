/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of mytcpstat share: the program name for messages, the
 * fatal-error exit and the entry point of the trace subcommand (trace.c).
 */
#ifndef MYTCPSTAT_H
#define MYTCPSTAT_H

#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern const char *prog;
/* Run by die() before it exits, when set: undo what must not outlive us. */
extern void (*die_cleanup)(void);

void die(const char *fmt, ...);

int trace_main(int argc, char **argv);

#endif /* MYTCPSTAT_H */
