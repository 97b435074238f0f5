#include "reports/json_input.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "model/input_error.hpp"
#include "model/json_errors.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::reports {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int line_of_byte(const std::string& text, std::size_t byte) {
  int line = 1;
  for (std::size_t i = 0; i < text.size() && i + 1 < byte; ++i) line += text[i] == '\n';
  return line;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 3, column 5:" prefix.
std::string parse_error_text(const json::parse_error& e) {
  std::string w = e.what();
  auto colon = w.find(": ");
  return colon == std::string::npos ? w : w.substr(colon + 2);
}

}  // namespace

std::string read_text_file(const fs::path& path, const std::string& shown) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(shown, 0, "no such file");
  if (fs::is_directory(path, ec)) throw InputError(shown, 0, "is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(shown, 0, "cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

JsonFile read_json_file(const fs::path& path, const std::string& shown) {
  return parse_json_text(read_text_file(path, shown), shown);
}

JsonFile parse_json_text(std::string text, const std::string& shown) {
  JsonFile f{shown, std::move(text), {}};
  try {
    f.value = json::parse(f.text);
  } catch (const json::parse_error& e) {
    throw InputError(shown, line_of_byte(f.text, e.byte), "invalid JSON: " + parse_error_text(e));
  } catch (const json::out_of_range& e) {
    throw_json_out_of_range(e, f.text, shown);
  }
  return f;
}

json parse_json_line(const std::string& text, const std::string& file, int line) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(file, line, "invalid JSON: " + parse_error_text(e));
  } catch (const json::out_of_range& e) {
    throw_json_out_of_range(e, text, file, line);
  }
}

void JsonFile::fail(const std::string& pointer, const std::string& what) const {
  const int line = json_pointer_line(text, pointer);
  std::string where = pointer.empty() ? "" : pointer.substr(1);
  for (char& c : where)
    if (c == '/') c = '.';
  throw InputError(file, line, where.empty() ? what : where + ": " + what);
}

Fields::Fields(const JsonFile& f, const json& obj, std::string pointer)
    : file_(f), obj_(obj), pointer_(std::move(pointer)) {
  if (!obj_.is_object()) file_.fail(pointer_, "expected an object");
}

void Fields::fail(const char* key, const std::string& what) const { file_.fail(pointer(key), what); }

const json* Fields::find(const char* key) const {
  auto it = obj_.find(key);
  return it == obj_.end() || it->is_null() ? nullptr : &*it;
}

std::string Fields::str(const char* key, bool required) const {
  const json* v = find(key);
  if (!v) {
    if (required) file_.fail(pointer_, fmt::format("missing required key '{}'", key));
    return "";
  }
  if (!v->is_string()) fail(key, "expected a string");
  return v->get<std::string>();
}

std::string Fields::scalar_text(const char* key) const {
  const json* v = find(key);
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number() || v->is_boolean()) return v->dump();
  fail(key, "expected a string or a number");
}

std::optional<std::uint64_t> Fields::opt_count(const char* key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_number_unsigned()) fail(key, "expected a non-negative integer");
  return v->get<std::uint64_t>();
}

std::uint64_t Fields::count(const char* key, bool required) const {
  auto v = opt_count(key);
  if (!v && required) file_.fail(pointer_, fmt::format("missing required key '{}'", key));
  return v.value_or(0);
}

double Fields::number(const char* key) const {
  const json* v = find(key);
  if (!v) return 0;
  if (!v->is_number()) fail(key, "expected a number");
  return v->get<double>();
}

std::optional<bool> Fields::boolean(const char* key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail(key, "expected true or false");
  return v->get<bool>();
}

std::vector<std::string> Fields::strings(const char* key) const {
  std::vector<std::string> out;
  const json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) fail(key, "expected a list of strings");
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) file_.fail(pointer(key) + "/" + std::to_string(i), "expected a string");
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

}  // namespace ikeconform::reports
