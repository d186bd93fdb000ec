/* The umbrella header: the only include the project promises to keep stable. */
#ifndef OG_OG_H
#define OG_OG_H

#include "og/alloc.h"
#include "og/buf.h"
#include "og/common.h"
#include "og/diff.h"
#include "og/emit.h"
#include "og/errors.h"
#include "og/graph.h"
#include "og/search.h"
#include "og/select.h"
#include "og/snapshot.h"
#include "og/stats.h"
#include "og/subgraph.h"
#include "og/version.h"
#include "og/walker.h"

#endif
