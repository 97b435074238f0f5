// RapidCheck generators for `ikeconform.scenario/1`: whole scenarios built from combinators, so
// RapidCheck's shrinking removes CAs, profiles and restriction lines and simplifies enrollment
// orders by itself, and every generated value is valid (`validate()` is empty).
//
// Named scenario classes are generators, not filters: `symmetric` builds exactly the
// configurations P-1 speaks about, `unrestricted_v1` those of P-2, `any` anything.
// A campaign gets scenario #i from (seed, i) alone, so shards and resumed runs see the same ones.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/expressible.hpp"
#include "model/scenario.hpp"

namespace ikeconform::gen {

enum class ScenarioClass : std::uint8_t { Mixed, Any, Symmetric, UnrestrictedV1 };

std::string_view class_name(ScenarioClass c);  // "mixed", "any", "symmetric", "unrestricted_v1"
bool parse_class(std::string_view s, ScenarioClass& out);
std::vector<std::string_view> class_names();

// `e`: what the target expresses (model/expressible.hpp); only `any` builds the others at all
// (revoked certificates, refused features, IKEv1 profiles with two methods).
rc::Gen<Scenario> any_scenario(const Expressible& e = {});
rc::Gen<Scenario> symmetric_scenario();
rc::Gen<Scenario> unrestricted_v1_scenario();
rc::Gen<Scenario> mixed_scenario(const Expressible& e = {});  // symmetric 1/4, unrestricted_v1 1/4, any 1/2
rc::Gen<Scenario> scenario_of(ScenarioClass c, const Expressible& e = {});

// Every generated scenario's `name` starts with the name of the class that built it
// ("symmetric", "unrestricted_v1", "any"); the campaign reads it back from here.
std::string_view generated_class(const Scenario& s);

// The deterministic size schedule of a campaign: 50 + i % 51 (RapidCheck's sizes run 0..100).
int size_for_index(std::uint64_t index);
// The random source of scenario #index of the campaign with `seed`: independent streams per index.
rc::Random random_for(std::uint64_t seed, std::uint64_t index);
// Scenario #index of a campaign, with its shrink tree.
rc::Shrinkable<Scenario> generate(const rc::Gen<Scenario>& g, std::uint64_t seed, std::uint64_t index);

}  // namespace ikeconform::gen
