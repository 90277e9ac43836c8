/*
 * bcryptprimitives.dll shim for Wine 8.0, which lacks the DLL.
 *
 * Rust's std (1.78+) imports ProcessPrng from bcryptprimitives.dll, so every Rust .exe/.dll fails
 * to load under Wine 8.0 without it. This exports the one function, backed by advapi32's
 * SystemFunction036 (RtlGenRandom). Test-harness only: real Windows 10+ ships the DLL.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -shared -s -o bcryptprimitives.dll prngshim.c -ladvapi32
 */
#include <windows.h>

/* advapi32!SystemFunction036, better known as RtlGenRandom (declared here to avoid ntsecapi.h). */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* SystemFunction036 takes a ULONG length: feed large requests in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    /* Like the real ProcessPrng, which is documented to always return TRUE. */
    return TRUE;
}
