#include "cabind/bridge/mqtt_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "cabind/bridge/backoff.hpp"

// Threading, and why the client runs its own network thread instead of
// mosquitto_loop_start(): libmosquitto's mosquitto_loop_forever() (what loop_start runs)
// reconnects by itself, but (1) it gives up for good on MOSQ_ERR_TLS and MOSQ_ERR_EAI, so a
// broker with a certificate that is fixed later, or a DNS name that resolves again, would
// never be retried; (2) its delay is in whole seconds, exponential without jitter, so a
// fleet that lost one broker returns in lockstep. Our thread instead runs
// connect_async + mosquitto_loop() itself (DNS, TCP, TLS and keepalive all happen there),
// waits the capped, fully jittered Backoff between attempts on a condition variable that
// stop() interrupts, and never lets libmosquitto reconnect on its own
// (mosquitto_reconnect_delay_set is not used: the loop that would apply it never runs).
// mosquitto_threaded_set(true) makes mosquitto_publish() from the io_context thread only
// queue the packet and wake our thread; it never writes to the socket there.
//
// Locks: `mutex` guards the session flag, the queue, the subscriptions and the status.
// It is taken before any libmosquitto call made under it, never inside the log callback
// (libmosquitto logs from within mosquitto_publish), which has its own `log_mutex`.

namespace cabind::bridge {
namespace {

constexpr int kLoopTimeoutMs = 100;  // how long our thread may take to notice stop()
constexpr const char* kOnline = "online";
constexpr const char* kOffline = "offline";

std::string errno_text(int rc, int saved_errno) {
  if (rc == MOSQ_ERR_ERRNO) return std::system_category().message(saved_errno);
  return mosquitto_strerror(rc);
}

}  // namespace

const char* to_string(MqttState state) noexcept {
  switch (state) {
    case MqttState::stopped:
      return "stopped";
    case MqttState::connecting:
      return "connecting";
    case MqttState::connected:
      return "connected";
    case MqttState::backing_off:
      return "backing_off";
  }
  return "unknown";
}

struct MqttClient::Impl {
  Impl(boost::asio::io_context& io_context, MqttOptions opts, MessageHandler& message_handler)
      : io(io_context),
        options(std::move(opts)),
        handler(message_handler),
        backoff(options.backoff_min, options.backoff_max),
        random(std::random_device{}()) {
    mosquitto_lib_init();
  }
  ~Impl() {
    if (mosq != nullptr) mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void create();
  void configure_tls();
  void run();
  void drive_session();
  void wait_backoff();
  void session_lost();
  void fail(const std::string& what, int rc, int saved_errno);
  [[nodiscard]] std::string endpoint() const {
    return options.host + ":" + std::to_string(options.port);
  }

  enum class Sent : std::uint8_t { sent, retry, invalid };
  // Under `mutex`: hands one message to libmosquitto.
  Sent send_locked(const Message& message);
  bool enqueue_locked(Message message);

  void on_connect(int reason);
  void on_subscribed(int mid);
  void announce_locked();
  void on_message(const mosquitto_message& message);
  void on_log(int level, const char* text);

  // Runs `body` on the io_context unless the client was destroyed meanwhile.
  template <typename Body>
  void post(Body body) {
    boost::asio::post(io, [alive = std::weak_ptr<int>(alive_token), body = std::move(body)] {
      if (!alive.expired()) body();
    });
  }

  boost::asio::io_context& io;
  const MqttOptions options;
  MessageHandler& handler;
  mosquitto* mosq = nullptr;
  std::shared_ptr<int> alive_token = std::make_shared<int>(0);

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<bool> session_up{false};  // written under `mutex`, read by connected()
  MqttStatus status;
  std::deque<Message> queue;
  std::vector<std::pair<std::string, int>> subscriptions;
  // This session's restored subscriptions whose SUBACK has not come yet: on_connected() is
  // called once they are all acknowledged, so a handler that reacts by expecting messages
  // on them (or a test that publishes at once) does not race the broker.
  std::set<int> pending_subacks;
  bool announced = false;  // on_connected() was posted for this session

  std::mutex log_mutex;
  std::string last_log_error;  // the last MOSQ_LOG_ERR line (OpenSSL's reason, ...)

  // Network thread only.
  Backoff backoff;
  std::mt19937_64 random;
  std::chrono::steady_clock::time_point connect_started;
  std::thread network;
};

void MqttClient::Impl::create() {
  mosq = mosquitto_new(options.client_id.empty() ? nullptr : options.client_id.c_str(),
                       options.clean_session, this);
  if (mosq == nullptr) throw std::runtime_error("mqtt: cannot create the libmosquitto client");
  mosquitto_int_option(
      mosq, MOSQ_OPT_PROTOCOL_VERSION,
      options.protocol == MqttProtocol::v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  mosquitto_threaded_set(mosq, true);
  // Events are small and latency matters more than packet count: no Nagle delay.
  mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
  if (!options.availability_topic.empty())
    mosquitto_will_set(mosq, options.availability_topic.c_str(), 7, kOffline, 1, true);
  if (!options.username.empty())
    mosquitto_username_pw_set(mosq, options.username.c_str(),
                              options.password.empty() ? nullptr : options.password.c_str());
  if (options.tls) configure_tls();
  mosquitto_connect_v5_callback_set(
      mosq, [](mosquitto*, void* self, int reason, int, const mosquitto_property*) {
        static_cast<Impl*>(self)->on_connect(reason);
      });
  mosquitto_subscribe_v5_callback_set(
      mosq, [](mosquitto*, void* self, int mid, int, const int*, const mosquitto_property*) {
        static_cast<Impl*>(self)->on_subscribed(mid);
      });
  mosquitto_message_v5_callback_set(
      mosq, [](mosquitto*, void* self, const mosquitto_message* message,
               const mosquitto_property*) { static_cast<Impl*>(self)->on_message(*message); });
  mosquitto_log_callback_set(mosq, [](mosquitto*, void* self, int level, const char* text) {
    static_cast<Impl*>(self)->on_log(level, text);
  });
}

void MqttClient::Impl::configure_tls() {
  if (options.ca_file.empty()) throw std::runtime_error("mqtt: mqtts:// needs a CA file");
  const char* cert = options.cert_file.empty() ? nullptr : options.cert_file.c_str();
  const char* key = options.key_file.empty() ? nullptr : options.key_file.c_str();
  const int rc = mosquitto_tls_set(mosq, options.ca_file.c_str(), nullptr, cert, key, nullptr);
  if (rc != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("mqtt: cannot load the TLS files (CA " + options.ca_file +
                             (cert ? ", certificate " + options.cert_file : std::string()) +
                             (key ? ", key " + options.key_file : std::string()) +
                             "): " + mosquitto_strerror(rc));
  // Verify the broker's certificate chain and its name (mosquitto_tls_insecure_set stays
  // false: the host name or IP address must match the certificate).
  mosquitto_tls_opts_set(mosq, 1, nullptr, nullptr);
}

void MqttClient::Impl::run() {
  while (true) {
    {
      const std::lock_guard lock(mutex);
      if (stopping) return;
      status.state = MqttState::connecting;
    }
    connect_started = std::chrono::steady_clock::now();
    // DNS and the TCP connect happen here, on this thread; TLS and MQTT continue in the loop.
    const int rc = mosquitto_connect_async(mosq, options.host.c_str(), options.port,
                                           static_cast<int>(options.keepalive.count()));
    const int saved_errno = errno;
    if (rc == MOSQ_ERR_SUCCESS) {
      drive_session();
    } else {
      fail("connect to " + endpoint(), rc, saved_errno);
    }
    session_lost();
    wait_backoff();
  }
}

// Runs libmosquitto's loop until the session fails, the CONNACK is late or stop() is
// called; after stop() on a live session, until "offline" and DISCONNECT are written.
void MqttClient::Impl::drive_session() {
  using std::chrono::steady_clock;
  const auto connect_timeout =
      std::max<std::chrono::seconds>(options.keepalive, std::chrono::seconds{5});
  std::optional<steady_clock::time_point> stop_deadline;
  while (true) {
    const int rc = mosquitto_loop(mosq, kLoopTimeoutMs, 1);
    const int saved_errno = errno;
    bool was_up = false;
    bool stop = false;
    {
      const std::lock_guard lock(mutex);
      was_up = session_up;
      stop = stopping;
    }
    const auto now = steady_clock::now();
    if (stop) {
      if (!was_up || rc != MOSQ_ERR_SUCCESS) return;
      if (!stop_deadline) stop_deadline = now + std::chrono::seconds{1};
      if (now > *stop_deadline) return;
      continue;
    }
    if (rc != MOSQ_ERR_SUCCESS) {
      fail(was_up ? std::string("connection to ") + endpoint() + " lost"
                  : "connect to " + endpoint(),
           rc, saved_errno);
      return;
    }
    if (!was_up && now - connect_started > connect_timeout) {
      fail("connect to " + endpoint() + ": no CONNACK within " +
               std::to_string(connect_timeout.count()) + " s",
           MOSQ_ERR_SUCCESS, 0);
      mosquitto_disconnect(mosq);
      return;
    }
  }
}

void MqttClient::Impl::fail(const std::string& what, int rc, int saved_errno) {
  std::string text = what;
  if (rc != MOSQ_ERR_SUCCESS) text += ": " + errno_text(rc, saved_errno);
  {
    const std::lock_guard lock(log_mutex);
    if (!last_log_error.empty()) text += " (" + last_log_error + ")";
    last_log_error.clear();
  }
  const std::lock_guard lock(mutex);
  status.last_error = std::move(text);
}

void MqttClient::Impl::session_lost() {
  const std::lock_guard lock(mutex);
  if (!session_up) return;
  session_up = false;
  pending_subacks.clear();
  if (!announced) return;
  announced = false;
  post([this] { handler.on_disconnected(); });
}

void MqttClient::Impl::wait_backoff() {
  const auto delay = backoff.next(std::uniform_real_distribution<double>(0.0, 1.0)(random));
  std::unique_lock lock(mutex);
  if (stopping) return;
  status.state = MqttState::backing_off;
  wake.wait_for(lock, delay, [this] { return stopping; });
}

MqttClient::Impl::Sent MqttClient::Impl::send_locked(const Message& message) {
  const int rc = mosquitto_publish_v5(mosq, nullptr, message.topic.c_str(),
                                      static_cast<int>(message.payload.size()),
                                      message.payload.data(), message.qos, message.retain, nullptr);
  // A QoS 1/2 message that meets a session lost a moment ago (NO_CONN before our thread
  // noticed) stays in libmosquitto's outgoing list and is resent by it after the next
  // CONNACK, before our queue is flushed: queueing it here as well would send it twice.
  if (rc == MOSQ_ERR_SUCCESS || (rc == MOSQ_ERR_NO_CONN && message.qos > 0)) {
    ++status.published;
    return Sent::sent;
  }
  if (rc == MOSQ_ERR_NO_CONN) return Sent::retry;
  ++status.dropped;  // a topic or payload MQTT can never carry
  status.last_error = "publish on " + message.topic + ": " + mosquitto_strerror(rc);
  return Sent::invalid;
}

bool MqttClient::Impl::enqueue_locked(Message message) {
  if (queue.size() >= options.max_queue) {
    ++status.dropped;
    return false;
  }
  queue.push_back(std::move(message));
  return true;
}

// Network thread, inside mosquitto_loop (libmosquitto only queues what is sent here).
void MqttClient::Impl::on_connect(int reason) {
  if (reason != 0) {
    const std::lock_guard lock(log_mutex);
    last_log_error = std::string("the broker refused the session: ") +
                     (options.protocol == MqttProtocol::v5 ? mosquitto_reason_string(reason)
                                                           : mosquitto_connack_string(reason));
    return;
  }
  backoff.reset();
  const std::lock_guard lock(mutex);
  if (!options.availability_topic.empty())
    send_locked(Message{options.availability_topic, kOnline, 1, true});
  pending_subacks.clear();
  announced = false;
  for (const auto& [filter, qos] : subscriptions) {
    int mid = 0;
    if (mosquitto_subscribe_v5(mosq, &mid, filter.c_str(), qos, 0, nullptr) == MOSQ_ERR_SUCCESS)
      pending_subacks.insert(mid);
  }
  while (!queue.empty() && send_locked(queue.front()) != Sent::retry)
    queue.pop_front();
  session_up = true;
  status.state = MqttState::connected;
  ++status.connects;
  status.last_error.clear();
  if (pending_subacks.empty()) announce_locked();
}

void MqttClient::Impl::on_subscribed(int mid) {
  const std::lock_guard lock(mutex);
  if (pending_subacks.erase(mid) == 1 && pending_subacks.empty() && session_up) announce_locked();
}

void MqttClient::Impl::announce_locked() {
  if (announced) return;
  announced = true;
  post([this] { handler.on_connected(); });
}

void MqttClient::Impl::on_message(const mosquitto_message& message) {
  const auto size = static_cast<std::size_t>(std::max(message.payloadlen, 0));
  {
    const std::lock_guard lock(mutex);
    if (size > options.max_payload) {
      ++status.oversized;
      return;
    }
    ++status.received;
  }
  Message copy{message.topic, std::string(static_cast<const char*>(message.payload), size),
               message.qos, message.retain};
  post([this, copy = std::move(copy)] { handler.on_message(copy); });
}

void MqttClient::Impl::on_log(int level, const char* text) {
  if ((level & MOSQ_LOG_ERR) == 0 || text == nullptr) return;
  const std::lock_guard lock(log_mutex);
  last_log_error = text;
}

MqttClient::MqttClient(boost::asio::io_context& io, MqttOptions options, MessageHandler& handler)
    : impl_(std::make_unique<Impl>(io, std::move(options), handler)) {}

MqttClient::~MqttClient() {
  stop();
}

void MqttClient::start() {
  if (impl_->network.joinable()) return;
  if (impl_->mosq == nullptr) impl_->create();
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopping = false;
  }
  impl_->network = std::thread([impl = impl_.get()] { impl->run(); });
}

void MqttClient::stop() noexcept {
  if (!impl_->network.joinable()) return;
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    if (impl_->session_up && !impl_->options.availability_topic.empty())
      impl_->send_locked(Message{impl_->options.availability_topic, kOffline, 1, true});
  }
  mosquitto_disconnect(impl_->mosq);
  impl_->wake.notify_all();
  impl_->network.join();
  impl_->session_lost();
  const std::lock_guard lock(impl_->mutex);
  impl_->status.state = MqttState::stopped;
}

bool MqttClient::publish(Message message) {
  const std::lock_guard lock(impl_->mutex);
  if (impl_->session_up) {
    switch (impl_->send_locked(message)) {
      case Impl::Sent::sent:
        return true;
      case Impl::Sent::invalid:
        return false;
      case Impl::Sent::retry:
        break;
    }
  }
  return impl_->enqueue_locked(std::move(message));
}

void MqttClient::subscribe(std::string topic_filter, int qos) {
  const std::lock_guard lock(impl_->mutex);
  if (impl_->session_up)
    mosquitto_subscribe_v5(impl_->mosq, nullptr, topic_filter.c_str(), qos, 0, nullptr);
  impl_->subscriptions.emplace_back(std::move(topic_filter), qos);
}

bool MqttClient::connected() const noexcept {
  return impl_->session_up;
}

MqttStatus MqttClient::status() const {
  const std::lock_guard lock(impl_->mutex);
  MqttStatus copy = impl_->status;
  copy.queue_depth = impl_->queue.size();
  return copy;
}

}  // namespace cabind::bridge
