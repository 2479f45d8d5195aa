// The few ntdll entry points and structures the backend needs that kernel32 does not offer,
// resolved at run time with GetProcAddress (no ntdll import library needed by MSVC or mingw).
// Our own declarations of documented layouts carry static_asserts against those layouts.
#pragma once

#include <windows.h>
#include <winternl.h>

#include <cstddef>
#include <cstdint>

namespace jobscope::win {

constexpr LONG kStatusSuccess = 0;
constexpr LONG kStatusObjectNameExists = 0x40000000;  // informational: OBJ_OPENIF opened an existing one
constexpr LONG kStatusInfoLengthMismatch = static_cast<LONG>(0xC0000004);
constexpr ULONG kObjOpenIf = 0x80;
constexpr ACCESS_MASK kDirectoryTraverse = 0x0001;
constexpr ACCESS_MASK kDirectoryCreateObject = 0x0004;
constexpr ULONG kProcessVmCounters = 3;                // PROCESSINFOCLASS
constexpr ULONG kProcessCommandLineInformation = 60;   // Windows 8.1 and later
// JOBOBJECTINFOCLASS 28 and message 13 are newer than some SDK headers (mingw-w64 10 lacks both).
constexpr int kJobObjectMemoryUsageInformation = 28;
constexpr DWORD kJobObjectMsgSiloTerminated = 13;

inline bool ntSuccess(LONG status) { return status >= 0; }

// VM_COUNTERS_EX2 (ProcessVmCounters, Windows 10): VM_COUNTERS_EX plus the private working set.
struct VmCountersEx2 {
  SIZE_T PeakVirtualSize;
  SIZE_T VirtualSize;
  ULONG PageFaultCount;
  SIZE_T PeakWorkingSetSize;
  SIZE_T WorkingSetSize;
  SIZE_T QuotaPeakPagedPoolUsage;
  SIZE_T QuotaPagedPoolUsage;
  SIZE_T QuotaPeakNonPagedPoolUsage;
  SIZE_T QuotaNonPagedPoolUsage;
  SIZE_T PagefileUsage;
  SIZE_T PeakPagefileUsage;
  SIZE_T PrivateUsage;           // end of VM_COUNTERS_EX
  SIZE_T PrivateWorkingSetSize;  // VM_COUNTERS_EX2 from here
  ULONG64 SharedCommitUsage;
};
constexpr ULONG kVmCountersExSize = offsetof(VmCountersEx2, PrivateWorkingSetSize);

// JOBOBJECT_MEMORY_USAGE_INFORMATION (class 28): the job's committed memory now and at its peak.
struct JobMemoryUsageInformation {
  ULONG64 JobMemory;
  ULONG64 PeakJobMemoryUsed;
};

#ifdef _WIN64
static_assert(offsetof(VmCountersEx2, PageFaultCount) == 16, "VM_COUNTERS layout");
static_assert(offsetof(VmCountersEx2, PeakWorkingSetSize) == 24, "VM_COUNTERS layout");
static_assert(offsetof(VmCountersEx2, WorkingSetSize) == 32, "VM_COUNTERS layout");
static_assert(offsetof(VmCountersEx2, PrivateUsage) == 88, "VM_COUNTERS_EX layout");
static_assert(kVmCountersExSize == 96, "VM_COUNTERS_EX size");
static_assert(offsetof(VmCountersEx2, SharedCommitUsage) == 104, "VM_COUNTERS_EX2 layout");
static_assert(sizeof(VmCountersEx2) == 112, "VM_COUNTERS_EX2 size");
#endif
static_assert(offsetof(JobMemoryUsageInformation, PeakJobMemoryUsed) == 8, "memory usage layout");
static_assert(sizeof(JobMemoryUsageInformation) == 16, "JOBOBJECT_MEMORY_USAGE_INFORMATION size");

struct NtApi {
  LONG(NTAPI* NtCreateJobObject)(HANDLE*, ACCESS_MASK, OBJECT_ATTRIBUTES*) = nullptr;
  LONG(NTAPI* NtOpenJobObject)(HANDLE*, ACCESS_MASK, OBJECT_ATTRIBUTES*) = nullptr;
  LONG(NTAPI* NtOpenDirectoryObject)(HANDLE*, ACCESS_MASK, OBJECT_ATTRIBUTES*) = nullptr;
  LONG(NTAPI* NtQueryInformationProcess)(HANDLE, ULONG, void*, ULONG, ULONG*) = nullptr;
  ULONG(NTAPI* RtlNtStatusToDosError)(LONG) = nullptr;
  // Windows 10 (CompareObjectHandles' ntdll half; mingw-w64's kernel32 import library lacks that one).
  LONG(NTAPI* NtCompareObjects)(HANDLE, HANDLE) = nullptr;
  LONG(NTAPI* NtSetInformationJobObject)(HANDLE, ULONG, void*, ULONG) = nullptr;
  LONG(NTAPI* NtQueryDirectoryObject)(HANDLE, void*, ULONG, BOOLEAN, BOOLEAN, ULONG*, ULONG*) = nullptr;
  LONG(NTAPI* NtQuerySystemInformation)(ULONG, void*, ULONG, ULONG*) = nullptr;
  LONG(NTAPI* NtQueryObject)(HANDLE, ULONG, void*, ULONG, ULONG*) = nullptr;
  // kernel32, Windows 10 (IO rate control); null on older Windows and Wine.
  DWORD(WINAPI* SetIoRateControlInformationJobObject)(HANDLE, void*) = nullptr;
  DWORD(WINAPI* QueryIoRateControlInformationJobObject)(HANDLE, PCWSTR, void**, ULONG*) = nullptr;
  BOOL(WINAPI* FreeMemoryJobObject)(void*) = nullptr;
};

// Resolved once; a pointer stays null where this ntdll lacks the function.
const NtApi& ntApi();

// Whether two handles refer to the same kernel object; false where Windows cannot tell (before 10).
bool sameObject(HANDLE a, HANDLE b);

}  // namespace jobscope::win
