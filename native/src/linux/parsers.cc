#include "parsers.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "fd.h"

namespace jobscope::linux_impl {
namespace {

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool parseNumber(const std::string& s, uint64_t& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  out = std::strtoull(s.c_str(), nullptr, 10);
  return errno != ERANGE;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

void addTotals(IoStats& s) {
  s.readOps = s.writeOps = s.readBytes = s.writeBytes = 0;
  for (const auto& d : s.devices) {
    s.readOps += d.readOps;
    s.writeOps += d.writeOps;
    s.readBytes += d.readBytes;
    s.writeBytes += d.writeBytes;
  }
}

}  // namespace

bool isMajMin(const std::string& s) {
  size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size()) return false;
  uint64_t v;
  return parseNumber(s.substr(0, colon), v) && parseNumber(s.substr(colon + 1), v);
}

bool parseMaxValue(const std::string& text, std::optional<uint64_t>& out) {
  std::string t = trim(text);
  if (t == "max") {
    out.reset();
    return true;
  }
  uint64_t v;
  if (!parseNumber(t, v)) return false;
  out = v;
  return true;
}

IoStats parseIoStat(const std::string& text, std::string (*label)(const std::string&)) {
  IoStats s;
  s.tracking = "on";
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto w = words(line);
    if (w.empty() || !isMajMin(w[0])) continue;
    IoDeviceStats d;
    d.device = label ? label(w[0]) : w[0];
    bool any = false;
    for (size_t i = 1; i < w.size(); ++i) {
      size_t eq = w[i].find('=');
      if (eq == std::string::npos) continue;
      std::string key = w[i].substr(0, eq);
      uint64_t v;
      if (!parseNumber(w[i].substr(eq + 1), v)) continue;
      if (key == "rbytes") d.readBytes = v, any = true;
      else if (key == "wbytes") d.writeBytes = v, any = true;
      else if (key == "rios") d.readOps = v, any = true;
      else if (key == "wios") d.writeOps = v, any = true;
    }
    if (any) s.devices.push_back(std::move(d));  // a torn line with a device and no keys: skipped
  }
  addTotals(s);
  return s;
}

IoStats parseBlkio(const std::string& bytesText, const std::string& opsText,
                   std::string (*label)(const std::string&)) {
  IoStats s;
  s.tracking = "on";
  std::map<std::string, IoDeviceStats> byDev;
  std::vector<std::string> order;
  auto read = [&](const std::string& text, bool bytes) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      auto w = words(line);
      uint64_t v;
      if (w.size() != 3 || !isMajMin(w[0]) || !parseNumber(w[2], v)) continue;  // "Total N" too
      if (!byDev.count(w[0])) {
        order.push_back(w[0]);
        byDev[w[0]].device = label ? label(w[0]) : w[0];
      }
      IoDeviceStats& d = byDev[w[0]];
      if (w[1] == "Read") (bytes ? d.readBytes : d.readOps) = v;
      else if (w[1] == "Write") (bytes ? d.writeBytes : d.writeOps) = v;
    }
  };
  read(bytesText, true);
  read(opsText, false);
  for (const auto& dev : order) s.devices.push_back(byDev[dev]);
  addTotals(s);
  return s;
}

std::optional<CpuThrottling> parseCpuThrottling(const std::string& text, bool v1) {
  CpuThrottling t;
  bool a = findKeyValue(text, "nr_periods", t.periods);
  bool b = findKeyValue(text, "nr_throttled", t.throttledPeriods);
  uint64_t time = 0;
  bool c = findKeyValue(text, v1 ? "throttled_time" : "throttled_usec", time);
  if (!a && !b && !c) return std::nullopt;
  t.throttledTimeUs = v1 ? time / 1000 : time;
  return t;
}

IoMax parseIoMax(const std::string& text) {
  IoMax out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto w = words(line);
    if (w.empty() || !isMajMin(w[0])) continue;
    auto& dev = out[w[0]];
    for (size_t i = 1; i < w.size(); ++i) {
      size_t eq = w[i].find('=');
      if (eq == std::string::npos) continue;
      std::optional<uint64_t> v;
      if (parseMaxValue(w[i].substr(eq + 1), v)) dev[w[i].substr(0, eq)] = v;
    }
  }
  return out;
}

std::map<std::string, uint64_t> parseDeviceValues(const std::string& text) {
  std::map<std::string, uint64_t> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto w = words(line);
    uint64_t v;
    if (w.size() == 2 && isMajMin(w[0]) && parseNumber(w[1], v)) out[w[0]] = v;
  }
  return out;
}

}  // namespace jobscope::linux_impl
