#include "drivers/process/cleanup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ikeconform::cleanup {
namespace {

struct Entry {
  std::string label;
  std::function<void()> undo;
};

struct Registry {
  std::mutex mu;
  Token next = 1;
  std::map<Token, Entry> entries;  // token order = registration order
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: usable from the signal thread at exit
  return *r;
}

int g_signal_pipe[2] = {-1, -1};

// Async-signal-safe: only write(2). The helper thread does the real work.
extern "C" void on_signal(int sig) {
  const int saved = errno;
  const auto byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] ssize_t n = ::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

void signal_thread() {
  unsigned char byte = 0;
  while (::read(g_signal_pipe[0], &byte, 1) != 1) {
  }
  cleanup_all();
  // Die of the same signal so the parent shell sees the usual status.
  const int sig = byte;
  std::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

Token add(std::string label, std::function<void()> undo) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  const Token t = r.next++;
  r.entries.emplace(t, Entry{std::move(label), std::move(undo)});
  return t;
}

bool release(Token token) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  return r.entries.erase(token) == 1;
}

void cleanup_all() {
  std::vector<Entry> taken;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    for (auto it = r.entries.rbegin(); it != r.entries.rend(); ++it) taken.push_back(std::move(it->second));
    r.entries.clear();
  }
  for (Entry& e : taken) e.undo();  // outside the lock: undo actions may register/release others
}

std::size_t pending() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  return r.entries.size();
}

void install_cleanup_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (::pipe2(g_signal_pipe, O_CLOEXEC) != 0) return;
    std::thread(signal_thread).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;  // the interrupted thread carries on until the process dies
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  });
}

}  // namespace ikeconform::cleanup
