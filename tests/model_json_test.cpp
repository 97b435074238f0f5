// scenario/1 loader: every error names file:line; the writer round-trips.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/input_error.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

std::string error_of(const std::string& text) {
  try {
    scenario_from_json_text(text, "bad.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string s1_text() { return scenario_to_text(corpus("s1")); }

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

int line_of(const std::string& text, const std::string& needle) {
  auto pos = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

TEST(ScenarioJson, SyntaxErrorNamesTheLine) {
  std::string t = replace(s1_text(), "\"ike_version\": 1,", "\"ike_version\": 1,,");
  EXPECT_EQ(error_of(t).rfind("bad.json:4: invalid JSON", 0), 0u) << error_of(t);
}

TEST(ScenarioJson, UnknownKeyNamesTheLine) {
  std::string t = replace(s1_text(), "\"tunnel_profile\": \"prof1\"", "\"tunnel_profil\": \"prof1\"");
  int line = line_of(t, "tunnel_profil\"");
  EXPECT_NE(error_of(t).find("bad.json:" + std::to_string(line) + ": peers.0.tunnel_profil: unknown key"),
            std::string::npos)
      << error_of(t);
}

TEST(ScenarioJson, DanglingReferencesAreErrors) {
  std::string t = replace(s1_text(), "\"ca\": \"CA2\"", "\"ca\": \"CA9\"");
  EXPECT_NE(error_of(t).find(":" + std::to_string(line_of(t, "CA9")) + ": peers.0.trustpoints.1.ca: unknown CA 'CA9'"),
            std::string::npos)
      << error_of(t);
  t = replace(s1_text(), "\"trustpoints\": [\n            \"IOSCA1\"", "\"trustpoints\": [\n            \"NOPE\"");
  EXPECT_NE(error_of(t).find("unknown trustpoint 'NOPE'"), std::string::npos) << error_of(t);
  t = replace(s1_text(), "\"tunnel_profile\": \"prof1\"", "\"tunnel_profile\": \"prof9\"");
  EXPECT_NE(error_of(t).find("tunnel profile 'prof9' is not defined"), std::string::npos) << error_of(t);
}

TEST(ScenarioJson, WrongTypesAndValuesAreErrors) {
  EXPECT_NE(error_of(replace(s1_text(), "\"ike_version\": 1", "\"ike_version\": 3")).find("expected 1 or 2"),
            std::string::npos);
  EXPECT_NE(error_of(replace(s1_text(), "\"self_identity\": \"fqdn\"", "\"self_identity\": \"x509\""))
                .find("unknown value 'x509'"),
            std::string::npos);
  EXPECT_NE(error_of(replace(s1_text(), "\"group\": 2", "\"group\": \"two\"")).find("expected a DH group number"),
            std::string::npos);
  EXPECT_NE(error_of(replace(s1_text(), "ikeconform.scenario/1", "ikeconform.scenario/9")).find("unsupported schema"),
            std::string::npos);
  EXPECT_NE(error_of("[]").find("expected an object"), std::string::npos);
  EXPECT_NE(error_of("").find("bad.json:1: invalid JSON"), std::string::npos);
}

TEST(ScenarioJson, DuplicatesAreErrors) {
  std::string t = replace(s1_text(), "\"name\": \"R2\"", "\"name\": \"R1\"");
  EXPECT_NE(error_of(t).find("both peers are named 'R1'"), std::string::npos) << error_of(t);
  t = replace(s1_text(), "\"id\": \"CA2\"", "\"id\": \"CA1\"");
  EXPECT_NE(error_of(t).find("CA 'CA1' is defined twice"), std::string::npos) << error_of(t);
}

TEST(ScenarioJson, CorpusRoundTrips) {
  for (const char* n : {"s1", "s2", "s3", "s4"}) {
    Scenario s = corpus(n);
    EXPECT_EQ(scenario_from_json_text(scenario_to_text(s), "x"), s) << n;
  }
}

// Valid UTF-8 text with the characters JSON must escape.
rc::Gen<std::string> text_gen() {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(
                          rc::gen::element<std::string>("a", "Z", "0", " ", "\"", "\\", "\n", "\t", "é", "信任點", ",",
                                                        "=")),
                      [](const std::vector<std::string>& parts) {
                        std::string out;
                        for (const auto& p : parts) out += p;
                        return out;
                      });
}

TEST(ScenarioJson, InvalidUtf8IsReplacedNotThrown) {
  Scenario s = corpus("s1");
  s.name = "bad \xC9";
  EXPECT_NO_THROW(scenario_to_text(s));
}

RC_GTEST_PROP(ScenarioJson, WriterOutputLoadsBackEqual, ()) {
  // Vary every field the writer has to carry; the generators/ library covers structure.
  Scenario s = corpus(*rc::gen::element<std::string>("s1", "s2", "s3", "s4"));
  s.name = *text_gen();
  s.aggressive_mode = *rc::gen::arbitrary<bool>();
  for (Ca& c : s.cas) c.enrollment_url = *rc::gen::element<std::string>("", "http://10.0.0.1:80", "scep \"x\"");
  for (Peer& p : s.peers) {
    p.unsupported_features = *rc::gen::container<std::vector<std::string>>(
        rc::gen::element<std::string>("x509v1", "sig-md5"));
    for (IdentityCert& c : p.certificates) {
      c.revoked = *rc::gen::arbitrary<bool>();
      c.subject = *text_gen();
    }
    for (Profile& f : p.profiles) {
      f.auth_local = *rc::gen::element(AuthMethod::RsaSig, AuthMethod::PreShare);
      for (ProfileTrustpoint& t : f.trustpoints)
        t.use = *rc::gen::element(TrustpointUse::Both, TrustpointUse::Sign, TrustpointUse::Verify);
    }
  }
  RC_ASSERT(scenario_from_json_text(scenario_to_text(s), "x") == s);
}

}  // namespace
}  // namespace ikeconform::testing
