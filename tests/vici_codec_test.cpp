// VICI codec: the README's own encoding example, round trips, and malformed input.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "drivers/vici/vici.hpp"

namespace vici = ikeconform::vici;
using vici::Message;

namespace {

std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

// The example from the README's "Encoding example" section, byte for byte.
std::string readme_example_bytes() {
  return bytes({3, 4,  'k', 'e', 'y', '1', 0,   6,   'v', 'a', 'l', 'u', 'e', '1',               //
                1, 8,  's', 'e', 'c', 't', 'i', 'o', 'n', '1',                                   //
                1, 11, 's', 'u', 'b', '-', 's', 'e', 'c', 't', 'i', 'o', 'n',                    //
                3, 4,  'k', 'e', 'y', '2', 0,   6,   'v', 'a', 'l', 'u', 'e', '2',               //
                2,                                                                               //
                4, 5,  'l', 'i', 's', 't', '1',                                                  //
                5, 0,  5,   'i', 't', 'e', 'm', '1', 5,   0,   5,   'i', 't', 'e', 'm', '2', 6,  //
                2});
}

Message readme_example() {
  Message m;
  m.set("key1", "value1");
  Message& s1 = m.section("section1");
  s1.section("sub-section").set("key2", "value2");
  s1.set_list("list1", {"item1", "item2"});
  return m;
}

}  // namespace

TEST(ViciCodec, EncodesTheReadmeExample) { EXPECT_EQ(vici::encode_message(readme_example()), readme_example_bytes()); }

TEST(ViciCodec, DecodesTheReadmeExample) {
  const Message m = vici::decode_message(readme_example_bytes());
  EXPECT_EQ(m, readme_example());
  EXPECT_EQ(m.get("key1"), "value1");
  ASSERT_NE(m.section("section1"), nullptr);
  EXPECT_EQ(m.section("section1")->section("sub-section")->get("key2"), "value2");
  EXPECT_EQ(*m.section("section1")->list("list1"), (std::vector<std::string>{"item1", "item2"}));
  EXPECT_EQ(vici::to_json(m).dump(),
            R"({"key1":"value1","section1":{"sub-section":{"key2":"value2"},"list1":["item1","item2"]}})");
}

TEST(ViciCodec, EmptyMessageAndEmptyList) {
  EXPECT_EQ(vici::decode_message(""), Message());
  Message m;
  m.set_list("l", {});
  EXPECT_EQ(vici::encode_message(m), bytes({4, 1, 'l', 6}));
  EXPECT_EQ(vici::decode_message(bytes({4, 1, 'l', 6})), m);
}

TEST(ViciCodec, PacketsAndFraming) {
  vici::Packet p{vici::PacketType::CmdRequest, "version", {}};
  EXPECT_EQ(vici::encode_packet(p), bytes({0, 7, 'v', 'e', 'r', 's', 'i', 'o', 'n'}));
  EXPECT_EQ(vici::frame("abc"), bytes({0, 0, 0, 3, 'a', 'b', 'c'}));
  EXPECT_EQ(vici::decode_packet(bytes({5})).type, vici::PacketType::EventConfirm);
  const vici::Packet ev = vici::decode_packet(bytes({7, 3, 'l', 'o', 'g', 3, 3, 'm', 's', 'g', 0, 2, 'h', 'i'}));
  EXPECT_EQ(ev.type, vici::PacketType::Event);
  EXPECT_EQ(ev.name, "log");
  EXPECT_EQ(ev.message.get("msg"), "hi");
  EXPECT_EQ(vici::decode_packet(bytes({1, 3, 1, 'a', 0, 0})).message.get("a", "x"), "");
}

TEST(ViciCodec, EncoderRejectsWhatCannotBeEncoded) {
  Message m;
  m.set(std::string(256, 'k'), "v");
  EXPECT_THROW(vici::encode_message(m), vici::EncodeError);
  Message big;
  big.set("k", std::string(65536, 'v'));
  EXPECT_THROW(vici::encode_message(big), vici::EncodeError);
  Message dup;
  dup.set("k", "1");
  EXPECT_THROW(dup.set("k", "2"), vici::EncodeError);
}

struct Malformed {
  const char* what;
  std::string bytes;
};

class ViciMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(ViciMalformed, IsRejectedWithAClearError) {
  try {
    vici::decode_message(GetParam().bytes);
    FAIL() << "accepted: " << GetParam().what;
  } catch (const vici::DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, ViciMalformed,
    ::testing::Values(Malformed{"unknown element type 0", bytes({0})}, Malformed{"unknown element type 7", bytes({7})},
                      Malformed{"truncated name length", bytes({3})}, Malformed{"truncated name", bytes({3, 4, 'k'})},
                      Malformed{"truncated value length", bytes({3, 1, 'k', 0})},
                      Malformed{"truncated value", bytes({3, 1, 'k', 0, 5, 'a'})},
                      Malformed{"value length high byte", bytes({3, 1, 'k', 0xff, 0xff, 'a'})},
                      Malformed{"unterminated section", bytes({1, 1, 's'})},
                      Malformed{"section end at root", bytes({2})},
                      Malformed{"unterminated list", bytes({4, 1, 'l', 5, 0, 0})},
                      Malformed{"item outside list", bytes({5, 0, 0})}, Malformed{"list end outside list", bytes({6})},
                      Malformed{"key/value inside list", bytes({4, 1, 'l', 3, 1, 'k', 0, 0, 6})},
                      Malformed{"nested list", bytes({4, 1, 'l', 4, 1, 'm', 6, 6})},
                      Malformed{"section inside list", bytes({4, 1, 'l', 1, 1, 's', 2, 6})},
                      Malformed{"duplicate key", bytes({3, 1, 'k', 0, 0, 3, 1, 'k', 0, 0})},
                      Malformed{"duplicate key and section", bytes({3, 1, 'k', 0, 0, 1, 1, 'k', 2})},
                      Malformed{"too deep", std::string(200, '\x01')}));

TEST(ViciCodec, DeepNestingIsRejectedNotRecursed) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += bytes({1, 1, 's'});
  EXPECT_THROW(vici::decode_message(deep), vici::DecodeError);
  std::string ok;
  for (std::size_t i = 0; i < vici::kMaxDepth; ++i) ok += bytes({1, 1, 's'});
  ok += std::string(vici::kMaxDepth, '\x02');
  EXPECT_NO_THROW(vici::decode_message(ok));
}

TEST(ViciCodec, MalformedPacketsAreRejected) {
  EXPECT_THROW(vici::decode_packet(""), vici::DecodeError);
  EXPECT_THROW(vici::decode_packet(bytes({8})), vici::DecodeError);
  EXPECT_THROW(vici::decode_packet(bytes({0, 5, 'a'})), vici::DecodeError);
  EXPECT_THROW(vici::decode_packet(bytes({5, 1})), vici::DecodeError);  // EVENT_CONFIRM has no body
  EXPECT_THROW(vici::decode_packet(bytes({1, 9})), vici::DecodeError);  // bad message
}

// ---------------------------------------------------------------------------------------------
// Properties

namespace {

rc::Gen<std::string> gen_name() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, 12),
                         [](std::size_t n) { return rc::gen::container<std::string>(n, rc::gen::arbitrary<char>()); });
}

rc::Gen<std::string> gen_value() { return rc::gen::container<std::string>(rc::gen::arbitrary<char>()); }

Message gen_message_of_depth(int depth) {
  Message m;
  const auto n = *rc::gen::inRange(0, 5);
  for (int i = 0; i < n; ++i) {
    std::string name = *gen_name();
    if (m.contains(name)) continue;
    const int kind = *rc::gen::inRange(0, depth > 0 ? 3 : 2);
    if (kind == 0) m.set(name, *gen_value());
    if (kind == 1) m.set_list(name, *rc::gen::container<std::vector<std::string>>(gen_value()));
    if (kind == 2) m.add_section(name, gen_message_of_depth(depth - 1));
  }
  return m;
}

}  // namespace

RC_GTEST_PROP(ViciCodecProperty, EncodeThenDecodeIsIdentity, ()) {
  const Message m = gen_message_of_depth(*rc::gen::inRange(0, 4));
  RC_ASSERT(vici::decode_message(vici::encode_message(m)) == m);
}

RC_GTEST_PROP(ViciCodecProperty, PacketRoundTrip, ()) {
  vici::Packet p;
  p.type = static_cast<vici::PacketType>(*rc::gen::inRange(0, 8));
  if (vici::packet_is_named(p.type)) p.name = *gen_name();
  if (vici::packet_has_message(p.type)) p.message = gen_message_of_depth(2);
  RC_ASSERT(vici::decode_packet(vici::encode_packet(p)) == p);
}

// Any byte string is either a message whose re-encoding is the same bytes, or a DecodeError.
RC_GTEST_PROP(ViciCodecProperty, ArbitraryBytesDecodeOrReject, (const std::string& input)) {
  try {
    const Message m = vici::decode_message(input);
    RC_ASSERT(vici::encode_message(m) == input);
  } catch (const vici::DecodeError&) {
    RC_SUCCEED("rejected");
  }
}

// Truncating a valid encoding anywhere inside must never crash; most cuts are rejected.
RC_GTEST_PROP(ViciCodecProperty, TruncationNeverCrashes, ()) {
  const std::string enc = vici::encode_message(gen_message_of_depth(3));
  const auto cut = *rc::gen::inRange<std::size_t>(0, enc.size() + 1);
  try {
    const Message m = vici::decode_message(enc.substr(0, cut));
    RC_ASSERT(vici::encode_message(m) == enc.substr(0, cut));
  } catch (const vici::DecodeError&) {
  }
}
