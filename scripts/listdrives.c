/*
 * The baseline for scripts/bench.sh: a minimal C program doing the enumeration that
 * `mapdrive list --json` does, so mapdrive's start-up cost can be compared with the least any
 * program pays for the same work under Wine.
 *
 * It reads the process token (user SID, logon session, elevation) and the logon session's type
 * (LsaGetLogonSessionData, as mapdrive does: secur32 and the security packages Wine loads with it
 * are part of the job), the connected and the
 * remembered drives (WNetOpenEnumW), every letter's DOS device (QueryDosDeviceW), the boot-time
 * table (HKLM\...\Session Manager\DOS Devices) and the EnableLinkedConnections policy, and prints
 * them as JSON. Not part of mapdrive: a measuring stick.
 *
 * Build (scripts/bench.sh does): x86_64-w64-mingw32-gcc -O2 -s -o listdrives.exe listdrives.c -lmpr -ladvapi32 -lsecur32
 */
#define SECURITY_WIN32
#include <windows.h>
#include <winnetwk.h>
#include <ntsecapi.h>
#include <sddl.h>
#include <stdio.h>

static void print_json_string(const wchar_t *s)
{
    putchar('"');
    for (; s && *s; s++) {
        if (*s == L'\\' || *s == L'"')
            printf("\\%c", (char)*s);
        else if (*s < 0x20 || *s > 0x7e)
            printf("\\u%04x", (unsigned)*s);
        else
            putchar((char)*s);
    }
    putchar('"');
}

static void enumerate(DWORD scope, const char *name)
{
    HANDLE e;
    printf(",\n  \"%s\": [", name);
    if (WNetOpenEnumW(scope, RESOURCETYPE_DISK, 0, NULL, &e) != NO_ERROR) {
        printf("]");
        return;
    }
    BYTE buf[16384];
    int first = 1;
    for (;;) {
        DWORD count = (DWORD)-1, size = sizeof buf;
        DWORD rc = WNetEnumResourceW(e, &count, buf, &size);
        if (rc != NO_ERROR)
            break;
        NETRESOURCEW *nr = (NETRESOURCEW *)buf;
        for (DWORD i = 0; i < count; i++) {
            printf("%s\n    {\"letter\": ", first ? "" : ",");
            print_json_string(nr[i].lpLocalName);
            printf(", \"remote\": ");
            print_json_string(nr[i].lpRemoteName);
            printf(", \"provider\": ");
            print_json_string(nr[i].lpProvider);
            printf("}");
            first = 0;
        }
    }
    WNetCloseEnum(e);
    printf("]");
}

int main(void)
{
    HANDLE token;
    printf("{");
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        BYTE user[256];
        TOKEN_STATISTICS stats;
        TOKEN_ELEVATION_TYPE elevation = TokenElevationTypeDefault;
        DWORD len;
        LPWSTR sid = NULL;
        if (GetTokenInformation(token, TokenUser, user, sizeof user, &len) &&
            ConvertSidToStringSidW(((TOKEN_USER *)user)->User.Sid, &sid)) {
            printf("\n  \"sid\": ");
            print_json_string(sid);
            printf(",");
            LocalFree(sid);
        }
        if (GetTokenInformation(token, TokenStatistics, &stats, sizeof stats, &len)) {
            SECURITY_LOGON_SESSION_DATA *data = NULL;
            printf("\n  \"logon_id\": \"0x%lx\",", (unsigned long)stats.AuthenticationId.LowPart);
            if (LsaGetLogonSessionData(&stats.AuthenticationId, &data) == 0 && data) {
                printf("\n  \"logon_type\": %lu,", (unsigned long)data->LogonType);
                LsaFreeReturnBuffer(data);
            }
        }
        GetTokenInformation(token, TokenElevationType, &elevation, sizeof elevation, &len);
        printf("\n  \"elevation\": %d", (int)elevation);
        CloseHandle(token);
    }
    enumerate(RESOURCE_CONNECTED, "connected");
    enumerate(RESOURCE_REMEMBERED, "remembered");

    printf(",\n  \"devices\": [");
    int first = 1;
    for (wchar_t l = L'A'; l <= L'Z'; l++) {
        wchar_t name[3] = {l, L':', 0}, target[1024];
        if (QueryDosDeviceW(name, target, 1024)) {
            printf("%s\n    {\"letter\": ", first ? "" : ",");
            print_json_string(name);
            printf(", \"target\": ");
            print_json_string(target);
            printf("}");
            first = 0;
        }
    }
    printf("]");

    HKEY key;
    printf(",\n  \"boot_devices\": [");
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SYSTEM\\CurrentControlSet\\Control\\Session Manager\\DOS Devices",
                      0, KEY_READ, &key) == ERROR_SUCCESS) {
        first = 1;
        for (DWORD i = 0;; i++) {
            wchar_t name[256], data[1024];
            DWORD nlen = 256, dlen = sizeof data, type;
            if (RegEnumValueW(key, i, name, &nlen, NULL, &type, (BYTE *)data, &dlen) != ERROR_SUCCESS)
                break;
            if (type != REG_SZ)
                continue;
            data[dlen / sizeof(wchar_t) < 1024 ? dlen / sizeof(wchar_t) : 1023] = 0;
            printf("%s\n    {\"name\": ", first ? "" : ",");
            print_json_string(name);
            printf(", \"target\": ");
            print_json_string(data);
            printf("}");
            first = 0;
        }
        RegCloseKey(key);
    }
    printf("]");

    DWORD linked = 0, size = sizeof linked;
    LSTATUS rc = RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System",
                              L"EnableLinkedConnections", RRF_RT_REG_DWORD, NULL, &linked, &size);
    printf(",\n  \"linked_connections\": \"%s\"\n}\n",
           rc != ERROR_SUCCESS ? "not_configured" : linked ? "enabled" : "disabled");
    return 0;
}
