// Fuzz target bodies as plain functions. The libFuzzer executables (fuzz/main.cpp) call them,
// and so does the normal test suite (tests/fuzz_replay_test.cpp), which replays every input of
// corpus/fuzz/<target>/ and corpus/regressions/<target>/ without libFuzzer. Each body checks a
// property, not only "no crash"; a broken property goes through report_violation().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform::fuzz {

// ---- property violations ----------------------------------------------------------------------

// Thrown by the replay test's handler so a violation is a test failure, not a dead process.
class PropertyViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Called with the target name, a one-line summary and details (e.g. the scenario as JSON).
// Must not return. The default prints to stderr and traps, which libFuzzer turns into a crash
// artifact; the replay test installs one that throws PropertyViolation.
using ViolationHandler = void (*)(std::string_view target, std::string_view summary, std::string_view details);
void set_violation_handler(ViolationHandler h);
[[noreturn]] void report_violation(std::string_view target, std::string_view summary, std::string_view details = {});

// ---- targets ------------------------------------------------------------------------------------

int fuzz_scenario_json(const std::uint8_t* data, std::size_t size);  // scenario/1 loader + writer
int fuzz_model(const std::uint8_t* data, std::size_t size);          // structure-aware: bytes -> scenario -> model
// The model checks on a scenario/1 text (a printed counterexample kept as a regression).
int fuzz_model_scenario_json(const std::uint8_t* data, std::size_t size);
int fuzz_ios_config(const std::uint8_t* data, std::size_t size);         // IOS configuration parser
int fuzz_ios_roundtrip(const std::uint8_t* data, std::size_t size);      // IOS import -> export -> import
int fuzz_show_certs(const std::uint8_t* data, std::size_t size);         // `show crypto pki certificates` parser
int fuzz_ike_codec(const std::uint8_t* data, std::size_t size);          // IKE message codec
int fuzz_pcap(const std::uint8_t* data, std::size_t size);               // classic pcap reader (wire/pcap.hpp)
int fuzz_vici(const std::uint8_t* data, std::size_t size);               // strongSwan VICI message decoder
int fuzz_observation_json(const std::uint8_t* data, std::size_t size);   // observation records (adapter replies)
int fuzz_adapter(const std::uint8_t* data, std::size_t size);            // external adapter line protocol
int fuzz_known_divergences(const std::uint8_t* data, std::size_t size);  // known-divergence file parser
int fuzz_peer_recipe(const std::uint8_t* data, std::size_t size);        // fuzz-peer's recipe decoder + mutations

// The scenario fuzz_observation_json reads observations against (the seed generator uses it).

// Model options for fuzz_model. LLVMFuzzerInitialize reads IKECONFORM_FUZZ_MODEL_OPTIONS
// ("KEY=VALUE[,KEY=VALUE...]") once through model_options_from_env(); tests set them directly.
void set_model_options(const ModelOptions& o);
const ModelOptions& model_options();
// Applies IKECONFORM_FUZZ_MODEL_OPTIONS; on a bad value prints why and exits with status 2.
// Also reads IKECONFORM_FUZZ_PRINT_SCENARIO=1: fuzz_model then prints each input's scenario
// (`fuzz_model -runs=0 crash-...` shows what a crash input means).
void model_options_from_env();
bool print_scenarios();

const Scenario& observation_fuzz_scenario();

// ---- registry -----------------------------------------------------------------------------------

struct Target {
  std::string_view name;  // also the folder under corpus/fuzz/ and corpus/regressions/
  int (*run)(const std::uint8_t*, std::size_t);
};
// Every target; fuzz/CMakeLists.txt builds one libFuzzer executable fuzz_<name> per entry.
std::span<const Target> targets();

}  // namespace ikeconform::fuzz
