// Exporting evaluations as CSV, streamed: one row in memory at a time.
#include <ostream>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/json_util.h"
#include "core/reserved_columns.h"
#include "core/store.h"
#include "core/text.h"

namespace archgym {

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos && (s.empty() || (s.front() != ' ' && s.back() != ' ')))
    return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json_cell(const detail::ojson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return format_double(v.get<double>());
  if (v.is_null()) return "";
  return v.dump();
}

}  // namespace

void Store::export_csv(std::ostream& out, std::int64_t run_id,
                       const std::function<Columns(std::int64_t run_id)>& columns_of) const {
  // Two passes over the rows, one row in memory at a time (a run of millions of rows
  // exports in bounded memory): the first finds the columns and refuses a damaged row before
  // anything is written, the second writes. Rows are only ever appended, so both read the
  // rows up to the last one stored when the export began, even while a run adds more.
  const std::int64_t up_to = last_evaluation_rowid();
  // A hand-edited array or number has no knob or metric names: its cells came out empty.
  auto object_in = [&](const EvaluationRecord& r, const std::string& text, const char* column) {
    const std::string what = "store " + path_ + ": run " + std::to_string(r.run_id) + ", evaluation " +
                             std::to_string(r.index) + " " + column;
    auto j = detail::parse_json(text, what);
    if (!j.is_object()) throw std::invalid_argument(what + ": expected a JSON object, got " + printable_line(text, 60));
    return j;
  };
  // Column union over the rows in first-seen order: runs of different envs can share a file.
  std::vector<std::string> design_columns, metric_columns;
  std::unordered_set<std::string> design_seen, metric_seen;
  auto note = [](std::vector<std::string>& columns, std::unordered_set<std::string>& seen, const std::string& key) {
    if (seen.insert(key).second) columns.push_back(key);
  };
  // Runs in row order, each with whether any of its rows is valid (has metrics).
  std::vector<std::pair<std::int64_t, bool>> runs;
  for_each_evaluation(
      run_id,
      [&](const EvaluationRecord& r) {
        const auto design = object_in(r, r.design, "design");
        const auto metrics = object_in(r, r.metrics, "metrics");
        for (const auto& [k, v] : design.items()) note(design_columns, design_seen, k);
        for (const auto& [k, v] : metrics.items()) note(metric_columns, metric_seen, k);
        if (runs.empty() || runs.back().first != r.run_id) runs.emplace_back(r.run_id, false);
        runs.back().second = runs.back().second || r.valid;
      },
      up_to);
  if (run_id != 0 && runs.empty()) runs.emplace_back(run_id, false);
  if (columns_of) {
    for (const auto& [id, any_valid] : runs) {
      if (any_valid) continue;
      const Columns c = columns_of(id);
      for (const auto& d : c.design) note(design_columns, design_seen, d);
      for (const auto& m : c.metrics) note(metric_columns, metric_seen, m);
    }
  }
  const char* separator = "";
  for (const std::string_view c : kEvaluationColumns) out << std::exchange(separator, ",") << c;
  for (const auto& c : design_columns) out << ',' << csv_field(c);
  for (const auto& c : metric_columns) out << ',' << csv_field(c);
  out << '\n';
  for_each_evaluation(
      run_id,
      [&](const EvaluationRecord& r) {
        const auto design = object_in(r, r.design, "design");
        const auto metrics = object_in(r, r.metrics, "metrics");
        out << r.run_id << ',' << r.index << ',' << format_double(r.reward) << ',' << (r.valid ? 1 : 0) << ','
            << csv_field(r.invalid_reason) << ',' << format_double(r.sim_seconds);
        for (const auto& c : design_columns) {
          out << ',';
          if (const auto it = design.find(c); it != design.end()) out << csv_field(json_cell(*it));
        }
        for (const auto& c : metric_columns) {
          out << ',';
          if (const auto it = metrics.find(c); it != metrics.end()) out << csv_field(json_cell(*it));
        }
        out << '\n';
      },
      up_to);
}

}  // namespace archgym
