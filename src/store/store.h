// The persistence interface. Every operation of the service layer runs in exactly one
// Transaction: either commit() makes all of its changes visible, or none of them happen (a
// Transaction destroyed without commit() rolls back). SQLite is the embedded implementation;
// PostgreSQL (fleet role) comes later behind the same interface.
//
// Threading: a Store may be shared between threads; a Transaction belongs to one thread.
//
// Errors: a call that fails leaves the transaction as it was before the call (the caller may
// still commit its other changes). Changes through a begin_read() transaction, use after
// commit(), and a second transaction on a thread that already has one open are ErrorCode::Internal
// (caller bugs). Database failures are ErrorCode::Storage.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "store/records.h"

namespace telecert::store {

class Transaction {
 public:
  virtual ~Transaction() = default;

  // Makes every change visible. After commit() the transaction may not be used again.
  [[nodiscard]] virtual Result<void> commit() = 0;

  // --- keys: encrypted at rest with the store master key ---
  [[nodiscard]] virtual Result<KeyId> insert_key(const pki::Key& key) = 0;
  // NotFound when there is no key `id`; Storage when it does not decrypt (another master key).
  [[nodiscard]] virtual Result<pki::Key> load_key(KeyId id) = 0;
  // NotFound when there is no key `id`; Forbidden while an identity still uses it.
  [[nodiscard]] virtual Result<void> delete_key(KeyId id) = 0;

  // --- certificates: unique by SHA-256 fingerprint ---
  // Inserts `certificate` or returns the id of the identical one already stored.
  [[nodiscard]] virtual Result<CertificateId> put_certificate(
      const pki::Certificate& certificate) = 0;
  // Certificates whose notAfter lies before `deadline`, soonest first (uses an index).
  [[nodiscard]] virtual Result<std::vector<CertificateSummary>> certificates_expiring_before(
      TimePoint deadline) = 0;
  // Deletes certificates that no identity and no trust anchor refers to; returns how many.
  [[nodiscard]] virtual Result<std::int64_t> delete_unreferenced_certificates() = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_certificates() = 0;

  // --- identities ---
  [[nodiscard]] virtual Result<std::vector<IdentityRecord>> list_identities() = 0;
  [[nodiscard]] virtual Result<std::optional<IdentityRecord>> find_identity(
      std::string_view name) = 0;
  // Inserts a new identity (its certificates are put as needed); a taken name is AlreadyExists,
  // a key_id that is not stored is NotFound.
  [[nodiscard]] virtual Result<void> insert_identity(const IdentityRecord& identity) = 0;
  // Replaces the stored identity of the same name (leaf, chain, CSR, origin, key, updated_at);
  // NotFound when there is none. The replaced certificates stay until
  // delete_unreferenced_certificates().
  [[nodiscard]] virtual Result<void> update_identity(const IdentityRecord& identity) = 0;
  // Deletes the identity row and its chain links (not its key or certificates); NotFound when
  // there is none.
  [[nodiscard]] virtual Result<void> delete_identity(std::string_view name) = 0;

  // --- trust anchors ---
  [[nodiscard]] virtual Result<std::vector<TrustAnchorRecord>> list_trust_anchors() = 0;
  // Adds `certificate` as an anchor of `source`; returns the new id, or nullopt when the same
  // certificate is already an anchor (nothing changes then).
  [[nodiscard]] virtual Result<std::optional<TrustAnchorId>> insert_trust_anchor(
      const pki::Certificate& certificate, TrustSource source, TimePoint added_at) = 0;
  // NotFound when there is no anchor `id`.
  [[nodiscard]] virtual Result<void> delete_trust_anchor(TrustAnchorId id) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_trust_anchors(TrustSource source) = 0;

  // --- TLS contexts and service bindings (definitions are JSON text the store does not read) ---
  // Every context, by name.
  [[nodiscard]] virtual Result<std::vector<ContextRecord>> list_contexts() = 0;
  [[nodiscard]] virtual Result<std::optional<ContextRecord>> find_context(
      std::string_view name) = 0;
  // A taken name is AlreadyExists. Returns the new id.
  [[nodiscard]] virtual Result<ContextId> insert_context(std::string_view name,
                                                         std::string_view definition_json) = 0;
  // Replaces the definition; NotFound when there is no context `name`.
  [[nodiscard]] virtual Result<void> update_context(std::string_view name,
                                                    std::string_view definition_json) = 0;
  // NotFound when there is none; Forbidden while a service binding points at it.
  [[nodiscard]] virtual Result<void> delete_context(std::string_view name) = 0;
  // Every binding, by service name.
  [[nodiscard]] virtual Result<std::vector<ServiceBindingRecord>> list_service_bindings() = 0;
  // Binds `service` to the context `context` (replacing its binding); NotFound for an unknown
  // context.
  [[nodiscard]] virtual Result<void> bind_service(std::string_view service,
                                                  std::string_view context) = 0;
  // Removes every binding (factory reset); returns how many there were.
  [[nodiscard]] virtual Result<std::int64_t> delete_service_bindings() = 0;

  // --- settings: raw text values; the service validates and types them ---
  [[nodiscard]] virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  [[nodiscard]] virtual Result<void> set_setting(std::string_view key, std::string_view value) = 0;

  // --- events ---
  [[nodiscard]] virtual Result<void> append_event(const EventRecord& event) = 0;
  // The newest events, newest first: `limit` of them after skipping the `offset` newest.
  [[nodiscard]] virtual Result<std::vector<EventRecord>> list_events(std::int64_t limit,
                                                                     std::int64_t offset) = 0;
  [[nodiscard]] virtual Result<std::int64_t> count_events() = 0;

  // --- users and API tokens (schema v3; hashes only, the service makes them) ---
  // Every user, by name.
  [[nodiscard]] virtual Result<std::vector<UserRecord>> list_users() = 0;
  [[nodiscard]] virtual Result<std::optional<UserRecord>> find_user(std::string_view name) = 0;
  // A taken name is AlreadyExists.
  [[nodiscard]] virtual Result<void> insert_user(const UserRecord& user) = 0;
  // Replaces role, password hash and password_changed_at; NotFound when there is none.
  [[nodiscard]] virtual Result<void> update_user(const UserRecord& user) = 0;
  // NotFound when there is none.
  [[nodiscard]] virtual Result<void> delete_user(std::string_view name) = 0;
  // Every token, by name.
  [[nodiscard]] virtual Result<std::vector<ApiTokenRecord>> list_api_tokens() = 0;
  [[nodiscard]] virtual Result<std::optional<ApiTokenRecord>> find_api_token_by_hash(
      std::string_view token_hash) = 0;
  // A taken name is AlreadyExists.
  [[nodiscard]] virtual Result<void> insert_api_token(const ApiTokenRecord& token) = 0;
  // NotFound when there is none.
  [[nodiscard]] virtual Result<void> delete_api_token(std::string_view name) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Starts a transaction that takes the write lock at once (so two writers never deadlock
  // upgrading), or a read-only one.
  [[nodiscard]] virtual Result<std::unique_ptr<Transaction>> begin_write() = 0;
  [[nodiscard]] virtual Result<std::unique_ptr<Transaction>> begin_read() = 0;
};

}  // namespace telecert::store
