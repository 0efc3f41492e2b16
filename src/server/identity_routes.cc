// /api/v1/identities: list, show, self-signed, CSR create and download, install, import, export,
// delete. Every rule (names, limits, key/certificate match, the factory identity) is the
// service's; these handlers translate JSON and base64 to its requests.
#include <array>
#include <utility>

#include "server/api_json.h"
#include "server/api_route_groups.h"

namespace telecert::server {
namespace {

using api::json;

// The NewIdentity body (service::NewIdentityRequest).
Result<service::NewIdentityRequest> parse_new_identity(const json& body) {
  service::NewIdentityRequest request;
  if (const auto subject = body.find("subject"); subject != body.end() && !subject->is_null()) {
    if (!subject->is_object()) {
      return fail(ErrorCode::InvalidArgument, "field 'subject' must be an object",
                  "give {\"subject\": {\"cn\": \"...\", \"o\": \"...\"}}");
    }
    const std::array<std::pair<std::string_view, std::string*>, 6> parts = {{
        {"cn", &request.subject.common_name},
        {"ou", &request.subject.organizational_unit},
        {"o", &request.subject.organization},
        {"l", &request.subject.locality},
        {"st", &request.subject.state},
        {"c", &request.subject.country},
    }};
    for (const auto& [field, target] : parts) {
      auto value = api::optional_string(*subject, field);
      if (!value) return std::unexpected(value.error().with_context("subject"));
      if (*value) *target = std::move(**value);
    }
  }
  if (const auto sans = body.find("subject_alt_names"); sans != body.end() && !sans->is_null()) {
    if (!sans->is_array()) {
      return fail(ErrorCode::InvalidArgument, "field 'subject_alt_names' must be a list",
                  "give [\"dns:sbc.example.com\", \"ip:192.0.2.10\"]");
    }
    for (const auto& san : *sans) {
      if (!san.is_string()) {
        return fail(ErrorCode::InvalidArgument, "field 'subject_alt_names' must list strings",
                    "give [\"dns:sbc.example.com\", \"ip:192.0.2.10\"]");
      }
      request.subject_alt_names.push_back(san.get<std::string>());
    }
  }
  auto key_type = api::optional_string(body, "key_type");
  if (!key_type) return std::unexpected(key_type.error());
  if (*key_type) request.key_type = **key_type;
  auto signature = api::optional_string(body, "signature");
  if (!signature) return std::unexpected(signature.error());
  if (*signature) request.signature = **signature;
  auto validity = api::optional_integer(body, "validity_days");
  if (!validity) return std::unexpected(validity.error());
  if (*validity) request.validity_days = **validity;
  auto legacy = api::optional_bool(body, "legacy", false);
  if (!legacy) return std::unexpected(legacy.error());
  request.legacy = *legacy;
  return request;
}

template <class Operation>
Response create_identity(RequestContext& context, Operation operation) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto request = parse_new_identity(*body);
  if (!request) return api::respond_error(context, request.error());
  return api::respond(context, operation(context.service(), context.parameter("name"), *request),
                      http::status::created);
}

Response download_csr(RequestContext& context) {
  const auto& name = context.parameter("name");
  auto identity = context.service().show_identity(name);
  if (!identity) return api::respond_error(context, identity.error());
  if (!identity->csr_pem) {
    return api::respond_error(
        context, Error{ErrorCode::NotFound, "identity '" + name + "' has no pending CSR",
                       "create one with POST /api/v1/identities/{name}/csr"});
  }
  return api::attachment(context, *identity->csr_pem, "application/pkcs10", name + ".csr");
}

Response install_certificate(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  service::InstallRequest request;
  auto certificate = api::required_base64(*body, "certificate");
  if (!certificate) return api::respond_error(context, certificate.error());
  request.certificate_file = std::move(*certificate);
  auto chain = api::optional_base64(*body, "chain");
  if (!chain) return api::respond_error(context, chain.error());
  request.chain_file = std::move(*chain);
  return api::respond(context,
                      context.service().install_certificate(context.parameter("name"), request));
}

Response import_identity(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  service::ImportRequest request;
  auto file = api::required_base64(*body, "file");
  if (!file) return api::respond_error(context, file.error());
  request.file = std::move(*file);
  auto key_file = api::optional_base64(*body, "key_file");
  if (!key_file) return api::respond_error(context, key_file.error());
  request.key_file = std::move(*key_file);
  auto chain_file = api::optional_base64(*body, "chain_file");
  if (!chain_file) return api::respond_error(context, chain_file.error());
  request.chain_file = std::move(*chain_file);
  auto passphrase = api::optional_secret(*body, "passphrase");
  if (!passphrase) return api::respond_error(context, passphrase.error());
  request.passphrase = std::move(*passphrase);
  return api::respond(context,
                      context.service().import_identity(context.parameter("name"), request),
                      http::status::created);
}

struct ExportShape {
  std::string_view content_type;
  std::string_view extension;
};

ExportShape export_shape(service::ExportFormat format) {
  switch (format) {
    case service::ExportFormat::Pem:
      return {"application/x-pem-file", ".pem"};
    case service::ExportFormat::Der:
      return {"application/pkix-cert", ".cer"};
    case service::ExportFormat::Pkcs12:
      return {"application/x-pkcs12", ".p12"};
  }
  return {"application/octet-stream", ""};
}

Response export_identity(RequestContext& context) {
  auto body = api::parse_object(context.request());
  if (!body) return api::respond_error(context, body.error());
  auto format_text = api::optional_string(*body, "format");
  if (!format_text) return api::respond_error(context, format_text.error());
  auto format = service::parse_export_format(format_text->value_or("pem"));
  if (!format) return api::respond_error(context, format.error());
  service::ExportRequest request;
  request.format = *format;
  auto with_key = api::optional_bool(*body, "with_key", false);
  if (!with_key) return api::respond_error(context, with_key.error());
  request.with_key = *with_key;
  const bool needs_key = request.with_key || request.format == service::ExportFormat::Pkcs12;
  if (needs_key && !(context.principal() && context.principal()->may_write())) {
    return api::respond_error(
        context, Error{ErrorCode::Forbidden, "exporting a private key needs the admin role",
                       "export the certificate alone (format pem or der, without with_key), or "
                       "ask an admin"});
  }
  auto passphrase = api::optional_secret(*body, "passphrase");
  if (!passphrase) return api::respond_error(context, passphrase.error());
  if (needs_key && passphrase->empty()) {
    return api::respond_error(
        context, Error{ErrorCode::InvalidArgument, "exporting the private key needs a passphrase",
                       "give \"passphrase\"; the key never leaves unencrypted"});
  }
  request.passphrase = std::move(*passphrase);
  const auto& name = context.parameter("name");
  auto bytes = context.service().export_identity(name, request);
  if (!bytes) return api::respond_error(context, bytes.error());
  const auto shape = export_shape(request.format);
  return api::attachment(context, std::string(as_text(*bytes)), shape.content_type,
                         name + std::string(shape.extension));
}

}  // namespace

void add_identity_routes(Router& router) {
  constexpr auto kBlocking = Execution::Blocking;
  router.add(Route{http::verb::get, "/api/v1/identities", Access::AnyRole, kBlocking,
                   [](RequestContext& context) {
                     return api::paged(context, context.service().list_identities());
                   }});
  router.add(Route{http::verb::get, "/api/v1/identities/{name}", Access::AnyRole, kBlocking,
                   [](RequestContext& context) {
                     return api::respond(
                         context, context.service().show_identity(context.parameter("name")));
                   }});
  router.add(Route{http::verb::post, "/api/v1/identities/{name}/self-signed", Access::Admin,
                   kBlocking, [](RequestContext& context) {
                     return create_identity(
                         context, [](service::CertificateService& service, const std::string& name,
                                     const service::NewIdentityRequest& request) {
                           return service.create_self_signed(name, request);
                         });
                   }});
  router.add(Route{http::verb::post, "/api/v1/identities/{name}/csr", Access::Admin, kBlocking,
                   [](RequestContext& context) {
                     return create_identity(
                         context, [](service::CertificateService& service, const std::string& name,
                                     const service::NewIdentityRequest& request) {
                           return service.create_csr(name, request);
                         });
                   }});
  router.add(Route{http::verb::get, "/api/v1/identities/{name}/csr", Access::AnyRole, kBlocking,
                   download_csr});
  router.add(Route{http::verb::post, "/api/v1/identities/{name}/certificate", Access::Admin,
                   kBlocking, install_certificate, Body::Upload});
  router.add(Route{http::verb::post, "/api/v1/identities/{name}/import", Access::Admin, kBlocking,
                   import_identity, Body::Upload});
  router.add(Route{http::verb::post, "/api/v1/identities/{name}/export", Access::AnyRole, kBlocking,
                   export_identity});
  router.add(Route{http::verb::delete_, "/api/v1/identities/{name}", Access::Admin, kBlocking,
                   [](RequestContext& context) {
                     return api::respond(
                         context, context.service().delete_identity(context.parameter("name")));
                   }});
}

}  // namespace telecert::server
