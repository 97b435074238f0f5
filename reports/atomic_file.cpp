#include "reports/atomic_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "model/input_error.hpp"

namespace ikeconform::reports {
namespace fs = std::filesystem;

namespace {

// The temporary lives in the same folder as the target: rename() is atomic only within one
// file system, and we never write outside the folder the user named.
fs::path temp_beside(const fs::path& path) {
  return path.parent_path() / fmt::format(".{}.tmp.{}", path.filename().string(), ::getpid());
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) { throw InputError(path.string(), 0, what); }

void write_all(const fs::path& tmp, std::string_view content) {
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(tmp, std::strerror(errno));
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size() && std::fflush(f) == 0 &&
                  ::fsync(::fileno(f)) == 0;
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    fail(tmp, std::strerror(ok ? errno : err));
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) fail(path, fmt::format("folder '{}' does not exist", parent.string()));
  if (fs::is_directory(path, ec)) fail(path, "is a folder");
  const fs::path tmp = temp_beside(parent / path.filename());
  write_all(tmp, content);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    fail(path, std::strerror(err));
  }
}

}  // namespace ikeconform::reports
