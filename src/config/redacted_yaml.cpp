// to_redacted_yaml(): the effective configuration, nested back into VESPA's sections, secrets hidden.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "key_table.hpp"
#include "vesagent/config/loader.hpp"

namespace vesagent::config {

namespace {

using detail::Key;
using detail::KeyType;

struct TreeNode {
  std::string name;
  const Key* key = nullptr;
  std::vector<TreeNode> children;
};

void insert(TreeNode& root, const Key& key) {
  TreeNode* node = &root;
  std::string_view rest = key.path;
  while (true) {
    auto dot = rest.find('.');
    std::string name(rest.substr(0, dot));
    TreeNode* child = nullptr;
    for (auto& c : node->children) {
      if (c.name == name) child = &c;
    }
    if (child == nullptr) {
      node->children.push_back(TreeNode{name, nullptr, {}});
      child = &node->children.back();
    }
    node = child;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  node->key = &key;
}

void emit_value(YAML::Emitter& out, const Key& key, const Config& config) {
  if (key.emit_yaml) {
    key.emit_yaml(out, config);
    return;
  }
  std::string value = key.get(config);
  switch (key.type) {
    case KeyType::secret:
      out << YAML::DoubleQuoted << (value.empty() ? std::string{} : std::string("<redacted>"));
      break;
    case KeyType::string:
    case KeyType::path:
    case KeyType::choice:
      // Quoted, so values such as "null", "yes" or "8443" read back as the same strings.
      out << YAML::DoubleQuoted << value;
      break;
    default: out << value; break;
  }
}

void emit_node(YAML::Emitter& out, const TreeNode& node, const Config& config) {
  out << YAML::BeginMap;
  for (const auto& child : node.children) {
    out << YAML::Key << child.name << YAML::Value;
    if (child.key != nullptr) {
      emit_value(out, *child.key, config);
    } else {
      emit_node(out, child, config);
    }
  }
  out << YAML::EndMap;
}

}  // namespace

std::string to_redacted_yaml(const Config& config) {
  TreeNode root;
  for (const auto& k : detail::keys()) {
    // VESPA keys that are accepted but not kept (debug, passphrase, cluster) have nothing to show.
    if (!k.get && !k.emit_yaml) continue;
    // An unconfigured backup collector is left out: its section alone would make it "present".
    if (!config.backup_collector.configured() && k.path.rfind("backupCollector.", 0) == 0) continue;
    insert(root, k);
  }
  YAML::Emitter out;
  emit_node(out, root, config);
  return std::string(out.c_str()) + "\n";
}

}  // namespace vesagent::config
