// verify(): OpenSSL builds the path and runs the RFC 5280 checks with a callback that records
// every error instead of stopping; the errors become problems; then chain_checks.h adds what
// OpenSSL leaves to the caller (name, EKU, KU, weak algorithms, OCSP).
#include "verify/verifier.h"

#include <openssl/err.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <string_view>
#include <tuple>
#include <utility>

#include "pki/subject.h"
#include "verify/chain_checks.h"
#include "verify/problem_text.h"

namespace telecert::verify {
namespace {

namespace text = problem_text;

struct RecordedError {
  int code;
  int depth;
  X509* certificate;  // owned by the store context's chain, valid until it is freed
};

struct CallbackState {
  std::vector<RecordedError> errors;
};

int state_index() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Records the error and tells OpenSSL to go on, so that one run finds every problem.
int record_error(int ok, X509_STORE_CTX* context) {
  if (ok == 1) return 1;
  auto* state = static_cast<CallbackState*>(X509_STORE_CTX_get_ex_data(context, state_index()));
  const RecordedError error{X509_STORE_CTX_get_error(context),
                            X509_STORE_CTX_get_error_depth(context),
                            X509_STORE_CTX_get_current_cert(context)};
  const bool seen = std::ranges::any_of(state->errors, [&](const RecordedError& e) {
    return e.code == error.code && e.depth == error.depth;
  });
  if (!seen) state->errors.push_back(error);
  return 1;
}

struct FreeCrlStack {
  void operator()(STACK_OF(X509_CRL) * stack) const noexcept { sk_X509_CRL_free(stack); }
};
struct FreeX509Stack {
  void operator()(STACK_OF(X509) * stack) const noexcept { sk_X509_free(stack); }
};

std::string subject_of(const X509* certificate) {
  return certificate != nullptr ? pki::name_to_string(X509_get_subject_name(certificate)) : "";
}

// The CRL entry that revokes `certificate`, for the report's source and date.
std::pair<std::string, std::optional<pki::TimePoint>> revocation_entry(
    X509* certificate, const std::vector<pki::Owned<X509_CRL>>& crls) {
  for (const auto& crl : crls) {
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(crl.get(), &entry, certificate) == 1 && entry != nullptr) {
      std::optional<pki::TimePoint> when;
      std::tm tm{};
      if (ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(entry), &tm) == 1) {
        when = pki::TimePoint{std::chrono::seconds{timegm(&tm)}};
      }
      return {"the CRL issued by '" + pki::name_to_string(X509_CRL_get_issuer(crl.get())) + "'",
              when};
    }
  }
  return {"a CRL", std::nullopt};
}

bool is_crl_error(int code) {
  switch (code) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
      return true;
    default:
      return false;
  }
}

struct MappingInput {
  std::span<const pki::Certificate> presented;
  const VerifyOptions& options;
  const std::vector<pki::Owned<X509_CRL>>& crls;
  const std::string& crl_unavailable;
  pki::TimePoint now;
};

// One OpenSSL error as a problem; nullopt for errors that another problem already explains.
std::optional<Problem> to_problem(const RecordedError& error, const MappingInput& in) {
  X509* certificate = error.certificate;
  const std::string subject = subject_of(certificate);
  const std::string detail = X509_verify_cert_error_string(error.code);
  Problem problem{ProblemCode::InvalidCertificate, Severity::Error, error.depth, subject, {}, {}};
  text::Text words;
  const auto time_of = [](const ASN1_TIME* time) {
    std::tm tm{};
    return ASN1_TIME_to_tm(time, &tm) == 1 ? pki::TimePoint{std::chrono::seconds{timegm(&tm)}}
                                           : pki::TimePoint{};
  };
  switch (error.code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:  // the same fact, said of a lone leaf
      if (certificate != nullptr && (X509_get_extension_flags(certificate) & EXFLAG_SS) != 0) {
        problem.code = ProblemCode::UntrustedRoot;
        words = text::untrusted_root(subject);
      } else {
        problem.code = ProblemCode::MissingIntermediate;
        const std::string issuer =
            certificate != nullptr ? pki::name_to_string(X509_get_issuer_name(certificate)) : "";
        words = text::missing_intermediate(subject, issuer,
                                           in.presented.size() == 1 && error.depth == 0);
      }
      break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      problem.code = ProblemCode::UntrustedRoot;
      words = text::untrusted_root(subject);
      break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      problem.code = ProblemCode::SelfSigned;
      words = text::self_signed(subject);
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED: {
      // RFC 5280 §4.1.2.5: the validity period includes notAfter; OpenSSL counts that second
      // as expired.
      const pki::TimePoint not_after = time_of(X509_get0_notAfter(certificate));
      if (not_after >= in.now) return std::nullopt;
      problem.code = ProblemCode::Expired;
      words = text::expired(subject, not_after, in.now);
      break;
    }
    case X509_V_ERR_CERT_NOT_YET_VALID:
      problem.code = ProblemCode::NotYetValid;
      words = text::not_yet_valid(subject, time_of(X509_get0_notBefore(certificate)), in.now);
      break;
    case X509_V_ERR_CERT_REVOKED: {
      problem.code = ProblemCode::Revoked;
      const auto [source, when] = revocation_entry(certificate, in.crls);
      words = text::revoked(subject, source, when, "");
      break;
    }
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_INVALID_NON_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      problem.code = ProblemCode::NotACa;
      words = text::not_a_ca(subject, detail);
      break;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED:
      problem.code = ProblemCode::PathLength;
      words = text::path_length(subject, detail);
      break;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
      problem.code = ProblemCode::PathLength;
      words = text::max_depth(in.options.max_depth.value_or(100));
      break;
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
      problem.code = ProblemCode::NameConstraints;
      words = text::name_constraints(subject, detail);
      break;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      problem.code = ProblemCode::BadSignature;
      words = text::bad_signature(subject, detail);
      break;
    case X509_V_ERR_INVALID_PURPOSE:
      problem.code = ProblemCode::BadKeyUsage;
      words = {"the certificate " + subject + " does not allow this use (" + detail + ")",
               "reissue it with the key usage its role needs"};
      break;
    default:
      if (is_crl_error(error.code)) {
        const bool reject = in.options.revocation.when_unknown == WhenUnknown::Reject;
        problem.code = ProblemCode::RevocationUnknown;
        problem.severity = reject ? Severity::Error : Severity::Warning;
        const std::string why =
            in.crl_unavailable.empty() ? detail : detail + "; " + in.crl_unavailable;
        words = text::revocation_unknown(subject, why, reject);
      } else {
        words = text::invalid_certificate(subject, detail);
      }
      break;
  }
  problem.message = std::move(words.message);
  problem.remedy = std::move(words.remedy);
  return problem;
}

// The chain OpenSSL built (or, when it built none, what was presented), the anchor marked.
std::vector<ChainElement> built_chain(X509_STORE_CTX* context,
                                      std::span<const pki::Certificate> presented,
                                      const TrustStore& trust) {
  std::vector<ChainElement> chain;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(context);
  if (built == nullptr || sk_X509_num(built) == 0) {
    for (const auto& certificate : presented) chain.push_back({certificate, false});
    return chain;
  }
  for (int i = 0; i < sk_X509_num(built); ++i) {
    X509* certificate = sk_X509_value(built, i);
    X509_up_ref(certificate);
    chain.push_back({pki::Certificate::adopt(pki::Owned<X509>(certificate)), false});
  }
  X509* top = chain.back().certificate.get();
  chain.back().trust_anchor = std::ranges::any_of(
      trust.anchors(), [top](const pki::Certificate& a) { return X509_cmp(a.get(), top) == 0; });
  return chain;
}

// One RevocationCheck per certificate of the chain but the anchor, from what OpenSSL's CRL
// check said at its depth.
void add_crl_verdicts(Report& report, const std::vector<RecordedError>& errors,
                      const std::vector<pki::Owned<X509_CRL>>& crls) {
  for (std::size_t depth = 0; depth < report.chain.size(); ++depth) {
    const ChainElement& element = report.chain[depth];
    if (element.trust_anchor) continue;
    X509* x509 = element.certificate.get();
    RevocationCheck check{element.certificate.subject(), RevocationCheck::Status::Good, "CRL",
                          std::nullopt, ""};
    for (const auto& crl : crls) {
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(x509)) == 0) {
        check.source = "the CRL issued by '" + element.certificate.issuer() + "'";
        break;
      }
    }
    for (const RecordedError& error : errors) {
      if (error.depth != static_cast<int>(depth)) continue;
      if (error.code == X509_V_ERR_CERT_REVOKED) {
        check.status = RevocationCheck::Status::Revoked;
        std::tie(check.source, check.revoked_at) = revocation_entry(x509, crls);
      } else if (is_crl_error(error.code) && check.status == RevocationCheck::Status::Good) {
        check.status = RevocationCheck::Status::Unknown;
        check.detail = X509_verify_cert_error_string(error.code);
      }
    }
    report.revocation.push_back(std::move(check));
  }
}

// One run of X509_verify_cert. The context owns the chain the recorded errors point into.
struct Pass {
  std::unique_ptr<STACK_OF(X509), FreeX509Stack> untrusted;
  std::unique_ptr<STACK_OF(X509_CRL), FreeCrlStack> crls;
  pki::Owned<X509_STORE_CTX> context;
  CallbackState state;
  // X509_verify_cert failed. The callback goes on after every error, so OpenSSL fails only when
  // it stops on its own without asking it (out of memory, a failed lookup, an internal error),
  // and possibly before it checked the signatures and dates (OpenSSL 3.0 checks revocation
  // first): such a run is never trusted, whatever the callback had recorded and accepted.
  bool stopped = false;
};

// X509_verify_cert over `presented` (the peer's certificate first) with `crls` when the policy
// asks for CRLs, recording every error.
Result<std::unique_ptr<Pass>> run_pass(std::span<const pki::Certificate> presented,
                                       const TrustStore& trust, const VerifyOptions& options,
                                       const std::vector<pki::Owned<X509_CRL>>& crls) {
  auto pass = std::make_unique<Pass>();
  pass->untrusted.reset(sk_X509_new_reserve(nullptr, static_cast<int>(presented.size())));
  for (std::size_t i = 1; pass->untrusted && i < presented.size(); ++i) {
    sk_X509_push(pass->untrusted.get(), presented[i].get());
  }
  pass->context.reset(X509_STORE_CTX_new());
  X509_STORE_CTX* context = pass->context.get();
  if (context == nullptr || pass->untrusted == nullptr ||
      X509_STORE_CTX_init(context, trust.get(), presented[0].get(), pass->untrusted.get()) != 1) {
    return fail(ErrorCode::Internal, pki::drain_openssl_errors(),
                "retry, and report it if it persists");
  }
  X509_STORE_CTX_set_ex_data(context, state_index(), &pass->state);
  X509_STORE_CTX_set_verify_cb(context, record_error);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(context);
  X509_VERIFY_PARAM_set_time(param, options.time.time_since_epoch().count());
  if (options.max_depth) X509_VERIFY_PARAM_set_depth(param, *options.max_depth);
  unsigned long flags = X509_V_FLAG_USE_CHECK_TIME;
  if (options.strict) flags |= X509_V_FLAG_X509_STRICT;
  if (options.revocation.crl) {
    flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    pass->crls.reset(sk_X509_CRL_new_null());
    for (const auto& crl : crls) {
      // RFC 5280 §5.2.3: conforming CRLs carry a CRL number; strict leaves others unused.
      if (options.strict && X509_CRL_get_ext_by_NID(crl.get(), NID_crl_number, -1) < 0) continue;
      sk_X509_CRL_push(pass->crls.get(), crl.get());
    }
    X509_STORE_CTX_set0_crls(context, pass->crls.get());
  }
  X509_VERIFY_PARAM_set_flags(param, flags);

  if (X509_verify_cert(context) <= 0) {
    pass->stopped = true;
    int code = X509_STORE_CTX_get_error(context);
    if (code == X509_V_OK) code = X509_V_ERR_UNSPECIFIED;
    auto& errors = pass->state.errors;
    if (std::ranges::none_of(errors, [code](const RecordedError& e) { return e.code == code; })) {
      X509* at = X509_STORE_CTX_get_current_cert(context);
      errors.push_back({code, at != nullptr ? X509_STORE_CTX_get_error_depth(context) : 0,
                        at != nullptr ? at : presented[0].get()});
    }
  }
  pki::drain_openssl_errors();
  return pass;
}

// The problems of a pass's recorded errors, for report.chain as built. `note` is added to why a
// CRL is unavailable.
std::vector<Problem> openssl_problems(const Report& report, const Pass& pass,
                                      const RevocationChecker::CrlSet& crls,
                                      const VerifyOptions& options,
                                      std::span<const pki::Certificate> presented,
                                      std::string_view note) {
  std::string crl_unavailable;
  for (const auto& miss : crls.unavailable) {
    crl_unavailable += (crl_unavailable.empty() ? "" : "; ") + miss;
  }
  if (!note.empty()) crl_unavailable += (crl_unavailable.empty() ? "" : "; ") + std::string(note);
  const bool anchored = report.chain.back().trust_anchor;
  const int anchor_depth = static_cast<int>(report.chain.size()) - 1;
  const MappingInput input{presented, options, crls.crls, crl_unavailable, options.time};
  std::vector<Problem> problems;
  for (const RecordedError& error : pass.state.errors) {
    // CRL_CHECK_ALL asks for a CRL for the anchor too, and X509_STRICT wants keyUsage in it; the
    // anchor is trusted as configured (RFC 5280 §6.1.1 (d): its data is input, not checked), and
    // many private roots of phone vendors carry no keyUsage.
    if (anchored && error.depth == anchor_depth &&
        (is_crl_error(error.code) || error.code == X509_V_ERR_CA_CERT_MISSING_KEY_USAGE)) {
      continue;
    }
    auto problem = to_problem(error, input);
    // OpenSSL may say one fact twice (no issuer, then no way to check the leaf's signature).
    const bool said = problem && std::ranges::any_of(problems, [&](const Problem& p) {
                        return p.code == problem->code && p.depth == problem->depth;
                      });
    if (problem && !said) problems.push_back(std::move(*problem));
  }
  if (pass.stopped && std::ranges::none_of(problems, [](const Problem& p) {
        return p.severity == Severity::Error;
      })) {
    // What stopped OpenSSL was already recorded (and accepted, or left to the anchor): the run
    // is still incomplete, see Pass::stopped.
    const int code = X509_STORE_CTX_get_error(pass.context.get());
    problems.push_back({ProblemCode::InvalidCertificate, Severity::Error, -1, "",
                        std::string("the chain could not be checked completely: ") +
                            X509_verify_cert_error_string(code),
                        "this is an internal error; retry, and report it if it persists"});
  }
  return problems;
}

}  // namespace

std::string_view to_string(Purpose purpose) {
  return purpose == Purpose::Server ? "server" : "client";
}

Result<Purpose> parse_purpose(std::string_view text) {
  if (text == "server") return Purpose::Server;
  if (text == "client") return Purpose::Client;
  return fail(ErrorCode::InvalidArgument, "unknown purpose '" + std::string(text) + "'",
              "use 'server' (check a server's certificate) or 'client'");
}

std::shared_ptr<const TrustStore> TrustStore::create(std::vector<pki::Certificate> anchors) {
  pki::Owned<X509_STORE> store(X509_STORE_new());
  for (const auto& anchor : anchors) X509_STORE_add_cert(store.get(), anchor.get());
  pki::drain_openssl_errors();  // a duplicate anchor is not an error for us
  return std::shared_ptr<const TrustStore>(new TrustStore(std::move(anchors), std::move(store)));
}

Report verify(std::span<const pki::Certificate> presented, const TrustStore& trust,
              const VerifyOptions& options, RevocationChecker* revocation) {
  Report report;
  const std::string_view role = to_string(options.purpose);
  if (presented.empty()) {
    const auto words = problem_text::no_certificate(role);
    report.problems.push_back(
        {ProblemCode::NoCertificate, Severity::Error, -1, "", words.message, words.remedy});
    return report;
  }

  // First pass: the path and every RFC 5280 check, with the CRLs handed in (no network).
  const RevocationPolicy& policy = options.revocation;
  RevocationChecker::CrlSet crls;
  RevocationChecker::CrlSet fetched;  // declared before the passes: their contexts point into it
  if (policy.crl && revocation == nullptr) {
    crls.unavailable.emplace_back("no revocation checker was given");
  } else if (policy.crl) {
    crls = revocation->crls_for({}, policy, options.time);
  }
  auto pass = run_pass(presented, trust, options, crls.crls);
  if (!pass) {
    report.problems.push_back({ProblemCode::InvalidCertificate, Severity::Error, -1, "",
                               "the chain could not be checked: " + pass.error().message,
                               "this is an internal error; retry, and report it if it persists"});
    for (const auto& certificate : presented) report.chain.push_back({certificate, false});
    return report;
  }
  report.chain = built_chain((*pass)->context.get(), presented, trust);
  check_chain(report, presented[0], options);
  std::vector<Problem> own = std::exchange(report.problems, {});
  std::vector<Problem> found = openssl_problems(report, **pass, crls, options, presented, "");

  // Revocation data is fetched from URLs the certificates name, while the peer waits: only for
  // a chain that is otherwise trusted (anchored, OpenSSL finished, no error but revocation), so
  // that an unauthenticated peer cannot make us send requests of its choosing, and only for the
  // certificates of that chain. Revocation problems alone leave it eligible: the handed-in CRLs
  // may not cover it, and a revoked certificate may as well be reported by every source.
  const auto other_error = [](const Problem& p) {
    return p.severity == Severity::Error && p.code != ProblemCode::Revoked &&
           p.code != ProblemCode::RevocationUnknown;
  };
  const bool eligible = report.chain.back().trust_anchor && !(*pass)->stopped &&
                        std::ranges::none_of(found, other_error) &&
                        std::ranges::none_of(own, other_error);
  FetchBudget budget(revocation != nullptr ? revocation->options().max_fetches : 0);
  const RevocationChecker::CrlSet* in_use = &crls;
  if (policy.crl && policy.fetch_distribution_points && revocation != nullptr) {
    if (eligible) {
      // Second pass with the CRLs the chain's distribution points name (RFC 5280 §4.2.1.13): the
      // same path (building does not depend on CRLs), so its findings replace the first's.
      std::vector<pki::Certificate> issued;
      for (const auto& element : report.chain) {
        if (!element.trust_anchor) issued.push_back(element.certificate);
      }
      fetched = revocation->crls_for(issued, policy, options.time, &budget);
      auto second = run_pass(presented, trust, options, fetched.crls);
      if (second) {
        pass = std::move(second);
        in_use = &fetched;
        found = openssl_problems(report, **pass, fetched, options, presented, "");
      } else {
        found.push_back({ProblemCode::InvalidCertificate, Severity::Error, -1, "",
                         "the CRLs could not be checked: " + second.error().message,
                         "this is an internal error; retry, and report it if it persists"});
      }
    } else {
      found = openssl_problems(report, **pass, crls, options, presented,
                               "CRL distribution points are fetched only for a trusted chain");
    }
  }
  report.problems = std::move(found);
  report.problems.insert(report.problems.end(), std::make_move_iterator(own.begin()),
                         std::make_move_iterator(own.end()));
  if (policy.crl) add_crl_verdicts(report, (*pass)->state.errors, in_use->crls);
  if (policy.ocsp && eligible) check_ocsp(report, options, revocation, &budget);
  report.trusted = std::ranges::none_of(
      report.problems, [](const Problem& p) { return p.severity == Severity::Error; });
  return report;
}

}  // namespace telecert::verify
