// CertificateService: the trusted-root operations, and the stateless file inspection.
#include <algorithm>

#include "pki/chain.h"
#include "pki/file_decoder.h"
#include "service/certificate_service.h"
#include "service/context_references.h"

namespace telecert::service {

Result<TrustFilter> parse_trust_filter(std::string_view text) {
  if (text == "all") return TrustFilter::All;
  if (text == "builtin") return TrustFilter::Builtin;
  if (text == "custom") return TrustFilter::Custom;
  return fail(ErrorCode::InvalidArgument, "unknown trust source '" + std::string(text) + "'",
              "use custom, builtin or all");
}

Result<std::vector<TrustAnchorView>> CertificateService::list_trust() {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  auto anchors = (*tx)->list_trust_anchors();
  if (!anchors) return std::unexpected(anchors.error());
  std::vector<TrustAnchorView> views;
  const auto now = clock_->now();
  for (const auto& anchor : *anchors) {
    views.push_back(
        TrustAnchorView{anchor.id, std::string(store::to_string(anchor.source)), anchor.enabled,
                        view_certificate(anchor.certificate, now, settings->expiry_warning_days)});
  }
  return views;
}

Result<TrustAddView> CertificateService::add_trust(ByteView file) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  TELECERT_RETURN_IF_ERROR(check_upload_sizes(**tx, {file.size()}));
  auto settings = load_settings(**tx);
  if (!settings) return std::unexpected(settings.error());
  auto certificates = pki::read_certificates(file);
  if (!certificates) return std::unexpected(certificates.error());
  auto custom_count = (*tx)->count_trust_anchors(store::TrustSource::Custom);
  if (!custom_count) return std::unexpected(custom_count.error());

  TrustAddView view;
  const auto now = clock_->now();
  for (const auto& certificate : *certificates) {
    auto id = (*tx)->insert_trust_anchor(certificate, store::TrustSource::Custom, now);
    if (!id) return std::unexpected(id.error());
    if (!*id) {
      view.duplicates.push_back(certificate.subject());
      continue;
    }
    view.added.push_back(TrustAnchorView{
        **id, "custom", true, view_certificate(certificate, now, settings->expiry_warning_days)});
  }
  if (view.added.empty()) {
    return fail(ErrorCode::AlreadyExists,
                "every certificate in the file is already trusted (" +
                    std::to_string(view.duplicates.size()) + ")",
                "nothing was changed; `telecert trust list` shows the trusted roots");
  }
  const auto total = *custom_count + static_cast<std::int64_t>(view.added.size());
  if (total > settings->max_custom_trusted) {
    // The transaction is dropped, so nothing of this file is added.
    return fail(ErrorCode::LimitExceeded,
                "adding " + std::to_string(view.added.size()) + " certificate(s) would make " +
                    std::to_string(total) + " custom trusted roots; the limit is " +
                    std::to_string(settings->max_custom_trusted),
                "remove roots you no longer need with `telecert trust remove ID`, or raise "
                "max_custom_trusted");
  }
  std::string ids;
  for (const auto& added : view.added) ids += (ids.empty() ? "" : ",") + std::to_string(added.id);
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "trust.add", "trust:" + ids));
  TELECERT_RETURN_IF_ERROR(commit(**tx));
  return view;
}

Result<void> CertificateService::remove_trust(std::int64_t id) {
  auto tx = store_->begin_write();
  if (!tx) return std::unexpected(tx.error());
  auto anchors = (*tx)->list_trust_anchors();
  if (!anchors) return std::unexpected(anchors.error());
  auto anchor = std::find_if(anchors->begin(), anchors->end(),
                             [&](const store::TrustAnchorRecord& a) { return a.id == id; });
  if (anchor == anchors->end()) {
    return fail(ErrorCode::NotFound, "there is no trusted root with id " + std::to_string(id),
                "`telecert trust list` shows the ids");
  }
  if (anchor->source == store::TrustSource::Builtin) {
    return fail(ErrorCode::Forbidden,
                "root " + std::to_string(id) + " '" + anchor->certificate.subject() +
                    "' is built in (system CA bundle) and cannot be removed",
                "limit a TLS context's trust scope to custom roots instead");
  }
  auto users = detail::contexts_trusting(**tx, anchor->certificate.sha256_fingerprint());
  if (!users) return std::unexpected(users.error());
  if (!users->empty()) {
    return fail(ErrorCode::Forbidden,
                "root " + std::to_string(id) + " '" + anchor->certificate.subject() +
                    "' is in the trust list of TLS context(s) " + detail::join_names(*users),
                "take it out of their lists first, e.g. `telecert context set " + users->front() +
                    " --trust all`");
  }
  // A context that verifies peers must keep a root to verify them against: refused when this root
  // is the last one of such a context's scope (the transaction is dropped, so nothing changes).
  auto rootless_before = detail::contexts_without_roots(**tx);
  if (!rootless_before) return std::unexpected(rootless_before.error());
  TELECERT_RETURN_IF_ERROR((*tx)->delete_trust_anchor(id));
  auto rootless_after = detail::contexts_without_roots(**tx);
  if (!rootless_after) return std::unexpected(rootless_after.error());
  std::vector<std::string> left_without;
  for (const auto& name : *rootless_after) {
    if (std::find(rootless_before->begin(), rootless_before->end(), name) ==
        rootless_before->end()) {
      left_without.push_back(name);
    }
  }
  if (!left_without.empty()) {
    return fail(ErrorCode::Forbidden,
                "root " + std::to_string(id) + " '" + anchor->certificate.subject() +
                    "' is the last root TLS context(s) " + detail::join_names(left_without) +
                    " verify peers with; without it no peer could ever be trusted",
                "add another root first with `telecert trust add FILE`, or change the context, "
                "e.g. `telecert context set " +
                    left_without.front() + " --trust all`");
  }
  TELECERT_RETURN_IF_ERROR((*tx)->delete_unreferenced_certificates());
  TELECERT_RETURN_IF_ERROR(log_event(**tx, "trust.remove", "trust:" + std::to_string(id)));
  return commit(**tx);
}

Result<std::string> CertificateService::export_trust(TrustFilter filter) {
  auto tx = store_->begin_read();
  if (!tx) return std::unexpected(tx.error());
  auto anchors = (*tx)->list_trust_anchors();
  if (!anchors) return std::unexpected(anchors.error());
  std::string pem;
  for (const auto& anchor : *anchors) {
    const bool wanted =
        filter == TrustFilter::All ||
        (filter == TrustFilter::Builtin) == (anchor.source == store::TrustSource::Builtin);
    if (wanted) pem += anchor.certificate.pem();
  }
  return pem;
}

Result<InspectView> inspect_file(ByteView data, const Secret& passphrase, pki::TimePoint now,
                                 std::int64_t warning_days) {
  auto decoded = pki::decode_file(data, passphrase);
  if (!decoded) return std::unexpected(decoded.error());
  InspectView view;
  view.format = pki::to_string(decoded->format);
  for (const auto& certificate : decoded->certificates) {
    view.certificates.push_back(view_certificate(certificate, now, warning_days));
  }
  for (const auto& request : decoded->requests) view.requests.push_back(view_csr(request));
  for (const auto& key : decoded->keys) view.keys.push_back(key.description());
  view.chain_problems = pki::chain_order_problems(decoded->certificates);
  return view;
}

}  // namespace telecert::service
