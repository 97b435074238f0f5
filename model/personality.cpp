#include "model/personality.hpp"

#include <array>

namespace ikeconform {

// Each personality lives in its own file and exposes one accessor.
const Personality& cisco_ios_personality();
const Personality& strongswan_personality();
const Personality& libreswan_personality();

namespace {
const std::array<const Personality*, 3>& registry() {
  static const std::array<const Personality*, 3> all{&cisco_ios_personality(), &strongswan_personality(),
                                                     &libreswan_personality()};
  return all;
}
}  // namespace

const Personality* find_personality(std::string_view name) {
  for (const Personality* p : registry())
    if (p->name() == name) return p;
  return nullptr;
}

std::vector<std::string_view> personality_names() {
  std::vector<std::string_view> out;
  for (const Personality* p : registry()) out.push_back(p->name());
  return out;
}

}  // namespace ikeconform
