// Reading the JSON files of a run folder with `file:line: what` errors (InputError), the line
// found from the JSON pointer of the offending value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ikeconform::reports {

struct JsonFile {
  std::string file;  // as shown in messages
  std::string text;
  nlohmann::json value;
  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const;
};

// Missing file: "file: no such file"; malformed JSON: "file:line: invalid JSON: ...".
std::string read_text_file(const std::filesystem::path& path, const std::string& shown);
JsonFile read_json_file(const std::filesystem::path& path, const std::string& shown);
// The same for a text already in memory (fuzz targets, files built into the binary).
JsonFile parse_json_text(std::string text, const std::string& shown);
// Parses one JSON text that sits at `line` of `file` (journal lines).
nlohmann::json parse_json_line(const std::string& text, const std::string& file, int line);

// Typed access to one JSON object; every error names the key's line. Unknown keys are ignored
// (docs/campaign.md: fields are only ever added).
class Fields {
 public:
  Fields(const JsonFile& f, const nlohmann::json& obj, std::string pointer);
  const nlohmann::json* find(const char* key) const;  // nullptr when absent or null
  std::string str(const char* key, bool required = false) const;
  std::string scalar_text(const char* key) const;  // string, number or bool as text; "" when absent
  std::uint64_t count(const char* key, bool required = false) const;
  std::optional<std::uint64_t> opt_count(const char* key) const;
  double number(const char* key) const;  // 0 when absent
  std::optional<bool> boolean(const char* key) const;
  std::vector<std::string> strings(const char* key) const;
  std::string pointer(const char* key) const { return pointer_ + "/" + key; }
  [[noreturn]] void fail(const char* key, const std::string& what) const;

 private:
  const JsonFile& file_;
  const nlohmann::json& obj_;
  std::string pointer_;
};

}  // namespace ikeconform::reports
