// Bad input is reported as `file:line: what is wrong` and exits with code 2 (never a crash).
// Every parser in the project throws this one type.
#pragma once

#include <stdexcept>
#include <string>

namespace ikeconform {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, int line, const std::string& what)
      : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what),
        file_(std::move(file)),
        line_(line) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string file_;
  int line_;
};

}  // namespace ikeconform
