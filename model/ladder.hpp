// The message ladder of one direction, derived from its observation: what `check` prints and
// what the HTML report draws (MM1..MM6 / IKE_SA_INIT, IKE_AUTH with the CERT_REQ lists and choices).
#pragma once

#include <string>
#include <vector>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

struct LadderStep {
  std::string message;                // "MM3", "IKE_SA_INIT response"
  std::size_t from = 0;               // sending peer index
  std::string payloads;               // "KE NONCE CERT_REQ x7"
  std::vector<std::string> certreqs;  // "cn=CA1,o=cisco,o=com [IOSCA1]" in sent order
  std::vector<std::string> notes;     // what the receiver decided ("R2 chooses IOSCA1")
  bool failed = false;                // the step where the direction broke
};

std::vector<LadderStep> ladder(const Scenario& s, const Observation& o, const ModelOptions& opt);

// One or two sentences on why the direction failed, naming the spec rule; "" when it came up.
std::string decisive_step(const Scenario& s, const Observation& o, const ModelOptions& opt);

}  // namespace ikeconform
