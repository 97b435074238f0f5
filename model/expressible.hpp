// What of the scenario format a target can run. A real stack cannot express everything IOS can
// (strongSwan here has no CRL to mark a certificate revoked; IKEv1 negotiates one authentication
// method for both directions on strongSwan and Libreswan), and a scenario it cannot express is
// only skipped as unsupported. The generators build only what the campaign's target expresses
// (generators/generators.hpp), so that its runs are judged rather than skipped.
#pragma once

namespace ikeconform {

struct Expressible {
  bool revoked_certificates = true;  // section 7: a certificate the CRL marks revoked
  bool certificate_features = true;  // V1-13: certificate features a peer refuses to verify
  bool ikev1_mixed_auth = true;      // an IKEv1 profile that signs one way and uses a key the other
  bool pre_shared_keys = true;       // a profile authenticating with a pre-shared key at all
  // DN and e-mail identities (`identity local dn|email`) and `match identity ... email|domain`
  // lines (model/scenario.hpp IdKind::Dn / Email, IdentityMatch::domain).
  bool dn_email_identities = true;

  // What both express (a pair of stacks, a target and its companions).
  Expressible operator&(const Expressible& o) const {
    return {revoked_certificates && o.revoked_certificates, certificate_features && o.certificate_features,
            ikev1_mixed_auth && o.ikev1_mixed_auth, pre_shared_keys && o.pre_shared_keys,
            dn_email_identities && o.dn_email_identities};
  }
  friend bool operator==(const Expressible&, const Expressible&) = default;
};

}  // namespace ikeconform
