#include "pki/chain.h"

#include <algorithm>

namespace telecert::pki {
namespace {

// Longer chains than this are not real; the bound stops loops in crafted input.
constexpr std::size_t kMaxChainLength = 16;

bool same(const Certificate& a, const Certificate& b) { return X509_cmp(a.get(), b.get()) == 0; }

}  // namespace

OrderedChain order_chain(const Certificate& leaf, std::span<const Certificate> given,
                         std::span<const Certificate> extra) {
  std::vector<Certificate> remaining;
  for (const auto& certificate : given) {
    bool duplicate = same(certificate, leaf) ||
                     std::any_of(remaining.begin(), remaining.end(),
                                 [&](const Certificate& c) { return same(c, certificate); });
    if (!duplicate) remaining.push_back(certificate);
  }
  OrderedChain result{leaf, {}, {}};
  // Cross-certified CAs issue each other; without this check the walk would go A, B, A, B, ...
  auto already_on_path = [&](const Certificate& candidate) {
    return same(candidate, leaf) ||
           std::any_of(result.chain.begin(), result.chain.end(),
                       [&](const Certificate& c) { return same(c, candidate); });
  };
  const Certificate* current = &leaf;
  while (result.chain.size() < kMaxChainLength && !current->is_self_signed()) {
    auto from_given = std::find_if(remaining.begin(), remaining.end(), [&](const Certificate& c) {
      return current->is_issued_by(c) && !already_on_path(c);
    });
    if (from_given != remaining.end()) {
      result.chain.push_back(*from_given);
      remaining.erase(from_given);
    } else {
      auto from_extra = std::find_if(extra.begin(), extra.end(), [&](const Certificate& c) {
        return current->is_issued_by(c) && !c.is_self_signed() && !already_on_path(c);
      });
      if (from_extra == extra.end()) break;
      result.chain.push_back(*from_extra);
    }
    current = &result.chain.back();
  }
  result.unrelated = std::move(remaining);
  return result;
}

std::optional<Certificate> find_certificate_for_key(std::span<const Certificate> certificates,
                                                    const Key& key) {
  for (const auto& certificate : certificates) {
    if (key.matches(X509_get0_pubkey(certificate.get()))) return certificate;
  }
  return std::nullopt;
}

std::optional<Certificate> find_leaf(std::span<const Certificate> certificates) {
  for (const auto& candidate : certificates) {
    bool issued_another =
        std::any_of(certificates.begin(), certificates.end(), [&](const Certificate& other) {
          return !same(other, candidate) && other.is_issued_by(candidate);
        });
    if (!issued_another) return candidate;
  }
  if (!certificates.empty()) return certificates.front();
  return std::nullopt;
}

std::vector<std::string> chain_order_problems(std::span<const Certificate> certificates) {
  std::vector<std::string> problems;
  if (certificates.size() < 2) return problems;
  auto leaf = find_leaf(certificates);
  if (leaf && !same(*leaf, certificates.front())) {
    problems.push_back("the first certificate is not the end-entity; '" + leaf->subject() +
                       "' is, and should come first");
  }
  for (std::size_t i = 1; i < certificates.size(); ++i) {
    if (!certificates[i - 1].is_issued_by(certificates[i])) {
      problems.push_back("certificate " + std::to_string(i + 1) + " '" + certificates[i].subject() +
                         "' did not issue certificate " + std::to_string(i) + " '" +
                         certificates[i - 1].subject() + "'");
    }
  }
  return problems;
}

}  // namespace telecert::pki
