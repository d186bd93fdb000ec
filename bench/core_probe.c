/* A probe of how much of its core this thread gets, for bench/snapshot_python.py.
 *
 * Eight add chains that depend on each other in pairs: about four instructions a cycle and no
 * memory access. On a VM whose host runs another tenant on this core's sibling hyperthread, this
 * loop slows (here: 3.0 ms becomes up to 4.5 ms) while a single dependent multiply chain does not.
 * Code that retires many instructions a cycle, like a capture, slows with it; code that waits on
 * cache misses, like gc.get_referents, much less. Built by the bench with the C compiler Python was
 * built with and called through ctypes. */
#include <stdint.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static volatile uint64_t sink; /* keeps the chains' result alive */

/* Milliseconds for n rounds of the chains. */
double og_bench_core_probe(long n) {
  double t0 = now_ms();
  uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
  for (long i = 0; i < n; i++) {
    a += b ^ (uint64_t)i;
    b += c ^ a;
    c += d ^ (uint64_t)i;
    d += e ^ c;
    e += f ^ (uint64_t)i;
    f += g ^ e;
    g += h ^ (uint64_t)i;
    h += a ^ g;
    __asm__ volatile("" : "+r"(a), "+r"(c), "+r"(e), "+r"(g)); /* no vectorizing, no folding */
  }
  sink = a + b + c + d + e + f + g + h;
  return now_ms() - t0;
}
