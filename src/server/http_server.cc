#include "server/http_server.h"

#include <malloc.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace telecert::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// The asio wrapper of the current web-admin snapshot's server SSL_CTX, rebuilt only when the
// registry publishes a new snapshot. asio::ssl::context takes a reference of its own (up_ref) and
// on destruction touches only the SSL_CTX's app data and password-callback userdata, which
// telecert never sets (its callbacks use their own ex_data index), then frees its reference.
class TlsContextCache {
 public:
  std::shared_ptr<asio::ssl::context> current(const HttpServer::SnapshotSource& source) {
    auto snapshot = source();
    if (!snapshot || snapshot->server_context() == nullptr ||
        SSL_CTX_get0_certificate(snapshot->server_context()) == nullptr) {
      return nullptr;
    }
    const std::lock_guard lock(mutex_);
    if (snapshot != snapshot_) {
      SSL_CTX_up_ref(snapshot->server_context());
      context_ = std::make_shared<asio::ssl::context>(snapshot->server_context());
      snapshot_ = std::move(snapshot);
    }
    return context_;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const tls::ContextSnapshot> snapshot_;  // guarded by mutex_
  std::shared_ptr<asio::ssl::context> context_;           // guarded by mutex_
};

std::string text(beast::string_view view) { return std::string(view.data(), view.size()); }

}  // namespace

struct HttpServer::Impl {
  Impl(const Options& options_in, const RequestDispatcher& dispatcher_in, Counters& counters_in,
       SnapshotSource snapshots_in)
      : options(options_in),
        dispatcher(dispatcher_in),
        counters(counters_in),
        snapshots(std::move(snapshots_in)),
        contexts(make_contexts(options_in.io_threads == 0 ? 1 : options_in.io_threads)),
        acceptor(contexts.front()->get_executor()),
        accept_retry(contexts.front()->get_executor()),
        pool(options_in.worker_threads == 0 ? 1 : options_in.worker_threads) {
    for (auto& context : contexts) work.emplace_back(context->get_executor());
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned count) {
    std::vector<std::unique_ptr<asio::io_context>> made;
    // Concurrency hint 1: each context is run by exactly one thread.
    for (unsigned i = 0; i < count; ++i) made.push_back(std::make_unique<asio::io_context>(1));
    return made;
  }

  void accept();
  void on_accept_error(const boost::system::error_code& error);
  // A connection closed: accepting resumes if the cap had stopped it. Any thread, while
  // gate->closed is false.
  void resume_accept();

  Options options;
  const RequestDispatcher& dispatcher;
  Counters& counters;
  SnapshotSource snapshots;
  // One io_context per io thread; a connection lives on one of them for its whole life, so its
  // handlers never run concurrently and never wake another thread.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  // Keep the io threads running while no operation is pending on them (once the acceptor is
  // closed, a request handed to the worker pool still needs them to write its answer).
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;           // on contexts[0]; only its thread touches it
  std::size_t next_context = 0;     // round-robin over contexts; accept handler (contexts[0]) only
  asio::steady_timer accept_retry;  // contexts[0] only
  bool warned_connection_cap = false;           // contexts[0] only
  std::chrono::milliseconds accept_backoff{0};  // contexts[0] only; 0: no error episode
  // Shared with every connection: a connection still held by a pending handler is destroyed with
  // the io_contexts, after the other members of Impl.
  struct ConnectionGate {
    std::atomic<std::size_t> open{0};
    std::atomic<bool> paused{false};  // at max_connections; resumed by connection_closed()
    std::atomic<bool> closed{false};  // the server is stopping: a closing connection leaves it be
  };
  std::shared_ptr<ConnectionGate> gate = std::make_shared<ConnectionGate>();
  asio::thread_pool pool;
  std::vector<std::thread> threads;
  TlsContextCache tls;
  std::atomic<std::uint64_t> body_limit{2 * 5 * 1024 * 1024 + 64 * 1024};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> warned_no_identity{false};
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer::Impl& server, std::shared_ptr<asio::ssl::context> tls_context,
             tcp::socket&& socket)
      : server_(server),
        tls_context_(std::move(tls_context)),
        stream_(std::move(socket), *tls_context_),
        gate_(server.gate) {
    ++gate_->open;
    boost::system::error_code ignored;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
    remote_ = endpoint.address().to_string();
  }

  ~Connection() {
    --gate_->open;
    if (!gate_->closed && gate_->paused.exchange(false)) server_.resume_accept();
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
  }

 private:
  void handshake() {
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](boost::system::error_code error) {
                              if (error) return self->close_now();
                              self->read_header();
                            });
  }

  void read_header() {
    if (server_.stopping) return shutdown();
    parser_.emplace();
    parser_->header_limit(server_.options.header_limit);
    // Judged from Content-Length once the header is in. Not boost::none: Boost 1.74's parser
    // compares the length with the empty optional and refuses every body.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    beast::http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::system::error_code error, std::size_t) {
          self->on_header(error);
        });
  }

  void on_header(boost::system::error_code error) {
    if (error == beast::http::error::header_limit) {
      return reject(http::status::request_header_fields_too_large,
                    Error{ErrorCode::LimitExceeded, "the request headers are over 16 KiB",
                          "send fewer or shorter headers"});
    }
    if (error) return close_now();
    started_ = std::chrono::steady_clock::now();
    ++server_.in_flight;
    counted_ = true;
    const auto& header = parser_->get();
    method_ = text(header.method_string());
    path_ = std::string(target_path({header.target().data(), header.target().size()}));
    // Route and access from the header: nothing of the body is read for a request that is refused.
    auto prepared = server_.dispatcher.prepare(header);
    if (prepared.answer) return write(std::move(*prepared.answer), "-", body_announced());
    auto match = std::make_shared<Router::Match>(std::move(*prepared.match));
    if (!server_.dispatcher.admission_blocks(header)) {
      return on_admission(server_.dispatcher.admit(header, *match), *match->route);
    }
    // An API token not in the cache is looked up in the store: on the worker pool. The parser
    // (and the header in it) is not touched by this connection until the answer is back.
    asio::post(server_.pool, [self = shared_from_this(), match] {
      auto answer = std::make_shared<std::optional<Response>>(
          self->server_.dispatcher.admit(self->parser_->get(), *match));
      asio::post(self->stream_.get_executor(),
                 [self, answer, match] { self->on_admission(std::move(*answer), *match->route); });
    });
  }

  // Whether the request announced a body (which is not read when the answer comes first).
  bool body_announced() const {
    const auto length = parser_->content_length();
    return parser_->chunked() || (length && *length > 0);
  }

  void on_admission(std::optional<Response> refused, const Route& route) {
    if (refused) return write(std::move(*refused), "-", body_announced());
    const std::uint64_t limit =
        std::min<std::uint64_t>(server_.body_limit, server_.dispatcher.body_limit(route));
    route_body_limit_ = limit;
    const auto length = parser_->content_length();
    if (length && *length > limit) return reject_too_large(limit);
    parser_->body_limit(limit);
    const auto& request = parser_->get();
    const auto expect = request.find(http::field::expect);
    if (expect != request.end() && beast::iequals(expect->value(), "100-continue")) {
      auto proceed = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                        request.version());
      beast::http::async_write(
          stream_, *proceed,
          [self = shared_from_this(), proceed](boost::system::error_code e, std::size_t) {
            if (e) return self->close_now();
            self->read_body();
          });
      return;
    }
    read_body();
  }

  void read_body() {
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    beast::http::async_read(stream_, buffer_, *parser_,
                            [self = shared_from_this()](boost::system::error_code error,
                                                        std::size_t) { self->on_body(error); });
  }

  void on_body(boost::system::error_code error) {
    if (error == beast::http::error::body_limit) return reject_too_large(route_body_limit_);
    if (error) return close_now();
    auto request = std::make_shared<Request>(parser_->release());
    method_ = text(request->method_string());
    path_ = std::string(target_path({request->target().data(), request->target().size()}));
    auto prepared = server_.dispatcher.prepare(*request);
    if (prepared.answer) return write(std::move(*prepared.answer), "-", false);
    if (!prepared.blocking) {
      std::string actor;
      auto response = server_.dispatcher.dispatch(*request, *prepared.match, remote_, actor);
      return write(std::move(response), actor, false);
    }
    auto match = std::make_shared<Router::Match>(std::move(*prepared.match));
    asio::post(server_.pool, [self = shared_from_this(), request, match] {
      auto actor = std::make_shared<std::string>();
      auto response = std::make_shared<Response>(
          self->server_.dispatcher.dispatch(*request, *match, self->remote_, *actor));
      asio::post(self->stream_.get_executor(),
                 [self, response, actor] { self->write(std::move(*response), *actor, false); });
    });
  }

  void reject_too_large(std::uint64_t limit) {
    reject(http::status::payload_too_large,
           Error{ErrorCode::LimitExceeded,
                 "the request body is over the limit of " + std::to_string(limit) + " bytes",
                 "upload smaller files (see the max_upload_bytes setting)"});
  }

  // Answers a request whose body is not read, then closes the connection.
  void reject(http::status status, const Error& error) {
    Request request{http::verb::unknown, "", 11};
    if (parser_) {
      const auto& header = parser_->get();
      method_ = text(header.method_string());
      path_ = std::string(target_path({header.target().data(), header.target().size()}));
      request.version(header.version());
      if (header.method() == http::verb::head) request.method(http::verb::head);
    }
    auto response = error_response(request, error);
    response.result(status);
    write(for_method(request, std::move(response)), "-", true);
  }

  void write(Response response, const std::string& actor, bool close_after) {
    if (!counted_) {
      ++server_.in_flight;
      counted_ = true;
      started_ = std::chrono::steady_clock::now();
    }
    if (close_after || server_.stopping) response.keep_alive(false);
    const auto status = response.result_int();
    const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    server_.counters.add("telecert_http_requests_total{code=\"" + std::to_string(status) + "\"}");
    spdlog::info("request method={} path={} status={} duration_ms={:.1f} actor={} remote={}",
                 method_.empty() ? "-" : method_, path_.empty() ? "-" : path_, status,
                 static_cast<double>(duration.count()) / 1000.0, actor, remote_);
    auto message = std::make_shared<Response>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(server_.options.read_timeout);
    beast::http::async_write(
        stream_, *message,
        [self = shared_from_this(), message](boost::system::error_code error, std::size_t) {
          self->finish_request();
          if (error) return self->close_now();
          if (!message->keep_alive()) return self->shutdown();
          self->read_header();
        });
  }

  void finish_request() {
    if (counted_) {
      --server_.in_flight;
      counted_ = false;
    }
  }

  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown(
        [self = shared_from_this()](boost::system::error_code) { self->close_now(); });
  }

  void close_now() {
    finish_request();
    boost::system::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  HttpServer::Impl& server_;
  std::shared_ptr<asio::ssl::context> tls_context_;  // outlives stream_ (declared before it)
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_{};
  bool counted_ = false;                // this connection's request is in server_.in_flight
  std::uint64_t route_body_limit_ = 0;  // the admitted route's body limit
  std::shared_ptr<HttpServer::Impl::ConnectionGate> gate_;
};

}  // namespace

void HttpServer::Impl::accept() {
  if (gate->open >= options.max_connections) {
    // Degraded: counted each time the cap stops accepting (a closing connection resumes it),
    // logged once until the load is down to half the cap.
    counters.add("telecert_connections_rejected_total");
    if (!warned_connection_cap) {
      spdlog::warn("accepting paused connections={} reason=\"at max_connections\"",
                   gate->open.load());
      warned_connection_cap = true;
    }
    gate->paused = true;
    // A connection may have closed between the check and the pause.
    if (gate->open < options.max_connections && gate->paused.exchange(false)) accept();
    return;
  }
  if (gate->open <= options.max_connections / 2) warned_connection_cap = false;
  auto& target = *contexts[next_context];
  next_context = (next_context + 1) % contexts.size();
  acceptor.async_accept(
      target.get_executor(), [this](boost::system::error_code error, tcp::socket socket) {
        if (stopping || !acceptor.is_open()) return;
        if (error) return on_accept_error(error);
        if (accept_backoff.count() != 0) {
          spdlog::info("accepting again after errors");
          accept_backoff = std::chrono::milliseconds(0);
        }
        if (auto context = tls.current(snapshots)) {
          warned_no_identity = false;
          // Without it a response larger than one segment waits for the client's delayed ACK
          // (Nagle): ~40 ms per response on Linux.
          boost::system::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          std::make_shared<Connection>(*this, std::move(context), std::move(socket))->run();
        } else {
          // Degraded: counted every time, logged once until an identity is back.
          counters.add("telecert_tls_connections_refused_total{reason=\"no_identity\"}");
          if (!warned_no_identity.exchange(true)) {
            spdlog::warn("connections refused reason=\"the web-admin context has no identity\"");
          }
        }
        accept();
      });
}

// Out of descriptors (EMFILE, ENFILE) or memory: accepting at once again would spin on the same
// error. Wait 100 ms, doubling up to 1 s; one warning per episode.
void HttpServer::Impl::on_accept_error(const boost::system::error_code& error) {
  counters.add("telecert_accept_errors_total");
  if (accept_backoff.count() == 0) {
    spdlog::warn("accept failed error=\"{}\" retrying_in_ms=100", error.message());
    accept_backoff = std::chrono::milliseconds(100);
  } else {
    accept_backoff = std::min(accept_backoff * 2, std::chrono::milliseconds(1000));
  }
  accept_retry.expires_after(accept_backoff);
  accept_retry.async_wait([this](boost::system::error_code waited) {
    if (waited || stopping || !acceptor.is_open()) return;
    accept();
  });
}

void HttpServer::Impl::resume_accept() {
  asio::post(acceptor.get_executor(), [this] {
    if (!stopping && acceptor.is_open()) accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_) stop(std::chrono::milliseconds(0));
}

Result<std::unique_ptr<HttpServer>> HttpServer::create(const Options& options,
                                                       const RequestDispatcher& dispatcher,
                                                       Counters& counters,
                                                       SnapshotSource snapshots) {
  // Every answer is built in a fresh buffer (GET /api/v1/status: ~60 KiB). With glibc's defaults
  // the block freed after each answer is handed back to the kernel (heap trim, or munmap once the
  // dynamic mmap threshold has moved) and the next answer page-faults it in again. Keep up to
  // 8 MiB of free heap; only blocks over 2 MiB (uploads) are mmapped and returned at once.
  mallopt(M_MMAP_THRESHOLD, 2 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
  auto impl = std::make_unique<Impl>(options, dispatcher, counters, std::move(snapshots));
  boost::system::error_code error;
  const auto address = asio::ip::make_address(options.address, error);
  if (error) {
    return fail(ErrorCode::InvalidArgument, "'" + options.address + "' is not an IP address",
                "give --listen as ADDRESS:PORT, e.g. 127.0.0.1:8443 or [::1]:8443");
  }
  const tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return fail(ErrorCode::Io,
                "cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " +
                    error.message(),
                "choose another --listen address or port, or stop what is using it");
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::string HttpServer::address() const {
  boost::system::error_code ignored;
  return impl_->acceptor.local_endpoint(ignored).address().to_string();
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ignored;
  return impl_->acceptor.local_endpoint(ignored).port();
}

void HttpServer::set_body_limit(std::uint64_t bytes) { impl_->body_limit = bytes; }

void HttpServer::start() {
  impl_->accept();
  for (auto& context : impl_->contexts) {
    impl_->threads.emplace_back([&context = *context] { context.run(); });
  }
}

std::size_t HttpServer::stop(std::chrono::milliseconds grace) {
  if (impl_->stopping.exchange(true)) return impl_->in_flight;
  impl_->gate->closed = true;
  asio::post(impl_->acceptor.get_executor(), [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->accept_retry.cancel();
  });
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::size_t left = impl_->in_flight;
  for (auto& guard : impl_->work) guard.reset();
  for (auto& context : impl_->contexts) context->stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  impl_->pool.stop();
  impl_->pool.join();
  return left;
}

}  // namespace telecert::server
