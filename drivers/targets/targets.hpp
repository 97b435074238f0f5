// The real targets behind make_target() (target/target.hpp). Every implementation is one
// stack::StackKind (a per-peer stack in drivers/<name>/); this file lists them, and
// register_real_targets() makes each a target on its own ("strongswan": both peers on it) and
// each ordered pair of two different ones ("strongswan,libreswan": peer 0 on strongSwan, peer 1
// on Libreswan), all as stack::PairTarget. Plus `exec:PATH` (an adapter process speaking
// ikeconform.adapter/1, drivers/adapter). The CLI calls register_real_targets() once.
#pragma once

#include <vector>

#include "drivers/stack/pair_target.hpp"

namespace ikeconform::targets {

// Every implementation the harness runs, one line each.
std::vector<stack::StackKind> real_stacks();

// The StackKind named `name` ("strongswan"); throws std::invalid_argument when there is none.
stack::StackKind stack_named(const std::string& name);

// Registers every real_stacks() entry, every ordered pair of two different ones, and "exec:"
// with make_target(). Idempotent.
void register_real_targets();

}  // namespace ikeconform::targets
