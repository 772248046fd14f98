// SPDX-License-Identifier: GPL-2.0
/* vmmap: the tracepoints of vmmap_trace.h, instantiated once. */
#include <linux/mm.h>

#define CREATE_TRACE_POINTS
#include "vmmap_trace.h"
