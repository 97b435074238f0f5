// What a run prefix still owns after a test (network namespaces, processes whose command line
// names it, folders): shared by the cleanup tests of the real stacks.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "drivers/netns/netns.hpp"
#include "drivers/process/process.hpp"

namespace ikeconform::testing {

// What a run prefix still owns: namespaces, processes whose command line names it, folders.
struct Leftovers {
  std::vector<std::string> namespaces, processes, dirs;
  bool none() const { return namespaces.empty() && processes.empty() && dirs.empty(); }
  std::string describe() const {
    std::string s;
    for (const auto* l : {&namespaces, &processes, &dirs})
      for (const std::string& x : *l) s += "  " + x + "\n";
    return s;
  }
};

inline Leftovers leftovers(const std::string& prefix) {
  Leftovers l;
  for (const std::string& ns : netns::list_namespaces())
    if (ns.rfind(prefix, 0) == 0) l.namespaces.push_back("netns " + ns);
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = e.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(::getpid())) continue;
    std::ifstream f(e.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(prefix) != std::string::npos && process::pid_alive(std::stoi(pid)))
      l.processes.push_back(pid + ": " + cmd);
  }
  // The temporary folder and the scratch one (process::scratch_base(): NSS templates).
  for (const std::filesystem::path& base : {std::filesystem::temp_directory_path(), process::scratch_base()})
    for (const auto& e : std::filesystem::directory_iterator(base))
      if (e.path().filename().string().rfind(prefix, 0) == 0) l.dirs.push_back(e.path().string());
  return l;
}

inline Leftovers settle(const std::string& prefix) {  // processes take a moment to be reaped
  Leftovers l;
  for (int i = 0; i < 50; ++i) {
    l = leftovers(prefix);
    if (l.none()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return l;
}

}  // namespace ikeconform::testing
