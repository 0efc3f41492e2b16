#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus/<target>/ with the openssl CLI: small, valid inputs
# of every format each importer reads. Keys are throwaway; encrypted seeds use the passphrase "fuzz"
# that the fuzz targets pass. Run from anywhere; replaces the seed directories.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ossl() { openssl "$@" 2>/dev/null; }

# Material: an EC CA, an EC leaf with every SAN type, an RSA-1024 and an Ed25519 self-signed
# certificate (small keys keep the seeds small).
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca.key"
ossl req -x509 -new -key "$work/ca.key" -subj "/CN=Fuzz CA/O=telecert" -days 3650 \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$work/ca.pem"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/leaf.key"
ossl req -new -key "$work/leaf.key" -subj "/CN=sbc.example.com/OU=Voice/O=telecert/L=Paris/ST=IDF/C=FR" \
  -addext "subjectAltName=DNS:sbc.example.com,IP:192.0.2.10,IP:2001:db8::1,email:admin@example.com,URI:sip:sbc.example.com" \
  -out "$work/leaf.csr"
cat >"$work/leaf.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:sbc.example.com,IP:192.0.2.10,IP:2001:db8::1,email:admin@example.com,URI:sip:sbc.example.com
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
ossl x509 -req -in "$work/leaf.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 825 -extfile "$work/leaf.ext" -out "$work/leaf.pem"
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$work/rsa.key"
ossl req -x509 -new -key "$work/rsa.key" -subj "/CN=phone-0004f2abcdef" -days 365 -sha256 \
  -out "$work/rsa.pem"
ossl genpkey -algorithm ED25519 -out "$work/ed25519.key"
ossl req -x509 -new -key "$work/ed25519.key" -subj "/CN=ed25519.example.com" -days 365 \
  -out "$work/ed25519.pem"
ossl req -new -key "$work/rsa.key" -subj "/CN=phone-0004f2abcdef/O=telecert" -sha256 -out "$work/rsa.csr"
ossl req -new -key "$work/ed25519.key" -subj "/CN=ed25519.example.com" -outform DER \
  -out "$work/ed25519.csr.der"

# Generated seeds are replaced; regression-* files (inputs a fuzzer once broke us with) stay.
mkdir -p fuzz_pem_der_certificates fuzz_file_decoder fuzz_pkcs12 fuzz_key fuzz_csr
find fuzz_pem_der_certificates fuzz_file_decoder fuzz_pkcs12 fuzz_key fuzz_csr -type f \
  ! -name 'regression-*' -delete

# Certificates: PEM, DER, chains with text around the blocks, CRLF + BOM, PKCS#7, TRUSTED CERTIFICATE.
d=fuzz_pem_der_certificates
cp "$work/leaf.pem" $d/leaf_ec.pem
ossl x509 -in "$work/leaf.pem" -outform DER -out $d/leaf_ec.der
ossl x509 -in "$work/ca.pem" -outform DER -out $d/ca_ec.der
cp "$work/rsa.pem" $d/selfsigned_rsa.pem
ossl x509 -in "$work/ed25519.pem" -outform DER -out $d/selfsigned_ed25519.der
{
  printf 'Bag Attributes\n    friendlyName: sbc\nsubject=/CN=sbc.example.com\n'
  cat "$work/leaf.pem"
  printf 'issuer=/CN=Fuzz CA\n'
  cat "$work/ca.pem"
} >$d/chain_with_text.pem
{ printf '\xEF\xBB\xBF'; cat "$work/leaf.pem" "$work/ca.pem"; } | sed 's/$/\r/' >$d/chain_bom_crlf.pem
ossl crl2pkcs7 -nocrl -certfile "$work/leaf.pem" -certfile "$work/ca.pem" -outform DER -out $d/chain.p7b
ossl crl2pkcs7 -nocrl -certfile "$work/leaf.pem" -certfile "$work/ca.pem" -out $d/chain_p7b.pem
ossl x509 -in "$work/ca.pem" -trustout -addtrust serverAuth -out $d/trusted_ca.pem
ossl pkcs12 -export -inkey "$work/leaf.key" -in "$work/leaf.pem" -certfile "$work/ca.pem" \
  -passout pass: -out $d/identity_empty_passphrase.p12

# Keys: PKCS#8 PEM/DER plain and encrypted, traditional PEM/DER, Proc-Type encrypted PEM, Ed25519.
d=fuzz_key
cp "$work/leaf.key" $d/ec_pkcs8.pem
ossl pkey -in "$work/leaf.key" -outform DER -out $d/ec_pkcs8.der
ossl ec -in "$work/leaf.key" -out $d/ec_traditional.pem
ossl ec -in "$work/leaf.key" -outform DER -out $d/ec_traditional.der
ossl rsa -in "$work/rsa.key" -traditional -out $d/rsa1024_traditional.pem
ossl rsa -in "$work/rsa.key" -traditional -aes128 -passout pass:fuzz -out $d/rsa1024_traditional_encrypted.pem
ossl pkcs8 -topk8 -in "$work/leaf.key" -v2 aes-256-cbc -iter 1 -passout pass:fuzz -out $d/ec_pkcs8_encrypted.pem
ossl pkcs8 -topk8 -in "$work/leaf.key" -v2 aes-256-cbc -iter 1 -passout pass:fuzz -outform DER \
  -out $d/ec_pkcs8_encrypted.der
cp "$work/ed25519.key" $d/ed25519_pkcs8.pem

# CSRs: PEM, DER, the old "NEW CERTIFICATE REQUEST" label, RSA and Ed25519.
d=fuzz_csr
cp "$work/leaf.csr" $d/ec_with_sans.pem
ossl req -in "$work/leaf.csr" -outform DER -out $d/ec_with_sans.der
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' "$work/rsa.csr" >$d/rsa_new_label.pem
cp "$work/ed25519.csr.der" $d/ed25519.der

# PKCS#12: modern (AES-256, PBKDF2), with one iteration (cheap to fuzz), legacy (RC2/3DES), with a
# chain, certificates only, key only.
d=fuzz_pkcs12
ossl pkcs12 -export -inkey "$work/leaf.key" -in "$work/leaf.pem" -passout pass:fuzz -out $d/identity_aes.p12
ossl pkcs12 -export -inkey "$work/leaf.key" -in "$work/leaf.pem" -certfile "$work/ca.pem" -iter 1 \
  -nomaciter -name sbc -passout pass:fuzz -out $d/identity_chain_iter1.p12
ossl pkcs12 -export -legacy -inkey "$work/rsa.key" -in "$work/rsa.pem" -passout pass:fuzz \
  -out $d/identity_legacy.p12
ossl pkcs12 -export -nokeys -in "$work/ca.pem" -iter 1 -nomaciter -passout pass:fuzz -out $d/certificates_only.p12
ossl pkcs12 -export -nocerts -inkey "$work/leaf.key" -iter 1 -nomaciter -passout pass:fuzz -out $d/key_only.p12

# The file decoder reads all of it, plus a PEM bundle with key, certificate and chain together.
d=fuzz_file_decoder
cp fuzz_pem_der_certificates/{leaf_ec.der,chain_with_text.pem,chain_bom_crlf.pem,chain.p7b,trusted_ca.pem} $d/
cp fuzz_key/{ec_pkcs8.der,ec_traditional.der,rsa1024_traditional_encrypted.pem,ec_pkcs8_encrypted.der} $d/
cp fuzz_csr/{ec_with_sans.der,rsa_new_label.pem} $d/
cp fuzz_pkcs12/{identity_chain_iter1.p12,identity_legacy.p12} $d/
cat fuzz_key/ec_pkcs8_encrypted.pem "$work/leaf.pem" "$work/ca.pem" >$d/key_and_chain.pem

du -sh --apparent-size . | sed 's/^/seed corpora: /'
