#include "processes.h"

#include <tlhelp32.h>

#include <cwchar>

#include "errors.h"
#include "nt_api.h"

namespace jobscope::win {
namespace {

uint64_t fileTimeTicks(const FILETIME& t) {
  return (static_cast<uint64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
}

}  // namespace

Handle openForQuery(DWORD pid) {
  Handle h(::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid));
  if (!h.valid()) h.reset(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  return h;
}

bool readCounters(HANDLE process, MemoryCounters& out) {
  const NtApi& api = ntApi();
  if (!api.NtQueryInformationProcess) return false;
  VmCountersEx2 c{};
  // VM_COUNTERS_EX2 needs Windows 10; older systems (and Wine) answer a length mismatch and
  // take VM_COUNTERS_EX, which has no private working set.
  LONG status = api.NtQueryInformationProcess(process, kProcessVmCounters, &c, sizeof c, nullptr);
  out.hasPrivateWorkingSet = ntSuccess(status);
  if (status == kStatusInfoLengthMismatch) {
    status = api.NtQueryInformationProcess(process, kProcessVmCounters, &c, kVmCountersExSize, nullptr);
  }
  if (!ntSuccess(status)) return false;
  out.workingSet = c.WorkingSetSize;
  out.privateUsage = c.PrivateUsage;
  out.privateWorkingSet = out.hasPrivateWorkingSet ? c.PrivateWorkingSetSize : 0;
  return true;
}

bool readCpuTimeUs(HANDLE process, uint64_t& out) {
  FILETIME created, exited, kernel, user;
  if (!::GetProcessTimes(process, &created, &exited, &kernel, &user)) return false;
  out = ticksToUs(fileTimeTicks(kernel) + fileTimeTicks(user));
  return true;
}

namespace {

// Empty when unreadable. A second call only for paths longer than MAX_PATH * 2.
std::wstring imagePathWide(HANDLE process) {
  wchar_t path[MAX_PATH * 2];
  DWORD size = static_cast<DWORD>(sizeof path / sizeof path[0]);
  if (::QueryFullProcessImageNameW(process, 0, path, &size)) return std::wstring(path, size);
  if (::GetLastError() != ERROR_INSUFFICIENT_BUFFER) return L"";
  std::wstring longPath(32768, L'\0');  // the longest path Windows has
  size = static_cast<DWORD>(longPath.size());
  if (!::QueryFullProcessImageNameW(process, 0, longPath.data(), &size)) return L"";
  longPath.resize(size);
  return longPath;
}

}  // namespace

std::string imagePath(HANDLE process) { return toUtf8(imagePathWide(process)); }

std::string imageName(HANDLE process) {
  std::wstring full = imagePathWide(process);
  size_t slash = full.find_last_of(L"\\/");
  return toUtf8(slash == std::wstring::npos ? full : full.substr(slash + 1));
}

bool inAnyJob(HANDLE process) {
  BOOL in = FALSE;
  return ::IsProcessInJob(process, nullptr, &in) && in;
}

std::string commandLine(HANDLE process) {
  const NtApi& api = ntApi();
  if (!api.NtQueryInformationProcess) return "";
  ULONG needed = 0;
  // The first call only asks for the size: a UNICODE_STRING followed by its characters.
  api.NtQueryInformationProcess(process, kProcessCommandLineInformation, nullptr, 0, &needed);
  if (needed < sizeof(UNICODE_STRING) || needed > (1u << 20)) return "";
  std::vector<unsigned char> buffer(needed);
  if (!ntSuccess(api.NtQueryInformationProcess(process, kProcessCommandLineInformation, buffer.data(), needed,
                                               &needed))) {
    return "";
  }
  const auto* text = reinterpret_cast<const UNICODE_STRING*>(buffer.data());
  if (!text->Buffer) return "";
  return toUtf8(text->Buffer, text->Length / sizeof(wchar_t));
}

std::string processUser(HANDLE process, std::map<std::string, std::string>& cache) {
  HANDLE rawToken = nullptr;
  if (!::OpenProcessToken(process, TOKEN_QUERY, &rawToken)) return "";
  Handle token(rawToken);
  DWORD size = 0;
  ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  if (size == 0) return "";
  std::vector<unsigned char> buffer(size);
  if (!::GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) return "";
  PSID sid = reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid;
  std::string key(static_cast<const char*>(sid), ::GetLengthSid(sid));
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  wchar_t name[256], domain[256];
  DWORD nameLen = 256, domainLen = 256;
  SID_NAME_USE use;
  std::string user;
  if (::LookupAccountSidW(nullptr, sid, name, &nameLen, domain, &domainLen, &use)) {
    user = domainLen ? toUtf8(std::wstring(domain, domainLen) + L"\\" + std::wstring(name, nameLen))
                     : toUtf8(std::wstring(name, nameLen));
  }
  cache.emplace(std::move(key), user);
  return user;
}

std::vector<SnapshotEntry> snapshotProcesses() {
  Handle snap(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snap.valid()) throwWin32(::GetLastError(), "cannot list the system's processes");
  std::vector<SnapshotEntry> out;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  for (BOOL ok = ::Process32FirstW(snap.get(), &entry); ok; ok = ::Process32NextW(snap.get(), &entry)) {
    out.push_back({entry.th32ProcessID, entry.th32ParentProcessID, toUtf8(entry.szExeFile, wcslen(entry.szExeFile))});
  }
  return out;
}

}  // namespace jobscope::win
