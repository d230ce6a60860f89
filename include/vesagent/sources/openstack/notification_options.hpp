#pragma once
/// The amqp::Consumer of one cloud's notifications, from its `notifications` configuration.
#include "vesagent/amqp/consumer.hpp"
#include "vesagent/config/openstack_config.hpp"

namespace vesagent::sources::openstack {

/// Consumer options for `cloud` (name = the cloud's name). notifications.urls empty means the cloud has no
/// notifications; the caller then creates no consumer.
amqp::ConsumerOptions notification_consumer_options(const config::OpenStackCloud& cloud);

}  // namespace vesagent::sources::openstack
