// `ikeconform fuzz-peer`: stateful fuzzing of a real IKE daemon by our own engine
// (fuzzpeer/fuzz_peer.hpp, docs/fuzzing.md "Fuzzing the daemons"); and the planted target's
// responder process, `fuzz-peer-planted` (not for direct use).
#include <fmt/format.h>

#include <filesystem>

#include "campaign/targets.hpp"  // StopSignals
#include "cli/commands.hpp"
#include "drivers/pki/pki.hpp"
#include "fuzzpeer/daemon.hpp"
#include "fuzzpeer/fuzz_peer.hpp"
#include "model/input_error.hpp"

namespace ikeconform::cli {

namespace {

struct FuzzPeerArgs {
  std::string target, ike = "both", out, corpus, key_cache, temp_dir = std::filesystem::temp_directory_path().string();
  double max_total_time = 60;
  unsigned jobs = 1;
  std::uint64_t seed = 1;
  int answer_ms = 250;
  bool no_mutation = false;
};

std::filesystem::path self_exe() { return std::filesystem::read_symlink("/proc/self/exe"); }

}  // namespace

void register_fuzz_peer(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<FuzzPeerArgs>();
  CLI::App* cmd = app.add_subcommand("fuzz-peer",
                                     "Fuzz a real IKE daemon: valid exchanges to a point, then a message mutated "
                                     "before encryption");
  cmd->add_option("--target", a->target, "strongswan, libreswan or planted (our responder with a planted defect)")
      ->required();
  cmd->add_option("--max-total-time", a->max_total_time, "Seconds for the whole run, split over the IKE versions")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "Concurrent exchanges (threads, each with its own UDP ports)")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the mutator")->capture_default_str();
  cmd->add_option("--ike", a->ike, "1, 2 or both (IKEv2 first)")
      ->check(CLI::IsMember({"1", "2", "both"}))
      ->capture_default_str();
  cmd->add_option("--out", a->out, "Output folder: fuzz-peer.json, findings/, corpus/ (unless --corpus)")->required();
  cmd->add_option("--corpus", a->corpus, "Corpus folder (one subfolder per exchange point), kept across runs");
  cmd->add_option("--answer-ms", a->answer_ms, "How long an answer to a mutated message is awaited")
      ->check(CLI::Range(10, 10000))
      ->capture_default_str();
  cmd->add_flag("--no-mutation", a->no_mutation,
                "Bench: the same exchanges with valid messages (the ceiling scripts/bench-fuzz-peer divides by)");
  cmd->add_option("--key-cache", a->key_cache, "RSA key cache (default: $IKECONFORM_KEY_CACHE or ~/.cache)");
  cmd->add_option("--temp-dir", a->temp_dir, "Where the run folder (PKI, daemon files) is made")->capture_default_str();
  cmd->callback([a, &out] {
    fuzzpeer::FuzzOptions o;
    o.target = a->target;
    o.max_total_time = a->max_total_time;
    o.jobs = a->jobs;
    o.seed = a->seed;
    if (a->ike == "1") o.versions = {IkeVersion::V1};
    else if (a->ike == "2") o.versions = {IkeVersion::V2};
    o.out = a->out;
    o.corpus = a->corpus;
    o.self = self_exe();
    o.key_cache = a->key_cache.empty() ? pki::KeyCache::default_dir() : std::filesystem::path(a->key_cache);
    o.temp_dir = a->temp_dir;
    o.answer = std::chrono::milliseconds(a->answer_ms);
    o.no_mutation = a->no_mutation;
    campaign::StopSignals signals;
    o.stop = [] { return campaign::StopSignals::stop_requested(); };
    o.print = [](const std::string& s) {
      fmt::print("{}\n", s);
      std::fflush(stdout);
    };
    try {
      out.exit_code = fuzzpeer::fuzz_peer(o);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception& e) {
      fmt::print(stderr, "ikeconform fuzz-peer: harness failure: {}\n", e.what());
      out.exit_code = fuzzpeer::kExitHarness;
    }
  });

  auto p = std::make_shared<std::array<std::string, 3>>();
  CLI::App* planted = app.add_subcommand("fuzz-peer-planted", "");  // empty: hidden from --help
  planted->add_option("scenario", (*p)[0])->required();
  planted->add_option("--key-cache", (*p)[1])->required();
  planted->add_option("--dir", (*p)[2])->required();
  planted->callback([p, &out] { out.exit_code = fuzzpeer::planted_responder_main((*p)[0], (*p)[1], (*p)[2]); });
}

}  // namespace ikeconform::cli
