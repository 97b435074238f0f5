// Report files are written whole or not at all: to a temporary file beside the target, then
// renamed over it, so a reader (a CI job, a browser) never sees half a report.
#pragma once

#include <filesystem>
#include <string_view>

namespace ikeconform::reports {

// Throws InputError(path, 0, ...) when the folder does not exist or the write fails; the
// temporary file is removed on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace ikeconform::reports
