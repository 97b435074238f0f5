// Files written whole or not at all: the one atomic writer of the project (campaign journals'
// summaries and counterexamples, reports, the PKI key pool). A reader (a CI job, a browser, a
// second campaign process) never sees half a file, and a crash right after the call keeps it.
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string_view>

namespace ikeconform {

// Writes `content` to a temporary file beside `path` (same folder: rename() is atomic only within
// one file system), fsyncs it, renames it over `path` and fsyncs the folder so the rename itself
// survives a crash. `mode` is the new file's permission bits (0600 for private keys). Throws
// InputError(path, 0, what) when the folder does not exist, `path` is a folder or a write fails;
// the temporary file is removed on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);

}  // namespace ikeconform
