// The N-API surface of JobScope (shape: ../index.d.ts). All JS argument checks live here;
// the OS work is done by a jobscope::Backend (linux/ today, win/ later), whose
// jobscope::Error exceptions become JS Errors with a string `code`.
#include <napi.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backend.h"

namespace {

using jobscope::Notification;

struct AddonData;
void deliver(Napi::Env env, Napi::Function listener, AddonData* data, std::vector<Notification>* batch);
using Tsfn = Napi::TypedThreadSafeFunction<AddonData, std::vector<Notification>, deliver>;

// Kept while no listener is set; beyond this the oldest are dropped and counted (a listener that
// never comes must not grow memory without bound). JOBSCOPE_PENDING_LIMIT lowers it, so that the
// counting can be exercised without 100,000 processes.
size_t pendingLimit() {
  constexpr size_t kMaxPending = 100000;
  const char* forced = std::getenv("JOBSCOPE_PENDING_LIMIT");
  long limit = forced ? std::strtol(forced, nullptr, 10) : 0;
  return limit > 0 && static_cast<size_t>(limit) < kMaxPending ? static_cast<size_t>(limit) : kMaxPending;
}

struct AddonData {
  std::unique_ptr<jobscope::Backend> backend;
  Napi::FunctionReference jobConstructor;
  // Set just before constructing a Job wrapper, so `new Job()` from JS can be refused.
  std::shared_ptr<jobscope::Job>* constructing = nullptr;
  // Ids of jobs not yet closed (JS thread only): events for other ids are not delivered,
  // which is how "nothing for a closed job after close() returns" holds for batches that
  // were already queued in the thread-safe function.
  std::set<uint32_t> liveJobs;

  std::mutex mu;  // guards everything below against the poller thread
  Tsfn tsfn;
  bool listening = false;
  const size_t maxPending = pendingLimit();
  std::deque<Notification> pending;
  // Dropped from `pending` at its limit, per job (told to the next listener as NOTIFICATIONS_LOST),
  // and in all since start (hostInfo().notificationsLost).
  std::map<uint32_t, uint64_t> pendingLost;
  uint64_t notificationsLost = 0;

  // Called on the poller thread (and on the JS thread from assign/create).
  void onNotifications(std::vector<Notification>&& batch) {
    std::lock_guard<std::mutex> lock(mu);
    if (listening) {
      size_t count = batch.size();
      auto* queued = new std::vector<Notification>(std::move(batch));
      // The queue is unbounded: this fails only while the function is being released.
      if (tsfn.NonBlockingCall(queued) != napi_ok) {
        delete queued;
        notificationsLost += count;
      }
      return;
    }
    for (auto& n : batch) pending.push_back(std::move(n));
    while (pending.size() > maxPending) {
      ++pendingLost[pending.front().jobId];
      ++notificationsLost;
      pending.pop_front();
    }
  }

  // With mu held: what was kept for a new listener, led by one NOTIFICATIONS_LOST per job that
  // lost some (the oldest are the ones dropped).
  std::vector<Notification> takePending(double now) {
    std::vector<Notification> batch;
    for (const auto& [jobId, count] : pendingLost) {
      Notification n;
      n.kind = "NOTIFICATIONS_LOST";
      n.jobId = jobId;
      n.time = now;
      n.lost = count;
      batch.push_back(std::move(n));
    }
    pendingLost.clear();
    batch.insert(batch.end(), std::make_move_iterator(pending.begin()), std::make_move_iterator(pending.end()));
    pending.clear();
    return batch;
  }

  void stopListening() {
    std::lock_guard<std::mutex> lock(mu);
    if (!listening) return;
    listening = false;
    tsfn.Release();
  }
};

double nowMs() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

Napi::Error jobScopeError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

[[noreturn]] void throwJobScopeError(Napi::Env env, const std::string& code, const std::string& message) {
  throw jobScopeError(env, code, message);
}

// What a backend exception becomes in JS: its code and message. Plain C++, so that a worker thread can
// keep it and the JS thread make the Error from it.
struct Failure {
  std::string code;
  std::string message;
};

Failure failureOf(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const jobscope::Error& e) {
    return {e.code(), e.what()};
  } catch (const std::bad_alloc&) {
    return {"ENOMEM", "out of memory"};
  } catch (const std::exception& e) {
    return {"EINTERNAL", std::string("internal error: ") + e.what()};
  }
}

// Runs a backend call, translating its exceptions to JS ones.
template <typename Fn>
auto guarded(Napi::Env env, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception&) {
    Failure f = failureOf(std::current_exception());
    throwJobScopeError(env, f.code, f.message);
  }
}

Napi::Value notificationToJs(Napi::Env env, const Notification& n) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("kind", n.kind);
  o.Set("jobId", Napi::Number::New(env, n.jobId));
  o.Set("pid", Napi::Number::New(env, static_cast<double>(n.pid)));
  o.Set("time", Napi::Number::New(env, n.time));
  if (n.exitCode) o.Set("exitCode", Napi::Number::New(env, static_cast<double>(*n.exitCode)));
  if (n.signal) o.Set("signal", Napi::Number::New(env, static_cast<double>(*n.signal)));
  if (n.lost) o.Set("lost", Napi::Number::New(env, static_cast<double>(*n.lost)));
  if (n.kernelEventsDropped) {
    o.Set("kernelEventsDropped", Napi::Number::New(env, static_cast<double>(*n.kernelEventsDropped)));
  }
  return o;
}

// Runs on the JS thread for each queued batch; env is null when the function is being torn
// down with batches still queued, which then only need freeing.
void deliver(Napi::Env env, Napi::Function listener, AddonData* data, std::vector<Notification>* batch) {
  std::unique_ptr<std::vector<Notification>> owned(batch);
  if (env == nullptr || listener.IsEmpty() || data == nullptr) return;
  Napi::Array array = Napi::Array::New(env);
  uint32_t count = 0;
  for (const auto& n : *owned) {
    if (data->liveJobs.count(n.jobId)) array.Set(count++, notificationToJs(env, n));
  }
  if (count == 0) return;
  try {
    listener.Call({array});
  } catch (const Napi::Error& e) {
    // A throwing listener must not take the process down from inside a TSFN callback.
    e.ThrowAsJavaScriptException();
  }
}

std::string describe(const Napi::Value& v) {
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) return "NaN";
    std::string s = v.ToString().Utf8Value();
    return s;
  }
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return v.ToBoolean().Value() ? "true" : "false";
  if (v.IsSymbol()) return "a symbol";
  if (v.IsBigInt()) return "a bigint";
  if (v.IsArray()) return "an array";
  if (v.IsFunction()) return "a function";
  return "an object";
}

[[noreturn]] void typeError(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}
[[noreturn]] void rangeError(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

std::optional<std::string> optionalString(Napi::Env env, Napi::Object options, const char* key,
                                          const std::string& where) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return std::nullopt;
  if (!v.IsString()) typeError(env, where + "." + key + " must be a string, got " + describe(v));
  return v.As<Napi::String>().Utf8Value();
}

std::optional<bool> optionalBool(Napi::Env env, Napi::Object options, const char* key, const std::string& where) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return std::nullopt;
  if (!v.IsBoolean()) typeError(env, where + "." + key + " must be a boolean, got " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

#ifdef _WIN32
// Job object names: what CreateJobObjectW takes, 1-260 UTF-16 code units without NUL, with a
// backslash only as the separator after a Local\ or Global\ namespace prefix.
constexpr const char* kJobNameRule =
    "use 1-260 UTF-16 characters, no NUL, and a backslash only after a 'Local' or 'Global' prefix";

size_t utf16Length(const std::string& utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;  // lead byte; 4-byte sequences need a surrogate pair
  }
  return units;
}

bool validJobName(const std::string& name) {
  size_t units = utf16Length(name);
  if (units == 0 || units > 260 || name.find('\0') != std::string::npos) return false;
  std::string rest = name;
  for (const std::string prefix : {"Local\\", "Global\\"}) {
    if (name.compare(0, prefix.size(), prefix) == 0) {
      rest = name.substr(prefix.size());
      break;
    }
  }
  return !rest.empty() && rest.find('\\') == std::string::npos;
}
#else
constexpr const char* kJobNameRule = "use 1-64 letters, digits, '.', '_' or '-', not '.' or '..'";

bool validJobName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}
#endif

Napi::Value optU64(Napi::Env env, const std::optional<uint64_t>& v);

Napi::Object processorToJs(Napi::Env env, const jobscope::ProcessorStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("userTimeUs", Napi::Number::New(env, static_cast<double>(s.userTimeUs)));
  o.Set("kernelTimeUs", Napi::Number::New(env, static_cast<double>(s.kernelTimeUs)));
  o.Set("totalProcesses", Napi::Number::New(env, static_cast<double>(s.totalProcesses)));
  o.Set("activeProcesses", Napi::Number::New(env, static_cast<double>(s.activeProcesses)));
  return o;
}

Napi::Object memoryToJs(Napi::Env env, const jobscope::MemoryStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("currentBytes", Napi::Number::New(env, static_cast<double>(s.currentBytes)));
  o.Set("peakBytes", s.peakBytes ? Napi::Value(Napi::Number::New(env, static_cast<double>(*s.peakBytes)))
                                 : env.Null());
  o.Set("source", s.source);
  o.Set("anonBytes", optU64(env, s.anonBytes));
  o.Set("fileBytes", optU64(env, s.fileBytes));
  return o;
}


Napi::Value optNumber(Napi::Env env, const std::optional<int64_t>& v) {
  return v ? Napi::Value(Napi::Number::New(env, static_cast<double>(*v))) : env.Null();
}
Napi::Value optU64(Napi::Env env, const std::optional<uint64_t>& v) {
  return v ? Napi::Value(Napi::Number::New(env, static_cast<double>(*v))) : env.Null();
}

// Checks one numeric limit: null clears; else an integer in [min, max]. The message names the field.
void numericLimit(Napi::Env env, Napi::Object o, const char* key, double min, double max,
                  jobscope::LimitChange<int64_t>& out, const std::string& where) {
  if (!o.Has(key)) return;
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return;
  const std::string name = where + "." + key;
  out.set = true;
  if (v.IsNull()) return;
  if (!v.IsNumber()) typeError(env, name + " must be a number or null, got " + describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) rangeError(env, name + " " + describe(v) + " is not an integer");
  if (d < min || d > max) {
    rangeError(env, name + " " + describe(v) + " is out of range: " + std::to_string(static_cast<int64_t>(min)) +
                        " to " + std::to_string(static_cast<int64_t>(max)));
  }
  out.value = static_cast<int64_t>(d);
}

constexpr double kMaxSafe = 9007199254740991.0;  // Number.MAX_SAFE_INTEGER

jobscope::LimitChanges limitChanges(Napi::Env env, Napi::Value v, const std::string& where) {
  jobscope::LimitChanges c;
  if (v.IsUndefined()) return c;
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) typeError(env, where + " must be an object, got " + describe(v));
  Napi::Object o = v.As<Napi::Object>();
  static const std::set<std::string> known = {"cpuRate",  "cpuWeight",         "memoryBytes", "processMemoryBytes",
                                              "activeProcesses", "maxIops", "maxBandwidthBytes", "affinity",
                                              "killOnClose"};
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    std::string k = keys.Get(i).ToString().Utf8Value();
    if (!known.count(k)) typeError(env, where + "." + k + " is not a limit");
  }
  numericLimit(env, o, "cpuRate", 1, 10000, c.cpuRate, where);
  numericLimit(env, o, "cpuWeight", 1, 9, c.cpuWeight, where);
  numericLimit(env, o, "memoryBytes", 1, kMaxSafe, c.memoryBytes, where);
  numericLimit(env, o, "processMemoryBytes", 1, kMaxSafe, c.processMemoryBytes, where);
  numericLimit(env, o, "activeProcesses", 1, 4194304, c.activeProcesses, where);
  numericLimit(env, o, "maxIops", 1, kMaxSafe, c.maxIops, where);
  numericLimit(env, o, "maxBandwidthBytes", 1, kMaxSafe, c.maxBandwidthBytes, where);
  Napi::Value a = o.Get("affinity");
  if (!a.IsUndefined()) {
    c.affinity.set = true;
    if (!a.IsNull()) {
      if (!a.IsString()) typeError(env, where + ".affinity must be a decimal string or null, got " + describe(a));
      std::string text = a.As<Napi::String>().Utf8Value();
      bool digits = !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
      errno = 0;
      unsigned long long mask = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
      if (!digits || errno == ERANGE || mask == 0) {
        rangeError(env, where + ".affinity '" + text + "' must be a non-zero 64-bit mask in decimal");
      }
      c.affinity.value = text;
    }
  }
  Napi::Value k = o.Get("killOnClose");
  if (!k.IsUndefined()) {
    if (!k.IsBoolean()) typeError(env, where + ".killOnClose must be a boolean, got " + describe(k));
    c.killOnClose.set = true;
    c.killOnClose.value = k.ToBoolean().Value();
  }
  return c;
}

Napi::Object limitsToJs(Napi::Env env, const jobscope::LimitsReport& r) {
  Napi::Object l = Napi::Object::New(env);
  l.Set("cpuRate", optNumber(env, r.limits.cpuRate));
  l.Set("cpuWeight", optNumber(env, r.limits.cpuWeight));
  l.Set("memoryBytes", optNumber(env, r.limits.memoryBytes));
  l.Set("processMemoryBytes", optNumber(env, r.limits.processMemoryBytes));
  l.Set("activeProcesses", optNumber(env, r.limits.activeProcesses));
  l.Set("maxIops", optNumber(env, r.limits.maxIops));
  l.Set("maxBandwidthBytes", optNumber(env, r.limits.maxBandwidthBytes));
  l.Set("affinity", r.limits.affinity ? Napi::Value(Napi::String::New(env, *r.limits.affinity)) : env.Null());
  l.Set("killOnClose", r.limits.killOnClose);
  Napi::Object u = Napi::Object::New(env);
  for (const auto& [field, why] : r.unsupported) u.Set(field, why);
  Napi::Array devices = Napi::Array::New(env, r.ioDevices.size());
  for (uint32_t i = 0; i < r.ioDevices.size(); ++i) devices.Set(i, r.ioDevices[i]);
  Napi::Object o = Napi::Object::New(env);
  o.Set("limits", l);
  o.Set("unsupported", u);
  o.Set("ioDevices", devices);
  return o;
}

Napi::Object ioToJs(Napi::Env env, const jobscope::IoStats& s) {
  auto num = [&](uint64_t v) { return Napi::Number::New(env, static_cast<double>(v)); };
  Napi::Object o = Napi::Object::New(env);
  o.Set("tracking", s.tracking);
  o.Set("readOps", num(s.readOps));
  o.Set("writeOps", num(s.writeOps));
  o.Set("readBytes", num(s.readBytes));
  o.Set("writeBytes", num(s.writeBytes));
  Napi::Array devices = Napi::Array::New(env, s.devices.size());
  for (uint32_t i = 0; i < s.devices.size(); ++i) {
    const auto& d = s.devices[i];
    Napi::Object e = Napi::Object::New(env);
    e.Set("device", d.device);
    e.Set("readOps", num(d.readOps));
    e.Set("writeOps", num(d.writeOps));
    e.Set("readBytes", num(d.readBytes));
    e.Set("writeBytes", num(d.writeBytes));
    devices.Set(i, e);
  }
  o.Set("devices", devices);
  return o;
}

Napi::Object throttlingToJs(Napi::Env env, const jobscope::CpuThrottling& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("periods", Napi::Number::New(env, static_cast<double>(t.periods)));
  o.Set("throttledPeriods", Napi::Number::New(env, static_cast<double>(t.throttledPeriods)));
  o.Set("throttledTimeUs", Napi::Number::New(env, static_cast<double>(t.throttledTimeUs)));
  return o;
}

// A string argument that the OS will see as a C string: no NUL bytes.
std::string cString(Napi::Env env, Napi::Value v, const std::string& name) {
  if (!v.IsString()) typeError(env, name + " must be a string, got " + describe(v));
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) rangeError(env, name + " must not contain NUL characters");
  return s;
}

// createJob / createChild options: name, parent (createJob only), limits.
struct ParsedJobOptions {
  std::optional<std::string> name, parent;
  jobscope::LimitChanges limits;
  jobscope::JobOptions os;
};

ParsedJobOptions jobOptions(Napi::Env env, Napi::Value v, bool allowParent) {
  ParsedJobOptions out;
  if (v.IsUndefined()) return out;
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) {
    typeError(env, "options must be an object, got " + describe(v));
  }
  Napi::Object options = v.As<Napi::Object>();
  out.name = optionalString(env, options, "name", "options");
  if (allowParent) out.parent = optionalString(env, options, "parent", "options");
  if (out.name && !validJobName(*out.name)) {
    rangeError(env, "options.name '" + *out.name + "' is not a valid job name: " + kJobNameRule);
  }
  // The OS sees paths as C strings: "/a\0/b" would name "/a", so a NUL is refused, never cut at.
  if (out.parent && out.parent->find('\0') != std::string::npos) {
    rangeError(env, "options.parent must not contain NUL characters");
  }
  if (out.parent && (out.parent->empty() || (*out.parent)[0] != '/')) {
    rangeError(env, "options.parent '" + *out.parent + "' must be an absolute path");
  }
  out.limits = limitChanges(env, options.Get("limits"), "options.limits");
  out.os.useNtVariant = optionalBool(env, options, "useNtVariant", "options").value_or(false);
  return out;
}

class JobWrap : public Napi::ObjectWrap<JobWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Job",
                       {
                           InstanceMethod<&JobWrap::assign>("assign"),
                           InstanceMethod<&JobWrap::pids>("pids"),
                           InstanceMethod<&JobWrap::processorStats>("processorStats"),
                           InstanceMethod<&JobWrap::memoryStats>("memoryStats"),
                           InstanceMethod<&JobWrap::privateWorkingSet>("privateWorkingSet"),
                           InstanceMethod<&JobWrap::terminate>("terminate"),
                           InstanceMethod<&JobWrap::close>("close"),
                           InstanceMethod<&JobWrap::info>("info"),
                           InstanceMethod<&JobWrap::limits>("limits"),
                           InstanceMethod<&JobWrap::setLimits>("setLimits"),
                           InstanceMethod<&JobWrap::ioStats>("ioStats"),
                           InstanceMethod<&JobWrap::enableIoTracking>("enableIoTracking"),
                           InstanceMethod<&JobWrap::launch>("launch"),
                           InstanceMethod<&JobWrap::freeze>("freeze"),
                           InstanceMethod<&JobWrap::thaw>("thaw"),
                           InstanceMethod<&JobWrap::createChild>("createChild"),
                       });
  }

  explicit JobWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JobWrap>(info) {
    AddonData* data = info.Env().GetInstanceData<AddonData>();
    if (data == nullptr || data->constructing == nullptr) {
      typeError(info.Env(), "Job cannot be constructed directly; use createJob() or openJob()");
    }
    job_ = *data->constructing;
    Napi::Object self = info.This().As<Napi::Object>();
    Napi::Env env = info.Env();
    self.DefineProperties({
        Napi::PropertyDescriptor::Value("id", Napi::Number::New(env, job_->id()), napi_enumerable),
        Napi::PropertyDescriptor::Value("name", Napi::String::New(env, job_->name()), napi_enumerable),
        Napi::PropertyDescriptor::Value("path", Napi::String::New(env, job_->path()), napi_enumerable),
        Napi::PropertyDescriptor::Value("created", Napi::Boolean::New(env, job_->created()), napi_enumerable),
    });
  }

  static Napi::Object wrap(Napi::Env env, std::shared_ptr<jobscope::Job> job) {
    AddonData* data = env.GetInstanceData<AddonData>();
    data->constructing = &job;
    Napi::Object obj;
    try {
      obj = data->jobConstructor.New({});
    } catch (...) {
      data->constructing = nullptr;
      throw;
    }
    data->constructing = nullptr;
    data->liveJobs.insert(job->id());
    return obj;
  }

  const std::shared_ptr<jobscope::Job>& job() const { return job_; }

 private:
  void assign(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Value v = info[0];
    if (!v.IsNumber()) typeError(env, "pid must be a number, got " + describe(v));
    double pid = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(pid) || std::trunc(pid) != pid) {
      rangeError(env, "pid " + describe(v) + " is not an integer");
    }
    if (pid <= 0 || pid > 4194304) {
      rangeError(env, "pid " + describe(v) + " is out of range: a pid is 1 to 4194304");
    }
    guarded(env, [&] { job_->assign(static_cast<int64_t>(pid)); });
  }

  Napi::Value pids(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto list = guarded(env, [&] { return job_->pids(); });
    Napi::Array array = Napi::Array::New(env, list.size());
    for (uint32_t i = 0; i < list.size(); ++i) array.Set(i, Napi::Number::New(env, static_cast<double>(list[i])));
    return array;
  }

  Napi::Value processorStats(const Napi::CallbackInfo& info) {
    return processorToJs(info.Env(), guarded(info.Env(), [&] { return job_->processorStats(); }));
  }

  Napi::Value memoryStats(const Napi::CallbackInfo& info) {
    return memoryToJs(info.Env(), guarded(info.Env(), [&] { return job_->memoryStats(); }));
  }

  Napi::Value privateWorkingSet(const Napi::CallbackInfo& info) {
    uint64_t bytes = guarded(info.Env(), [&] { return job_->privateWorkingSet(); });
    return Napi::Number::New(info.Env(), static_cast<double>(bytes));
  }

  void terminate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Value v = info[0];
    uint32_t code = 0;
    if (!v.IsUndefined()) {
      if (!v.IsNumber()) typeError(env, "exitCode must be a number, got " + describe(v));
      double d = v.As<Napi::Number>().DoubleValue();
      if (!std::isfinite(d) || std::trunc(d) != d || d < 0 || d > 4294967295.0) {
        rangeError(env, "exitCode " + describe(v) + " must be an integer from 0 to 4294967295");
      }
      code = static_cast<uint32_t>(d);
    }
    guarded(env, [&] { job_->terminate(code); });
  }

  void close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    guarded(env, [&] { job_->close(); });
    env.GetInstanceData<AddonData>()->liveJobs.erase(job_->id());
  }

  Napi::Value info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (job_->closed()) throwJobScopeError(env, "ECLOSED", "job " + job_->name() + " is closed");
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, job_->id()));
    o.Set("name", job_->name());
    o.Set("path", job_->path());
    o.Set("created", job_->created());
    return o;
  }

  Napi::Value limits(const Napi::CallbackInfo& info) {
    return limitsToJs(info.Env(), guarded(info.Env(), [&] { return job_->limits(); }));
  }

  Napi::Value setLimits(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info[0].IsUndefined()) typeError(env, "changes must be an object, got undefined");
    jobscope::LimitChanges changes = limitChanges(env, info[0], "changes");
    return limitsToJs(env, guarded(env, [&] { return job_->setLimits(changes); }));
  }

  Napi::Value ioStats(const Napi::CallbackInfo& info) {
    return ioToJs(info.Env(), guarded(info.Env(), [&] { return job_->ioStats(); }));
  }

  void enableIoTracking(const Napi::CallbackInfo& info) {
    guarded(info.Env(), [&] { job_->enableIoTracking(); });
  }

  Napi::Value launch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Value v = info[0];
    if (!v.IsObject() || v.IsArray() || v.IsFunction()) {
      typeError(env, "options must be an object with a file, got " + describe(v));
    }
    Napi::Object o = v.As<Napi::Object>();
    jobscope::LaunchOptions opts;
    opts.file = cString(env, o.Get("file"), "options.file");
    if (opts.file.empty()) rangeError(env, "options.file must not be empty");
    Napi::Value args = o.Get("args");
    if (!args.IsUndefined()) {
      if (!args.IsArray()) typeError(env, "options.args must be an array of strings, got " + describe(args));
      Napi::Array a = args.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) {
        opts.args.push_back(cString(env, a.Get(i), "options.args[" + std::to_string(i) + "]"));
      }
    }
    Napi::Value cwd = o.Get("cwd");
    if (!cwd.IsUndefined()) opts.cwd = cString(env, cwd, "options.cwd");
    Napi::Value envv = o.Get("env");
    if (!envv.IsUndefined()) {
      if (!envv.IsObject() || envv.IsArray() || envv.IsFunction()) {
        typeError(env, "options.env must be an object of strings, got " + describe(envv));
      }
      Napi::Object e = envv.As<Napi::Object>();
      Napi::Array keys = e.GetPropertyNames();
      std::vector<std::string> list;
      for (uint32_t i = 0; i < keys.Length(); ++i) {
        std::string k = keys.Get(i).ToString().Utf8Value();
        if (k.empty() || k.find('=') != std::string::npos || k.find('\0') != std::string::npos) {
          rangeError(env, "options.env key '" + k + "' is not a valid variable name");
        }
        list.push_back(k + "=" + cString(env, e.Get(k), "options.env." + k));
      }
      opts.env = std::move(list);
    }
    int64_t pid = guarded(env, [&] { return job_->launch(opts); });
    return Napi::Number::New(env, static_cast<double>(pid));
  }

  void freeze(const Napi::CallbackInfo& info) {
    guarded(info.Env(), [&] { job_->freeze(); });
  }

  void thaw(const Napi::CallbackInfo& info) {
    guarded(info.Env(), [&] { job_->thaw(); });
  }

  Napi::Value createChild(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ParsedJobOptions opts = jobOptions(env, info[0], false);
    if (info[0].IsObject() && !info[0].As<Napi::Object>().Get("parent").IsUndefined()) {
      typeError(env, "options.parent is not accepted by createChild: the parent is this job");
    }
    auto child = guarded(env, [&] { return job_->createChild(opts.name, opts.limits); });
    return wrap(env, child);
  }

  std::shared_ptr<jobscope::Job> job_;
};

AddonData* dataOf(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

Napi::Value hostInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto h = guarded(env, [&] { return dataOf(env)->backend->hostInfo(); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("platform", h.platform);
  if (h.cgroup2Mount) o.Set("cgroup2Mount", *h.cgroup2Mount);
  if (h.cgroupLayout) o.Set("cgroupLayout", *h.cgroupLayout);
  o.Set("exitEvents", h.exitEvents);
  {
    AddonData* data = dataOf(env);
    std::lock_guard<std::mutex> lock(data->mu);
    o.Set("notificationsLost", Napi::Number::New(env, static_cast<double>(data->notificationsLost)));
  }
  if (h.kernelEventsDropped) {
    o.Set("kernelEventsDropped", Napi::Number::New(env, static_cast<double>(*h.kernelEventsDropped)));
  }
  o.Set("memorySource", h.memorySource);
  if (!h.controllers.empty()) {
    Napi::Object c = Napi::Object::New(env);
    for (const auto& [name, where] : h.controllers) c.Set(name, where);
    o.Set("controllers", c);
  }
  return o;
}

Napi::Value createJob(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ParsedJobOptions opts = jobOptions(env, info[0], true);
  AddonData* data = dataOf(env);
  auto job = guarded(env, [&] { return data->backend->createJob(opts.name, opts.parent, opts.limits, opts.os); });
  Napi::Object obj = JobWrap::wrap(env, job);
  guarded(env, [&] { data->backend->startPoller(); });
  return obj;
}

Napi::Value openJob(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value v = info[0];
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) {
    typeError(env, "options must be an object with a path, got " + describe(v));
  }
  Napi::Object options = v.As<Napi::Object>();
  auto path = optionalString(env, options, "path", "options");
  if (!path) typeError(env, "options.path must be a string, got undefined");
  if (path->empty()) rangeError(env, "options.path must not be empty");
  if (path->find('\0') != std::string::npos) rangeError(env, "options.path must not contain NUL characters");
#ifdef _WIN32
  // The path of a job object is its name.
  if (!validJobName(*path)) rangeError(env, "options.path '" + *path + "' is not a valid job name: " + kJobNameRule);
#endif
  jobscope::JobOptions jobOptions;
  jobOptions.useNtVariant = optionalBool(env, options, "useNtVariant", "options").value_or(false);
  AddonData* data = dataOf(env);
  auto job = guarded(env, [&] { return data->backend->openJob(*path, jobOptions); });
  Napi::Object obj = JobWrap::wrap(env, job);
  guarded(env, [&] { data->backend->startPoller(); });
  return obj;
}

Napi::Object processToJs(Napi::Env env, const jobscope::ProcessInfo& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, static_cast<double>(p.pid)));
  o.Set("ppid", Napi::Number::New(env, static_cast<double>(p.ppid)));
  o.Set("name", p.name);
  o.Set("commandLine", p.commandLine);
  o.Set("user", p.user);
  o.Set("residentBytes", Napi::Number::New(env, static_cast<double>(p.residentBytes)));
  o.Set("group", p.group);
  o.Set("imagePath", p.imagePath);
  o.Set("cpuTimeUs", Napi::Number::New(env, static_cast<double>(p.cpuTimeUs)));
  o.Set("inJob", Napi::Boolean::New(env, p.inJob));
  return o;
}

Napi::Object treeEntryToJs(Napi::Env env, const jobscope::JobTreeEntry& e) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", e.path);
  o.Set("name", e.name);
  o.Set("parent", e.parent ? Napi::Value(Napi::String::New(env, *e.parent)) : env.Null());
  o.Set("processCount", Napi::Number::New(env, static_cast<double>(e.processCount)));
  o.Set("heldJobId", e.heldJobId ? Napi::Value(Napi::Number::New(env, *e.heldJobId)) : env.Null());
  if (e.note) o.Set("note", *e.note);
  return o;
}

// listProcesses and listJobs: the backend's listing (backend.h) runs on a libuv worker thread and the
// promise settles on the JS thread. Only plain C++ crosses between them: the listing, then its result or
// failure, handed over by uv_queue_work (which orders the worker's writes before OnOK's reads). A failure,
// whether the call or the listing throws, rejects the promise with the Error (message, code) guarded() throws.
template <typename T>
class ListWorker : public Napi::AsyncWorker {
 public:
  using ToJs = Napi::Object (*)(Napi::Env, const T&);

  static Napi::Value start(Napi::Env env, const char* name, jobscope::Backend::Listing<T> (jobscope::Backend::*list)(),
                           ToJs toJs) {
    auto* worker = new ListWorker(env, name, toJs);  // deletes itself after OnOK
    try {
      worker->listing_ = (dataOf(env)->backend.get()->*list)();
    } catch (const std::exception&) {
      worker->failure_ = failureOf(std::current_exception());
    }
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 private:
  ListWorker(Napi::Env env, const char* name, ToJs toJs)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), toJs_(toJs) {}

  void Execute() override {
    if (failure_) return;
    try {
      result_ = listing_();
    } catch (const std::exception&) {
      failure_ = failureOf(std::current_exception());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (failure_) {
      deferred_.Reject(jobScopeError(env, failure_->code, failure_->message).Value());
      return;
    }
    Napi::Array array = Napi::Array::New(env, result_.size());
    for (uint32_t i = 0; i < result_.size(); ++i) array.Set(i, toJs_(env, result_[i]));
    deferred_.Resolve(array);
  }

  Napi::Promise::Deferred deferred_;
  ToJs toJs_;
  jobscope::Backend::Listing<T> listing_;
  std::vector<T> result_;
  std::optional<Failure> failure_;
};

Napi::Value listProcesses(const Napi::CallbackInfo& info) {
  return ListWorker<jobscope::ProcessInfo>::start(info.Env(), "jobscope.listProcesses",
                                                  &jobscope::Backend::listProcesses, processToJs);
}

Napi::Value listJobs(const Napi::CallbackInfo& info) {
  return ListWorker<jobscope::JobTreeEntry>::start(info.Env(), "jobscope.listJobs", &jobscope::Backend::listJobs,
                                                   treeEntryToJs);
}

Napi::Value testParseIoStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string text = cString(env, info[0], "text");
  std::string format = cString(env, info[1], "format");
  if (format != "io.stat" && format != "blkio") rangeError(env, "format must be 'io.stat' or 'blkio'");
  return ioToJs(env, guarded(env, [&] { return dataOf(env)->backend->testParseIoStat(text, format); }));
}

Napi::Value testParseMax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string text = cString(env, info[0], "text");
  return optU64(env, guarded(env, [&] { return dataOf(env)->backend->testParseMax(text); }));
}

Napi::Value testParseCpuStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string text = cString(env, info[0], "text");
  std::string format = cString(env, info[1], "format");
  if (format != "v2" && format != "v1") rangeError(env, "format must be 'v2' or 'v1'");
  return throttlingToJs(env, guarded(env, [&] { return dataOf(env)->backend->testParseCpuStat(text, format); }));
}

// sampleJobs hands its samples to JS packed, and ../unpack-samples.js rebuilds the JobSample objects
// (index.d.ts): numbers in one Float64Array, strings in one NUL-separated string. Building the objects
// property by property through N-API cost about as much as reading the files; JS object literals cost
// next to nothing. The order below is the format: unpack-samples.js reads it back in the same order.
//   per job:     jobId, time, gone (1|0); if live:
//                userTimeUs, kernelTimeUs, totalProcesses, activeProcesses,
//                currentBytes, peakBytes (NaN: null), source (index in kMemorySources), anonBytes, fileBytes
//                (NaN: null), privateWorkingSetBytes, frozen (-1: absent, 0, 1),
//                throttling (0: absent, 1: periods, throttledPeriods, throttledTimeUs follow),
//                io (-1: absent, else index in kIoTracking: readOps, writeOps, readBytes, writeBytes, device
//                count, and per device its 4 counters follow), process count, per process: pid,
//                cpuTimeUs, residentBytes
//   strings:     per job, its device names, then its process names (none of them can hold NUL)
constexpr const char* kMemorySources[] = {"cgroup2", "cgroup1", "procfs", "job-object", "process-sum"};
constexpr const char* kIoTracking[] = {"on", "off", "unsupported"};

template <size_t N>
double codeOf(const char* const (&names)[N], const std::string& value) {
  for (size_t i = 0; i < N; ++i) {
    if (value == names[i]) return static_cast<double>(i);
  }
  throw jobscope::Error("EINVAL", "sampleJobs cannot pack the value '" + value + "'");
}

Napi::Value packSamples(Napi::Env env, const std::vector<jobscope::JobSample>& samples) {
  std::vector<double> numbers;
  std::string strings;
  // Room for a job with two members and one device (~35 numbers, ~30 characters), so most ticks never regrow.
  numbers.reserve(samples.size() * 40);
  strings.reserve(samples.size() * 32);
  auto put = [&](auto... values) { (numbers.push_back(static_cast<double>(values)), ...); };
  auto optional = [](const std::optional<uint64_t>& v) { return v ? static_cast<double>(*v) : NAN; };
  auto text = [&](const std::string& value) {
    strings += value;
    strings += '\0';
  };
  guarded(env, [&] {
    for (const auto& s : samples) {
      put(s.jobId, s.time, s.gone ? 1 : 0);
      if (s.gone) continue;
      const auto& p = s.processor;
      put(p.userTimeUs, p.kernelTimeUs, p.totalProcesses, p.activeProcesses);
      const auto& m = s.memory;
      put(m.currentBytes, optional(m.peakBytes), codeOf(kMemorySources, m.source), optional(m.anonBytes),
          optional(m.fileBytes), s.privateWorkingSetBytes, s.frozen ? (*s.frozen ? 1 : 0) : -1);
      if (s.cpuThrottling) {
        put(1, s.cpuThrottling->periods, s.cpuThrottling->throttledPeriods, s.cpuThrottling->throttledTimeUs);
      } else {
        put(0);
      }
      if (s.io) {
        const auto& io = *s.io;
        put(codeOf(kIoTracking, io.tracking), io.readOps, io.writeOps, io.readBytes, io.writeBytes, io.devices.size());
        for (const auto& d : io.devices) {
          put(d.readOps, d.writeOps, d.readBytes, d.writeBytes);
          text(d.device);
        }
      } else {
        put(-1);
      }
      put(s.processes.size());
      for (const auto& proc : s.processes) {
        put(proc.pid, proc.cpuTimeUs, proc.residentBytes);
        text(proc.name);
      }
    }
  });
  Napi::Float64Array packed = Napi::Float64Array::New(env, numbers.size());
  std::copy(numbers.begin(), numbers.end(), packed.Data());
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, packed);
  out.Set(1u, Napi::String::New(env, strings));
  return out;
}

Napi::Value sampleJobs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) typeError(env, "jobs must be an array of Job, got " + describe(info[0]));
  Napi::Array jobs = info[0].As<Napi::Array>();
  Napi::Function ctor = dataOf(env)->jobConstructor.Value();
  std::vector<std::shared_ptr<jobscope::Job>> list;
  for (uint32_t i = 0; i < jobs.Length(); ++i) {
    Napi::Value v = jobs.Get(i);
    // InstanceOf alone passes Object.create(Job.prototype), which wraps no job: check the wrap too.
    void* wrapped = nullptr;
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(ctor) || napi_unwrap(env, v, &wrapped) != napi_ok ||
        wrapped == nullptr) {
      typeError(env, "jobs[" + std::to_string(i) + "] is not a Job, got " + describe(v));
    }
    list.push_back(JobWrap::Unwrap(v.As<Napi::Object>())->job());
  }
  std::vector<jobscope::JobSample> samples;
  samples.reserve(list.size());
  for (const auto& job : list) samples.push_back(guarded(env, [&] { return job->sample(); }));
  return packSamples(env, samples);
}

void startNotifications(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    typeError(env, "onNotifications must be a function, got " + describe(info[0]));
  }
  AddonData* data = dataOf(env);
  Tsfn tsfn = Tsfn::New(env, info[0].As<Napi::Function>(), "jobscope-notifications", 0, 1, data);
  tsfn.Unref(env);  // never keep the event loop alive just for notifications
  {
    std::lock_guard<std::mutex> lock(data->mu);
    if (data->listening) data->tsfn.Release();  // replaced: only one listener
    data->tsfn = tsfn;
    data->listening = true;
    if (!data->pending.empty() || !data->pendingLost.empty()) {
      auto* batch = new std::vector<Notification>(data->takePending(nowMs()));
      data->tsfn.NonBlockingCall(batch);
    }
  }
  guarded(env, [&] { data->backend->startPoller(); });
}

void stopNotifications(const Napi::CallbackInfo& info) {
  AddonData* data = dataOf(info.Env());
  data->stopListening();
  data->backend->stopPoller();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted by node at env teardown
  data->backend = jobscope::Backend::create(
      [data](std::vector<Notification>&& batch) { data->onNotifications(std::move(batch)); });
  // Before instance data is freed: join the poller thread, then let go of the listener.
  napi_add_env_cleanup_hook(
      env,
      [](void* arg) {
        auto* d = static_cast<AddonData*>(arg);
        d->backend->stopPoller();
        d->stopListening();
      },
      data);

  Napi::Function jobClass = JobWrap::define(env);
  data->jobConstructor = Napi::Persistent(jobClass);
  exports.Set("Job", jobClass);
  exports.Set("hostInfo", Napi::Function::New<hostInfo>(env, "hostInfo"));
  exports.Set("createJob", Napi::Function::New<createJob>(env, "createJob"));
  exports.Set("openJob", Napi::Function::New<openJob>(env, "openJob"));
  exports.Set("listProcesses", Napi::Function::New<listProcesses>(env, "listProcesses"));
  exports.Set("listJobs", Napi::Function::New<listJobs>(env, "listJobs"));
  Napi::Object testing = Napi::Object::New(env);  // test-only (index.d.ts __test)
  testing.Set("parseIoStat", Napi::Function::New<testParseIoStat>(env, "parseIoStat"));
  testing.Set("parseMax", Napi::Function::New<testParseMax>(env, "parseMax"));
  testing.Set("parseCpuStat", Napi::Function::New<testParseCpuStat>(env, "parseCpuStat"));
  exports.Set("__test", testing);
  exports.Set("sampleJobsPacked", Napi::Function::New<sampleJobs>(env, "sampleJobs"));
  exports.Set("startNotifications", Napi::Function::New<startNotifications>(env, "startNotifications"));
  exports.Set("stopNotifications", Napi::Function::New<stopNotifications>(env, "stopNotifications"));
  return exports;
}

}  // namespace

NODE_API_MODULE(jobscope, init)
