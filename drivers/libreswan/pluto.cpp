#include "drivers/libreswan/pluto.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "drivers/libreswan/render.hpp"
#include "drivers/netns/netns.hpp"

namespace ikeconform::libreswan {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

#ifndef IKECONFORM_LIBRESWAN_PREFIX
#define IKECONFORM_LIBRESWAN_PREFIX "third_party/libreswan"
#endif

fs::path libreswan_prefix() {
  if (const char* e = std::getenv("IKECONFORM_LIBRESWAN"); e && *e) return e;
  return IKECONFORM_LIBRESWAN_PREFIX;
}

std::string libreswan_unavailable() {
  const fs::path bin = libreswan_prefix() / "usr/libexec/ipsec";
  for (const char* t : {"pluto", "whack", "addconn"})
    if (!fs::exists(bin / t))
      return (bin / t).string() + " is missing: run scripts/bootstrap (it unpacks Debian's libreswan)";
  const process::RunResult r = process::run({(bin / "pluto").string(), "--version"}, {}, Millis{5000});
  if (r.out.find("Libreswan") == std::string::npos && r.err.find("Libreswan") == std::string::npos)
    return "pluto does not start: " + r.describe({"pluto", "--version"}) +
           " (missing libraries? apt-get install libldns3 libevent-pthreads-2.1-7 libunbound8)";
  return {};
}

Pluto::Pluto(const netns::NetnsPair& net, std::size_t side, fs::path dir, const stack::StackOptions& o, fs::path prefix)
    : net_(net), side_(side), dir_(std::move(dir)), o_(o), prefix_(std::move(prefix)) {
  fs::create_directories(rundir());
  fs::create_directories(nss_dir());
  // pluto reads `config setup` once, at start: it must be the real one from the beginning.
  process::write_file(dir_ / "ipsec.conf", render_config_setup());
  process::write_file(dir_ / "ipsec.secrets", "");
}

Pluto::~Pluto() { stop(); }

fs::path Pluto::tool(const char* name) const { return prefix_ / "usr/libexec/ipsec" / name; }

// pluto runs with the private libexec bind-mounted over /usr/libexec (in a mount namespace of
// its own, so the mount never reaches the host) inside the peer's network namespace: both
// entered by the child before exec (DaemonSpec::netns, bind_mounts), where `unshare`, `sh`,
// `mount --bind` and `ip netns exec` were four processes per start (two starts a scenario).
std::optional<int> Pluto::pid() const { return daemon_ ? std::optional<int>(daemon_->pid()) : std::nullopt; }

process::Argv Pluto::daemon_argv() const {
  return {tool("pluto").string(),
          "--nofork",
          "--stderrlog",
          "--config",
          (dir_ / "ipsec.conf").string(),
          "--rundir",
          rundir().string(),
          "--nssdir",
          nss_dir().string(),
          "--secretsfile",
          (dir_ / "ipsec.secrets").string(),
          "--ipsecdir",
          dir_.string(),
          "--dumpdir",
          rundir().string()};
}

void Pluto::start() {
  stop();
  const auto begin = Clock::now();
  // A crashed pluto leaves its lock and socket: a new one refuses to start over a pid file.
  fs::remove(rundir() / "pluto.pid");
  fs::remove(rundir() / "pluto.ctl");
  // pluto loads every `auto=add` connection of --config when it starts: the last scenario's
  // would come back under names the harness no longer deletes (and still match).
  process::write_file(dir_ / "ipsec.conf", render_config_setup());
  const std::uintmax_t offset = log_size();
  process::DaemonSpec spec;
  spec.name = fmt::format("pluto {} ({})", side_, net_.ns(side_));
  spec.argv = daemon_argv();
  spec.netns = net_.path(side_);
  spec.bind_mounts = {{prefix_ / "usr/libexec", "/usr/libexec"}};
  spec.log_file = log_file();
  spec.stop_grace = o_.stop_grace;
  spec.tail = 30;
  daemon_ = std::make_unique<process::Daemon>(std::move(spec));
  // Ready once it logged that it listens and whack gets an answer through the socket.
  daemon_->wait_ready(
      [&] {
        if (!fs::exists(rundir() / "pluto.ctl")) return false;
        std::uintmax_t at = offset;
        bool listening = false;
        for (const std::string& l : read_log(at))
          listening |= l.find("listening for IKE messages") != std::string::npos;
        if (!listening) return false;
        const process::RunResult r = whack({"--impair", "revival"});
        return r.ok();
      },
      o_.start_timeout, Millis{5});
  start_time_ = std::chrono::duration_cast<Millis>(Clock::now() - begin);
}

void Pluto::stop() {
  if (daemon_) daemon_->stop();
  daemon_.reset();
}

bool Pluto::alive() { return daemon_ && daemon_->alive(); }

std::string Pluto::report() {
  return daemon_ ? daemon_->report() : "pluto " + std::to_string(side_) + " is not running";
}

process::RunResult Pluto::whack(const process::Argv& args) const {
  process::Argv argv{tool("whack").string(), "--rundir", rundir().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return process::run(argv, {}, o_.control_timeout);
}

void Pluto::replace_connections(const std::vector<std::string>& old, const std::string& ipsec_conf,
                                const std::string& secrets) {
  const bool load = !ipsec_conf.empty();
  if (!load && old.empty()) return;
  if (load) {
    process::write_file(dir_ / "ipsec.conf", ipsec_conf);
    process::write_file(dir_ / "ipsec.secrets", secrets);
  }
  // $0 whack, $1 rundir, $2 addconn ("" = only delete), $3 config, then the names to delete.
  process::Argv argv{"sh",
                     "-c",
                     "w=$0; r=$1; a=$2; c=$3; shift 3; "
                     "for n in \"$@\"; do \"$w\" --rundir \"$r\" --delete --name \"$n\" >/dev/null; done; "
                     "[ -z \"$a\" ] || exec \"$a\" --ctlsocket \"$r/pluto.ctl\" --config \"$c\" --autoall",
                     tool("whack").string(),
                     rundir().string(),
                     load ? tool("addconn").string() : std::string(),
                     (dir_ / "ipsec.conf").string()};
  argv.insert(argv.end(), old.begin(), old.end());
  std::uintmax_t at = log_size();
  const process::RunResult r = process::run(argv, {}, o_.control_timeout * 2);
  // Exit statuses are as unreliable as whack's; the words of addconn and pluto are not
  // ("failed to add IKEv1 connection: global ikev1-policy does not allow IKEv1 connections").
  std::string text = r.out + r.err;
  for (const std::string& l : read_log(at))
    if (l.find("failed to add") != std::string::npos) text += "\npluto: " + l;
  if (r.timed_out || text.find("cannot load config") != std::string::npos ||
      text.find("failed to add") != std::string::npos || text.find("syntax error") != std::string::npos ||
      text.find("ERROR") != std::string::npos)
    throw std::runtime_error("loading connections failed: " + r.describe(argv) + "\n" + text);
}

void Pluto::terminate_connections(const std::vector<std::string>& names) {
  if (names.size() == 1) {  // the usual case (an alias): no shell
    const process::RunResult r = whack({"--name", names[0], "--terminate"});
    if (r.timed_out) throw std::runtime_error("terminating connections failed: " + r.describe({"whack"}));
    return;
  }
  process::Argv argv{"sh", "-c",
                     "w=$0; r=$1; shift; for n in \"$@\"; do \"$w\" --rundir \"$r\" --name \"$n\" --terminate "
                     ">/dev/null; done",
                     tool("whack").string(), rundir().string()};
  argv.insert(argv.end(), names.begin(), names.end());
  const process::RunResult r = process::run(argv, {}, o_.control_timeout * 2);
  if (r.timed_out) throw std::runtime_error("terminating connections failed: " + r.describe(argv));
}

std::uintmax_t Pluto::log_size() const { return process::file_size_or_zero(log_file()); }

std::vector<std::string> Pluto::read_log(std::uintmax_t& offset) const {
  return process::read_new_lines(log_file(), offset);
}

}  // namespace ikeconform::libreswan
