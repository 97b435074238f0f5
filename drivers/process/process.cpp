#include "drivers/process/process.hpp"

#include "drivers/process/child_setup.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace ikeconform::process {
namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

fs::path resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  fs::path found = bp::search_path(program).string();
  if (found.empty()) throw ProcessError("program not found on PATH: " + program);
  return found;
}

bp::environment make_env(const Env& extra) {
  bp::environment env = boost::this_process::environment();
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

std::string to_string(const boost::asio::streambuf& buf) {
  auto data = buf.data();
  return {boost::asio::buffers_begin(data), boost::asio::buffers_end(data)};
}

// Polls waitpid until the child exits or the deadline passes. Returns its raw status.
std::optional<int> wait_until(int pid, Clock::time_point deadline) {
  auto pause = std::chrono::microseconds(200);
  for (;;) {
    int status = 0;
    const int r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return std::nullopt;  // not ours any more
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
}

}  // namespace

// For the cleanup registry: no reaping (the owner may still wait for it), just signals.
void terminate_group(int pgid, milliseconds grace) {
  ::killpg(pgid, SIGTERM);
  const auto deadline = Clock::now() + grace;
  while (pid_alive(pgid) && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
  ::killpg(pgid, SIGKILL);
}

namespace {

milliseconds since(Clock::time_point start) { return std::chrono::duration_cast<milliseconds>(Clock::now() - start); }

}  // namespace

std::string quote(const Argv& argv) {
  std::string s;
  for (const std::string& a : argv) {
    if (!s.empty()) s += ' ';
    const bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`*?;&|<>()[]{}") == std::string::npos;
    s += plain ? a : "'" + a + "'";
  }
  return s;
}

std::string RunResult::describe(const Argv& argv) const {
  std::string s = quote(argv) + ": ";
  s += timed_out ? "timed out after " + std::to_string(elapsed.count()) + " ms" : "exit " + std::to_string(exit_code);
  const std::string& detail = err.empty() ? out : err;
  if (!detail.empty()) s += ": " + detail.substr(0, 2000);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

RunResult run(const Argv& argv, const Env& env, milliseconds timeout) {
  if (argv.empty()) throw ProcessError("run: empty command");
  const fs::path exe = resolve(argv[0]);
  boost::asio::streambuf out, err;  // declared before the io_context: they outlive its handlers
  boost::asio::io_context ioc;
  const auto start = Clock::now();
  std::error_code ec;
  bp::child child(bp::exe = exe.string(), bp::args = Argv(argv.begin() + 1, argv.end()), make_env(env),
                  bp::std_in<bp::null, bp::std_out> out, bp::std_err > err, ioc, ChildSetup{}, ec);
  if (ec) throw ProcessError("cannot start " + quote(argv) + ": " + ec.message());
  const int pid = child.id();
  child.detach();  // we reap it ourselves
  const cleanup::Token token = cleanup::add("process " + quote(argv), [pid] { ::killpg(pid, SIGKILL); });

  RunResult r;
  const auto deadline = start + timeout;
  ioc.run_for(timeout);  // returns when both pipes reached EOF, or at the timeout
  std::optional<int> status = wait_until(pid, deadline);
  if (!status) {
    r.timed_out = true;
    ::killpg(pid, SIGKILL);
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    }
    status = raw;
    ioc.restart();
    ioc.run_for(milliseconds(100));  // what the killed group had already written
  }
  cleanup::release(token);
  r.exit_code = decode_status(*status);
  r.out = to_string(out);
  r.err = to_string(err);
  r.elapsed = since(start);
  return r;
}

RunResult check_run(const Argv& argv, const Env& env, milliseconds timeout) {
  RunResult r = run(argv, env, timeout);
  if (!r.ok()) throw ProcessError(r.describe(argv));
  return r;
}

std::optional<std::string> version_from(const Argv& argv, const std::string& word) {
  try {
    const RunResult r = run(argv, {}, milliseconds{5000});
    const std::string text = r.out + r.err;
    const auto at = text.find(word);
    if (at == std::string::npos) return std::nullopt;
    const auto space = text.find(' ', at);
    if (space == std::string::npos) return std::nullopt;
    const auto end = text.find_first_of(" \n", space + 1);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f.flush()) throw std::runtime_error("cannot write " + file.string());
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::uintmax_t file_size_or_zero(const fs::path& file) {
  std::error_code ec;
  const auto n = fs::file_size(file, ec);
  return ec ? 0 : n;
}

std::vector<std::string> read_new_lines(const fs::path& file, std::uintmax_t& offset) {
  std::vector<std::string> out;
  std::ifstream f(file, std::ios::binary);
  if (!f) return out;
  f.seekg(static_cast<std::streamoff>(offset));
  std::string line;
  while (std::getline(f, line)) {
    if (f.eof()) break;  // no newline yet: the daemon is still writing it; read it next time
    offset += line.size() + 1;
    out.push_back(std::move(line));
  }
  return out;
}

std::string tail_lines(const fs::path& file, std::size_t n) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  constexpr std::streamoff kWindow = 64 * 1024;  // long logs: only their end matters
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(size > kWindow ? size - kWindow : 0);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::size_t begin = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto nl = begin == 0 ? std::string::npos : text.rfind('\n', begin - 1);
    if (nl == std::string::npos) return text;
    begin = nl;
  }
  return n == 0 ? std::string() : text.substr(begin + 1);
}

bool pid_alive(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return false;
  const auto paren = stat.rfind(')');  // the command name may contain spaces and parentheses
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  const char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

std::string run_prefix() {
  static std::mutex mu;
  static int owner = 0;  // a forked child gets a prefix of its own (it is another run)
  static std::string prefix;
  std::lock_guard lock(mu);
  if (owner != ::getpid()) {
    owner = ::getpid();
    std::random_device rd;
    char buf[32];
    std::snprintf(buf, sizeof buf, "ikc%dx%04x", owner, rd() & 0xffffU);
    prefix = buf;
  }
  return prefix;
}

std::optional<int> run_prefix_pid(const std::string& name) {
  if (name.rfind("ikc", 0) != 0) return std::nullopt;
  std::size_t i = 3;
  long pid = 0;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])) && pid < 100000000)
    pid = pid * 10 + (name[i++] - '0');
  if (i == 3 || i >= name.size() || name[i] != 'x' || pid <= 0) return std::nullopt;
  return static_cast<int>(pid);
}

bool is_stale(const std::string& name) {
  const auto pid = run_prefix_pid(name);
  return pid && *pid != ::getpid() && !pid_alive(*pid);
}

std::size_t sweep_stale_dirs(const fs::path& base) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const fs::path& b : {base, scratch_base()}) {
    if (b != base && fs::equivalent(b, base, ec)) continue;
    for (const auto& entry : fs::directory_iterator(b, ec)) {
      if (!entry.is_directory(ec) || !is_stale(entry.path().filename().string())) continue;
      fs::remove_all(entry.path(), ec);
      ++removed;
    }
  }
  return removed;
}

const fs::path& scratch_base() {
  static const fs::path base = [] {
    struct statfs st {};
    if (::statfs("/dev/shm", &st) == 0 && st.f_type == TMPFS_MAGIC && ::access("/dev/shm", W_OK | X_OK) == 0)
      return fs::path("/dev/shm");
    return fs::temp_directory_path();
  }();
  return base;
}

// ---- Daemon ----

Daemon::Daemon(DaemonSpec spec) : spec_(std::move(spec)) {
  if (spec_.argv.empty()) throw ProcessError("daemon " + spec_.name + ": empty command");
  const fs::path exe = resolve(spec_.argv[0]);
  if (spec_.log_file.has_parent_path()) fs::create_directories(spec_.log_file.parent_path());
  const int fd = ::open(spec_.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw ProcessError("daemon " + spec_.name + ": cannot open " + spec_.log_file.string());
  int netns_fd = -1;
  if (!spec_.netns.empty()) {
    netns_fd = ::open(spec_.netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (netns_fd < 0) {
      const int e = errno;
      ::close(fd);
      throw ProcessError("daemon " + spec_.name + ": cannot open " + spec_.netns.string() + ": " + std::strerror(e));
    }
  }
  std::error_code ec;
  ChildSetup setup;
  setup.stdout_fd = setup.stderr_fd = fd;
  setup.netns_fd = netns_fd;
  setup.bind_mounts = &spec_.bind_mounts;
  bp::child child(bp::exe = exe.string(), bp::args = Argv(spec_.argv.begin() + 1, spec_.argv.end()),
                  make_env(spec_.env), bp::std_in < bp::null, setup, ec);
  ::close(fd);
  if (netns_fd >= 0) ::close(netns_fd);
  if (ec) throw ProcessError("cannot start " + spec_.name + " (" + quote(spec_.argv) + "): " + ec.message());
  pid_ = child.id();
  child.detach();
  const int pid = pid_;
  const milliseconds grace = std::min(spec_.stop_grace, milliseconds(1000));
  token_ = cleanup::add("daemon " + spec_.name, [pid, grace] { terminate_group(pid, grace); });
}

Daemon::~Daemon() { stop(); }

bool Daemon::alive() {
  if (status_) return false;
  int raw = 0;
  const int r = ::waitpid(pid_, &raw, WNOHANG);
  if (r == 0) return true;
  status_ = r == pid_ ? decode_status(raw) : -1;  // -1: reaped elsewhere, status unknown
  return false;
}

std::optional<int> Daemon::exit_code() {
  alive();
  return status_;
}

std::string Daemon::report() {
  std::string s = spec_.name + " (pid " + std::to_string(pid_) + ")";
  if (alive()) {
    s += " is running";
  } else if (*status_ > 128) {
    const char* name = sigabbrev_np(*status_ - 128);
    s += " was killed by signal " + std::string(name ? name : "?") + " (status " + std::to_string(*status_) + ")";
  } else {
    s += " exited with status " + std::to_string(*status_);
  }
  std::string command;  // what was started, for a person reproducing it by hand
  for (const std::string& a : spec_.argv) command += (command.empty() ? "" : " ") + a;
  s += "\n--- command: " + command;
  std::vector<fs::path> logs{spec_.log_file};
  logs.insert(logs.end(), spec_.more_logs.begin(), spec_.more_logs.end());
  for (const fs::path& log : logs) {
    const std::string tail = tail_lines(log, spec_.tail);
    s += "\n--- last lines of " + log.string() + (tail.empty() ? " (empty)" : ":\n" + tail);
  }
  return s;
}

void Daemon::check_alive() {
  if (!alive()) throw ProcessError(report());
}

milliseconds Daemon::wait_ready(const std::function<bool()>& probe, milliseconds timeout, milliseconds interval) {
  const auto start = Clock::now();
  for (;;) {
    check_alive();
    if (probe()) return since(start);
    if (Clock::now() - start >= timeout) {
      throw ProcessError(spec_.name + " not ready after " + std::to_string(timeout.count()) + " ms: " + report());
    }
    std::this_thread::sleep_for(interval);
  }
}

int Daemon::stop() {
  if (pid_ < 0) return -1;
  cleanup::release(token_);
  if (alive()) {
    ::killpg(pid_, SIGTERM);
    if (auto raw = wait_until(pid_, Clock::now() + spec_.stop_grace)) {
      status_ = decode_status(*raw);
    } else {
      ::killpg(pid_, SIGKILL);
      int raw2 = 0;
      while (::waitpid(pid_, &raw2, 0) < 0 && errno == EINTR) {
      }
      status_ = decode_status(raw2);
    }
  }
  ::killpg(pid_, SIGKILL);  // children it left behind in its group
  return *status_;
}

// ---- TempDir ----

TempDir::TempDir(const fs::path& base, const std::string& prefix) {
  fs::create_directories(base);
  std::string templ = (base / (prefix + "XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) throw ProcessError("mkdtemp " + templ + ": " + std::strerror(errno));
  path_ = templ;
  token_ = cleanup::add("temp dir " + templ, [p = path_] {
    std::error_code ec;
    fs::remove_all(p, ec);
  });
}

TempDir::~TempDir() {
  if (path_.empty() || !cleanup::release(token_)) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::keep() { cleanup::release(token_); }  // the destructor then finds no entry

}  // namespace ikeconform::process
