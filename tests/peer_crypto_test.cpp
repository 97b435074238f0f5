#include <gtest/gtest.h>
TEST(PeerCrypto, Placeholder) {}
