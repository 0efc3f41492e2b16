// tls/probe_io.h: reading a SIP/HTTP answer, and what a peer that never gives a final one gets
// (a wrapping Content-Length, endless keep-alives or provisional answers, a slow trickle).
#include "tls/probe_io.h"

#include <gtest/gtest.h>

#include <limits>

#include "unit/tls/stalling_peer.h"

namespace telecert::tls {
namespace {

using namespace std::chrono_literals;
using testing::StallingPeer;

TEST(ScanResponse, SkipsKeepAlivesAndProvisionalAnswersUpToTheFinalOne) {
  std::string received =
      "\r\n\r\nSIP/2.0 100 Trying\r\nCSeq: 1 OPTIONS\r\nl: 4\r\n\r\nbody"
      "SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\nAllow: INVITE,\r\n  OPTIONS\r\n\r\n";
  const auto scan = probe_io::scan_response(received);
  ASSERT_TRUE(scan.head.has_value());
  EXPECT_EQ(scan.head->status_line, "SIP/2.0 200 OK");
  EXPECT_EQ(scan.head->headers,
            (std::vector<std::string>{"CSeq: 1 OPTIONS", "Allow: INVITE, OPTIONS"}));
}

TEST(ScanResponse, WaitsForTheRestOfAHeadOrOfAProvisionalBody) {
  std::string partial = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
  auto scan = probe_io::scan_response(partial);
  EXPECT_FALSE(scan.head.has_value());
  EXPECT_FALSE(scan.malformed);
  std::string provisional = "SIP/2.0 180 Ringing\r\nContent-Length: 10\r\n\r\nabc";
  scan = probe_io::scan_response(provisional);
  EXPECT_FALSE(scan.head.has_value());
  EXPECT_FALSE(scan.malformed);
}

TEST(ScanResponse, AContinuationLineOfWhiteSpaceOnlyAddsNothing) {
  // Found by fuzz_probe: such a line used to throw std::out_of_range.
  std::string received = "SIP/2.0 200 OK\r\n \t\r\nCSeq: 1 OPTIONS\r\n\t\r\n\r\n";
  const auto scan = probe_io::scan_response(received);
  ASSERT_TRUE(scan.head.has_value());
  EXPECT_EQ(scan.head->headers, std::vector<std::string>{"CSeq: 1 OPTIONS"});
}

TEST(ScanResponse, SomethingThatIsNotAResponseIsMalformed) {
  for (std::string received : {"OPTIONS sip:a SIP/2.0\r\n\r\n", "SIP/2.0 2x0 OK\r\n\r\n",
                               "HTTP/1.1\r\n\r\n", "\x16\x03\x01junk\r\n\r\n"}) {
    EXPECT_TRUE(probe_io::scan_response(received).malformed) << received;
  }
}

TEST(ScanResponse, AProvisionalContentLengthThatWouldWrapTheOffsetIsMalformed) {
  // end + 4 + Content-Length == 2^64: the offset of the next answer used to wrap to 0, and the scan
  // erased nothing, forever.
  const std::string prefix = "SIP/2.0 100 Trying\r\nContent-Length: ";
  const std::size_t end = prefix.size() + 20;  // 2^64 - (end + 4) has 20 digits
  const std::string length =
      std::to_string(std::numeric_limits<std::size_t>::max() - (end + 4) + 1);
  ASSERT_EQ(length.size(), 20u);
  std::string received = prefix + length + "\r\n\r\nSIP/2.0 200 OK\r\n\r\n";
  const auto scan = probe_io::scan_response(received);
  EXPECT_FALSE(scan.head.has_value());
  EXPECT_TRUE(scan.malformed);
  EXPECT_NE(scan.problem.find("'SIP/2.0 100 Trying' has a Content-Length"), std::string::npos)
      << scan.problem;
}

TEST(ScanResponse, AProvisionalContentLengthAboveTheCapOrNotANumberIsMalformed) {
  for (std::string header : {"Content-Length: 262145", "l: 99999999999999999999999999",
                             "Content-Length: 4x", "Content-Length: -1", "Content-Length:"}) {
    std::string received = "SIP/2.0 183 Session Progress\r\n" + header + "\r\n\r\n";
    const auto scan = probe_io::scan_response(received);
    EXPECT_TRUE(scan.malformed) << header;
    EXPECT_NE(scan.problem.find("Content-Length"), std::string::npos) << scan.problem;
  }
  std::string padded = "SIP/2.0 100 Trying\r\nContent-Length:  2 \r\n\r\nabSIP/2.0 200 OK\r\n\r\n";
  const auto scan = probe_io::scan_response(padded);
  ASSERT_TRUE(scan.head.has_value());
  EXPECT_EQ(scan.head->status_line, "SIP/2.0 200 OK");
}

TEST(ScanResponse, CountsTheKeepAlivesAndProvisionalAnswersItPasses) {
  std::string received = "\r\n\r\nSIP/2.0 100 Trying\r\n\r\n\r\nSIP/2.0 100 Trying\r\n\r\nSIP/";
  const auto scan = probe_io::scan_response(received);
  EXPECT_FALSE(scan.head.has_value());
  EXPECT_FALSE(scan.malformed);
  EXPECT_EQ(scan.provisional_answers, 2u);
  EXPECT_EQ(scan.keep_alive_bytes, 6u);
  EXPECT_EQ(received, "SIP/");
}

// exchange() with a StallingPeer: connects, shakes hands, sends an OPTIONS and returns what
// exchange() said, and how long it took.
struct ExchangeOutcome {
  Result<probe_io::ResponseHead> answer;
  std::chrono::steady_clock::duration took;
};
ExchangeOutcome exchange_with(const StallingPeer& peer, std::chrono::milliseconds timeout) {
  auto socket = probe_io::connect_tcp("127.0.0.1", peer.port(), 2s);
  EXPECT_TRUE(socket) << socket.error().message;
  if (!socket) return {fail(ErrorCode::Internal, "no connection"), {}};
  pki::Owned<SSL_CTX> context(SSL_CTX_new(TLS_client_method()));
  pki::Owned<SSL> connection(SSL_new(context.get()));
  SSL_set_fd(connection.get(), socket->fd());
  auto shaken = probe_io::handshake(connection.get(), *socket, 2s, "127.0.0.1:1");
  EXPECT_TRUE(shaken) << shaken.error().message;
  const auto started = std::chrono::steady_clock::now();
  auto answer =
      probe_io::exchange(connection.get(), *socket, "OPTIONS sips:127.0.0.1 SIP/2.0\r\n\r\n",
                         timeout, "127.0.0.1:5061");
  return {std::move(answer), std::chrono::steady_clock::now() - started};
}

TEST(ProbeExchange, APeerStreamingKeepAlivesIsCutOffAfter256KiB) {
  std::string keep_alives;
  for (int i = 0; i < 256; ++i) keep_alives += "\r\n";
  StallingPeer peer(keep_alives);
  const auto outcome = exchange_with(peer, 10s);
  EXPECT_LT(outcome.took, 5s);
  ASSERT_FALSE(outcome.answer);
  EXPECT_EQ(outcome.answer.error().code, ErrorCode::Unreachable);
  EXPECT_NE(outcome.answer.error().message.find(
                "127.0.0.1:5061 sent more than 256 KiB without a final answer"),
            std::string::npos)
      << outcome.answer.error().message;
  EXPECT_NE(outcome.answer.error().message.find("bytes of keep-alive line breaks"),
            std::string::npos)
      << outcome.answer.error().message;
  EXPECT_LT(peer.sent(), 64u * 1024 * 1024);
}

TEST(ProbeExchange, APeerSendingEndlessProvisionalAnswersIsCutOffAfter256KiB) {
  StallingPeer peer("SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n");
  const auto outcome = exchange_with(peer, 10s);
  EXPECT_LT(outcome.took, 5s);
  ASSERT_FALSE(outcome.answer);
  EXPECT_NE(outcome.answer.error().message.find("provisional (1xx) answers"), std::string::npos)
      << outcome.answer.error().message;
}

TEST(ProbeExchange, APeerTricklingKeepAlivesIsCutOffAtTheDeadline) {
  StallingPeer peer("\r\n", 2ms);
  const auto outcome = exchange_with(peer, 300ms);
  EXPECT_LT(outcome.took, 2s);
  ASSERT_FALSE(outcome.answer);
  EXPECT_NE(outcome.answer.error().message.find("sent no final answer within 300 ms"),
            std::string::npos)
      << outcome.answer.error().message;
  EXPECT_NE(outcome.answer.error().message.find("keep-alive"), std::string::npos)
      << outcome.answer.error().message;
}

}  // namespace
}  // namespace telecert::tls
