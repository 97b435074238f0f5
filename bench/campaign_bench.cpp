// (ii) A campaign's work per scenario, end to end in process: generate scenario #i from the seed,
// run both directions on the model (trace off), evaluate every oracle (with P-2 / P-9's related
// runs). The oracles are the campaign's own on the model (oracles_for(traits_of(model)): P-1..P-9
// and CERTREQ-ANCHORS), so this is the same work `ikeconform campaign --target model` does per
// scenario. Threads(2) is `--jobs 2`; items/s is scenarios/s. Journal I/O is not included here;
// the CLI's own rate (summary.json "scenarios_per_s") includes it: scripts/bench-campaign
// prints both and their ratio.
#include <benchmark/benchmark.h>

#include "generators/generators.hpp"
#include "oracles/oracle.hpp"

namespace ikeconform {
namespace {

void run_campaign_work(benchmark::State& state, gen::ScenarioClass cls) {
  const auto g = gen::scenario_of(cls);
  ModelOptions o;
  o.trace = false;
  ModelTarget target(o);
  const std::vector<const Oracle*> oracles = oracles_for(traits_of(target));
  std::uint64_t index = static_cast<std::uint64_t>(state.thread_index()) << 40;
  std::uint64_t failures = 0;
  for (auto _ : state) {
    const Scenario s = gen::generate(g, 1, index++).value();
    Observation obs[2];
    target.run_both(s, obs);
    for (const Evaluation& e : evaluate_all(oracles, s, obs, target, o)) failures += e.result.verdict == Verdict::Fail;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failures"] = static_cast<double>(failures);
}

void BM_Campaign_Mixed(benchmark::State& st) { run_campaign_work(st, gen::ScenarioClass::Mixed); }
void BM_Campaign_Any(benchmark::State& st) { run_campaign_work(st, gen::ScenarioClass::Any); }

void BM_Generate_Only(benchmark::State& state) {
  const auto g = gen::mixed_scenario();
  std::uint64_t index = 0;
  for (auto _ : state) {
    Scenario s = gen::generate(g, 1, index++).value();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Campaign_Mixed)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Campaign_Any)->Threads(2)->UseRealTime();
BENCHMARK(BM_Generate_Only);

}  // namespace
}  // namespace ikeconform

BENCHMARK_MAIN();
