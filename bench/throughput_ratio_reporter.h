// The reporter of the throughput benchmarks (pki, verify, tls): the console table as usual, each
// benchmark's CPU time per iteration remembered (the median when run with
// --benchmark_repetitions), and at the end the telecert/raw throughput ratios (raw time / telecert
// time: 1.0 means as fast as the raw OpenSSL calls). CPU time, because the machines these run on
// are shared and wall time there measures the neighbours.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace telecert::bench {

class ThroughputRatioReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      const std::string& name = run.run_name.function_name;
      const double seconds = run.cpu_accumulated_time / static_cast<double>(run.iterations);
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        times_[name] = {seconds, true};
      } else if (run.run_type == Run::RT_Iteration && !times_[name].is_median) {
        times_[name] = {seconds, false};
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void print_ratio(const std::string& what, const std::string& telecert,
                   const std::string& raw) const {
    const auto ours = times_.find(telecert);
    const auto limit = times_.find(raw);
    if (ours == times_.end() || limit == times_.end()) return;
    std::printf("%-15s telecert %9.2f us, raw %9.2f us, throughput telecert/raw = %.3f\n",
                what.c_str(), ours->second.seconds * 1e6, limit->second.seconds * 1e6,
                limit->second.seconds / ours->second.seconds);
  }

 private:
  struct Time {
    double seconds = 0;  // CPU per iteration
    bool is_median = false;
  };
  std::map<std::string, Time> times_;
};

}  // namespace telecert::bench
