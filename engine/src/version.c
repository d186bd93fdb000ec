#include "og/version.h"

const char *og_version(void) { return OG_VERSION_STRING; }
