// The harness side of ikeconform.adapter/1: the adapter runs as a child process (Boost.Process),
// requests go down its stdin, replies come up its stdout, each read bounded by a deadline.
#include "drivers/adapter/exec_target.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/child_setup.hpp"
#include "drivers/process/process.hpp"
#include "model/input_error.hpp"
#include "model/observation_json.hpp"

namespace ikeconform::adapter {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

int take_fd(int fd) {
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

std::string status_text(int raw) {
  if (WIFEXITED(raw)) return "exited with status " + std::to_string(WEXITSTATUS(raw));
  if (WIFSIGNALED(raw)) {
    const char* n = sigabbrev_np(WTERMSIG(raw));
    return std::string("was killed by signal ") + (n ? n : "?");
  }
  return "stopped";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// One running adapter: pid, the two pipe ends the harness holds, the stderr log.

class ExecTarget::Process {
 public:
  Process(const std::string& path, const std::vector<std::string>& args, const fs::path& stderr_file)
      : stderr_(stderr_file) {
    const fs::path exe = path.find('/') == std::string::npos ? fs::path(bp::search_path(path).string())
                                                             : fs::path(path);
    if (exe.empty() || ::access(exe.c_str(), X_OK) != 0)
      throw AdapterError("adapter '" + path + "' is not an executable file");
    const int err_fd = ::open(stderr_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (err_fd < 0) throw AdapterError("cannot open " + stderr_.string() + ": " + std::strerror(errno));
    bp::pipe to_child, from_child;
    process::ChildSetup setup;  // stdout stays the pipe to the harness
    setup.stderr_fd = err_fd;
    std::error_code ec;
    bp::child child(bp::exe = exe.string(), bp::args = args, bp::std_in<to_child, bp::std_out> from_child, setup, ec);
    ::close(err_fd);
    if (ec) throw AdapterError("cannot start adapter " + exe.string() + ": " + ec.message());
    pid_ = child.id();
    child.detach();  // reaped here, with a deadline
    in_ = take_fd(to_child.native_sink());
    to_child.assign_sink(-1);
    out_ = take_fd(from_child.native_source());
    from_child.assign_source(-1);
    const int pid = pid_;
    token_ = cleanup::add("adapter " + exe.string(), [pid] { process::terminate_group(pid, Millis{2000}); });
  }

  ~Process() { kill_now(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  int pid() const { return pid_; }

  void send(const std::string& line, Clock::time_point deadline) {
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(in_, line.data() + done, line.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN)
        throw AdapterError(gone("stopped reading its input (" + std::string(std::strerror(errno)) + ")"));
      wait_fd(in_, POLLOUT, deadline, "did not read its input");
    }
  }

  std::string read_line(Clock::time_point deadline, const std::string& waiting_for) {
    for (;;) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      if (buffer_.size() > kMaxLine)
        throw AdapterError("adapter wrote a line longer than " + std::to_string(kMaxLine) + " bytes");
      char chunk[65536];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) throw AdapterError(gone("closed its output while the harness waited for " + waiting_for));
      if (errno == EINTR) continue;
      if (errno != EAGAIN) throw AdapterError(gone(std::string("output: ") + std::strerror(errno)));
      wait_fd(out_, POLLIN, deadline, "did not answer " + waiting_for);
    }
  }

  // Waits up to `grace` for the adapter to exit by itself; true when it did.
  bool wait_exit(Millis grace) {
    const auto deadline = Clock::now() + grace;
    while (Clock::now() < deadline) {
      if (reap(false)) return true;
      std::this_thread::sleep_for(Millis{10});
    }
    return reap(false);
  }

  // SIGTERM to the group, then SIGKILL; reaps. What it left behind is swept by the caller.
  void kill_now() {
    if (pid_ < 0) return;
    close_pipes();
    if (!reap(false)) {
      process::terminate_group(pid_, Millis{3000});
      reap(true);
    }
    ::killpg(pid_, SIGKILL);  // stragglers in its group
    cleanup::release(token_);
    pid_ = -1;
  }

  void close_pipes() {
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    in_ = out_ = -1;
  }

  // Exited by itself with status 0 (not killed by a signal: then its cleanup did not run).
  bool exited_cleanly() {
    reap(false);
    return status_ && WIFEXITED(*status_) && WEXITSTATUS(*status_) == 0;
  }

  std::string status() {
    reap(false);
    return status_ ? status_text(*status_) : "is still running";
  }

 private:
  bool reap(bool block) {
    if (status_) return true;
    int raw = 0;
    const int r = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
    if (r == pid_) status_ = raw;
    return r == pid_ || (r < 0 && errno == ECHILD);
  }

  void wait_fd(int fd, short events, Clock::time_point deadline, const std::string& what) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) throw AdapterError("adapter " + what + " in time");
    if (r < 0 && errno != EINTR) throw AdapterError(std::string("poll: ") + std::strerror(errno));
  }

  std::string gone(const std::string& what) {
    wait_exit(Millis{200});  // let a dying adapter finish so its status is known
    return "adapter " + what + "; it " + status();
  }

  fs::path stderr_;
  int pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
  std::optional<int> status_;
  cleanup::Token token_ = 0;
};

// ---------------------------------------------------------------------------------------------
// ExecTarget

namespace {

template <class T>
const T* as(const AdapterMessage& m) {
  return std::get_if<T>(&m);
}

}  // namespace

ExecTarget::ExecTarget(std::string path, ExecOptions o) : path_(std::move(path)), opts_(std::move(o)) {
  std::signal(SIGPIPE, SIG_IGN);  // a dead adapter's stdin must be an EPIPE, not the end of the harness
  dir_ = std::make_unique<process::TempDir>(opts_.temp_dir, process::run_prefix() + "-adapter-");
  start();
}

ExecTarget::~ExecTarget() { stop_adapter(true); }

int ExecTarget::pid() const { return proc_ ? proc_->pid() : -1; }

void ExecTarget::start() {
  stderr_file_ = dir_->path() / ("stderr-" + std::to_string(restarts_) + ".log");
  const fs::path& err = stderr_file_;
  proc_ = std::make_unique<Process>(path_, opts_.args, err);
  held_.reset();
  held_unsupported_.reset();
  try {
    const AdapterMessage reply = request(Hello{kProtocol, "ikeconform 0.1.0"}, opts_.hello_timeout);
    const auto* h = as<AdapterHello>(reply);
    if (!h) throw AdapterError("adapter answered hello with something else");
    if (!compatible(h->protocol)) throw AdapterError("adapter speaks " + h->protocol + ", the harness " + kProtocol);
    hello_ = *h;
  } catch (const AdapterError& e) {
    const std::string tail = process::tail_lines(err, opts_.stderr_tail);
    stop_adapter(false);
    throw AdapterError(std::string(e.what()) + (tail.empty() ? "" : "\n--- adapter stderr:\n" + tail));
  }
  if (capture_) set_capture(capture_);  // a restarted adapter goes on capturing where the old one stopped
}

void ExecTarget::stop_adapter(bool graceful) {
  if (!proc_) return;
  if (graceful) {
    try {
      const auto deadline = Clock::now() + opts_.stop_timeout;
      proc_->send(to_line(HarnessMessage{Bye{}}), Clock::now() + Millis{1000});
      // Wait for its answer before closing: an adapter writing `bye` into a pipe already closed
      // dies of SIGPIPE before its own cleanup (namespaces, daemons, folders) could run.
      try {
        (void)proc_->read_line(deadline, "'bye'");
      } catch (const AdapterError&) {  // no answer, or it ended: EOF and the wait below decide
      }
      proc_->close_pipes();  // EOF after bye: an adapter that ignores bye still ends
      graceful = proc_->wait_exit(opts_.stop_timeout) && proc_->exited_cleanly();
    } catch (const AdapterError&) {
      graceful = false;
    }
  }
  proc_->kill_now();
  proc_.reset();
  held_.reset();
  if (!graceful) {  // it may have left namespaces, daemons and folders named after its pid
    netns::sweep_stale();
    process::sweep_stale_dirs(opts_.temp_dir);
  }
}

AdapterMessage ExecTarget::request(const HarnessMessage& m, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  static constexpr const char* kNames[] = {"hello", "scenario", "run", "capture", "render", "bye"};
  const std::string type = kNames[m.index()];
  proc_->send(to_line(m), deadline);
  const std::string reply = proc_->read_line(deadline, "'" + type + "'");
  try {
    return parse_adapter_message(reply);
  } catch (const ProtocolError& e) {
    throw AdapterError("adapter answered '" + type + "' with a line that is not ikeconform.adapter/1 (" + e.what() +
                       "): " + reply.substr(0, 200));
  }
}

std::optional<PkiFiles> ExecTarget::pki_for(const Scenario& s) {
  if (!hello_.pki) return std::nullopt;
  Scenario key = pki::pki_part(s);
  if (pki_ && pki_scenario_ && key == *pki_scenario_) return pki_;
  if (!keys_)
    keys_ = std::make_unique<pki::KeyCache>(opts_.key_cache.empty() ? pki::KeyCache::default_dir() : opts_.key_cache);
  pki_dir_.reset();
  pki_dir_ = std::make_unique<process::TempDir>(opts_.temp_dir, process::run_prefix() + "-pki-");
  pki::PkiOptions po;
  po.p12 = hello_.p12;
  const pki::Pki made = pki::make_pki(s, pki_dir_->path(), *keys_, po);
  PkiFiles f;
  f.dir = made.dir.string();
  for (const pki::CaMaterial& c : made.cas)
    f.cas.push_back({c.id, c.ios_dn, c.cert_file.string(), c.key_file.string()});
  for (const pki::IdentityMaterial& c : made.certs)
    f.certs.push_back({c.peer, c.trustpoint, c.ca, c.ios_subject, c.cert_file.string(), c.key_file.string(),
                       hello_.p12 ? c.p12_file.string() : std::string()});
  pki_ = std::move(f);
  pki_scenario_ = std::move(key);
  return pki_;
}

std::optional<std::string> ExecTarget::prepare(const Scenario& s) {
  if (!proc_) {
    ++restarts_;
    start();
  }
  if (held_ && *held_ == s) return held_unsupported_;
  ScenarioRequest r;
  r.id = next_id_++;
  r.scenario = s;
  r.pki = pki_for(s);
  held_.reset();
  const AdapterMessage reply = request(r, opts_.reply_timeout);
  held_unsupported_.reset();
  if (const auto* u = as<Unsupported>(reply); u && u->id == r.id) {
    held_unsupported_ = u->reason;
  } else if (const auto* e = as<ErrorReply>(reply)) {
    throw std::runtime_error("adapter refused the scenario: " + e->message);
  } else if (const auto* ready = as<Ready>(reply); !ready || ready->id != r.id) {
    throw AdapterError("adapter answered 'scenario' " + std::to_string(r.id) +
                       " with neither ready nor unsupported for it");
  }
  held_ = s;
  held_id_ = r.id;
  return held_unsupported_;
}

Observation ExecTarget::failed(const Scenario& s, std::uint8_t initiator, const std::string& what) {
  std::string text = "adapter: " + what;
  if (proc_) proc_->wait_exit(Millis{100});  // a dying adapter's last words
  if (const std::string tail = process::tail_lines(stderr_file_, opts_.stderr_tail); !tail.empty())
    text += "\n--- adapter stderr (last lines):\n" + tail;
  return not_attempted(s, initiator, Reason::InternalError, text);
}

Observation ExecTarget::run(const Scenario& s, std::uint8_t initiator) {
  try {
    if (auto why = prepare(s)) return not_attempted(s, initiator, Reason::Unsupported, "adapter: unsupported: " + *why);
    const AdapterMessage reply = request(RunRequest{held_id_, initiator}, opts_.reply_timeout);
    if (const auto* e = as<ErrorReply>(reply))
      return failed(s, initiator, "error: " + e->message);  // handled: the adapter lives on
    const auto* o = as<ObservationReply>(reply);
    if (!o || o->id != held_id_)
      throw AdapterError("adapter answered 'run' without the observation of scenario " + std::to_string(held_id_));
    Observation obs = observation_from_json(s, o->observation, "adapter observation");
    if (obs.initiator != initiator) throw AdapterError("adapter reported a run initiated by the other peer");
    return obs;
  } catch (const AdapterError& e) {
    Observation out = failed(s, initiator, e.what());
    stop_adapter(false);  // out of step or dead: a fresh one for the next scenario
    return out;
  } catch (const InputError& e) {  // an observation that does not name the scenario's objects
    return failed(s, initiator, std::string("malformed observation: ") + e.what());
  } catch (const std::exception& e) {  // the harness's own trouble (PKI) or a refused scenario
    return failed(s, initiator, e.what());
  }
}

std::optional<std::string> ExecTarget::version() {
  if (!hello_.version.empty()) return hello_.version;
  return std::nullopt;
}

std::vector<RenderedFile> ExecTarget::render(const Scenario& s) {
  const auto& caps = hello_.capabilities;
  if (std::find(caps.begin(), caps.end(), "render") == caps.end()) return {};
  try {
    if (prepare(s)) return {};
    const AdapterMessage reply = request(RenderRequest{held_id_}, opts_.reply_timeout);
    if (const auto* r = as<Rendering>(reply); r && r->id == held_id_) return r->files;
  } catch (const AdapterError&) {
    stop_adapter(false);
  } catch (const std::exception&) {
  }
  return {};
}

bool ExecTarget::set_capture(const std::optional<fs::path>& file) {
  const auto& caps = hello_.capabilities;
  if (std::find(caps.begin(), caps.end(), "capture") == caps.end()) return false;
  capture_ = file;
  if (!proc_) return true;  // the next start sends it
  try {
    const AdapterMessage reply = request(CaptureRequest{file ? std::optional(fs::absolute(*file).string())
                                                             : std::nullopt},
                                         opts_.reply_timeout);
    return as<Ok>(reply) != nullptr;
  } catch (const AdapterError&) {
    stop_adapter(false);
    return false;
  }
}

}  // namespace ikeconform::adapter
