// Violation reporting, model options and the target registry.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/targets.hpp"

namespace ikeconform::fuzz {
namespace {

// libFuzzer saves the input when the process dies on a signal; a trap keeps the stack short
// and works the same under every sanitizer.
[[noreturn]] void trap_handler(std::string_view target, std::string_view summary, std::string_view details) {
  std::fprintf(stderr, "\n==ikeconform-fuzz== PROPERTY VIOLATION in target '%.*s': %.*s\n",
               static_cast<int>(target.size()), target.data(), static_cast<int>(summary.size()), summary.data());
  if (!details.empty()) std::fprintf(stderr, "%.*s\n", static_cast<int>(details.size()), details.data());
  std::fflush(stderr);
  __builtin_trap();
}

ViolationHandler g_handler = &trap_handler;
bool g_print_scenarios = false;
ModelOptions g_model_options = [] {
  ModelOptions o;
  o.trace = false;  // throughput: the model target turns tracing on itself where it compares
  return o;
}();

}  // namespace

void set_violation_handler(ViolationHandler h) { g_handler = h ? h : &trap_handler; }

void report_violation(std::string_view target, std::string_view summary, std::string_view details) {
  g_handler(target, summary, details);
  std::abort();  // a handler that returns is itself a bug
}

void set_model_options(const ModelOptions& o) { g_model_options = o; }
const ModelOptions& model_options() { return g_model_options; }

bool print_scenarios() { return g_print_scenarios; }

void model_options_from_env() {
  const char* print = std::getenv("IKECONFORM_FUZZ_PRINT_SCENARIO");
  g_print_scenarios = print && *print && std::string(print) != "0";
  const char* env = std::getenv("IKECONFORM_FUZZ_MODEL_OPTIONS");
  if (!env || !*env) return;
  ModelOptions o = g_model_options;
  std::string all(env);
  std::size_t start = 0;
  while (start <= all.size()) {
    std::size_t end = all.find_first_of(", ", start);
    if (end == std::string::npos) end = all.size();
    std::string kv = all.substr(start, end - start);
    if (!kv.empty())
      if (auto err = set_model_option(o, kv)) {
        std::fprintf(stderr, "IKECONFORM_FUZZ_MODEL_OPTIONS: %s\n", err->c_str());
        std::exit(2);
      }
    start = end + 1;
  }
  std::fprintf(stderr, "ikeconform-fuzz: model options from IKECONFORM_FUZZ_MODEL_OPTIONS: %s\n", env);
  g_model_options = o;
}

namespace {
constexpr Target kTargets[] = {
    {"scenario_json", &fuzz_scenario_json},
    {"model", &fuzz_model},
    {"observation_json", &fuzz_observation_json},
    {"ios_config", &fuzz_ios_config},
    {"ios_roundtrip", &fuzz_ios_roundtrip},
    {"show_certs", &fuzz_show_certs},
    {"ike_codec", &fuzz_ike_codec},
    {"pcap", &fuzz_pcap},
    {"vici", &fuzz_vici},
    {"adapter", &fuzz_adapter},
    {"known_divergences", &fuzz_known_divergences},
    {"peer_recipe", &fuzz_peer_recipe},
};
}  // namespace

std::span<const Target> targets() { return kTargets; }

}  // namespace ikeconform::fuzz
