#include "campaign/targets.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <thread>

#include "drivers/netns/netns.hpp"
#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"
#include "drivers/targets/targets.hpp"
#include "model/input_error.hpp"
#include "model/protocol_bugs.hpp"

namespace ikeconform::campaign {

std::vector<std::unique_ptr<Target>> open_targets(const std::string& name, std::size_t n, const TargetConfig& config) {
  targets::register_real_targets();
  for (const std::string& b : config.peer_bugs)
    if (!find_protocol_bug(b))
      throw InputError("--peer-bug", 0, "unknown protocol bug '" + b + "' (known: " + protocol_bug_names() + ")");
  if (!config.peer_bugs.empty() && (name == "model" || name.rfind("exec:", 0) == 0))
    throw InputError("--peer-bug", 0,
                     "needs a target with an emulated side (cisco-ios, cisco-ios,strongswan, ...), not '" + name + "'");
  std::vector<std::unique_ptr<Target>> out;
  if (name != "model") {  // leftovers of killed runs: their pids are gone, so nothing live is touched
    netns::sweep_stale();
    process::sweep_stale_dirs(config.temp_dir);
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::unique_ptr<Target> t;
    try {
      t = make_target(name, config);
    } catch (const std::exception& e) {
      throw InputError("--target", 0, name + ": " + e.what());
    }
    if (!t) throw InputError("--target", 0, "unknown target '" + name + "' (known: " + known_targets() + ")");
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

std::atomic<bool> g_stop{false};
int g_pipe[2] = {-1, -1};

extern "C" void on_stop_signal(int sig) {  // async-signal-safe: one write(2)
  const int saved = errno;
  const auto byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);
  errno = saved;
}

// The first signal asks for a stop; a second tears everything down and dies of it. A 0 byte ends
// the thread when the command finishes normally.
void watch() {
  int seen = 0;
  for (;;) {
    unsigned char sig = 0;
    const ssize_t n = ::read(g_pipe[0], &sig, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1 || sig == 0) return;
    if (++seen == 1) {
      g_stop.store(true);
      continue;
    }
    cleanup::cleanup_all();
    std::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

std::thread g_watcher;
struct sigaction g_old[3];
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

StopSignals::StopSignals() {
  g_stop.store(false);
  if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;
  g_watcher = std::thread(watch);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &g_old[i]);
}

StopSignals::~StopSignals() {
  if (g_pipe[0] < 0) return;
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &g_old[i], nullptr);
  const unsigned char end = 0;
  [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &end, 1);
  g_watcher.join();
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

bool StopSignals::stop_requested() { return g_stop.load(); }

}  // namespace ikeconform::campaign
