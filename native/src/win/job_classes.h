// Job object information classes and structures newer than (or missing from) some SDK headers
// (mingw-w64 10 lacks the IO ones), declared from the documented x64 layouts. layouts.cc checks
// every size and offset, so a mistake fails the build instead of a query.
#pragma once

#include <windows.h>
#include <winternl.h>

#include <cstdint>

namespace jobscope::win {

// JOBOBJECTINFOCLASS values (winnt.h numbers them; older headers stop at 17).
constexpr int kJobObjectBasicAndIoAccountingInformation = 8;
constexpr int kJobObjectExtendedLimitInformation = 9;
constexpr int kJobObjectCpuRateControlInformation = 15;
constexpr int kJobObjectFreezeInformation = 18;  // undocumented in the SDK; see WinJob::freeze
constexpr int kJobObjectIoAttribution = 42;

constexpr DWORD kCpuRateControlEnable = 0x1;
constexpr DWORD kCpuRateControlWeightBased = 0x2;
constexpr DWORD kCpuRateControlHardCap = 0x4;

constexpr DWORD kIoRateControlEnable = 0x1;

constexpr ULONG kIoAttributionControlEnable = 0x1;
constexpr ULONG kIoAttributionControlDisable = 0x2;

// JOBOBJECT_CPU_RATE_CONTROL_INFORMATION (class 15): CpuRate (hard cap) and Weight share the union.
struct JobCpuRateControl {
  DWORD ControlFlags;
  DWORD Value;  // CpuRate (1-10000) with HARD_CAP, Weight (1-9) with WEIGHT_BASED
};

// JOBOBJECT_IO_RATE_CONTROL_INFORMATION (SetIoRateControlInformationJobObject, Windows 10).
struct JobIoRateControl {
  LONG64 MaxIops;
  LONG64 MaxBandwidth;
  LONG64 ReservationIops;
  PCWSTR VolumeName;  // null: every volume
  ULONG BaseIoSize;
  ULONG ControlFlags;
};

// JOBOBJECT_IO_ATTRIBUTION_STATS / JOBOBJECT_IO_ATTRIBUTION_INFORMATION (class 42, Windows 10).
struct JobIoAttributionStats {
  ULONG_PTR IoCount;
  ULONGLONG TotalNonOverlappedQueueTime;
  ULONGLONG TotalNonOverlappedServiceTime;
  ULONGLONG TotalSize;
};
struct JobIoAttribution {
  ULONG ControlFlags;
  JobIoAttributionStats ReadStats;
  JobIoAttributionStats WriteStats;
};

// JOBOBJECT_FREEZE_INFORMATION (class 18, set through NtSetInformationJobObject): the layout the
// OS itself uses for UWP suspension, as published in the phnt headers.
struct JobFreezeInformation {
  ULONG Flags;  // bit 0 FreezeOperation, bit 1 FilterOperation, bit 2 SwapOperation
  BOOLEAN Freeze;
  BOOLEAN Swap;
  UCHAR Reserved0[2];
  ULONG WakeFilterHighEdge;  // JOBOBJECT_WAKE_FILTER
  ULONG WakeFilterLowEdge;
};
constexpr ULONG kFreezeOperation = 0x1;

// SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX / SYSTEM_HANDLE_INFORMATION_EX (SystemExtendedHandleInformation, 64).
constexpr ULONG kSystemExtendedHandleInformation = 64;
struct SystemHandleEntryEx {
  PVOID Object;
  ULONG_PTR UniqueProcessId;
  ULONG_PTR HandleValue;
  ULONG GrantedAccess;
  USHORT CreatorBackTraceIndex;
  USHORT ObjectTypeIndex;
  ULONG HandleAttributes;
  ULONG Reserved;
};
struct SystemHandleInformationEx {
  ULONG_PTR NumberOfHandles;
  ULONG_PTR Reserved;
  SystemHandleEntryEx Handles[1];
};

// OBJECT_DIRECTORY_INFORMATION (NtQueryDirectoryObject).
struct ObjectDirectoryInformation {
  UNICODE_STRING Name;
  UNICODE_STRING TypeName;
};

constexpr ULONG kObjectNameInformation = 1;  // OBJECT_INFORMATION_CLASS
constexpr ACCESS_MASK kDirectoryQuery = 0x0001;
constexpr LONG kStatusNoMoreEntries = static_cast<LONG>(0x8000001A);
constexpr LONG kStatusMoreEntries = 0x00000105;
constexpr LONG kStatusBufferTooSmall = static_cast<LONG>(0xC0000023);

}  // namespace jobscope::win
