// Runs the ikeconform binary through the shell and collects its exit code and output (the CLI
// tests of check and of the IOS field corpus).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace ikeconform::test {

struct CliRun {
  int exit_code;
  std::string out;
};

// `stderr_to`: "&1" merges standard error into the output, "/dev/null" drops it.
inline CliRun cli(const std::string& args, const char* stderr_to = "&1") {
  std::string cmd = std::string(IKECONFORM_BIN) + " " + args + " 2>" + stderr_to;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (p && fgets(buf.data(), static_cast<int>(buf.size()), p)) out += buf.data();
  int status = p ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace ikeconform::test
