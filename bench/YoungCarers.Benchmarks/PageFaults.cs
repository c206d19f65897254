using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace YoungCarers.Benchmarks;

/// <summary>
/// What touching fresh memory costs on this machine. On the virtual machines these benchmarks run
/// on, a page fault has cost 10 µs and more, and every process's first touch of a page (a
/// PostgreSQL backend's of a shared buffer, say) is one, so the figures beside it move with it.
/// </summary>
internal static class PageFaults
{
    private const int PageSize = 4096;
    private const int ProbeBytes = 64 * 1024 * 1024;

    /// <summary>Microseconds a fault, timed over the first touch of 64 MB of fresh memory.</summary>
    public static double MicrosecondsEach()
    {
        // Above glibc's largest mmap threshold, so the block is fresh pages from the kernel.
        var block = Marshal.AllocHGlobal(ProbeBytes);
        try
        {
            var started = Stopwatch.GetTimestamp();
            for (var offset = 0; offset < ProbeBytes; offset += PageSize)
            {
                Marshal.WriteByte(block, offset, 1);
            }

            return Stopwatch.GetElapsedTime(started).TotalMicroseconds / (ProbeBytes / PageSize);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    /// <summary>
    /// The huge pages PostgreSQL's shared memory can have (it asks for them by default): those
    /// reserved (<c>vm.nr_hugepages</c>) and those the kernel may add on demand
    /// (<c>vm.nr_overcommit_hugepages</c>), with their size.
    /// </summary>
    public static (long Reserved, long OnDemand, long SizeKilobytes) HugePages()
    {
        static long Read(string file) =>
            File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var value) ? value : 0;

        const string MemInfo = "/proc/meminfo";
        var size = File.Exists(MemInfo)
            ? File.ReadLines(MemInfo).Where(line => line.StartsWith("Hugepagesize:", StringComparison.Ordinal))
                .Select(line => long.Parse(line["Hugepagesize:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault()
            : 0;
        return (Read("/proc/sys/vm/nr_hugepages"), Read("/proc/sys/vm/nr_overcommit_hugepages"), size);
    }
}
