#include "fuzz/oracle_adapter.hpp"

namespace ikeconform::fuzz::oracles {

#if IKECONFORM_FUZZ_HAVE_ORACLES
#error "wire the oracles registry in here once oracles/ is merged"
#else
bool available() { return false; }
std::vector<Finding> check(const Scenario&, const ModelOptions&, const Observation (&)[2]) { return {}; }
#endif

}  // namespace ikeconform::fuzz::oracles
