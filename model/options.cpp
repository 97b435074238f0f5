#include "model/options.hpp"

#include <fmt/format.h>

#include <array>

namespace ikeconform {
namespace {

template <typename E>
struct Choice {
  std::string_view text;
  E value;
};

constexpr std::array<Choice<bool>, 4> kBool{{{"on", true}, {"off", false}, {"true", true}, {"false", false}}};
constexpr std::array<Choice<FallbackCertificate>, 3> kFallback{
    {{"profile-then-store", FallbackCertificate::ProfileThenStore},
     {"store", FallbackCertificate::Store},
     {"none", FallbackCertificate::None}}};
constexpr std::array<Choice<CertReqScope>, 2> kScope{{{"profile", CertReqScope::Profile}, {"all", CertReqScope::All}}};
constexpr std::array<Choice<CaOnlyOrder>, 2> kCaOnly{
    {{"reverse-authenticate", CaOnlyOrder::ReverseAuthenticate}, {"authenticate", CaOnlyOrder::Authenticate}}};
constexpr std::array<Choice<ProfileMatch>, 2> kMatch{{{"last", ProfileMatch::Last}, {"first", ProfileMatch::First}}};

template <typename E, std::size_t N>
std::optional<std::string> pick(const std::array<Choice<E>, N>& choices, std::string_view key, std::string_view value,
                                E& out) {
  for (const auto& c : choices)
    if (c.text == value) {
      out = c.value;
      return std::nullopt;
    }
  std::string accepted;
  for (const auto& c : choices) accepted += (accepted.empty() ? "" : ", ") + std::string(c.text);
  return fmt::format("model option {}: unknown value '{}' (accepted: {})", key, value, accepted);
}

template <typename E, std::size_t N>
std::string text(const std::array<Choice<E>, N>& choices, E v) {
  for (const auto& c : choices)
    if (c.value == v) return std::string(c.text);
  return "?";
}

}  // namespace

std::optional<std::string> set_model_option(ModelOptions& o, std::string_view kv) {
  auto eq = kv.find('=');
  if (eq == std::string_view::npos) return fmt::format("model option '{}': expected KEY=VALUE", kv);
  std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
  if (key == "initiator_choice_restricted_to_profile")
    return pick(kBool, key, value, o.initiator_choice_restricted_to_profile);
  if (key == "fallback_certificate") return pick(kFallback, key, value, o.fallback_certificate);
  if (key == "ikev2_initiator_certreq") return pick(kScope, key, value, o.ikev2_initiator_certreq);
  if (key == "ikev2_responder_choice") return pick(kScope, key, value, o.ikev2_responder_choice);
  if (key == "predefined_trustpoints") return pick(kBool, key, value, o.predefined_trustpoints);
  if (key == "ca_only_order") return pick(kCaOnly, key, value, o.ca_only_order);
  if (key == "ikev1_profile_match") return pick(kMatch, key, value, o.ikev1_profile_match);
  if (key == "ikev2_certreq_predefined") return pick(kBool, key, value, o.ikev2_certreq_predefined);
  if (key == "ikev1_early_binding_by_address") return pick(kBool, key, value, o.ikev1_early_binding_by_address);
  if (key == "trace") return pick(kBool, key, value, o.trace);
  return fmt::format("unknown model option '{}' (known: {})", key, model_option_help());
}

std::vector<std::pair<std::string, std::string>> describe(const ModelOptions& o) {
  return {
      {"initiator_choice_restricted_to_profile", o.initiator_choice_restricted_to_profile ? "on" : "off"},
      {"fallback_certificate", text(kFallback, o.fallback_certificate)},
      {"ikev2_initiator_certreq", text(kScope, o.ikev2_initiator_certreq)},
      {"ikev2_responder_choice", text(kScope, o.ikev2_responder_choice)},
      {"predefined_trustpoints", o.predefined_trustpoints ? "on" : "off"},
      {"ca_only_order", text(kCaOnly, o.ca_only_order)},
      {"ikev1_profile_match", text(kMatch, o.ikev1_profile_match)},
      {"ikev2_certreq_predefined", o.ikev2_certreq_predefined ? "on" : "off"},
      {"ikev1_early_binding_by_address", o.ikev1_early_binding_by_address ? "on" : "off"},
  };
}

std::string model_option_help() {
  return "initiator_choice_restricted_to_profile=on|off, fallback_certificate=profile-then-store|store|none, "
         "ikev2_initiator_certreq=profile|all, ikev2_responder_choice=profile|all, predefined_trustpoints=on|off, "
         "ca_only_order=reverse-authenticate|authenticate, ikev1_profile_match=last|first, "
         "ikev2_certreq_predefined=on|off, ikev1_early_binding_by_address=on|off, trace=on|off";
}

}  // namespace ikeconform
