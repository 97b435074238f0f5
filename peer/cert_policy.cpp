#include "peer/cert_policy.hpp"

namespace ikeconform::peer {

std::optional<std::size_t> check_peer_certificate(CertificatePolicy& policy, const CertStep& at,
                                                  const Credentials& creds, const Bytes* cert, std::string& why) {
  const std::vector<std::size_t> indices = policy.trust_anchors(at);
  std::optional<std::size_t> anchor;
  if (cert) {
    at.log.push_back("received end entity cert \"" + certificate_subject(*cert) + "\"");
    std::vector<const CaCert*> anchors;
    for (std::size_t i : indices) anchors.push_back(&creds.cas().at(i));
    if (const auto valid = validate(*cert, anchors, &why)) anchor = indices.at(*valid);
  } else {
    why = "no certificate received";
  }
  policy.certificate_checked(at, anchor);
  return anchor;
}

}  // namespace ikeconform::peer
