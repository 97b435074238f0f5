// `ikeconform-adapter-model`: the reference model behind ikeconform.adapter/1, for fast protocol
// tests without root and as a worked example of an adapter (docs/adapter-protocol.md).
//
//   ikeconform-adapter-model [--personality P] [--model-option KEY=VALUE]... [--fault KIND@N]
//
// --personality runs every peer as P (and says so in hello, so the harness's DIFF-MODEL compares
// with P's prediction). --fault makes the adapter misbehave on its N-th `run` (1-based), to test
// the harness's handling: hang (never answers), exit (dies with status 3), garbage (a line that
// is not the protocol), error (an `error` reply), slow (answers after 2 s).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "drivers/adapter/server.hpp"
#include "model/personality.hpp"

namespace ikeconform::adapter {
namespace {

struct Fault {
  std::string kind;
  std::uint64_t at = 0;  // 0: never
};

class ModelBackend final : public Backend {
 public:
  ModelBackend(ModelOptions o, std::string personality, Fault f)
      : target_(o), personality_(std::move(personality)), fault_(std::move(f)) {}

  AdapterHello hello() override {
    AdapterHello h;
    h.name = "model";
    h.version = "ikeconform model 0.1.0";
    h.personality = personality_;
    return h;
  }

  std::optional<std::string> prepare(const ScenarioRequest& r) override {
    scenario_ = r.scenario;
    if (!personality_.empty())
      for (Peer& p : scenario_.peers) p.personality = personality_;
    return std::nullopt;
  }

  Observation run(std::uint8_t initiator) override {
    if (++runs_ == fault_.at) misbehave();
    return target_.run(scenario_, initiator);
  }

 private:
  void misbehave() {
    std::cerr << "ikeconform-adapter-model: fault '" << fault_.kind << "' at run " << runs_ << std::endl;
    if (fault_.kind == "hang")
      for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    if (fault_.kind == "exit") std::_Exit(3);
    if (fault_.kind == "garbage") std::cout << "this is not ikeconform.adapter/1" << std::endl;
    if (fault_.kind == "error") throw std::runtime_error("planted fault");
    if (fault_.kind == "slow") std::this_thread::sleep_for(std::chrono::seconds(2));
  }

  ModelTarget target_;
  std::string personality_;
  Fault fault_;
  Scenario scenario_;
  std::uint64_t runs_ = 0;
};

int usage(const std::string& why) {
  std::cerr << "ikeconform-adapter-model: " << why
            << "\nusage: ikeconform-adapter-model [--personality P] [--model-option KEY=VALUE]... [--fault KIND@N]\n";
  return 2;
}

}  // namespace
}  // namespace ikeconform::adapter

int main(int argc, char** argv) {
  using namespace ikeconform;
  ModelOptions options;
  options.trace = false;
  std::string personality;
  adapter::Fault fault;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return adapter::usage("missing value after " + a);
    const std::string v = argv[++i];
    if (a == "--personality") {
      if (!find_personality(v)) return adapter::usage("unknown personality '" + v + "'");
      personality = v;
    } else if (a == "--model-option") {
      if (auto err = set_model_option(options, v)) return adapter::usage(*err);
    } else if (a == "--fault") {
      const auto at = v.find('@');
      if (at == std::string::npos) return adapter::usage("--fault KIND@N");
      fault = {v.substr(0, at), std::strtoull(v.c_str() + at + 1, nullptr, 10)};
    } else {
      return adapter::usage("unknown argument " + a);
    }
  }
  adapter::ModelBackend backend(options, personality, fault);
  return adapter::serve(backend, std::cin, std::cout);
}
