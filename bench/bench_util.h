/* What every engine benchmark needs: CPU-time clock (the machine is shared, so CPU time is steadier
   than wall time) and a check that stops on the first engine error. */
#ifndef OG_BENCH_UTIL_H
#define OG_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "og/og.h"

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_check(int rc, const char *what) {
  if (rc != OG_OK) {
    fprintf(stderr, "%s: %s\n", what, og_error_last());
    exit(1);
  }
}

/* n synthetic types "TypeK" / "app.models.TypeK" into types[]. */
static inline void bench_add_types(og_builder *b, og_type *types, int n) {
  char s[32], l[48];
  for (int k = 0; k < n; k++) {
    int sl = snprintf(s, sizeof s, "Type%d", k), ll = snprintf(l, sizeof l, "app.models.Type%d", k);
    bench_check(og_builder_add_type(&types[k], b, s, (size_t)sl, l, (size_t)ll), "type");
  }
}

/* main() of a sized benchmark: sizes in millions of nodes from argv, else 1M and 10M. */
static inline int bench_sizes_main(int argc, char **argv, void (*run)(og_index nodes)) {
  if (argc < 2) {
    run(1000000);
    run(10000000);
  }
  for (int i = 1; i < argc; i++) run((og_index)(atof(argv[i]) * 1e6));
  return 0;
}

#endif
