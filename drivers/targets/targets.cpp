#include "drivers/targets/targets.hpp"

#include <mutex>
#include <stdexcept>

#include "drivers/adapter/exec_target.hpp"
#include "drivers/cisco_ios/peer.hpp"
#include "drivers/libreswan/peer.hpp"
#include "drivers/strongswan/peer.hpp"

namespace ikeconform::targets {

std::vector<stack::StackKind> real_stacks() {
  return {
      strongswan::stack_kind(), libreswan::stack_kind(),
      cisco_ios::stack_kind(),  // our own engine (peer/), the emulated router of issue 12
  };
}

stack::StackKind stack_named(const std::string& name) {
  for (stack::StackKind& k : real_stacks())
    if (k.name == name) return k;
  throw std::invalid_argument("no real stack named '" + name + "'");
}

namespace {

stack::PairOptions pair_options(const TargetConfig& c) {
  stack::PairOptions o;
  o.base = c.temp_dir;
  o.keep_dirs = c.keep_dirs;
  o.key_cache = c.key_cache;
  return o;
}

void register_pair(const stack::StackKind& a, const stack::StackKind& b, std::string name) {
  register_target(name, true, [a, b, name](const std::string&, const TargetConfig& c) -> std::unique_ptr<Target> {
    if (!c.peer_bugs.empty() && !a.protocol_bugs && !b.protocol_bugs)
      throw std::invalid_argument("--peer-bug needs a target with an emulated side (cisco-ios), not '" + name + "'");
    auto t = std::make_unique<stack::PairTarget>(a, b, pair_options(c), stack::RenderContext{c.key_cache, c.temp_dir});
    t->set_peer_bugs(c.peer_bugs);
    return t;
  });
}

}  // namespace

void register_real_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    const std::vector<stack::StackKind> stacks = real_stacks();
    for (const stack::StackKind& a : stacks) register_pair(a, a, a.name);  // "strongswan", "libreswan"
    for (const stack::StackKind& a : stacks)
      for (const stack::StackKind& b : stacks)
        if (a.name != b.name) register_pair(a, b, a.name + "," + b.name);  // "strongswan,libreswan", ...
    // Spelled as a pair too ("cisco-ios,cisco-ios"): the same target as the name alone.
    for (const stack::StackKind& a : stacks) register_pair(a, a, a.name + "," + a.name);
    register_target("exec:", false, [](const std::string& name, const TargetConfig& c) -> std::unique_ptr<Target> {
      adapter::ExecOptions o;
      o.args = c.adapter_args;
      o.reply_timeout = c.adapter_timeout;
      o.temp_dir = c.temp_dir;
      o.key_cache = c.key_cache;
      return std::make_unique<adapter::ExecTarget>(name.substr(5), std::move(o));
    });
  });
}

}  // namespace ikeconform::targets
