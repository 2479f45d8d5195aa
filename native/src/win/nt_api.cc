#include "nt_api.h"

namespace jobscope::win {
namespace {

template <typename Fn>
void resolve(HMODULE ntdll, const char* name, Fn& out) {
  // FARPROC -> the real signature: the documented way to call a GetProcAddress result.
  out = reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(ntdll, name)));
}

NtApi load() {
  NtApi api;
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");  // mapped into every process
  if (!ntdll) return api;
  resolve(ntdll, "NtCreateJobObject", api.NtCreateJobObject);
  resolve(ntdll, "NtOpenJobObject", api.NtOpenJobObject);
  resolve(ntdll, "NtOpenDirectoryObject", api.NtOpenDirectoryObject);
  resolve(ntdll, "NtQueryInformationProcess", api.NtQueryInformationProcess);
  resolve(ntdll, "RtlNtStatusToDosError", api.RtlNtStatusToDosError);
  resolve(ntdll, "NtCompareObjects", api.NtCompareObjects);
  resolve(ntdll, "NtSetInformationJobObject", api.NtSetInformationJobObject);
  resolve(ntdll, "NtQueryDirectoryObject", api.NtQueryDirectoryObject);
  resolve(ntdll, "NtQuerySystemInformation", api.NtQuerySystemInformation);
  resolve(ntdll, "NtQueryObject", api.NtQueryObject);
  if (HMODULE kernel32 = ::GetModuleHandleW(L"kernel32.dll")) {
    resolve(kernel32, "SetIoRateControlInformationJobObject", api.SetIoRateControlInformationJobObject);
    resolve(kernel32, "QueryIoRateControlInformationJobObject", api.QueryIoRateControlInformationJobObject);
    resolve(kernel32, "FreeMemoryJobObject", api.FreeMemoryJobObject);
  }
  return api;
}

}  // namespace

const NtApi& ntApi() {
  static const NtApi api = load();  // thread-safe static init
  return api;
}

bool sameObject(HANDLE a, HANDLE b) {
  const NtApi& api = ntApi();
  return api.NtCompareObjects && api.NtCompareObjects(a, b) == kStatusSuccess;
}

}  // namespace jobscope::win
