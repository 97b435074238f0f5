// The adapter side of ikeconform.adapter/1 for adapters written in C++ against this project:
// serve() reads the harness's requests from `in`, asks a Backend, and writes the replies to
// `out`. ikeconform-adapter-model and ikeconform-adapter-strongswan are serve() over a backend;
// an adapter in another language implements docs/adapter-protocol.md itself.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "drivers/adapter/protocol.hpp"
#include "model/observation.hpp"

namespace ikeconform::adapter {

class Backend {
 public:
  virtual ~Backend() = default;
  // Name, version, personality, whether the harness's PKI is wanted, capabilities.
  virtual AdapterHello hello() = 0;
  // A new scenario to hold (with the harness's PKI when hello() asked for it): nullopt when it
  // can run it, else why it cannot be expressed (every run of it is then UNSUPPORTED).
  virtual std::optional<std::string> prepare(const ScenarioRequest& r) = 0;
  // One direction of the held scenario. Exceptions become `error` replies.
  virtual Observation run(std::uint8_t initiator) = 0;
  virtual std::vector<RenderedFile> render() { return {}; }
  // Start (file) or stop (nullopt) capturing; false when it cannot.
  virtual bool capture(const std::optional<std::string>& /*file*/) { return false; }
};

// Serves until `bye` or end of input; returns the process exit status (0, or 2 when the
// harness speaks another protocol version). Never throws for what the harness sends.
int serve(Backend& b, std::istream& in, std::ostream& out);

}  // namespace ikeconform::adapter
