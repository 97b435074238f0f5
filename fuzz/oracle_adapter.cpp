#include "fuzz/oracle_adapter.hpp"

#include <cstdlib>
#include <string>

#include "oracles/oracle.hpp"
#include "target/target.hpp"

namespace ikeconform::fuzz::oracles {

namespace {
// IKECONFORM_FUZZ_ORACLES="P-1,P-7" focuses a campaign (the planted-bug check uses P-1 alone);
// unset: every oracle.
std::vector<const Oracle*> selected_oracles() {
  const char* env = std::getenv("IKECONFORM_FUZZ_ORACLES");
  if (!env || !*env) return all_oracles();
  const std::string wanted = std::string(",") + env + ",";
  std::vector<const Oracle*> out;
  for (const Oracle* o : all_oracles())
    if (wanted.find("," + std::string(o->id()) + ",") != std::string::npos) out.push_back(o);
  return out;
}
}  // namespace

std::vector<Finding> check(const Scenario& s, const ModelOptions& o, const Observation (&obs)[2]) {
  // The claims are the Cisco note's: they speak about two cisco-ios peers (Oracle::targets()).
  for (const Peer& p : s.peers)
    if (p.personality != kCiscoIos) return {};
  // Metamorphic oracles run their related scenarios on the same model, with the same options.
  ModelTarget target(o);
  static const std::vector<const Oracle*> all = selected_oracles();
  const auto evaluations = evaluate_all(all, s, obs, target, o);
  std::vector<Finding> out;
  for (std::size_t i = 0; i < evaluations.size() && i < all.size(); ++i)
    if (evaluations[i].result.verdict == Verdict::Fail)
      out.push_back({std::string(all[i]->id()), evaluations[i].result.message});
  return out;
}

}  // namespace ikeconform::fuzz::oracles
