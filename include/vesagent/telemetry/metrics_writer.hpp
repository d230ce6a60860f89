#pragma once
/// Collects metric samples and renders them in the Prometheus text exposition format (version 0.0.4).
/// Pull model: on each scrape the web endpoint creates a writer and asks every part of the agent to write its
/// current values; nothing is registered globally and no lock is needed (everything runs on the loop).
/// Samples of one family are grouped in the output whatever order they were written in, as the format requires.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vesagent::telemetry {

class MetricsWriter {
 public:
  using Label = std::pair<std::string_view, std::string_view>;
  using Labels = std::initializer_list<Label>;

  /// A monotonically increasing count. `name` should end in _total (Prometheus convention).
  void counter(std::string_view name, std::string_view help, double value, Labels labels = {});
  void counter(std::string_view name, std::string_view help, double value, const std::vector<Label>& labels);
  /// A value that goes up and down (queue depth, last poll timestamp, 1/0 state).
  void gauge(std::string_view name, std::string_view help, double value, Labels labels = {});
  void gauge(std::string_view name, std::string_view help, double value, const std::vector<Label>& labels);

  /// The exposition text, families in the order they were first written.
  std::string text() const;

  /// Label value escaped as the format requires (backslash, double quote, newline).
  static std::string escape_label_value(std::string_view value);
  /// A sample value: integers without a fraction, NaN and infinities as Prometheus spells them.
  static std::string format_value(double value);

 private:
  struct Family {
    std::string help;
    const char* type = "gauge";
    std::vector<std::string> samples;
  };
  void add(std::string_view name, std::string_view help, const char* type, double value, const Label* labels,
           std::size_t label_count);

  std::vector<std::string> order_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace vesagent::telemetry
