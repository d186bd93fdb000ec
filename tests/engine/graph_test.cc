#include <gtest/gtest.h>
#include "og/og.h"
TEST(Smoke, Builds) { og_builder *b; ASSERT_EQ(OG_OK, og_builder_new(&b, nullptr)); og_builder_free(b); }
