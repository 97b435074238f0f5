// Process runner, daemon supervision, temporary folders and the cleanup registry.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"

namespace ikeconform::process {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(ProcessRun, CapturesOutputAndStatus) {
  const RunResult r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(run({"true"}).ok());
}

TEST(ProcessRun, PassesEnvironment) {
  EXPECT_EQ(run({"sh", "-c", "echo $IKC_TEST"}, {{"IKC_TEST", "v1"}}).out, "v1\n");
}

TEST(ProcessRun, MissingProgramThrows) {
  EXPECT_THROW(run({"ikeconform-no-such-program"}), ProcessError);
  EXPECT_THROW(check_run({"false"}), ProcessError);
}

TEST(ProcessRun, TimeoutKillsTheWholeGroup) {
  // The grandchild writes its pid first; after the timeout it must be gone too.
  const RunResult r = run({"sh", "-c", "sleep 30 & echo $!; wait"}, {}, 300ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.elapsed, 3000ms);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  const int grandchild = std::stoi(r.out);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pid_alive(grandchild));
}

TEST(ProcessRun, ChildrenInheritNoOtherDescriptors) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // deliberately without O_CLOEXEC
  const RunResult r = run({"sh", "-c", "ls /proc/self/fd"});
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(r.out.find("\n" + std::to_string(fds[1]) + "\n"), std::string::npos) << r.out;
}

// A long-lived daemon started meanwhile must not hold a short command's pipes open.
TEST(ProcessRun, ConcurrentDaemonDoesNotDelayRuns) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  std::atomic<bool> stop{false};
  std::thread runner([&] {
    while (!stop) EXPECT_LT(run({"true"}, {}, 5s).elapsed, 2000ms);
  });
  std::vector<std::unique_ptr<Daemon>> daemons;
  for (int i = 0; i < 10; ++i) {
    DaemonSpec spec{"sleeper", {"sleep", "100"}, {}, dir.path() / "log", {}, 500ms, 5, {}, {}};
    daemons.push_back(std::make_unique<Daemon>(spec));
  }
  stop = true;
  runner.join();
}

TEST(ProcessRun, LargeOutput) {
  const RunResult r = run({"sh", "-c", "head -c 1000000 /dev/zero"});
  EXPECT_EQ(r.out.size(), 1000000U);
}

TEST(ProcessText, TailAndQuote) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  const fs::path log = dir.path() / "log";
  std::ofstream(log) << "a\nb\nc\nd\n";
  EXPECT_EQ(tail_lines(log, 2), "c\nd");
  EXPECT_EQ(tail_lines(log, 10), "a\nb\nc\nd");
  EXPECT_EQ(tail_lines(dir.path() / "missing", 3), "");
  EXPECT_EQ(quote({"ip", "netns", "exec", "a b"}), "ip netns exec 'a b'");
}

DaemonSpec sh_daemon(const fs::path& dir, const std::string& script) {
  DaemonSpec spec;
  spec.name = "test daemon";
  spec.argv = {"sh", "-c", script};
  spec.log_file = dir / "daemon.log";
  spec.stop_grace = 500ms;
  return spec;
}

TEST(ProcessDaemon, CrashIsDetectedWithLogTail) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  Daemon d(sh_daemon(dir.path(), "echo starting; echo 'loaded plugins'; exec sleep 100"));
  d.wait_ready([&] { return tail_lines(dir.path() / "daemon.log", 1) == "loaded plugins"; }, 5s);
  EXPECT_TRUE(d.alive());
  ::kill(d.pid(), SIGKILL);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(d.alive());
  EXPECT_EQ(d.exit_code(), 128 + SIGKILL);
  try {
    d.check_alive();
    FAIL() << "check_alive() did not throw";
  } catch (const ProcessError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("killed by signal KILL"), std::string::npos) << what;
    EXPECT_NE(what.find("loaded plugins"), std::string::npos) << what;
  }
}

TEST(ProcessDaemon, DeathBeforeReadinessReportsStatusAndStderr) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  Daemon d(sh_daemon(dir.path(), "echo 'unmet dependency' >&2; exit 3"));
  try {
    d.wait_ready([] { return false; }, 5s);
    FAIL() << "wait_ready() did not throw";
  } catch (const ProcessError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exited with status 3"), std::string::npos) << what;
    EXPECT_NE(what.find("unmet dependency"), std::string::npos) << what;
  }
}

TEST(ProcessDaemon, ReadinessTimeout) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  Daemon d(sh_daemon(dir.path(), "exec sleep 100"));
  EXPECT_THROW(d.wait_ready([] { return false; }, 100ms), ProcessError);
}

TEST(ProcessDaemon, StopEscalatesToSigkill) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  Daemon d(sh_daemon(dir.path(), "trap '' TERM; echo ready; while :; do sleep 0.05; done"));
  d.wait_ready([&] { return tail_lines(dir.path() / "daemon.log", 1) == "ready"; }, 5s);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(d.stop(), 128 + SIGKILL);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 450ms);
  EXPECT_FALSE(pid_alive(d.pid()));
}

TEST(ProcessDaemon, DestructorStopsIt) {
  TempDir dir(fs::temp_directory_path(), "proc-");
  int pid = 0;
  {
    Daemon d(sh_daemon(dir.path(), "exec sleep 100"));
    pid = d.pid();
    EXPECT_TRUE(pid_alive(pid));
  }
  EXPECT_FALSE(pid_alive(pid));
}

TEST(ProcessTempDir, RemovedByDestructorUnlessKept) {
  fs::path p, kept;
  {
    TempDir t(fs::temp_directory_path(), "proc-");
    p = t.path();
    std::ofstream(p / "f") << "x";
  }
  EXPECT_FALSE(fs::exists(p));
  {
    TempDir t(fs::temp_directory_path(), "proc-");
    kept = t.path();
    t.keep();
  }
  EXPECT_TRUE(fs::exists(kept));
  fs::remove_all(kept);
}

TEST(ProcessCleanup, CleanupAllRemovesDirsAndKillsDaemons) {
  const std::size_t before = cleanup::pending();
  auto dir = std::make_unique<TempDir>(fs::temp_directory_path(), "proc-");
  auto d = std::make_unique<Daemon>(sh_daemon(dir->path(), "exec sleep 100"));
  EXPECT_EQ(cleanup::pending(), before + 2);
  const fs::path p = dir->path();
  const int pid = d->pid();
  cleanup::cleanup_all();
  EXPECT_EQ(cleanup::pending(), 0U);
  EXPECT_FALSE(fs::exists(p));
  d.reset();  // the owner still reaps; must not hang or throw
  dir.reset();
  EXPECT_FALSE(pid_alive(pid));
}

TEST(ProcessCleanup, RunPrefixNamesThisProcess) {
  EXPECT_EQ(run_prefix_pid(run_prefix()), ::getpid());
  EXPECT_LE(run_prefix().size(), 15U);
  EXPECT_EQ(run_prefix_pid("ikc123x00ffn0a"), 123);
  EXPECT_FALSE(run_prefix_pid("ikcx1"));
  EXPECT_FALSE(run_prefix_pid("other"));
  EXPECT_FALSE(is_stale(run_prefix() + "n0a"));
}

TEST(ProcessCleanup, SweepsDirsOfDeadRuns) {
  TempDir base(fs::temp_directory_path(), "proc-");
  // A pid that cannot be running: beyond pid_max.
  fs::create_directories(base.path() / "ikc999999999x0000-scratch");
  fs::create_directories(base.path() / (run_prefix() + "-mine"));
  fs::create_directories(base.path() / "unrelated");
  // The scratch folder (/dev/shm here) is swept too: NSS templates live there.
  const fs::path scratch = scratch_base() / "ikc999999998x0000-nss-test";
  fs::create_directories(scratch);
  EXPECT_GE(sweep_stale_dirs(base.path()), 2U);  // other dead runs' leftovers may be there too
  EXPECT_FALSE(fs::exists(base.path() / "ikc999999999x0000-scratch"));
  EXPECT_FALSE(fs::exists(scratch));
  EXPECT_TRUE(fs::exists(base.path() / (run_prefix() + "-mine")));
  EXPECT_TRUE(fs::exists(base.path() / "unrelated"));
}

// Ctrl-C in the harness: a forked "harness" installs the handlers, makes a temp dir and a
// daemon, and gets SIGINT. It must die of SIGINT with both gone.
TEST(ProcessCleanup, SignalRunsCleanupThenDies) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    cleanup::install_cleanup_handlers();
    TempDir t(fs::temp_directory_path(), "proc-sig-");
    Daemon d(sh_daemon(t.path(), "exec sleep 100"));
    const std::string msg = t.path().string() + "\n" + std::to_string(d.pid()) + "\n";
    [[maybe_unused]] auto n = ::write(fds[1], msg.data(), msg.size());
    for (;;) ::pause();
  }
  ::close(fds[1]);
  std::string msg;
  char buf[256];
  for (ssize_t n; msg.find('\n', msg.find('\n') + 1) == std::string::npos && (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    msg.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  const fs::path dir = msg.substr(0, msg.find('\n'));
  const int daemon = std::stoi(msg.substr(msg.find('\n') + 1));
  ASSERT_TRUE(fs::exists(dir));
  ::kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_FALSE(fs::exists(dir));
  std::this_thread::sleep_for(50ms);  // reparented to init, which reaps it
  EXPECT_FALSE(pid_alive(daemon));
}

}  // namespace
}  // namespace ikeconform::process
