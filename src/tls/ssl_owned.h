// RAII owners for libssl objects, next to pki/ossl.h's libcrypto ones.
#pragma once

#include <openssl/ssl.h>

#include "pki/ossl.h"

namespace telecert::pki {

template <>
struct Free<SSL_CTX> {
  void operator()(SSL_CTX* context) const noexcept { SSL_CTX_free(context); }
};
template <>
struct Free<SSL> {
  void operator()(SSL* connection) const noexcept { SSL_free(connection); }
};

}  // namespace telecert::pki
