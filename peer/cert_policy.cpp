#include "peer/cert_policy.hpp"

#include <algorithm>
#include <numeric>

namespace ikeconform::peer {

namespace {
std::vector<std::size_t> all_cas(const Credentials& c) {
  std::vector<std::size_t> out(c.cas().size());
  std::iota(out.begin(), out.end(), std::size_t{0});
  return out;
}
}  // namespace

std::vector<std::size_t> TrustAllPolicy::certreq(const Credentials& c, Role) const { return all_cas(c); }

std::optional<std::size_t> TrustAllPolicy::choose_certificate(const Credentials& c,
                                                              const std::vector<std::size_t>& requested, Role) const {
  if (c.own().empty()) return std::nullopt;
  for (std::size_t i = 0; i < c.own().size(); ++i) {
    const auto issuer = c.issuer_of(i);
    if (issuer && std::find(requested.begin(), requested.end(), *issuer) != requested.end()) return i;
  }
  return std::size_t{0};
}

std::vector<std::size_t> TrustAllPolicy::trust_anchors(const Credentials& c, Role) const { return all_cas(c); }

}  // namespace ikeconform::peer
