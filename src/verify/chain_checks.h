// The checks verify() makes itself on the chain OpenSSL built, because OpenSSL leaves them to the
// caller or makes them differently:
// - the peer's name against the expected reference identity (RFC 6125, reference_identity.h);
// - EKU per purpose on the leaf and on every issuing CA that carries one (as webpki and Chrome
//   do: a CA's EKU constrains what it may issue). A leaf without EKU is accepted (RFC 5280
//   §4.2.1.12: the extension is optional; absence means no restriction);
// - KU on the leaf when strict: digitalSignature (or keyEncipherment for a server's RSA key);
// - weak keys (RSA < 2048) and weak signatures (MD5, SHA-1) on every certificate but the anchor;
// - OCSP (RFC 6960) for every certificate of the chain but the anchor, through RevocationChecker
//   (check_ocsp, which verify() calls only for a chain it would otherwise trust, see verifier.cc);
// - profile_checks.cc: RFC 5280 profile rules X509_STRICT does not check (strict only), and
//   the issuers' DNS name constraints applied to the expected name itself, so that a wildcard SAN
//   cannot carry a peer into an excluded subtree (CVE-2025-61727).
#pragma once

#include "verify/verifier.h"

namespace telecert::verify {

// Adds the problems of these checks but OCSP to `report`, whose chain is the one built (anchor
// marked). `leaf` is the peer's certificate. No network.
void check_chain(Report& report, const pki::Certificate& leaf, const VerifyOptions& options);

// OCSP for every certificate of report.chain but the last: a problem for a revoked or unknown
// answer (per the policy's default response) and an entry in report.revocation for each. Asks
// the responders (the network) unless the cache or a staple answers; each request takes one
// fetch from `budget`. `revocation` nullptr: every answer is unknown.
void check_ocsp(Report& report, const VerifyOptions& options, RevocationChecker* revocation,
                FetchBudget* budget);

// Strict: serial number, criticality of name/policy constraints and SAN, malformed name
// constraints and SANs, RSA moduli of odd sizes. Always: a malformed AIA.
void check_profile(Report& report, const VerifyOptions& options);
// The expected DNS name against every issuer's DNS name constraints (RFC 5280 §4.2.1.10).
void check_expected_name_constraints(Report& report, const DnsName& name);

}  // namespace telecert::verify
