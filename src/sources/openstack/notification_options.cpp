#include "vesagent/sources/openstack/notification_options.hpp"

namespace vesagent::sources::openstack {

amqp::ConsumerOptions notification_consumer_options(const config::OpenStackCloud& cloud) {
  const config::OpenStackNotifications& n = cloud.notifications;
  amqp::ConsumerOptions o;
  o.name = cloud.name;
  o.urls = n.urls;
  o.username = n.username;
  o.password = n.password;
  o.password_file = n.password_file;
  o.vhost = n.vhost;
  o.exchange = n.exchange;
  o.topic = n.topic;
  o.queue = n.queue;
  o.prefetch = static_cast<std::uint16_t>(n.prefetch);
  o.heartbeat = std::chrono::duration_cast<std::chrono::seconds>(n.heartbeat);
  o.tls.ca_cert = n.ca_cert;
  o.tls.client_cert = n.client_cert;
  o.tls.client_key = n.client_key;
  o.tls.verify = !n.insecure_skip_verify;
  return o;
}

}  // namespace vesagent::sources::openstack
