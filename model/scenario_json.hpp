// `ikeconform.scenario/1` as JSON (docs/scenario-format.md): strict loader, canonical writer.
#pragma once

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "model/scenario.hpp"

namespace ikeconform {

// Throws InputError("file:line: what is wrong") for malformed JSON, unknown keys, wrong types,
// dangling references and anything validate() rejects.
Scenario scenario_from_json_text(std::string_view text, const std::string& file);
Scenario scenario_from_json(const nlohmann::json& j, const std::string& file);
Scenario load_scenario_file(const std::filesystem::path& path);

nlohmann::ordered_json scenario_to_json(const Scenario& s);
std::string scenario_to_text(const Scenario& s);  // pretty, newline-terminated

// The 1-based line where the value at a JSON pointer ("/peers/0/name") starts; 0 when not found.
int json_pointer_line(std::string_view text, std::string_view pointer);

}  // namespace ikeconform
