#include "drivers/targets/targets.hpp"

#include <cctype>
#include <mutex>

#include "drivers/adapter/exec_target.hpp"

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

std::vector<RenderedFile> swanctl_renderings(const Scenario& s) {
  if (strongswan::inexpressible(s)) return {};
  std::vector<RenderedFile> out;
  strongswan::RenderOptions ro;
  ro.prefix = "";  // the target's per-run prefix only keeps charon's reloads apart
  const strongswan::Material m = strongswan::named_material(s);
  for (std::size_t p = 0; p < s.peers.size(); ++p) {
    std::string name = s.peers[p].name;
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    out.push_back({name + ".swanctl.conf", strongswan::render_swanctl_conf(s, p, m, ro)});
  }
  return out;
}

std::vector<RenderedFile> StrongswanTarget::render(const Scenario& s) { return swanctl_renderings(s); }

bool StrongswanTarget::set_capture(const std::optional<std::filesystem::path>& file) {
  if (file) target_.start_capture(*file);
  else target_.stop_capture();
  return true;
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
