// Process-wide cleanup registry: everything this process makes outside itself (namespaces,
// daemons, temporary folders) registers an undo action, so that Ctrl-C or SIGTERM removes it.
// RAII owners undo their own resource normally and only `release` their entry.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ikeconform::cleanup {

using Token = std::uint64_t;

// Registers `undo` (must not throw) under a human-readable label; returns its token.
Token add(std::string label, std::function<void()> undo);

// The owner is about to undo the resource itself. Returns false when cleanup_all() already took
// it (the owner must then not undo it again).
bool release(Token token);

// Runs every registered undo action, newest first, each at most once. Safe to call repeatedly.
void cleanup_all();

// Labels of the entries still registered (tests, diagnostics).
std::size_t pending();

// For the harness's main: on SIGINT, SIGTERM or SIGHUP run cleanup_all() on a helper thread
// (not in the signal handler: the undo actions fork and allocate), then die of the same signal.
// Idempotent.
void install_cleanup_handlers();

}  // namespace ikeconform::cleanup
