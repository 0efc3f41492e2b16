// CertificateService: judging a chain file, probing a remote TLS endpoint, and the snapshot of a
// context both use. Read-only: nothing in the store changes and no event is written.
#include "pki/file_decoder.h"
#include "service/certificate_service.h"

namespace telecert::service {

Result<std::shared_ptr<const tls::ContextSnapshot>> CertificateService::context_snapshot(
    std::string_view context) {
  auto material = context_material(context);
  if (!material) return std::unexpected(material.error());
  // build() names the context in its errors already.
  return tls::ContextSnapshot::build(*material,
                                     tls::ContextSnapshot::Dependencies{clock_, revocation_});
}

Result<verify::Report> CertificateService::verify_chain(const VerifyRequest& request) {
  {
    // The limit is a setting; the transaction ends before the snapshot reads the store again.
    auto tx = store_->begin_read();
    if (!tx) return std::unexpected(tx.error());
    TELECERT_RETURN_IF_ERROR(check_upload_sizes(**tx, {request.chain_file.size()}));
  }
  std::optional<verify::ReferenceIdentity> name;
  if (request.name) {
    auto parsed = verify::parse_reference_identity(*request.name);
    if (!parsed) return std::unexpected(parsed.error());
    name = std::move(*parsed);
  }
  auto certificates = pki::read_certificates(request.chain_file);
  if (!certificates) return std::unexpected(certificates.error());
  auto snapshot = context_snapshot(request.context);
  if (!snapshot) return std::unexpected(snapshot.error());
  const auto options = (*snapshot)->verify_options(request.purpose, name, clock_->now());
  return verify::verify(*certificates, (*snapshot)->trust(), options, revocation_.get());
}

Result<tls::ProbeResult> CertificateService::probe(const ProbeRequest& request) {
  auto target = tls::parse_probe_target(request.url);
  if (!target) return std::unexpected(target.error());
  verify::ReferenceIdentity name = tls::default_expected_name(*target);
  if (request.name) {
    auto parsed = verify::parse_reference_identity(*request.name);
    if (!parsed) return std::unexpected(parsed.error());
    name = std::move(*parsed);
  }
  if (request.timeout.count() <= 0) {
    return fail(ErrorCode::InvalidArgument, "the probe timeout must be positive",
                "give the time to wait for each step in seconds, such as 10");
  }
  auto snapshot = context_snapshot(request.context);
  if (!snapshot) return std::unexpected(snapshot.error());
  return tls::probe(*target, **snapshot, name, request.timeout);
}

}  // namespace telecert::service
