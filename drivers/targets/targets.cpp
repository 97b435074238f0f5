#include "drivers/targets/targets.hpp"

#include <cctype>
#include <fstream>
#include <mutex>

#include "drivers/adapter/exec_target.hpp"
#include "drivers/libreswan/render.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "model/input_error.hpp"

namespace ikeconform::targets {

StrongswanTarget::StrongswanTarget(strongswan::TargetOptions o) : target_(std::move(o)) {}

Observation StrongswanTarget::run(const Scenario& s, std::uint8_t initiator) { return target_.run(s, initiator); }

std::optional<std::string> StrongswanTarget::version() {
  try {
    return target_.daemon_version();
  } catch (const std::exception&) {  // no daemon to ask: reports show no version rather than fail
    return std::nullopt;
  }
}

namespace {

std::string file_part(std::string name) {
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return name;
}

// The first line of a command's output that names `word`, cut to "<word> <version>".
std::optional<std::string> version_from(const process::Argv& argv, const std::string& word) {
  try {
    const process::RunResult r = process::run(argv, {}, std::chrono::milliseconds{5000});
    const std::string text = r.out + r.err;
    const auto at = text.find(word);
    if (at == std::string::npos) return std::nullopt;
    const auto space = text.find(' ', at);
    if (space == std::string::npos) return std::nullopt;
    const auto end = text.find_first_of(" \n", space + 1);
    return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<RenderedFile> swanctl_renderings(const Scenario& s, std::optional<std::size_t> only) {
  if (strongswan::inexpressible(s)) return {};
  std::vector<RenderedFile> out;
  strongswan::RenderOptions ro;
  ro.prefix = "";  // the target's per-run prefix only keeps charon's reloads apart
  const strongswan::Material m = strongswan::named_material(s);
  for (std::size_t p = 0; p < s.peers.size(); ++p) {
    if (only && p != *only) continue;
    try {
      out.push_back({file_part(s.peers[p].name) + ".swanctl.conf", strongswan::render_swanctl_conf(s, p, m, ro)});
    } catch (const InputError&) {  // bad references: nothing to show for this peer
    }
  }
  return out;
}

std::vector<RenderedFile> ipsec_conf_renderings(const Scenario& s, const std::filesystem::path& key_cache,
                                                const std::filesystem::path& temp_dir, std::optional<std::size_t> only) {
  std::vector<RenderedFile> out;
  try {
    // The certificates' nicknames and CKAIDs come from a PKI: a scratch one (keys from the cache).
    pki::KeyCache keys(key_cache.empty() ? pki::KeyCache::default_dir() : key_cache);
    process::TempDir dir(temp_dir, process::run_prefix() + "-render-");
    const pki::Pki pki = pki::make_pki(s, dir.path(), keys);
    libreswan::RenderOptions ro;
    ro.prefix = "";
    for (std::size_t p = 0; p < s.peers.size(); ++p) {
      if (only && p != *only) continue;
      const libreswan::PeerConfig c = libreswan::render_peer(s, p, pki, ro);
      out.push_back({file_part(s.peers[p].name) + ".ipsec.conf", libreswan::render_config_setup() + "\n" + c.ipsec_conf});
    }
  } catch (const std::exception&) {  // inexpressible on Libreswan (or no PKI for it): nothing to show
    return {};
  }
  return out;
}

std::optional<std::string> libreswan_version() {
  return version_from({(libreswan::libreswan_prefix() / "usr/libexec/ipsec/pluto").string(), "--version"}, "Libreswan");
}

std::optional<std::string> strongswan_version() {
  const auto v = version_from({"dpkg-query", "-W", "-f=strongSwan ${Version}\n", "charon-systemd"}, "strongSwan");
  if (!v) return std::nullopt;
  return v->substr(0, v->find('-'));  // "strongSwan 5.9.8" without the Debian revision
}

std::vector<RenderedFile> StrongswanTarget::render(const Scenario& s) { return swanctl_renderings(s); }

bool StrongswanTarget::set_capture(const std::optional<std::filesystem::path>& file) {
  if (file) target_.start_capture(*file);
  else target_.stop_capture();
  return true;
}

bool PairTarget::set_capture(const std::optional<std::filesystem::path>& file) {
  capture_ = file;
  if (file) std::filesystem::remove(*file);  // a fresh file per capture: runs are appended to it
  return true;
}

void PairTarget::captured(const stack::PairRunner& runner) {
  if (!capture_) return;
  const wire::Bytes& pcap = runner.last().wire.pcap;
  constexpr std::size_t kHeader = 24;  // classic pcap global header: written once per file
  if (pcap.size() < kHeader) return;
  const bool fresh = !std::filesystem::exists(*capture_) || std::filesystem::file_size(*capture_) == 0;
  std::ofstream f(*capture_, std::ios::binary | std::ios::app);
  const std::size_t from = fresh ? 0 : kHeader;
  f.write(reinterpret_cast<const char*>(pcap.data() + from), static_cast<std::streamsize>(pcap.size() - from));
}

LibreswanTarget::LibreswanTarget(stack::PairOptions o) : target_(o), key_cache_(o.key_cache), temp_dir_(o.base) {}

Observation LibreswanTarget::run(const Scenario& s, std::uint8_t initiator) {
  Observation o = target_.run(s, initiator);
  captured(target_.runner());
  return o;
}

std::optional<std::string> LibreswanTarget::version() { return libreswan_version(); }

std::vector<RenderedFile> LibreswanTarget::render(const Scenario& s) { return ipsec_conf_renderings(s, key_cache_, temp_dir_); }

MixedTarget::MixedTarget(std::size_t strongswan_side, stack::PairOptions o)
    : strongswan_side_(strongswan_side), target_(strongswan_side, o), key_cache_(o.key_cache), temp_dir_(o.base) {}

std::string MixedTarget::name() const { return strongswan_side_ == 0 ? "strongswan,libreswan" : "libreswan,strongswan"; }

std::string MixedTarget::personality() const {
  return strongswan_side_ == 0 ? std::string(mixed::kStrongswan) + "+" + libreswan::kPersonality
                               : std::string(libreswan::kPersonality) + "+" + mixed::kStrongswan;
}

Observation MixedTarget::run(const Scenario& s, std::uint8_t initiator) {
  Observation o = target_.run(s, initiator);
  captured(target_.runner());
  return o;
}

std::optional<std::string> MixedTarget::version() {
  const auto s = strongswan_version(), l = libreswan_version();
  if (!s && !l) return std::nullopt;
  const std::string sv = s.value_or("strongSwan ?"), lv = l.value_or("Libreswan ?");
  return strongswan_side_ == 0 ? sv + " + " + lv : lv + " + " + sv;
}

std::vector<RenderedFile> MixedTarget::render(const Scenario& s) {
  const Scenario p = personalities(s);
  std::vector<RenderedFile> out = swanctl_renderings(p, strongswan_side_);
  for (RenderedFile& f : ipsec_conf_renderings(p, key_cache_, temp_dir_, 1 - strongswan_side_)) out.push_back(std::move(f));
  return out;
}

void register_real_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_target("strongswan", true, [](const std::string&, const TargetConfig& c) -> std::unique_ptr<Target> {
      strongswan::TargetOptions o;
      o.pair.base = c.temp_dir;
      o.pair.keep_dirs = c.keep_dirs;
      o.key_cache = c.key_cache;
      return std::make_unique<StrongswanTarget>(std::move(o));
    });
    const auto pair_options = [](const TargetConfig& c) {
      stack::PairOptions o;
      o.base = c.temp_dir;
      o.keep_dirs = c.keep_dirs;
      o.key_cache = c.key_cache;
      return o;
    };
    register_target("libreswan", true, [pair_options](const std::string&, const TargetConfig& c) -> std::unique_ptr<Target> {
      return std::make_unique<LibreswanTarget>(pair_options(c));
    });
    register_target("strongswan,libreswan", true, [pair_options](const std::string&, const TargetConfig& c) -> std::unique_ptr<Target> {
      return std::make_unique<MixedTarget>(0, pair_options(c));
    });
    register_target("libreswan,strongswan", true, [pair_options](const std::string&, const TargetConfig& c) -> std::unique_ptr<Target> {
      return std::make_unique<MixedTarget>(1, pair_options(c));
    });
    register_target("exec:", false, [](const std::string& name, const TargetConfig& c) -> std::unique_ptr<Target> {
      adapter::ExecOptions o;
      o.args = c.adapter_args;
      o.reply_timeout = c.adapter_timeout;
      o.temp_dir = c.temp_dir;
      o.key_cache = c.key_cache;
      return std::make_unique<adapter::ExecTarget>(name.substr(5), std::move(o));
    });
  });
}

}  // namespace ikeconform::targets
