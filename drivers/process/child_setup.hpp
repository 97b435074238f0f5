// What every child the harness starts gets between fork and exec (process::run, Daemon, the
// adapter harness's ExecTarget): a process group of its own (a timeout or a stop reaches its
// children too; the terminal's Ctrl-C reaches only the harness, which then cleans up), default
// signal state (the harness may block or ignore signals; its children must not), optional log
// descriptors on stdout / stderr, and no descriptor above stderr (a child holding another run's
// output pipe would stall that run until its timeout). A Boost.Process handler.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <boost/process/extend.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace ikeconform::process {

// Every descriptor above stderr closes at exec. Boost's own exec-error pipe is close-on-exec.
inline void close_inherited_on_exec() {
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // kernels before 5.11
}

// In the child: says what failed on its stderr (the daemon's log) and exits 127.
[[noreturn]] inline void child_fail(const char* what) {
  const int e = errno;
  const char* why = ::strerror(e);
  for (const char* part : {"ikeconform: before exec: ", what, ": ", why, "\n"})
    if (::write(STDERR_FILENO, part, ::strlen(part)) < 0) break;
  ::_exit(127);
}

struct ChildSetup : boost::process::extend::handler {
  int stdout_fd = -1;  // >= 0: the child's stdout goes there
  int stderr_fd = -1;  // >= 0: the child's stderr goes there
  int netns_fd = -1;   // >= 0: the child joins that network namespace (DaemonSpec::netns)
  // DaemonSpec::bind_mounts, owned by the parent (the forked child reads its copy).
  const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>* bind_mounts = nullptr;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
    if (stdout_fd >= 0) ::dup2(stdout_fd, STDOUT_FILENO);
    if (stderr_fd >= 0) ::dup2(stderr_fd, STDERR_FILENO);
    if (bind_mounts && !bind_mounts->empty()) {
      if (::unshare(CLONE_NEWNS) != 0) child_fail("unshare(CLONE_NEWNS)");
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail("mount --make-rprivate /");
      for (const auto& [from, to] : *bind_mounts)
        if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0) child_fail(to.c_str());
    }
    if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) child_fail("setns(CLONE_NEWNET)");
    close_inherited_on_exec();
  }
  // Also from the parent, so a killpg() right after the start cannot miss the group.
  template <class Executor>
  void on_success(Executor& exec) const {
    ::setpgid(exec.pid, exec.pid);
  }
};

}  // namespace ikeconform::process
