#include "drivers/mixed/mixed.hpp"

#include "drivers/libreswan/target.hpp"

namespace ikeconform::mixed {

namespace fs = std::filesystem;

stack::StackFactory strongswan_factory(StrongswanOptions o) {
  return [o](const netns::NetnsPair& net, std::size_t side, const fs::path& dir) -> std::unique_ptr<stack::PeerStack> {
    return std::make_unique<StrongswanPeer>(net, side, dir, o);
  };
}

stack::StackRegistry real_stacks(libreswan::PlutoOptions lo, StrongswanOptions so) {
  return {{kStrongswan, strongswan_factory(so)}, {libreswan::kPersonality, libreswan::libreswan_factory(std::move(lo))}};
}

Target::Target(std::size_t strongswan_side, stack::PairOptions o)
    : strongswan_side_(strongswan_side), runner_(real_stacks(), std::move(o)) {}

std::string Target::name() const {
  return strongswan_side_ == 0 ? std::string("mixed:") + kStrongswan + "+" + libreswan::kPersonality
                               : std::string("mixed:") + libreswan::kPersonality + "+" + kStrongswan;
}

Scenario Target::personalities(Scenario s) const {
  for (std::size_t i = 0; i < s.peers.size(); ++i)
    s.peers[i].personality = i == strongswan_side_ ? kStrongswan : libreswan::kPersonality;
  return s;
}

Observation Target::run(const Scenario& s, std::uint8_t initiator) { return runner_.run(personalities(s), initiator); }

Observation Target::run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator) {
  return runner_.run(personalities(s), pki, initiator);
}

}  // namespace ikeconform::mixed
