// Chain ordering: puts the certificates that came with a leaf (in any order) into issuing order.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace telecert::pki {

struct OrderedChain {
  Certificate leaf;
  std::vector<Certificate> chain;      // issuer of the leaf first, then its issuer, ...
  std::vector<Certificate> unrelated;  // given certificates that are not on the leaf's path
};

// Walks from `leaf` upward: each step takes the certificate among `given` (then among `extra`,
// e.g. the trusted roots and intermediates of the store) that issued the previous one, until a
// self-signed certificate or no issuer is found. Certificates from `given` are kept even when they
// are self-signed roots; certificates from `extra` are added only when they are intermediates
// (a root the peer already trusts is not sent). No certificate appears twice, so cross-certified
// CAs end the walk instead of looping.
OrderedChain order_chain(const Certificate& leaf, std::span<const Certificate> given,
                         std::span<const Certificate> extra = {});

// The certificate among `certificates` whose public key is `key`'s, if any.
std::optional<Certificate> find_certificate_for_key(std::span<const Certificate> certificates,
                                                    const Key& key);

// The end-entity among `certificates`: the one that issued none of the others (first such one);
// nullopt when `certificates` is empty.
std::optional<Certificate> find_leaf(std::span<const Certificate> certificates);

// Problems with the order of `certificates` as given (leaf first, each next one the issuer of the
// one before), in words; empty when the order is right.
std::vector<std::string> chain_order_problems(std::span<const Certificate> certificates);

}  // namespace telecert::pki
