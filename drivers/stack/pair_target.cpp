#include "drivers/stack/pair_target.hpp"

#include <algorithm>
#include <fstream>

namespace ikeconform::stack {

namespace {

std::vector<StackKind> distinct(const StackKind& a, const StackKind& b) {
  if (a.personality == b.personality) return {a};
  return {a, b};
}

}  // namespace

PairTarget::PairTarget(StackKind a, StackKind b, PairOptions o, RenderContext rc)
    : kinds_{std::move(a), std::move(b)}, runner_(distinct(kinds_[0], kinds_[1]), std::move(o)), rc_(std::move(rc)) {}

std::string PairTarget::name() const {
  return kinds_[0].name == kinds_[1].name ? kinds_[0].name : kinds_[0].name + "," + kinds_[1].name;
}

std::string PairTarget::personality() const {
  return kinds_[0].personality == kinds_[1].personality ? kinds_[0].personality
                                                        : kinds_[0].personality + "+" + kinds_[1].personality;
}

Scenario PairTarget::personalities(Scenario s) const {
  s = personalities_only(std::move(s));
  for (std::size_t i = 0; i < s.peers.size(); ++i) {
    const StackKind& k = kinds_[std::min<std::size_t>(i, 1)];
    if (k.protocol_bugs)
      for (const std::string& b : peer_bugs_)
        if (std::find(s.peers[i].bugs.begin(), s.peers[i].bugs.end(), b) == s.peers[i].bugs.end())
          s.peers[i].bugs.push_back(b);
  }
  return s;
}

bool PairTarget::observes_child_sa() const { return kinds_[0].observes_child_sa && kinds_[1].observes_child_sa; }
Expressible PairTarget::expressible() const { return kinds_[0].expressible & kinds_[1].expressible; }

std::optional<std::string> PairTarget::version() {
  std::array<std::optional<std::string>, 2> v;
  for (std::size_t i = 0; i < 2; ++i)
    if (kinds_[i].version) v[i] = kinds_[i].version();
  if (kinds_[0].name == kinds_[1].name) return v[0];
  if (!v[0] && !v[1]) return std::nullopt;
  return v[0].value_or(kinds_[0].name + " ?") + " + " + v[1].value_or(kinds_[1].name + " ?");
}

// run() leaves the bugs as the scenario has them: for_target() added --peer-bug's before, and a
// related run without bugs (BUG-REACTION) stays without.
Scenario PairTarget::personalities_only(Scenario s) const {
  for (std::size_t i = 0; i < s.peers.size(); ++i)
    s.peers[i].personality = kinds_[std::min<std::size_t>(i, 1)].personality;
  return s;
}

Observation PairTarget::run(const Scenario& s, std::uint8_t initiator) {
  Observation o = runner_.run(personalities_only(s), initiator);
  captured();
  return o;
}

Observation PairTarget::run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator) {
  Observation o = runner_.run(personalities_only(s), pki, initiator);
  captured();
  return o;
}

std::vector<RenderedFile> PairTarget::render(const Scenario& s) {
  const Scenario p = personalities(s);
  std::vector<RenderedFile> out;
  for (std::size_t i = 0; i < 2 && i < p.peers.size(); ++i)
    if (kinds_[i].render)
      for (RenderedFile& f : kinds_[i].render(p, i, rc_)) out.push_back(std::move(f));
  return out;
}

bool PairTarget::set_capture(const std::optional<std::filesystem::path>& file) {
  capture_ = file;
  runner_.options().capture = runner_.options().capture || file.has_value();
  if (file) std::filesystem::remove(*file);  // a fresh file per capture: runs are appended to it
  return true;
}

// Appends the last run's capture to the open capture file, if any.
void PairTarget::captured() {
  if (!capture_) return;
  const wire::Bytes& pcap = runner_.last().wire.pcap;
  constexpr std::size_t kHeader = 24;  // classic pcap global header: written once per file
  if (pcap.size() < kHeader) return;
  const bool fresh = !std::filesystem::exists(*capture_) || std::filesystem::file_size(*capture_) == 0;
  std::ofstream f(*capture_, std::ios::binary | std::ios::app);
  const std::size_t from = fresh ? 0 : kHeader;
  f.write(reinterpret_cast<const char*>(pcap.data() + from), static_cast<std::streamsize>(pcap.size() - from));
}

}  // namespace ikeconform::stack
