// Running the `ikeconform` binary from a test: spawn with output to a log, wait with a limit
// (a campaign that outlives it is interrupted, then killed, and the test fails rather than hangs),
// scratch folders, whole-file reads. Shared by the CLI-level tests (campaign, real campaigns).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ikeconform::testing {

// A fresh (removed) path below the temp folder, unique per test process.
inline std::filesystem::path scratch_path(const std::string& tag, const std::string& name) {
  std::filesystem::path p = std::filesystem::temp_directory_path() /
                            (tag + "-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(p);
  return p;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

// Starts `bin args...` with stdin from /dev/null and stdout + stderr into `log`; returns the pid.
inline pid_t spawn_logged(const std::string& bin, const std::vector<std::string>& args,
                          const std::filesystem::path& log) {
  std::vector<std::string> all{bin};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// The exit code (128 + signal when killed by one). After `limit` the process gets SIGINT, then
// SIGKILL 5 s later, the test fails and -1 comes back: never a hang.
inline int wait_exit(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(600)) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return -1;
    if (Clock::now() > until) {
      ADD_FAILURE() << "pid " << pid << " still running after " << limit.count() << " s; killing it";
      ::kill(pid, SIGINT);
      std::this_thread::sleep_for(std::chrono::seconds(5));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace ikeconform::testing
