// INFORMATIONAL (RFC 7296 §1.4): HDR, SK {[N,] [D,] ...} and its response. A Delete of the IKE SA
// (§3.11: Protocol ID 1, SPI Size 0) is answered with an empty SK and ends the SA; a Delete of
// ESP SPIs is answered with our SPIs of the same CHILD SA (§1.4.1); an empty request is a
// liveness check.
#include <fmt/format.h>

#include "peer/ikev2/ike_sa.hpp"

namespace ikeconform::peer::ikev2 {

namespace k = wire::ikev2;

std::vector<Payload> delete_ike_sa_build() { return {{k::kD, false, wire::Raw{{k::kDeleteProtoIke, 0, 0, 0}}}}; }

std::vector<Payload> informational_process(IkeSa& sa, const std::vector<Payload>& request, bool& deleted) {
  std::vector<Payload> out;
  for (const Payload& p : request) {
    if (p.type == k::kN) {
      const auto& n = std::get<wire::NotifyV2>(p.body);
      const std::string_view name = wire::notify_name(IkeVersion::V2, n.type);
      sa.log(fmt::format("received {} notify", name.empty() ? std::to_string(n.type) : std::string(name)));
      if (n.type == k::kAuthenticationFailed) sa.outcome.error = n.type;
      continue;
    }
    if (p.type != k::kD) continue;
    const Bytes& d = std::get<wire::Raw>(p.body).data;
    if (d.size() < 4) continue;
    if (d[0] == k::kDeleteProtoIke) {
      deleted = true;
      sa.log("received DELETE for IKE_SA, deleting");
      return {};
    }
    if ((d[0] == k::kProtoEsp || d[0] == k::kProtoAh) && !sa.esp_spi_ours.empty()) {
      sa.log("received DELETE for ESP CHILD_SA, closing");
      Bytes ours{d[0], 4, 0, 1};
      ours.insert(ours.end(), sa.esp_spi_ours.begin(), sa.esp_spi_ours.end());
      out.push_back({k::kD, false, wire::Raw{ours}});
      sa.child_deleted = true;
    }
  }
  return out;
}

}  // namespace ikeconform::peer::ikev2
