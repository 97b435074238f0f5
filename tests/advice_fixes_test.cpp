// advice/fixes.hpp (label `unit`): the changes `check` tries, each verified on the model.
#include <gtest/gtest.h>

#include <algorithm>

#include "advice/fixes.hpp"
#include "model_support.hpp"

namespace ikeconform::testing {
namespace {

bool suggests(const std::vector<Fix>& fixes, const std::string& summary) {
  return std::any_of(fixes.begin(), fixes.end(), [&](const Fix& f) {
    return f.changes.size() == 1 && f.changes[0].summary.find(summary) != std::string::npos;
  });
}

// R2 binds profiles by R1's FQDN only, R1 sends its address (V1-11, V2-9): R1 -> R2 finds no
// profile. Two verified single fixes: R2 matches the address R1 sends, or R1 sends its FQDN.
TEST(AdviceFixes, AnUnmatchedIdentityIsFixedOnEitherSide) {
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = corpus("s1");
    s.ike_version = v;
    s.peers[0].profiles[0].self_identity = IdKind::Address;
    s.peers[1].profiles[0].match = {{IdKind::Fqdn, "R1.cisco.com", ""}};
    for (Peer& p : s.peers)  // every trustpoint in every profile: only the identity is at fault
      for (Profile& f : p.profiles) {
        f.trustpoints.clear();
        for (const Trustpoint& t : p.trustpoints) f.trustpoints.push_back({t.name, TrustpointUse::Both});
      }
    const ModelOptions o;
    ASSERT_FALSE(both_directions_up(s, o));
    const auto fixes = suggest_fixes(s, o, 10);
    const std::string kind = v == IkeVersion::V1 ? "isakmp" : "ikev2";
    const std::string match = v == IkeVersion::V1 ? "match identity address 192.168.0.1"
                                                  : "match identity remote address 192.168.0.1";
    EXPECT_TRUE(suggests(fixes, "add `" + match + "` to " + kind + " profile")) << int(v);
    EXPECT_TRUE(suggests(fixes, v == IkeVersion::V1 ? "send the FQDN `self-identity fqdn`"
                                                    : "send the FQDN `identity local fqdn R1.cisco.com`"))
        << int(v);
    for (const Fix& f : fixes) {  // what `check` prints is what it verified
      for (const auto& [c, applied] : candidate_changes(s)) {
        if (f.changes.size() == 1 && c.summary == f.changes[0].summary) {
          EXPECT_TRUE(both_directions_up(applied, o));
        }
      }
    }
  }
}

}  // namespace
}  // namespace ikeconform::testing
