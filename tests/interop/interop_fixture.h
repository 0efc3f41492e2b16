// Shared fixture of the interop tests: each test gets a fresh temporary directory holding a
// telecert data directory, drives the built `telecert` binary (TELECERT_CLI) and uses the `openssl`
// and `sqlite3` command-line tools as independent peers.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_support.h"

#ifndef TELECERT_CLI
#error "TELECERT_CLI must name the built telecert binary"
#endif

namespace telecert::interop {

using telecert::testing::CommandResult;

inline constexpr std::string_view kDeviceId = "00:90:8f:12:34:56";
inline constexpr std::string_view kPassphrase = "Corr3ct-H0rse-Battery";

inline std::string describe(const std::vector<std::string>& argv, const CommandResult& result) {
  std::string text = "$";
  for (const auto& arg : argv) text += " " + arg;
  text += "\n  exit " + std::to_string(result.exit_status) + "\n  stdout: " + result.output +
          "\n  stderr: " + result.error;
  return text;
}

// EXPECT_TRUE(Contains(text, "needle")) prints the text when the needle is missing.
inline ::testing::AssertionResult Contains(std::string_view text, std::string_view needle) {
  if (text.find(needle) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << needle << "' not found in:\n" << text;
}
inline ::testing::AssertionResult Lacks(std::string_view text, std::string_view needle) {
  if (text.find(needle) == std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << needle << "' found in:\n" << text;
}

inline unsigned file_mode(const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return 0;
  return info.st_mode & 07777;
}

// A root or intermediate CA made with the openssl CLI: certificate and unencrypted key files.
struct OpensslCa {
  std::string certificate;  // PEM file
  std::string key;          // PEM file
};

class InteropTest : public ::testing::Test {
 protected:
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path database() const { return data_dir() / "telecert.db"; }
  // A file in the test's temporary directory (not in the data directory).
  std::string path(std::string_view name) const { return (dir_ / name).string(); }
  std::string write(std::string_view name, std::string_view content) const {
    telecert::testing::write_file(dir_ / name, content);
    return path(name);
  }
  std::string read(std::string_view name) const {
    return telecert::testing::read_file(dir_ / name);
  }
  std::string passphrase_file() const { return write("pass.txt", std::string(kPassphrase) + "\n"); }

  static CommandResult run(const std::vector<std::string>& argv, std::string_view input = {}) {
    return telecert::testing::run_command(argv, input);
  }

  // `telecert --data-dir DATA args...`
  CommandResult telecert(std::vector<std::string> args) const {
    std::vector<std::string> argv{TELECERT_CLI, "--data-dir", data_dir().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run(argv);
    last_argv_ = argv;
    return result;
  }
  // Same, expecting success.
  CommandResult telecert_ok(std::vector<std::string> args) const {
    auto result = telecert(args);
    EXPECT_EQ(result.exit_status, 0) << describe(last_argv_, result);
    return result;
  }
  // Same, with --json at the end, expecting success and JSON on stdout.
  nlohmann::json telecert_json(std::vector<std::string> args) const {
    args.push_back("--json");
    auto result = telecert_ok(args);
    auto parsed = nlohmann::json::parse(result.output, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << describe(last_argv_, result);
    return parsed;
  }

  CommandResult openssl(std::vector<std::string> args, std::string_view input = {}) const {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run(argv, input);
    last_argv_ = argv;
    return result;
  }
  CommandResult openssl_ok(std::vector<std::string> args, std::string_view input = {}) const {
    auto result = openssl(args, input);
    EXPECT_EQ(result.exit_status, 0) << describe(last_argv_, result);
    return result;
  }

  // `telecert init --device-id 00:90:8f:12:34:56` (loads the system roots).
  void init() const { telecert_ok({"init", "--device-id", std::string(kDeviceId)}); }

  // The whole database as SQL text, taken with the sqlite3 CLI.
  std::string dump_store() const {
    auto result = run({"sqlite3", database().string(), ".dump"});
    EXPECT_EQ(result.exit_status, 0) << result.error;
    EXPECT_FALSE(result.output.empty());
    return result.output;
  }

  // A self-signed CA made by openssl: EC P-256, CA:TRUE, keyCertSign.
  OpensslCa make_root_ca(std::string_view name, std::string_view cn) const {
    OpensslCa ca{path(std::string(name) + ".pem"), path(std::string(name) + ".key")};
    openssl_ok({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca.key, "-out", ca.certificate, "-subj",
                "/O=Interop Test/CN=" + std::string(cn), "-days", "3650", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign"});
    return ca;
  }

  // An intermediate CA issued by `issuer`.
  OpensslCa make_intermediate_ca(std::string_view name, std::string_view cn,
                                 const OpensslCa& issuer) const {
    OpensslCa ca{path(std::string(name) + ".pem"), path(std::string(name) + ".key")};
    const std::string csr = path(std::string(name) + ".csr");
    openssl_ok({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca.key, "-out", csr, "-subj", "/O=Interop Test/CN=" + std::string(cn)});
    const std::string extensions = write(std::string(name) + ".ext",
                                         "basicConstraints=critical,CA:TRUE\n"
                                         "keyUsage=critical,keyCertSign,cRLSign\n");
    openssl_ok({"x509", "-req", "-in", csr, "-CA", issuer.certificate, "-CAkey", issuer.key,
                "-days", "1825", "-extfile", extensions, "-out", ca.certificate});
    return ca;
  }

  // Signs `csr_file` with `issuer` as an end-entity certificate, copying the CSR's extensions.
  std::string sign_leaf(const std::string& csr_file, const OpensslCa& issuer,
                        std::string_view out_name, int days = 365) const {
    const std::string out = path(out_name);
    const std::string extensions = write(std::string(out_name) + ".ext",
                                         "basicConstraints=critical,CA:FALSE\n"
                                         "keyUsage=critical,digitalSignature\n"
                                         "extendedKeyUsage=serverAuth,clientAuth\n");
    openssl_ok({"x509", "-req", "-in", csr_file, "-CA", issuer.certificate, "-CAkey", issuer.key,
                "-days", std::to_string(days), "-extfile", extensions, "-copy_extensions",
                "copyall", "-out", out});
    return out;
  }

  // A key and a certificate made entirely by openssl (EC P-256, self-signed end entity).
  struct OpensslLeaf {
    std::string certificate;
    std::string key;
  };
  OpensslLeaf make_leaf_signed_by(std::string_view name, std::string_view cn,
                                  const OpensslCa& issuer) const {
    OpensslLeaf leaf{path(std::string(name) + ".pem"), path(std::string(name) + ".key")};
    const std::string csr = path(std::string(name) + ".csr");
    openssl_ok({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", leaf.key, "-out", csr, "-subj", "/CN=" + std::string(cn), "-addext",
                "subjectAltName=DNS:" + std::string(cn)});
    std::string signed_file = sign_leaf(csr, issuer, std::string(name) + ".signed.pem");
    std::filesystem::rename(signed_file, leaf.certificate);
    return leaf;
  }

  // Asserts the shape every refused operation shares: exit 1, a one-line "error:" saying
  // `expected_words`, a "hint:" line, and no passphrase anywhere.
  static void expect_refused(const CommandResult& result,
                             std::initializer_list<std::string_view> words) {
    EXPECT_EQ(result.exit_status, 1) << "stdout: " << result.output << "\nstderr: " << result.error;
    ASSERT_TRUE(result.error.starts_with("error: ")) << result.error;
    const auto first_line_end = result.error.find('\n');
    ASSERT_NE(first_line_end, std::string::npos) << result.error;
    const std::string first_line = result.error.substr(0, first_line_end);
    const std::string rest = result.error.substr(first_line_end + 1);
    EXPECT_TRUE(rest.starts_with("hint: ")) << "no hint line after the error:\n" << result.error;
    EXPECT_EQ(std::count(rest.begin(), rest.end(), '\n'), 1)
        << "more than an error and a hint line:\n"
        << result.error;
    for (auto word : words) {
      EXPECT_NE(first_line.find(word), std::string::npos)
          << "the error line does not say '" << word << "':\n"
          << first_line;
    }
    EXPECT_EQ(result.error.find(kPassphrase), std::string::npos);
    EXPECT_EQ(result.output.find(kPassphrase), std::string::npos);
  }

  telecert::testing::TempDir dir_;
  mutable std::vector<std::string> last_argv_;
};

// A fixture whose data directory is initialised before each test.
class InitialisedTest : public InteropTest {
 protected:
  void SetUp() override { init(); }
};

}  // namespace telecert::interop
