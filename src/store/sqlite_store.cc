#include "store/sqlite_store.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "store/sqlite_accounts.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_migrations.h"

namespace telecert::store {
namespace {

using sqlite::Query;

std::int64_t to_unix_seconds(TimePoint time) { return time.time_since_epoch().count(); }
TimePoint from_unix_seconds(std::int64_t seconds) {
  return TimePoint{std::chrono::seconds{seconds}};
}

// How long a statement waits for another process's lock before failing with "database is locked".
constexpr int kBusyTimeoutMilliseconds = 5000;

// The one connection of a store, shared with its open transactions so that a Transaction that
// outlives its Store still has a live connection.
//
// Threading: `mutex` is held by the open Transaction from begin_*() until commit() or destruction
// (and briefly by begin_*() itself); everything below it is only touched while it is held.
struct Connection {
  Connection(sqlite::DatabaseHandle opened, Secret key)
      : database(std::move(opened)), master_key(std::move(key)) {}

  // A cached prepared statement for `sql`, which must be a string literal: the cache key views
  // its text, so the text must live as long as the connection.
  Result<Query> statement(std::string_view sql, std::string_view doing) {
    auto found = statements.find(sql);
    if (found == statements.end()) {
      auto prepared = sqlite::prepare(database.get(), sql, /*persistent=*/true);
      if (!prepared) return std::unexpected(std::move(prepared.error()).with_context(doing));
      found = statements.emplace(sql, std::move(*prepared)).first;
    }
    return Query(database.get(), found->second.get(), doing);
  }

  Result<void> run(std::string_view sql, std::string_view doing) {
    auto query = statement(sql, doing);
    if (!query) return std::unexpected(std::move(query.error()));
    return query->run();
  }

  bool in_transaction() const { return sqlite3_get_autocommit(database.get()) == 0; }

  std::mutex mutex;
  sqlite::DatabaseHandle database;  // guarded by mutex
  const Secret master_key;          // immutable; encrypts and decrypts stored keys
  std::unordered_map<std::string_view, sqlite::StatementHandle> statements;  // guarded by mutex
  // The thread whose transaction holds `mutex`, so that a thread asking for a second transaction
  // gets an error instead of deadlocking on itself.
  std::atomic<std::thread::id> holder{};
};

enum class Access { ReadOnly, ReadWrite };

Error finished_error() {
  return Error{ErrorCode::Internal, "the store transaction was already committed",
               "start a new transaction for further work (this is a telecert bug)"};
}

Error read_only_error() {
  return Error{ErrorCode::Internal, "a change was attempted in a read-only store transaction",
               "use begin_write() for changes (this is a telecert bug)"};
}

Error rolled_back_error() {
  return Error{ErrorCode::Storage,
               "the database rolled this store transaction back after an earlier error; none of "
               "its changes were saved",
               "fix the earlier error (often a full disk) and try the operation again"};
}

Error corrupt_certificate_error(CertificateId id, const Error& cause) {
  return Error{ErrorCode::Storage,
               "stored certificate " + std::to_string(id) + " cannot be read: " + cause.message,
               "the database is damaged; restore the data directory from a backup"};
}

// An identity row before its certificates are loaded.
struct IdentityRow {
  std::int64_t id = 0;
  std::optional<CertificateId> leaf_id;
  IdentityRecord record;
};

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(std::shared_ptr<Connection> connection, std::unique_lock<std::mutex> lock,
                    Access access)
      : connection_(std::move(connection)), lock_(std::move(lock)), access_(access) {}

  ~SqliteTransaction() override {
    if (!lock_.owns_lock()) return;
    // Nothing can be reported from a destructor; if ROLLBACK fails the next begin_*() notices
    // the connection is still inside a transaction and retries it.
    if (connection_->in_transaction()) {
      sqlite3_exec(connection_->database.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    release();
  }

  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  Result<void> commit() override {
    if (auto open = check_open(); !open) {
      if (lock_.owns_lock()) release();
      return open;
    }
    auto committed = connection_->run("COMMIT", "committing the store transaction");
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY); roll it back so that the
    // promise "all or nothing" holds and the caller need not retry half a transaction.
    if (!committed && connection_->in_transaction()) {
      sqlite3_exec(connection_->database.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    release();
    return committed;
  }

  // --- keys ---

  Result<KeyId> insert_key(const pki::Key& key) override {
    auto insert = write_statement(
        "INSERT INTO keys (algorithm, encrypted_pkcs8, created_at) VALUES (?1, ?2, ?3)",
        "storing a private key");
    if (!insert) return std::unexpected(std::move(insert.error()));
    auto encrypted = key.to_encrypted_pkcs8_der(connection_->master_key);
    if (!encrypted) {
      return std::unexpected(std::move(encrypted.error()).with_context("encrypting a private key"));
    }
    // keys.created_at is informational (the identity carries the times the service sets), and the
    // interface takes no time, so the system clock is used here.
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    insert->bind(1, key.description()).bind(2, ByteView(*encrypted)).bind(3, to_unix_seconds(now));
    if (auto inserted = insert->run(); !inserted) return std::unexpected(inserted.error());
    return insert->last_insert_id();
  }

  Result<pki::Key> load_key(KeyId id) override {
    auto select =
        read_statement("SELECT encrypted_pkcs8 FROM keys WHERE id = ?1", "reading a private key");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, id);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return no_key_error(id);
    const Bytes encrypted = select->blob(0);
    auto key = pki::Key::parse(encrypted, connection_->master_key);
    if (!key) {
      return fail(
          ErrorCode::Storage,
          "stored key " + std::to_string(id) + " cannot be decrypted: " + key.error().message,
          "the master.key file must be the one this database was created with; restore it "
          "from a backup");
    }
    return std::move(*key);
  }

  Result<void> delete_key(KeyId id) override {
    {
      auto user = write_statement("SELECT name FROM identities WHERE key_id = ?1 LIMIT 1",
                                  "checking whether a key is in use");
      if (!user) return std::unexpected(std::move(user.error()));
      user->bind(1, id);
      auto row = user->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (*row) {
        return fail(
            ErrorCode::Forbidden,
            "key " + std::to_string(id) + " is still used by identity \"" + user->text(0) + "\"",
            "delete the identity, or give it another key, first");
      }
    }
    auto remove = write_statement("DELETE FROM keys WHERE id = ?1", "deleting a private key");
    if (!remove) return std::unexpected(std::move(remove.error()));
    remove->bind(1, id);
    if (auto removed = remove->run(); !removed) return removed;
    if (remove->changes() == 0) return no_key_error(id);
    return {};
  }

  // --- certificates ---

  Result<CertificateId> put_certificate(const pki::Certificate& certificate) override {
    const std::string fingerprint = certificate.sha256_fingerprint();
    {
      auto insert = write_statement(
          "INSERT INTO certificates (sha256_fingerprint, der, subject, issuer, serial, "
          "not_before, not_after, is_ca) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
          "ON CONFLICT (sha256_fingerprint) DO NOTHING",
          "storing a certificate");
      if (!insert) return std::unexpected(std::move(insert.error()));
      insert->bind(1, fingerprint)
          .bind(2, ByteView(certificate.der()))
          .bind(3, certificate.subject())
          .bind(4, certificate.issuer())
          .bind(5, certificate.serial_hex())
          .bind(6, to_unix_seconds(certificate.not_before()))
          .bind(7, to_unix_seconds(certificate.not_after()))
          .bind(8, std::int64_t{certificate.is_ca() ? 1 : 0});
      if (auto inserted = insert->run(); !inserted) return std::unexpected(inserted.error());
      if (insert->changes() == 1) return insert->last_insert_id();
    }
    // The fingerprint was already stored: that row is this certificate.
    auto select = read_statement("SELECT id FROM certificates WHERE sha256_fingerprint = ?1",
                                 "looking up a certificate");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, fingerprint);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) {
      return fail(ErrorCode::Storage, "a certificate was neither inserted nor found",
                  "report this as a telecert bug");
    }
    return select->integer(0);
  }

  Result<std::vector<CertificateSummary>> certificates_expiring_before(
      TimePoint deadline) override {
    // ORDER BY matches the order of certificates_by_not_after (not_after, then rowid), so SQLite
    // walks the index from its start to `deadline` and never sorts.
    auto select = read_statement(
        "SELECT id, sha256_fingerprint, subject, not_after FROM certificates "
        "WHERE not_after < ?1 ORDER BY not_after, id",
        "listing expiring certificates");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, to_unix_seconds(deadline));
    std::vector<CertificateSummary> summaries;
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      summaries.push_back(CertificateSummary{
          .id = select->integer(0),
          .sha256_fingerprint = select->text(1),
          .subject = select->text(2),
          .not_after = from_unix_seconds(select->integer(3)),
      });
    }
    return summaries;
  }

  Result<std::int64_t> delete_unreferenced_certificates() override {
    auto remove = write_statement(
        "DELETE FROM certificates WHERE "
        "NOT EXISTS (SELECT 1 FROM identities WHERE leaf_id = certificates.id) AND "
        "NOT EXISTS (SELECT 1 FROM identity_chain WHERE certificate_id = certificates.id) AND "
        "NOT EXISTS (SELECT 1 FROM trust_anchors WHERE certificate_id = certificates.id)",
        "deleting unreferenced certificates");
    if (!remove) return std::unexpected(std::move(remove.error()));
    if (auto removed = remove->run(); !removed) return std::unexpected(removed.error());
    return remove->changes();
  }

  Result<std::int64_t> count_certificates() override {
    return count("SELECT count(*) FROM certificates", "counting certificates");
  }

  // --- identities ---

  Result<std::vector<IdentityRecord>> list_identities() override {
    auto rows = select_identities(std::nullopt);
    if (!rows) return std::unexpected(std::move(rows.error()));
    std::vector<IdentityRecord> identities;
    identities.reserve(rows->size());
    for (auto& row : *rows) {
      if (auto loaded = load_certificates(row); !loaded) return std::unexpected(loaded.error());
      identities.push_back(std::move(row.record));
    }
    return identities;
  }

  Result<std::optional<IdentityRecord>> find_identity(std::string_view name) override {
    auto rows = select_identities(name);
    if (!rows) return std::unexpected(std::move(rows.error()));
    if (rows->empty()) return std::optional<IdentityRecord>{};
    auto& row = rows->front();
    if (auto loaded = load_certificates(row); !loaded) return std::unexpected(loaded.error());
    return std::optional<IdentityRecord>{std::move(row.record)};
  }

  Result<void> insert_identity(const IdentityRecord& identity) override {
    auto operation = begin_operation();
    if (!operation) return std::unexpected(std::move(operation.error()));
    auto existing = identity_id(identity.name);
    if (!existing) return std::unexpected(std::move(existing.error()));
    if (*existing) {
      return fail(ErrorCode::AlreadyExists,
                  "an identity named \"" + identity.name + "\" already exists",
                  "choose another name, or replace or delete the existing identity");
    }
    if (auto key = require_key(identity.key_id, identity.name); !key) return key;
    auto leaf_id = put_leaf(identity);
    if (!leaf_id) return std::unexpected(std::move(leaf_id.error()));

    std::int64_t new_id = 0;
    {
      auto insert = write_statement(
          "INSERT INTO identities (name, origin, key_id, leaf_id, csr_pem, created_at, "
          "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
          "storing an identity");
      if (!insert) return std::unexpected(std::move(insert.error()));
      insert->bind(1, identity.name)
          .bind(2, to_string(identity.origin))
          .bind(3, identity.key_id)
          .bind(4, *leaf_id)
          .bind(5, identity.csr_pem)
          .bind(6, to_unix_seconds(identity.created_at))
          .bind(7, to_unix_seconds(identity.updated_at));
      if (auto inserted = insert->run(); !inserted) return inserted;
      new_id = insert->last_insert_id();
    }
    if (auto chained = write_chain(new_id, identity.chain); !chained) return chained;
    return operation->complete();
  }

  Result<void> update_identity(const IdentityRecord& identity) override {
    auto operation = begin_operation();
    if (!operation) return std::unexpected(std::move(operation.error()));
    auto existing = identity_id(identity.name);
    if (!existing) return std::unexpected(std::move(existing.error()));
    if (!*existing) return no_identity_error(identity.name);
    if (auto key = require_key(identity.key_id, identity.name); !key) return key;
    auto leaf_id = put_leaf(identity);
    if (!leaf_id) return std::unexpected(std::move(leaf_id.error()));
    {
      auto update = write_statement(
          "UPDATE identities SET origin = ?1, key_id = ?2, leaf_id = ?3, csr_pem = ?4, "
          "updated_at = ?5 WHERE id = ?6",
          "updating an identity");
      if (!update) return std::unexpected(std::move(update.error()));
      update->bind(1, to_string(identity.origin))
          .bind(2, identity.key_id)
          .bind(3, *leaf_id)
          .bind(4, identity.csr_pem)
          .bind(5, to_unix_seconds(identity.updated_at))
          .bind(6, **existing);
      if (auto updated = update->run(); !updated) return updated;
    }
    {
      auto unlink = write_statement("DELETE FROM identity_chain WHERE identity_id = ?1",
                                    "replacing an identity's chain");
      if (!unlink) return std::unexpected(std::move(unlink.error()));
      unlink->bind(1, **existing);
      if (auto unlinked = unlink->run(); !unlinked) return unlinked;
    }
    if (auto chained = write_chain(**existing, identity.chain); !chained) return chained;
    return operation->complete();
  }

  Result<void> delete_identity(std::string_view name) override {
    // The chain links go with the row (ON DELETE CASCADE).
    auto remove = write_statement("DELETE FROM identities WHERE name = ?1", "deleting an identity");
    if (!remove) return std::unexpected(std::move(remove.error()));
    remove->bind(1, name);
    if (auto removed = remove->run(); !removed) return removed;
    if (remove->changes() == 0) return no_identity_error(name);
    return {};
  }

  // --- trust anchors ---

  Result<std::vector<TrustAnchorRecord>> list_trust_anchors() override {
    auto select = read_statement(
        "SELECT t.id, t.source, t.enabled, t.added_at, c.id, c.der "
        "FROM trust_anchors AS t JOIN certificates AS c ON c.id = t.certificate_id ORDER BY t.id",
        "listing trust anchors");
    if (!select) return std::unexpected(std::move(select.error()));
    std::vector<TrustAnchorRecord> anchors;
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      const auto source = parse_trust_source(select->text(1));
      if (!source) {
        return fail(ErrorCode::Storage,
                    "trust anchor " + std::to_string(select->integer(0)) +
                        " has an unknown source \"" + select->text(1) + "\"",
                    "the database is damaged; restore the data directory from a backup");
      }
      auto certificate = pki::Certificate::from_der(select->blob(5));
      if (!certificate) {
        return std::unexpected(corrupt_certificate_error(select->integer(4), certificate.error()));
      }
      anchors.push_back(TrustAnchorRecord{
          .id = select->integer(0),
          .certificate = std::move(*certificate),
          .source = *source,
          .enabled = select->integer(2) != 0,
          .added_at = from_unix_seconds(select->integer(3)),
      });
    }
    return anchors;
  }

  Result<std::optional<TrustAnchorId>> insert_trust_anchor(const pki::Certificate& certificate,
                                                           TrustSource source,
                                                           TimePoint added_at) override {
    auto operation = begin_operation();
    if (!operation) return std::unexpected(std::move(operation.error()));
    auto certificate_id = put_certificate(certificate);
    if (!certificate_id) return std::unexpected(std::move(certificate_id.error()));
    std::optional<TrustAnchorId> anchor_id;
    {
      auto insert = write_statement(
          "INSERT INTO trust_anchors (certificate_id, source, enabled, added_at) "
          "VALUES (?1, ?2, 1, ?3) ON CONFLICT (certificate_id) DO NOTHING",
          "adding a trust anchor");
      if (!insert) return std::unexpected(std::move(insert.error()));
      insert->bind(1, *certificate_id)
          .bind(2, to_string(source))
          .bind(3, to_unix_seconds(added_at));
      if (auto inserted = insert->run(); !inserted) return std::unexpected(inserted.error());
      // No change means the certificate is already an anchor, so it was already stored too.
      if (insert->changes() == 1) anchor_id = insert->last_insert_id();
    }
    if (auto completed = operation->complete(); !completed) {
      return std::unexpected(completed.error());
    }
    return anchor_id;
  }

  Result<void> delete_trust_anchor(TrustAnchorId id) override {
    auto remove =
        write_statement("DELETE FROM trust_anchors WHERE id = ?1", "deleting a trust anchor");
    if (!remove) return std::unexpected(std::move(remove.error()));
    remove->bind(1, id);
    if (auto removed = remove->run(); !removed) return removed;
    if (remove->changes() == 0) {
      return fail(ErrorCode::NotFound, "there is no trust anchor " + std::to_string(id),
                  "list the trusted certificates to see their ids");
    }
    return {};
  }

  Result<std::int64_t> count_trust_anchors(TrustSource source) override {
    auto select = read_statement("SELECT count(*) FROM trust_anchors WHERE source = ?1",
                                 "counting trust anchors");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, to_string(source));
    return single_integer(*select);
  }

  // --- TLS contexts and service bindings ---

  Result<std::vector<ContextRecord>> list_contexts() override {
    auto select = read_statement("SELECT id, name, definition FROM tls_contexts ORDER BY name",
                                 "listing TLS contexts");
    if (!select) return std::unexpected(std::move(select.error()));
    std::vector<ContextRecord> contexts;
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      contexts.push_back(ContextRecord{select->integer(0), select->text(1), select->text(2)});
    }
    return contexts;
  }

  Result<std::optional<ContextRecord>> find_context(std::string_view name) override {
    auto select = read_statement("SELECT id, name, definition FROM tls_contexts WHERE name = ?1",
                                 "reading a TLS context");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, name);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return std::optional<ContextRecord>{};
    return std::optional<ContextRecord>{
        ContextRecord{select->integer(0), select->text(1), select->text(2)}};
  }

  Result<ContextId> insert_context(std::string_view name,
                                   std::string_view definition_json) override {
    auto existing = find_context(name);
    if (!existing) return std::unexpected(std::move(existing.error()));
    if (*existing) {
      return fail(ErrorCode::AlreadyExists,
                  "a TLS context named \"" + std::string(name) + "\" already exists",
                  "choose another name, or change the existing context");
    }
    auto insert = write_statement("INSERT INTO tls_contexts (name, definition) VALUES (?1, ?2)",
                                  "storing a TLS context");
    if (!insert) return std::unexpected(std::move(insert.error()));
    insert->bind(1, name).bind(2, definition_json);
    if (auto inserted = insert->run(); !inserted) return std::unexpected(inserted.error());
    return insert->last_insert_id();
  }

  Result<void> update_context(std::string_view name, std::string_view definition_json) override {
    auto update = write_statement("UPDATE tls_contexts SET definition = ?1 WHERE name = ?2",
                                  "updating a TLS context");
    if (!update) return std::unexpected(std::move(update.error()));
    update->bind(1, definition_json).bind(2, name);
    if (auto updated = update->run(); !updated) return updated;
    if (update->changes() == 0) return no_context_error(name);
    return {};
  }

  Result<void> delete_context(std::string_view name) override {
    {
      auto users = write_statement(
          "SELECT b.service FROM service_bindings AS b JOIN tls_contexts AS c "
          "ON c.id = b.context_id WHERE c.name = ?1 ORDER BY b.service",
          "checking whether a TLS context is in use");
      if (!users) return std::unexpected(std::move(users.error()));
      users->bind(1, name);
      std::string services;
      while (true) {
        auto row = users->step();
        if (!row) return std::unexpected(std::move(row.error()));
        if (!*row) break;
        services += (services.empty() ? "" : ", ") + users->text(0);
      }
      if (!services.empty()) {
        return fail(ErrorCode::Forbidden,
                    "TLS context \"" + std::string(name) + "\" is used by " + services,
                    "bind those services to another context first");
      }
    }
    auto remove =
        write_statement("DELETE FROM tls_contexts WHERE name = ?1", "deleting a TLS context");
    if (!remove) return std::unexpected(std::move(remove.error()));
    remove->bind(1, name);
    if (auto removed = remove->run(); !removed) return removed;
    if (remove->changes() == 0) return no_context_error(name);
    return {};
  }

  Result<std::vector<ServiceBindingRecord>> list_service_bindings() override {
    auto select = read_statement(
        "SELECT b.service, c.name FROM service_bindings AS b "
        "JOIN tls_contexts AS c ON c.id = b.context_id ORDER BY b.service",
        "listing service bindings");
    if (!select) return std::unexpected(std::move(select.error()));
    std::vector<ServiceBindingRecord> bindings;
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      bindings.push_back(ServiceBindingRecord{select->text(0), select->text(1)});
    }
    return bindings;
  }

  Result<void> bind_service(std::string_view service, std::string_view context) override {
    auto target = find_context(context);
    if (!target) return std::unexpected(std::move(target.error()));
    if (!*target) return no_context_error(context);
    auto upsert = write_statement(
        "INSERT INTO service_bindings (service, context_id) VALUES (?1, ?2) "
        "ON CONFLICT (service) DO UPDATE SET context_id = excluded.context_id",
        "binding a service to a TLS context");
    if (!upsert) return std::unexpected(std::move(upsert.error()));
    upsert->bind(1, service).bind(2, (*target)->id);
    return upsert->run();
  }

  Result<std::int64_t> delete_service_bindings() override {
    auto remove = write_statement("DELETE FROM service_bindings", "removing service bindings");
    if (!remove) return std::unexpected(std::move(remove.error()));
    if (auto removed = remove->run(); !removed) return std::unexpected(removed.error());
    return remove->changes();
  }

  // --- settings ---

  Result<std::optional<std::string>> get_setting(std::string_view key) override {
    auto select = read_statement("SELECT value FROM settings WHERE key = ?1", "reading a setting");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, key);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>{select->text(0)};
  }

  Result<void> set_setting(std::string_view key, std::string_view value) override {
    auto upsert = write_statement(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        "saving a setting");
    if (!upsert) return std::unexpected(std::move(upsert.error()));
    upsert->bind(1, key).bind(2, value);
    return upsert->run();
  }

  // --- events ---

  Result<void> append_event(const EventRecord& event) override {
    auto insert = write_statement(
        "INSERT INTO events (time, actor, action, object, outcome) VALUES (?1, ?2, ?3, ?4, ?5)",
        "recording an event");
    if (!insert) return std::unexpected(std::move(insert.error()));
    insert->bind(1, to_unix_seconds(event.time))
        .bind(2, event.actor)
        .bind(3, event.action)
        .bind(4, event.object)
        .bind(5, event.outcome);
    return insert->run();
  }

  Result<std::vector<EventRecord>> list_events(std::int64_t limit, std::int64_t offset) override {
    if (limit < 0 || offset < 0) {
      return fail(ErrorCode::InvalidArgument,
                  "the number of events to list or to skip cannot be negative",
                  "ask for 0 or more events");
    }
    // Newest by event time; the id breaks ties between events of the same second in the order
    // they were recorded.
    auto select = read_statement(
        "SELECT id, time, actor, action, object, outcome FROM events "
        "ORDER BY time DESC, id DESC LIMIT ?1 OFFSET ?2",
        "listing events");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, limit).bind(2, offset);
    std::vector<EventRecord> events;
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      events.push_back(EventRecord{
          .id = select->integer(0),
          .time = from_unix_seconds(select->integer(1)),
          .actor = select->text(2),
          .action = select->text(3),
          .object = select->text(4),
          .outcome = select->text(5),
      });
    }
    return events;
  }

  Result<std::int64_t> count_events() override {
    return count("SELECT count(*) FROM events", "counting events");
  }

  // --- users and API tokens (the SQL is in sqlite_accounts.cc) ---

  Result<std::vector<UserRecord>> list_users() override { return sqlite::list_users(accounts()); }
  Result<std::optional<UserRecord>> find_user(std::string_view name) override {
    return sqlite::find_user(accounts(), name);
  }
  Result<void> insert_user(const UserRecord& user) override {
    return sqlite::insert_user(accounts(), user);
  }
  Result<void> update_user(const UserRecord& user) override {
    return sqlite::update_user(accounts(), user);
  }
  Result<void> delete_user(std::string_view name) override {
    return sqlite::delete_user(accounts(), name);
  }
  Result<std::vector<ApiTokenRecord>> list_api_tokens() override {
    return sqlite::list_api_tokens(accounts());
  }
  Result<std::optional<ApiTokenRecord>> find_api_token_by_hash(
      std::string_view token_hash) override {
    return sqlite::find_api_token_by_hash(accounts(), token_hash);
  }
  Result<void> insert_api_token(const ApiTokenRecord& token) override {
    return sqlite::insert_api_token(accounts(), token);
  }
  Result<void> delete_api_token(std::string_view name) override {
    return sqlite::delete_api_token(accounts(), name);
  }

 private:
  // A multi-statement change inside the transaction. Unless complete() is called, destroying it
  // undoes the statements run since it began, so a failed call leaves the transaction exactly as
  // it was before the call and the caller may still commit its other work.
  class Operation {
   public:
    explicit Operation(Connection& connection) : connection_(&connection) {}
    Operation(Operation&& other) noexcept
        : connection_(std::exchange(other.connection_, nullptr)) {}
    Operation& operator=(Operation&&) = delete;
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;
    ~Operation() {
      if (connection_ == nullptr) return;
      // Best effort: should the rollback fail, the whole transaction still rolls back unless the
      // caller commits after ignoring the error it was given.
      (void)connection_->run("ROLLBACK TO store_operation", "undoing a failed store operation");
      (void)connection_->run("RELEASE store_operation", "undoing a failed store operation");
    }

    Result<void> complete() {
      auto released = connection_->run("RELEASE store_operation", "completing a store operation");
      if (released) connection_ = nullptr;
      return released;
    }

   private:
    Connection* connection_;
  };

  Result<Operation> begin_operation() {
    if (auto writable = check_writable(); !writable) return std::unexpected(writable.error());
    if (auto begun = connection_->run("SAVEPOINT store_operation", "starting a store operation");
        !begun) {
      return std::unexpected(begun.error());
    }
    return Operation(*connection_);
  }

  // SQLite rolls a whole transaction back by itself after some errors (disk full, I/O error).
  // Without this check the statements that follow would each commit on their own, outside any
  // transaction, breaking "all or nothing".
  Result<void> check_open() const {
    if (!lock_.owns_lock()) return std::unexpected(finished_error());
    if (!connection_->in_transaction()) return std::unexpected(rolled_back_error());
    return {};
  }

  Result<void> check_writable() const {
    if (auto open = check_open(); !open) return open;
    if (access_ != Access::ReadWrite) return std::unexpected(read_only_error());
    return {};
  }

  Result<Query> read_statement(std::string_view sql, std::string_view doing) {
    if (auto open = check_open(); !open) return std::unexpected(open.error());
    return connection_->statement(sql, doing);
  }

  Result<Query> write_statement(std::string_view sql, std::string_view doing) {
    if (auto writable = check_writable(); !writable) return std::unexpected(writable.error());
    return connection_->statement(sql, doing);
  }

  sqlite::StatementSource accounts() {
    return {
        [this](std::string_view sql, std::string_view doing) { return read_statement(sql, doing); },
        [this](std::string_view sql, std::string_view doing) {
          return write_statement(sql, doing);
        }};
  }

  static Result<std::int64_t> single_integer(Query& query) {
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) {
      return fail(ErrorCode::Storage, "the database returned no value",
                  "report this as a telecert bug");
    }
    return query.integer(0);
  }

  Result<std::int64_t> count(std::string_view sql, std::string_view doing) {
    auto select = read_statement(sql, doing);
    if (!select) return std::unexpected(std::move(select.error()));
    return single_integer(*select);
  }

  static std::unexpected<Error> no_key_error(KeyId id) {
    return fail(ErrorCode::NotFound, "there is no stored key " + std::to_string(id),
                "the key was deleted or never stored; create or import the identity again");
  }

  static std::unexpected<Error> no_identity_error(std::string_view name) {
    return fail(ErrorCode::NotFound, "there is no identity named \"" + std::string(name) + "\"",
                "list the identities to see their names");
  }

  static std::unexpected<Error> no_context_error(std::string_view name) {
    return fail(ErrorCode::NotFound, "there is no TLS context named \"" + std::string(name) + "\"",
                "list the TLS contexts to see their names");
  }

  Result<void> require_key(KeyId id, std::string_view identity_name) {
    auto select = read_statement("SELECT 1 FROM keys WHERE id = ?1", "looking up a key");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, id);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) {
      return fail(ErrorCode::NotFound,
                  "identity \"" + std::string(identity_name) + "\" refers to key " +
                      std::to_string(id) + ", which is not stored",
                  "store the key before the identity that uses it");
    }
    return {};
  }

  Result<std::optional<std::int64_t>> identity_id(std::string_view name) {
    auto select =
        read_statement("SELECT id FROM identities WHERE name = ?1", "looking up an identity");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, name);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{select->integer(0)};
  }

  Result<std::optional<CertificateId>> put_leaf(const IdentityRecord& identity) {
    if (!identity.leaf) return std::optional<CertificateId>{};
    auto id = put_certificate(*identity.leaf);
    if (!id) return std::unexpected(std::move(id.error()));
    return std::optional<CertificateId>{*id};
  }

  Result<void> write_chain(std::int64_t identity, const std::vector<pki::Certificate>& chain) {
    for (std::size_t position = 0; position < chain.size(); ++position) {
      auto certificate_id = put_certificate(chain[position]);
      if (!certificate_id) return std::unexpected(std::move(certificate_id.error()));
      auto link = write_statement(
          "INSERT INTO identity_chain (identity_id, position, certificate_id) VALUES (?1, ?2, ?3)",
          "storing an identity's chain");
      if (!link) return std::unexpected(std::move(link.error()));
      link->bind(1, identity).bind(2, static_cast<std::int64_t>(position)).bind(3, *certificate_id);
      if (auto linked = link->run(); !linked) return linked;
    }
    return {};
  }

  // Identity rows, all of them by name or the one named `name`, without their certificates: the
  // rows are read completely before any certificate query runs.
  Result<std::vector<IdentityRow>> select_identities(std::optional<std::string_view> name) {
    auto select =
        name ? read_statement(
                   "SELECT id, name, origin, key_id, leaf_id, csr_pem, created_at, updated_at "
                   "FROM identities WHERE name = ?1",
                   "reading an identity")
             : read_statement(
                   "SELECT id, name, origin, key_id, leaf_id, csr_pem, created_at, updated_at "
                   "FROM identities ORDER BY name",
                   "listing identities");
    if (!select) return std::unexpected(std::move(select.error()));
    if (name) select->bind(1, *name);
    std::vector<IdentityRow> rows;
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      const auto origin = parse_origin(select->text(2));
      if (!origin) {
        return fail(ErrorCode::Storage,
                    "identity \"" + select->text(1) + "\" has an unknown origin \"" +
                        select->text(2) + "\"",
                    "the database was written by a newer telecert or is damaged; upgrade telecert "
                    "or restore a backup");
      }
      IdentityRow identity;
      identity.id = select->integer(0);
      if (!select->is_null(4)) identity.leaf_id = select->integer(4);
      identity.record.name = select->text(1);
      identity.record.origin = *origin;
      identity.record.key_id = select->integer(3);
      identity.record.csr_pem = select->optional_text(5);
      identity.record.created_at = from_unix_seconds(select->integer(6));
      identity.record.updated_at = from_unix_seconds(select->integer(7));
      rows.push_back(std::move(identity));
    }
    return rows;
  }

  Result<void> load_certificates(IdentityRow& identity) {
    if (identity.leaf_id) {
      auto leaf = load_certificate(*identity.leaf_id);
      if (!leaf) return std::unexpected(std::move(leaf.error()));
      identity.record.leaf = std::move(*leaf);
    }
    auto select = read_statement(
        "SELECT c.id, c.der FROM identity_chain AS link "
        "JOIN certificates AS c ON c.id = link.certificate_id "
        "WHERE link.identity_id = ?1 ORDER BY link.position",
        "reading an identity's chain");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, identity.id);
    while (true) {
      auto row = select->step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      auto certificate = pki::Certificate::from_der(select->blob(1));
      if (!certificate) {
        return std::unexpected(corrupt_certificate_error(select->integer(0), certificate.error()));
      }
      identity.record.chain.push_back(std::move(*certificate));
    }
    return {};
  }

  Result<pki::Certificate> load_certificate(CertificateId id) {
    auto select =
        read_statement("SELECT der FROM certificates WHERE id = ?1", "reading a certificate");
    if (!select) return std::unexpected(std::move(select.error()));
    select->bind(1, id);
    auto row = select->step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) {
      return fail(ErrorCode::Storage, "certificate " + std::to_string(id) + " is missing",
                  "the database is damaged; restore the data directory from a backup");
    }
    auto certificate = pki::Certificate::from_der(select->blob(0));
    if (!certificate) return std::unexpected(corrupt_certificate_error(id, certificate.error()));
    return std::move(*certificate);
  }

  void release() {
    connection_->holder.store(std::thread::id{});
    lock_.unlock();
  }

  std::shared_ptr<Connection> connection_;
  std::unique_lock<std::mutex> lock_;  // owns connection_->mutex until commit or destruction
  const Access access_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  Result<std::unique_ptr<Transaction>> begin_write() override { return begin(Access::ReadWrite); }
  Result<std::unique_ptr<Transaction>> begin_read() override { return begin(Access::ReadOnly); }

 private:
  Result<std::unique_ptr<Transaction>> begin(Access access) {
    if (connection_->holder.load() == std::this_thread::get_id()) {
      return fail(ErrorCode::Internal,
                  "this thread asked for a second store transaction while its first is open",
                  "commit or destroy the open transaction first (this is a telecert bug)");
    }
    std::unique_lock lock(connection_->mutex);
    connection_->holder.store(std::this_thread::get_id());
    auto begun = start(access);
    if (!begun) {
      connection_->holder.store(std::thread::id{});
      return std::unexpected(std::move(begun.error()));
    }
    return std::make_unique<SqliteTransaction>(connection_, std::move(lock), access);
  }

  // Called with the connection's mutex held.
  Result<void> start(Access access) {
    // A transaction whose destructor could not roll back is still open; finish it now.
    if (connection_->in_transaction()) {
      sqlite3_exec(connection_->database.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      if (connection_->in_transaction()) {
        return fail(ErrorCode::Storage, "a previous store transaction could not be rolled back",
                    "restart telecert");
      }
    }
    // IMMEDIATE takes the write lock now: a deferred transaction that later upgrades to a writer
    // can fail with SQLITE_BUSY mid-way without the busy handler helping.
    return access == Access::ReadWrite
               ? connection_->run("BEGIN IMMEDIATE", "starting a store write transaction")
               : connection_->run("BEGIN", "starting a store read transaction");
  }

  std::shared_ptr<Connection> connection_;
};

Result<void> configure(sqlite3* database) {
  sqlite3_busy_timeout(database, kBusyTimeoutMilliseconds);
  // WAL lets readers in other processes (a CLI next to the daemon) read while one writes.
  {
    auto statement = sqlite::prepare(database, "PRAGMA journal_mode = WAL");
    if (!statement) return std::unexpected(std::move(statement.error()));
    Query query(database, statement->get(), "switching the database to WAL mode");
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row || query.text(0) != "wal") {
      return fail(ErrorCode::Storage, "the database cannot use write-ahead logging",
                  "keep the data directory on a local file system that supports shared memory "
                  "(not NFS)");
    }
  }
  // FULL: in WAL mode, NORMAL may lose the last commits on power loss, and a phone that loses
  // power right after "certificate installed" must still have it.
  // secure_delete: freed pages are zeroed, so deleted (even encrypted) private keys do not linger.
  return sqlite::execute(database, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;",
                         "configuring the database");
}

Result<void> enable_foreign_keys(sqlite3* database) {
  if (auto enabled = sqlite::execute(database, "PRAGMA foreign_keys = ON", "enabling foreign keys");
      !enabled) {
    return enabled;
  }
  auto state = sqlite::query_integer(database, "PRAGMA foreign_keys", "checking foreign keys");
  if (!state) return std::unexpected(std::move(state.error()));
  if (*state != 1) {
    return fail(ErrorCode::Storage, "the SQLite library does not enforce foreign keys",
                "install a SQLite build with foreign key support (Debian's libsqlite3-0 has it)");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                 Secret master_key) {
  const std::string context = "opening the store " + path.string();
  if (master_key.empty()) {
    return fail(ErrorCode::InvalidArgument, context + ": the master key is empty",
                "load the master key with load_or_create_master_key()");
  }
  auto database = sqlite::open_database(path);
  if (!database) return std::unexpected(std::move(database.error()).with_context(context));
  if (auto configured = configure(database->get()); !configured) {
    return std::unexpected(std::move(configured.error()).with_context(context));
  }
  // Migrations run before foreign keys are enforced: SQLite's table-rebuild procedure needs them
  // off, and migrate() checks them itself before committing.
  if (auto migrated = sqlite::migrate(database->get(), sqlite::schema_migrations()); !migrated) {
    return std::unexpected(std::move(migrated.error()).with_context(context));
  }
  if (auto enabled = enable_foreign_keys(database->get()); !enabled) {
    return std::unexpected(std::move(enabled.error()).with_context(context));
  }
  auto connection = std::make_shared<Connection>(std::move(*database), std::move(master_key));
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(connection)));
}

}  // namespace telecert::store
