// A test allocator shared by the engine tests: counts live blocks, fails the Nth allocation, and
// checks that every realloc/free names the size the block was allocated with.
#ifndef OG_TESTS_TEST_ALLOC_H
#define OG_TESTS_TEST_ALLOC_H

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "og/og.h"

namespace ogtest {

struct CountingAlloc {
  long countdown = -1;  // fail the allocation when it reaches 0; negative: never
  long live = 0;
  long calls = 0;
  long size_mismatches = 0;
  std::map<void *, size_t> sizes;
  og_allocator a{OG_ALLOCATOR_VERSION, &CountingAlloc::Fn, this};

  static void *Fn(void *ctx, void *ptr, size_t old_size, size_t new_size) {
    auto *f = static_cast<CountingAlloc *>(ctx);
    if (ptr) {
      auto it = f->sizes.find(ptr);
      if (it == f->sizes.end() || it->second != old_size) f->size_mismatches++;
    }
    if (new_size == 0) {
      if (ptr) f->live--, f->sizes.erase(ptr);
      free(ptr);
      return nullptr;
    }
    f->calls++;
    if (f->countdown >= 0 && f->countdown-- == 0) return nullptr;
    void *p = realloc(ptr, new_size);
    if (p) {
      if (ptr)
        f->sizes.erase(ptr);
      else
        f->live++;
      f->sizes[p] = new_size;
    }
    return p;
  }
};

// Run op (returning an og error code, cleaning up after itself) failing each allocation in turn:
// every run must return OG_OK or OG_ENOMEM (a failed shrink is harmless and unreported), leave the
// live count where it was, and never free with a wrong size.
template <typename Op>
void FailEachAllocation(CountingAlloc *ca, Op op) {
  long base_live = ca->live;
  ca->countdown = -1;
  long before = ca->calls;
  ASSERT_EQ(OG_OK, op());
  ASSERT_EQ(base_live, ca->live);
  ASSERT_EQ(0, ca->size_mismatches);
  long total = ca->calls - before;
  long failed = 0;
  for (long n = 0; n < total; n++) {
    ca->countdown = n;
    int rc = op();
    EXPECT_TRUE(rc == OG_ENOMEM || rc == OG_OK) << "failing allocation #" << n << ": " << rc;
    failed += rc == OG_ENOMEM;
    EXPECT_EQ(base_live, ca->live) << "leak after failing allocation #" << n;
    EXPECT_EQ(0, ca->size_mismatches) << "wrong old_size after failing allocation #" << n;
  }
  ca->countdown = -1;
  EXPECT_GT(failed, total / 2);
}

}  // namespace ogtest

#endif
