// `ikeconform campaign`: flags into a campaign::CampaignSpec, the engine runs it (campaign/),
// the table printed here (docs/campaign.md is the contract for every file written).
#include <fmt/format.h>

#include <cstdio>

#include "campaign/campaign.hpp"
#include "cli/commands.hpp"
#include "model/options.hpp"

namespace ikeconform::cli {
namespace {

struct CampaignArgs {
  campaign::CampaignSpec spec;
  std::uint64_t runs = 0;
  double max_total_time = 0;
  std::uint64_t shrink_steps = 2000;
  double shrink_time = 0;
  std::string out, temp_dir = campaign::CampaignSpec{}.temp_dir.string();
  CLI::Option* runs_opt = nullptr;
  CLI::Option* time_opt = nullptr;
  CLI::Option* shrink_opt = nullptr;
  CLI::Option* shrink_time_opt = nullptr;
};

void print_table(const nlohmann::ordered_json& summary, const std::string& dir) {
  fmt::print("campaign: {} scenarios in {:.2f}s ({:.0f}/s), seed {}, results in {}\n",
             summary["scenarios"].get<std::uint64_t>(), summary["elapsed_s"].get<double>(),
             summary["scenarios_per_s"].get<double>(), summary["seed"].get<std::uint64_t>(), dir);
  // Not judged (the target cannot express them; the infrastructure failed twice) and explained by
  // a known divergence: each counted apart, none of them a failure.
  const auto count = [&](const char* k) { return summary.contains(k) ? summary[k].get<std::uint64_t>() : 0; };
  if (count("unsupported") || count("infrastructure_errors") || count("expected_deviations"))
    fmt::print("  unsupported {}, infrastructure errors {}, expected deviations {}\n", count("unsupported"),
               count("infrastructure_errors"), count("expected_deviations"));
  for (const auto& o : summary["oracles"])
    fmt::print("  {:<15} {:<18} checked {:>8}  failed {:>7}  skipped {:>8}{}\n", o["id"].get<std::string>(),
               o["status"].get<std::string>(), o["checked"].get<std::uint64_t>(), o["failed"].get<std::uint64_t>(),
               o["skipped"].get<std::uint64_t>(),
               o["counterexamples"].empty() ? "" : "  e.g. " + o["counterexamples"][0].get<std::string>());
}

int run(CampaignArgs& a) {
  campaign::CampaignSpec& spec = a.spec;
  if (a.runs_opt->count()) spec.runs = a.runs;
  if (a.time_opt->count()) spec.max_total_time = a.max_total_time;
  if (a.shrink_opt->count()) spec.shrink_steps = a.shrink_steps;
  if (a.shrink_time_opt->count()) spec.shrink_seconds = a.shrink_time;
  spec.out = a.out;
  spec.temp_dir = a.temp_dir;
  const campaign::CampaignResult r = campaign::run_campaign(spec);
  for (const std::string& w : r.warnings) fmt::print(stderr, "ikeconform: warning: {}\n", w);
  print_table(r.summary, a.out);
  if (!r.error.empty()) fmt::print(stderr, "ikeconform: error: {}\n", r.error);
  else if (r.interrupted) fmt::print("campaign: interrupted; continue with --resume\n");
  return r.exit_code;
}

}  // namespace

void register_campaign(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<CampaignArgs>();
  campaign::CampaignSpec& s = a->spec;
  CLI::App* cmd = app.add_subcommand("campaign", "Generate scenarios, run them on a target and check the oracles");
  cmd->add_option("--target", s.target,
                  "Target that runs the scenarios: model, strongswan, libreswan, strongswan,libreswan (strongSwan on "
                  "peer 0, "
                  "Libreswan on peer 1), libreswan,strongswan, cisco-ios (the emulated IOS router on both sides; "
                  "cisco-ios,strongswan etc. beside a real stack), exec:PATH (an ikeconform.adapter/1 adapter)")
      ->capture_default_str();
  cmd->add_option("--diff-target", s.diff_targets,
                  "Also run every scenario on this target (repeatable; same names as --target) and check DIFF-STACKS: "
                  "the "
                  "outcome must agree with --target's (docs/campaign.md \"Several targets\")");
  a->runs_opt = cmd->add_option("--runs", a->runs, "Campaign size: scenarios 0..N-1 over all shards (default 10000)");
  a->time_opt = cmd->add_option("--max-total-time", a->max_total_time, "Stop after S seconds");
  cmd->add_option("--seed", s.seed, "Seed (same seed, same scenarios)")->capture_default_str();
  cmd->add_option("--shard", s.shard, "K/N: only indices i with i % N == K-1")->capture_default_str();
  cmd->add_option("--jobs", s.jobs, "Worker threads; a real target gets one daemon pair / adapter per job")
      ->capture_default_str();
  cmd->add_option("--oracle", s.oracles,
                  "Check only these oracles (P-1 .. P-9, CERTREQ-ANCHORS, DIFF-MODEL, DIFF-STACKS; repeatable; "
                  "default: all that apply to the target)");
  cmd->add_option("--model-option", s.model_options, "KEY=VALUE: " + model_option_help());
  cmd->add_option("--class", s.scenario_class, "Scenario class: mixed, any, symmetric, unrestricted_v1")
      ->capture_default_str();
  cmd->add_option("--baseline", s.baseline, "Expected per-oracle status (ikeconform.baseline/1): exit 0 when matched");
  cmd->add_option("--write-baseline", s.write_baseline, "Write this run's per-oracle status as a baseline");
  cmd->add_flag("--resume", s.resume, "Continue the campaign journaled in --out");
  cmd->add_option("--known-divergences", s.known_divergences,
                  "ikeconform.known-divergences/1 file: failures its entries explain are expected deviations "
                  "(default: the shipped corpus/known-divergences.json; docs/known-divergences.md)");
  cmd->add_option("--out", a->out, "Output folder (journal.jsonl, summary.json, counterexamples/)")->required();
  cmd->add_option("--max-counterexamples", s.max_counterexamples, "Failures shrunk and saved per oracle")
      ->capture_default_str();
  a->shrink_opt = cmd->add_option("--shrink-steps", a->shrink_steps,
                                  "Target runs allowed per shrink (default 2000; 40 on a real target)");
  a->shrink_time_opt = cmd->add_option("--shrink-time", a->shrink_time,
                                       "Wall-clock seconds allowed per shrink, 0 for no limit (default: none; 5 on a "
                                       "real target)")
                           ->check(CLI::NonNegativeNumber);
  cmd->add_option("--adapter-arg", s.adapter_args, "exec:PATH: an argument for the adapter (repeatable)");
  cmd->add_option("--peer-bug", s.peer_bugs,
                  "Targets with a cisco-ios side: a protocol bug its emulated router commits (repeatable; "
                  "docs/protocol-bugs.md)");
  cmd->add_option("--adapter-timeout", s.adapter_timeout, "exec:PATH: seconds the adapter may take per reply")
      ->capture_default_str();
  cmd->add_flag("--pcap", s.pcap,
                "Real targets: save a capture of each counterexample's failing run (<oracle>-<n>.pcap)");
  cmd->add_option("--temp-dir", a->temp_dir, "Where real targets make their run folders")->capture_default_str();
  cmd->add_flag("--keep-dirs", s.keep_dirs,
                "Leave the real target's run folders (configurations, daemon logs) on disk");
  cmd->callback([a, &out] { out.exit_code = run(*a); });
}

}  // namespace ikeconform::cli
