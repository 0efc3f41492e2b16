// Store benchmarks. Each one runs telecert's SQLite store and the raw limit (plain SQLite C API on
// the same schema, doing the same work) in the same process, and the run ends with their ratio.
//
//   insert:   100,000 distinct certificates into a fresh store in one write transaction
//             (put_certificate) vs prepared INSERTs of the same precomputed rows.
//   expiring: certificates_expiring_before(now + 36 days) over those 100,000 (about 1% match)
//             vs the same SELECT; plus the same SELECT with the index disabled, to show what the
//             index buys. The query plan is checked before anything runs.
//
// Informational: extracting the indexed columns from 100,000 parsed certificates, which is the
// work put_certificate does that the raw insert is handed precomputed.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pki/certificate_builder.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_store.h"

namespace {

using namespace telecert;
using Days = std::chrono::days;

constexpr std::size_t kCertificateCount = 100'000;
// Validities are spread evenly over 1..3650 days; a 36-day window catches 35/3650 ≈ 0.96% of them.
constexpr int kValiditySpreadDays = 3650;
constexpr Days kExpiryWindow{36};
constexpr pki::TimePoint kNow{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

const Secret& master_key() {
  static const Secret key{"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"};
  return key;
}

// The same text as SqliteTransaction::certificates_expiring_before.
constexpr const char* kExpiringQuery =
    "SELECT id, sha256_fingerprint, subject, not_after FROM certificates "
    "WHERE not_after < ?1 ORDER BY not_after, id";
constexpr const char* kExpiringQueryWithoutIndex =
    "SELECT id, sha256_fingerprint, subject, not_after FROM certificates NOT INDEXED "
    "WHERE not_after < ?1 ORDER BY not_after, id";
constexpr const char* kRawInsert =
    "INSERT INTO certificates (sha256_fingerprint, der, subject, issuer, serial, not_before, "
    "not_after, is_ca) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

// A certificate's columns, computed once, for the raw insert.
struct Row {
  std::string fingerprint;
  Bytes der;
  std::string subject;
  std::string issuer;
  std::string serial;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  bool is_ca = false;
};

struct Dataset {
  std::vector<pki::Certificate> certificates;
  std::vector<Row> rows;
};

std::int64_t unix_seconds(pki::TimePoint time) { return time.time_since_epoch().count(); }

Row row_of(const pki::Certificate& certificate) {
  return Row{certificate.sha256_fingerprint(),
             certificate.der(),
             certificate.subject(),
             certificate.issuer(),
             certificate.serial_hex(),
             unix_seconds(certificate.not_before()),
             unix_seconds(certificate.not_after()),
             certificate.is_ca()};
}

// 100,000 distinct self-signed P-256 certificates (random serials), built on every core and
// parsed back from DER.
Result<Dataset> build_dataset() {
  const std::size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::optional<pki::Certificate>> built(kCertificateCount);
  std::vector<std::optional<Error>> failures(workers);
  std::vector<std::thread> threads;
  for (std::size_t worker = 0; worker < workers; ++worker) {
    threads.emplace_back([&, worker] {
      // One key per thread: signing never shares an EVP_PKEY between threads.
      auto key = pki::Key::generate(pki::KeyType::EcP256);
      if (!key) {
        failures[worker] = key.error();
        return;
      }
      for (std::size_t index = worker; index < kCertificateCount; index += workers) {
        pki::CertificateSpec spec;
        spec.subject.common_name = "device-" + std::to_string(index) + ".example.com";
        spec.subject.organization = "telecert bench";
        spec.not_before = kNow - Days{1};
        // A permutation of 0..3649 (7919 is prime to 3650), so expiry order is not insert order.
        const auto spread = static_cast<int>((index * 7919) % kValiditySpreadDays);
        spec.validity = Days{2 + spread};
        auto certificate = pki::build_certificate(*key, spec);
        // Certificates reach the store parsed (imports, enrollment answers, the CA bundle), and a
        // parsed X509 keeps its DER, which makes der() and the fingerprint cheaper than on a
        // freshly signed one; measure that usual case.
        auto parsed = certificate ? pki::Certificate::from_der(certificate->der())
                                  : Result<pki::Certificate>(std::unexpected(certificate.error()));
        if (!parsed) {
          failures[worker] = parsed.error();
          return;
        }
        built[index] = std::move(*parsed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto& failure : failures) {
    if (failure) return std::unexpected(*failure);
  }
  Dataset dataset;
  dataset.certificates.reserve(kCertificateCount);
  dataset.rows.reserve(kCertificateCount);
  for (auto& certificate : built) {
    dataset.rows.push_back(row_of(*certificate));
    dataset.certificates.push_back(std::move(*certificate));
  }
  return dataset;
}

// A fresh directory under the system temp dir, removed when destroyed.
class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "telecert-bench-XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  std::filesystem::path database() const { return path_ / "telecert.db"; }

 private:
  std::filesystem::path path_;
};

// A plain connection configured as the store configures its own (WAL, synchronous FULL, foreign
// keys), on a file whose schema the store created.
Result<store::sqlite::DatabaseHandle> open_raw(const std::filesystem::path& path) {
  auto database = store::sqlite::open_database(path);
  if (!database) return database;
  sqlite3_busy_timeout(database->get(), 5000);
  auto configured = store::sqlite::execute(
      database->get(),
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; "
      "PRAGMA foreign_keys = ON;",
      "configuring the raw connection");
  if (!configured) return std::unexpected(configured.error());
  return database;
}

// Opens the store once so that `path` has the current schema, then closes it.
Result<void> create_schema(const std::filesystem::path& path) {
  auto store = store::open_sqlite_store(path, master_key());
  if (!store) return std::unexpected(store.error());
  return {};
}

Result<std::string> query_plan(sqlite3* database, const std::string& sql) {
  auto statement = store::sqlite::prepare(database, "EXPLAIN QUERY PLAN " + sql);
  if (!statement) return std::unexpected(statement.error());
  std::string plan;
  while (sqlite3_step(statement->get()) == SQLITE_ROW) {
    if (!plan.empty()) plan += "; ";
    plan += reinterpret_cast<const char*>(sqlite3_column_text(statement->get(), 3));
  }
  return plan;
}

// The store and a raw connection over one file holding the whole dataset, for the query runs.
struct QueryFixture {
  TempDirectory directory;
  std::unique_ptr<store::Store> store;
  store::sqlite::DatabaseHandle raw;
};

Result<void> fill_query_fixture(QueryFixture& fixture, const Dataset& dataset) {
  auto opened = store::open_sqlite_store(fixture.directory.database(), master_key());
  if (!opened) return std::unexpected(opened.error());
  fixture.store = std::move(*opened);
  auto transaction = fixture.store->begin_write();
  if (!transaction) return std::unexpected(transaction.error());
  for (const auto& certificate : dataset.certificates) {
    if (auto put = (*transaction)->put_certificate(certificate); !put) {
      return std::unexpected(put.error());
    }
  }
  if (auto committed = (*transaction)->commit(); !committed) return committed;
  auto raw = open_raw(fixture.directory.database());
  if (!raw) return std::unexpected(raw.error());
  fixture.raw = std::move(*raw);
  return {};
}

// Stops the timer around per-iteration setup and cleanup.
class PausedTimer {
 public:
  explicit PausedTimer(benchmark::State& state) : state_(state) { state_.PauseTiming(); }
  ~PausedTimer() { state_.ResumeTiming(); }
  PausedTimer(const PausedTimer&) = delete;
  PausedTimer& operator=(const PausedTimer&) = delete;

 private:
  benchmark::State& state_;
};

void insert_with_telecert(benchmark::State& state, const Dataset& dataset) {
  for (auto _ : state) {
    std::optional<TempDirectory> directory;
    std::unique_ptr<store::Store> store;
    {
      PausedTimer paused(state);
      directory.emplace();
      auto opened = store::open_sqlite_store(directory->database(), master_key());
      if (!opened) {
        state.SkipWithError(opened.error().message.c_str());
        break;
      }
      store = std::move(*opened);
    }
    auto transaction = store->begin_write();
    if (!transaction) {
      state.SkipWithError(transaction.error().message.c_str());
      break;
    }
    for (const auto& certificate : dataset.certificates) {
      auto id = (*transaction)->put_certificate(certificate);
      benchmark::DoNotOptimize(id);
    }
    if (auto committed = (*transaction)->commit(); !committed) {
      state.SkipWithError(committed.error().message.c_str());
      break;
    }
    PausedTimer paused(state);
    transaction->reset();
    store.reset();
    directory.reset();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kCertificateCount));
}

Result<void> raw_insert_all(sqlite3* database, sqlite3_stmt* insert, const Dataset& dataset) {
  if (sqlite3_exec(database, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return std::unexpected(
        store::sqlite::storage_error(database, sqlite3_errcode(database), "BEGIN"));
  }
  for (const auto& row : dataset.rows) {
    sqlite3_bind_text(insert, 1, row.fingerprint.data(), static_cast<int>(row.fingerprint.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(insert, 2, row.der.data(), static_cast<int>(row.der.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, row.subject.data(), static_cast<int>(row.subject.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(insert, 4, row.issuer.data(), static_cast<int>(row.issuer.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(insert, 5, row.serial.data(), static_cast<int>(row.serial.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(insert, 6, row.not_before);
    sqlite3_bind_int64(insert, 7, row.not_after);
    sqlite3_bind_int(insert, 8, row.is_ca ? 1 : 0);
    const int stepped = sqlite3_step(insert);
    sqlite3_reset(insert);
    if (stepped != SQLITE_DONE) {
      return std::unexpected(store::sqlite::storage_error(database, stepped, "INSERT"));
    }
  }
  const int committed = sqlite3_exec(database, "COMMIT", nullptr, nullptr, nullptr);
  if (committed != SQLITE_OK) {
    return std::unexpected(store::sqlite::storage_error(database, committed, "COMMIT"));
  }
  return {};
}

void insert_with_raw_sqlite(benchmark::State& state, const Dataset& dataset) {
  for (auto _ : state) {
    std::optional<TempDirectory> directory;
    store::sqlite::DatabaseHandle database;
    store::sqlite::StatementHandle insert;
    {
      PausedTimer paused(state);
      directory.emplace();
      auto ready = create_schema(directory->database());
      auto opened = ready ? open_raw(directory->database())
                          : Result<store::sqlite::DatabaseHandle>(std::unexpected(ready.error()));
      if (!opened) {
        state.SkipWithError(opened.error().message.c_str());
        break;
      }
      database = std::move(*opened);
      auto prepared = store::sqlite::prepare(database.get(), kRawInsert, /*persistent=*/true);
      if (!prepared) {
        state.SkipWithError(prepared.error().message.c_str());
        break;
      }
      insert = std::move(*prepared);
    }
    if (auto inserted = raw_insert_all(database.get(), insert.get(), dataset); !inserted) {
      state.SkipWithError(inserted.error().message.c_str());
      break;
    }
    PausedTimer paused(state);
    insert.reset();
    database.reset();
    directory.reset();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kCertificateCount));
}

void extract_columns(benchmark::State& state, const Dataset& dataset) {
  for (auto _ : state) {
    for (const auto& certificate : dataset.certificates) {
      auto row = row_of(certificate);
      benchmark::DoNotOptimize(row);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kCertificateCount));
}

void expiring_with_telecert(benchmark::State& state, store::Store& store) {
  std::size_t matches = 0;
  for (auto _ : state) {
    auto transaction = store.begin_read();
    if (!transaction) {
      state.SkipWithError(transaction.error().message.c_str());
      break;
    }
    auto expiring = (*transaction)->certificates_expiring_before(kNow + kExpiryWindow);
    if (!expiring) {
      state.SkipWithError(expiring.error().message.c_str());
      break;
    }
    matches = expiring->size();
    benchmark::DoNotOptimize(expiring);
    (void)(*transaction)->commit();
  }
  state.counters["matches"] = static_cast<double>(matches);
}

struct RawSummary {
  std::int64_t id;
  std::string fingerprint;
  std::string subject;
  std::int64_t not_after;
};

void expiring_with_raw_sqlite(benchmark::State& state, sqlite3* database, const char* sql) {
  auto prepared = store::sqlite::prepare(database, sql, /*persistent=*/true);
  if (!prepared) {
    state.SkipWithError(prepared.error().message.c_str());
    return;
  }
  sqlite3_stmt* select = prepared->get();
  std::size_t matches = 0;
  for (auto _ : state) {
    sqlite3_exec(database, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_int64(select, 1, unix_seconds(kNow + kExpiryWindow));
    std::vector<RawSummary> summaries;
    while (sqlite3_step(select) == SQLITE_ROW) {
      summaries.push_back(RawSummary{
          sqlite3_column_int64(select, 0),
          reinterpret_cast<const char*>(sqlite3_column_text(select, 1)),
          reinterpret_cast<const char*>(sqlite3_column_text(select, 2)),
          sqlite3_column_int64(select, 3),
      });
    }
    sqlite3_reset(select);
    sqlite3_exec(database, "COMMIT", nullptr, nullptr, nullptr);
    matches = summaries.size();
    benchmark::DoNotOptimize(summaries);
  }
  state.counters["matches"] = static_cast<double>(matches);
}

// Prints the console table as usual and remembers each run's real and CPU time per iteration,
// so the telecert/raw ratios can be printed at the end. Both are printed: real time includes the
// fsync at commit, CPU time is steadier on a busy machine.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // A reporter passed to RunSpecifiedBenchmarks does not see --benchmark_color; colour only a
  // terminal so that output captured into RESULTS.md stays plain.
  RatioReporter() : ConsoleReporter(::isatty(STDOUT_FILENO) != 0 ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
      const auto iterations = static_cast<double>(run.iterations);
      times_[run.benchmark_name()] =
          Times{run.real_accumulated_time / iterations, run.cpu_accumulated_time / iterations};
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void print_ratio(const std::string& what, const std::string& telecert,
                   const std::string& raw) const {
    const auto ours = find(telecert);
    const auto limit = find(raw);
    if (!ours || !limit) return;
    std::printf(
        "%s\n  real: telecert %.3f ms, raw %.3f ms, telecert/raw = %.2f\n"
        "  cpu:  telecert %.3f ms, raw %.3f ms, telecert/raw = %.2f\n",
        what.c_str(), ours->real * 1e3, limit->real * 1e3, ours->real / limit->real,
        ours->cpu * 1e3, limit->cpu * 1e3, ours->cpu / limit->cpu);
  }

  void print_speedup(const std::string& what, const std::string& slow,
                     const std::string& fast) const {
    const auto without = find(slow);
    const auto with = find(fast);
    if (!without || !with) return;
    std::printf("%s\n  cpu: %.3f ms without the index, %.3f ms with it: %.1fx faster\n",
                what.c_str(), without->cpu * 1e3, with->cpu * 1e3, without->cpu / with->cpu);
  }

 private:
  struct Times {
    double real;  // seconds per iteration
    double cpu;
  };

  std::optional<Times> find(const std::string& prefix) const {
    // Names carry suffixes such as "/iterations:3/real_time".
    for (const auto& [name, times] : times_) {
      if (name.rfind(prefix + "/", 0) == 0 || name == prefix) return times;
    }
    return std::nullopt;
  }

  std::map<std::string, Times> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const auto started = std::chrono::steady_clock::now();
  auto dataset = build_dataset();
  if (!dataset) {
    std::fprintf(stderr, "building the certificates failed: %s\n", dataset.error().message.c_str());
    return 1;
  }
  QueryFixture fixture;
  if (auto filled = fill_query_fixture(fixture, *dataset); !filled) {
    std::fprintf(stderr, "preparing the query store failed: %s\n", filled.error().message.c_str());
    return 1;
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::fprintf(stderr, "setup: %zu certificates built and loaded in %.1f s\n", kCertificateCount,
               seconds.count());

  // The expiry query must walk certificates_by_not_after and never sort.
  auto plan = query_plan(fixture.raw.get(), kExpiringQuery);
  if (!plan) {
    std::fprintf(stderr, "reading the query plan failed: %s\n", plan.error().message.c_str());
    return 1;
  }
  std::printf("expiry query plan: %s\n", plan->c_str());
  if (plan->find("INDEX certificates_by_not_after") == std::string::npos ||
      plan->find("TEMP B-TREE") != std::string::npos) {
    std::fprintf(stderr, "the expiry query does not use the not_after index\n");
    return 1;
  }

  const Dataset& data = *dataset;
  benchmark::RegisterBenchmark(
      "store/insert_100k/telecert",
      [&data](benchmark::State& state) { insert_with_telecert(state, data); })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(
      "store/insert_100k/raw_sqlite",
      [&data](benchmark::State& state) { insert_with_raw_sqlite(state, data); })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("store/insert_100k/extract_columns_only",
                               [&data](benchmark::State& state) { extract_columns(state, data); })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(
      "store/expiring_36_days/telecert",
      [&fixture](benchmark::State& state) { expiring_with_telecert(state, *fixture.store); })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("store/expiring_36_days/raw_sqlite",
                               [&fixture](benchmark::State& state) {
                                 expiring_with_raw_sqlite(state, fixture.raw.get(), kExpiringQuery);
                               })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("store/expiring_36_days/raw_sqlite_no_index",
                               [&fixture](benchmark::State& state) {
                                 expiring_with_raw_sqlite(state, fixture.raw.get(),
                                                          kExpiringQueryWithoutIndex);
                               })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();

  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  reporter.print_ratio("insert 100,000 certificates in one transaction",
                       "store/insert_100k/telecert", "store/insert_100k/raw_sqlite");
  reporter.print_ratio("expiring within 36 days (~1% of 100,000)",
                       "store/expiring_36_days/telecert", "store/expiring_36_days/raw_sqlite");
  reporter.print_speedup("what the not_after index buys",
                         "store/expiring_36_days/raw_sqlite_no_index",
                         "store/expiring_36_days/raw_sqlite");
  benchmark::Shutdown();
  return 0;
}
