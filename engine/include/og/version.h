/* Library version, at compile time and at run time. */
#ifndef OG_VERSION_H
#define OG_VERSION_H

#include "og/common.h"

#define OG_VERSION_MAJOR 0
#define OG_VERSION_MINOR 1
#define OG_VERSION_PATCH 0
#define OG_VERSION_STRING "0.1.0"

OG_BEGIN_DECL

/* The run-time version string, e.g. "0.1.0". Static. */
OG_EXTERN const char *og_version(void);

OG_END_DECL

#endif
