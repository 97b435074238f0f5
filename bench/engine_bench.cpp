// (i) The model engine: directions simulated per second, with and without the IOS trace, on the
// note's S1 and on generated scenarios (compiled once; BM_CompileAndRun includes compile()).
#include <benchmark/benchmark.h>

#include "generators/generators.hpp"
#include "model/engine.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform {
namespace {

ModelOptions with_trace(bool on) {
  ModelOptions o;
  o.trace = on;
  return o;
}

void run_s1(benchmark::State& state, bool trace) {
  const Scenario s = load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/s1.json");
  const ModelOptions o = with_trace(trace);
  const CompiledScenario cs = compile(s, o);
  std::uint8_t dir = 0;
  for (auto _ : state) {
    Observation obs = run_direction(cs, dir, o);
    benchmark::DoNotOptimize(obs);
    dir ^= 1;
  }
  state.SetItemsProcessed(state.iterations());  // one direction per iteration
}
void BM_Engine_S1_NoTrace(benchmark::State& st) { run_s1(st, false); }
void BM_Engine_S1_Trace(benchmark::State& st) { run_s1(st, true); }

const std::vector<Scenario>& generated() {
  static const std::vector<Scenario> all = [] {
    std::vector<Scenario> v;
    const auto g = gen::mixed_scenario();
    for (std::uint64_t i = 0; i < 1024; ++i) v.push_back(gen::generate(g, 1, i).value());
    return v;
  }();
  return all;
}

void run_generated(benchmark::State& state, bool trace) {
  const ModelOptions o = with_trace(trace);
  std::vector<CompiledScenario> cs;
  for (const Scenario& s : generated()) cs.push_back(compile(s, o));
  std::size_t k = 0;
  for (auto _ : state) {
    const CompiledScenario& c = cs[(k >> 1) & 1023];
    Observation obs = run_direction(c, static_cast<std::uint8_t>(k & 1), o);
    benchmark::DoNotOptimize(obs);
    ++k;
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Engine_Generated_NoTrace(benchmark::State& st) { run_generated(st, false); }
void BM_Engine_Generated_Trace(benchmark::State& st) { run_generated(st, true); }

void BM_CompileAndRun_Generated_NoTrace(benchmark::State& state) {
  const ModelOptions o = with_trace(false);
  std::size_t k = 0;
  for (auto _ : state) {
    const CompiledScenario c = compile(generated()[k++ & 1023], o);
    Observation a = run_direction(c, 0, o), b = run_direction(c, 1, o);
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(2 * state.iterations());
}

BENCHMARK(BM_Engine_S1_NoTrace);
BENCHMARK(BM_Engine_S1_Trace);
BENCHMARK(BM_Engine_Generated_NoTrace);
BENCHMARK(BM_Engine_Generated_Trace);
BENCHMARK(BM_CompileAndRun_Generated_NoTrace);

}  // namespace
}  // namespace ikeconform

BENCHMARK_MAIN();
