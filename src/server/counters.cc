#include "server/counters.h"

namespace telecert::server {

void Counters::add(std::string_view series, std::uint64_t amount) {
  const std::lock_guard lock(mutex_);
  auto it = values_.find(series);
  if (it == values_.end()) it = values_.emplace(std::string(series), 0).first;
  it->second += amount;
}

std::uint64_t Counters::value(std::string_view series) const {
  const std::lock_guard lock(mutex_);
  const auto it = values_.find(series);
  return it == values_.end() ? 0 : it->second;
}

std::string Counters::prometheus_text() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  std::string_view previous_metric;
  for (const auto& [series, value] : values_) {
    const std::string_view metric = std::string_view(series).substr(0, series.find('{'));
    if (metric != previous_metric) {
      out += "# TYPE ";
      out += metric;
      out += " counter\n";
      previous_metric = metric;
    }
    out += series;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
  }
  return out;
}

}  // namespace telecert::server
