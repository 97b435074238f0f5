// Bad input is reported as `file:line: what is wrong` and exits with code 2 (never a crash).
// Every parser in the project throws this one type.
#pragma once

#include <stdexcept>
#include <string>

namespace ikeconform {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, int line, const std::string& what)
      : std::runtime_error(format(file, line, what)), file_(std::move(file)), line_(line) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  static std::string format(const std::string& file, int line, const std::string& what) {
    std::string out = file;  // appended step by step: GCC 12 -O2 warns falsely (-Wrestrict) on a + chain
    if (line > 0) out.append(":").append(std::to_string(line));
    out.append(": ").append(what);
    return out;
  }
  std::string file_;
  int line_;
};

}  // namespace ikeconform
