// Compile-time checks that the SDK's (MSVC's or mingw-w64's) job and process structures have the
// documented x64 layouts, so a header that disagrees with the kernel fails the build, not a query.
#include <windows.h>
#include <tlhelp32.h>
#include <winternl.h>

#include <cstddef>

#include "job_classes.h"

using namespace jobscope::win;

#ifdef _WIN64
static_assert(sizeof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION) == 48, "accounting size");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, TotalKernelTime) == 8, "accounting layout");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, TotalPageFaultCount) == 32, "accounting layout");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, TotalProcesses) == 36, "accounting layout");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, ActiveProcesses) == 40, "accounting layout");

static_assert(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) == 16, "pid list size");
static_assert(offsetof(JOBOBJECT_BASIC_PROCESS_ID_LIST, NumberOfProcessIdsInList) == 4, "pid list layout");
static_assert(offsetof(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList) == 8, "pid list layout");

static_assert(sizeof(JOBOBJECT_BASIC_LIMIT_INFORMATION) == 64, "basic limits size");
static_assert(offsetof(JOBOBJECT_BASIC_LIMIT_INFORMATION, LimitFlags) == 16, "basic limits layout");
static_assert(offsetof(JOBOBJECT_BASIC_LIMIT_INFORMATION, SchedulingClass) == 60, "basic limits layout");
static_assert(sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144, "extended limits size");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, IoInfo) == 64, "extended limits layout");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, ProcessMemoryLimit) == 112, "extended limits layout");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, PeakJobMemoryUsed) == 136, "extended limits layout");

static_assert(offsetof(JOBOBJECT_BASIC_LIMIT_INFORMATION, ActiveProcessLimit) == 40, "basic limits layout");
static_assert(offsetof(JOBOBJECT_BASIC_LIMIT_INFORMATION, Affinity) == 48, "basic limits layout");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobMemoryLimit) == 120, "extended limits layout");
static_assert(sizeof(((JOBOBJECT_EXTENDED_LIMIT_INFORMATION*)nullptr)->JobMemoryLimit) == 8, "64-bit job memory limit");

static_assert(sizeof(IO_COUNTERS) == 48, "IO_COUNTERS size");
static_assert(offsetof(IO_COUNTERS, WriteOperationCount) == 8, "IO_COUNTERS layout");
static_assert(offsetof(IO_COUNTERS, ReadTransferCount) == 24, "IO_COUNTERS layout");
static_assert(offsetof(IO_COUNTERS, WriteTransferCount) == 32, "IO_COUNTERS layout");
static_assert(sizeof(JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION) == 96, "basic and IO accounting size");
static_assert(offsetof(JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION, IoInfo) == 48, "basic and IO accounting layout");

static_assert(sizeof(JobCpuRateControl) == 8, "JOBOBJECT_CPU_RATE_CONTROL_INFORMATION size");
static_assert(offsetof(JobCpuRateControl, Value) == 4, "JOBOBJECT_CPU_RATE_CONTROL_INFORMATION layout");
static_assert(sizeof(JobCpuRateControl) == sizeof(JOBOBJECT_CPU_RATE_CONTROL_INFORMATION), "matches the SDK's");

static_assert(sizeof(JobIoRateControl) == 40, "JOBOBJECT_IO_RATE_CONTROL_INFORMATION size");
static_assert(offsetof(JobIoRateControl, MaxBandwidth) == 8, "JOBOBJECT_IO_RATE_CONTROL_INFORMATION layout");
static_assert(offsetof(JobIoRateControl, ReservationIops) == 16, "JOBOBJECT_IO_RATE_CONTROL_INFORMATION layout");
static_assert(offsetof(JobIoRateControl, VolumeName) == 24, "JOBOBJECT_IO_RATE_CONTROL_INFORMATION layout");
static_assert(offsetof(JobIoRateControl, BaseIoSize) == 32, "JOBOBJECT_IO_RATE_CONTROL_INFORMATION layout");
static_assert(offsetof(JobIoRateControl, ControlFlags) == 36, "JOBOBJECT_IO_RATE_CONTROL_INFORMATION layout");

static_assert(sizeof(JobIoAttributionStats) == 32, "JOBOBJECT_IO_ATTRIBUTION_STATS size");
static_assert(offsetof(JobIoAttributionStats, TotalSize) == 24, "JOBOBJECT_IO_ATTRIBUTION_STATS layout");
static_assert(sizeof(JobIoAttribution) == 72, "JOBOBJECT_IO_ATTRIBUTION_INFORMATION size");
static_assert(offsetof(JobIoAttribution, ReadStats) == 8, "JOBOBJECT_IO_ATTRIBUTION_INFORMATION layout");
static_assert(offsetof(JobIoAttribution, WriteStats) == 40, "JOBOBJECT_IO_ATTRIBUTION_INFORMATION layout");

static_assert(sizeof(JobFreezeInformation) == 16, "JOBOBJECT_FREEZE_INFORMATION size");
static_assert(offsetof(JobFreezeInformation, Freeze) == 4, "JOBOBJECT_FREEZE_INFORMATION layout");
static_assert(offsetof(JobFreezeInformation, Swap) == 5, "JOBOBJECT_FREEZE_INFORMATION layout");
static_assert(offsetof(JobFreezeInformation, WakeFilterHighEdge) == 8, "JOBOBJECT_FREEZE_INFORMATION layout");

static_assert(sizeof(SystemHandleEntryEx) == 40, "SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX size");
static_assert(offsetof(SystemHandleEntryEx, UniqueProcessId) == 8, "SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX layout");
static_assert(offsetof(SystemHandleEntryEx, HandleValue) == 16, "SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX layout");
static_assert(offsetof(SystemHandleEntryEx, GrantedAccess) == 24, "SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX layout");
static_assert(offsetof(SystemHandleEntryEx, ObjectTypeIndex) == 30, "SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX layout");
static_assert(offsetof(SystemHandleEntryEx, HandleAttributes) == 32, "SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX layout");
static_assert(offsetof(SystemHandleInformationEx, Handles) == 16, "SYSTEM_HANDLE_INFORMATION_EX layout");

static_assert(sizeof(ObjectDirectoryInformation) == 32, "OBJECT_DIRECTORY_INFORMATION size");
static_assert(offsetof(ObjectDirectoryInformation, TypeName) == 16, "OBJECT_DIRECTORY_INFORMATION layout");

static_assert(sizeof(STARTUPINFOEXW) == 112, "STARTUPINFOEXW size");
static_assert(offsetof(STARTUPINFOEXW, lpAttributeList) == 104, "STARTUPINFOEXW layout");

static_assert(sizeof(JOBOBJECT_ASSOCIATE_COMPLETION_PORT) == 16, "completion port size");
static_assert(offsetof(JOBOBJECT_ASSOCIATE_COMPLETION_PORT, CompletionPort) == 8, "completion port layout");

static_assert(sizeof(OVERLAPPED_ENTRY) == 32, "OVERLAPPED_ENTRY size");
static_assert(offsetof(OVERLAPPED_ENTRY, lpOverlapped) == 8, "OVERLAPPED_ENTRY layout");
static_assert(offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred) == 24, "OVERLAPPED_ENTRY layout");

static_assert(sizeof(UNICODE_STRING) == 16, "UNICODE_STRING size");
static_assert(offsetof(UNICODE_STRING, Buffer) == 8, "UNICODE_STRING layout");
static_assert(sizeof(OBJECT_ATTRIBUTES) == 48, "OBJECT_ATTRIBUTES size");
static_assert(offsetof(OBJECT_ATTRIBUTES, ObjectName) == 16, "OBJECT_ATTRIBUTES layout");
static_assert(offsetof(OBJECT_ATTRIBUTES, Attributes) == 24, "OBJECT_ATTRIBUTES layout");

static_assert(sizeof(PROCESSENTRY32W) == 568, "PROCESSENTRY32W size");
static_assert(offsetof(PROCESSENTRY32W, th32ParentProcessID) == 32, "PROCESSENTRY32W layout");
static_assert(offsetof(PROCESSENTRY32W, szExeFile) == 44, "PROCESSENTRY32W layout");
#endif
