// SPDX-License-Identifier: GPL-2.0
/*
 * The one place mytcp's tracepoints (trace.h) are defined; the files
 * that fire them include trace.h alone.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
