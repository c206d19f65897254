using System.Globalization;

namespace YoungCarers.Benchmarks;

internal static class PeakMemory
{
    /// <summary>This process's peak resident set (VmHWM) in MB, or null where /proc is not available.</summary>
    public static double? ResidentMegabytes()
    {
        const string StatusFile = "/proc/self/status";
        if (!File.Exists(StatusFile))
        {
            return null;
        }

        // The line reads "VmHWM:    123456 kB".
        var line = File.ReadLines(StatusFile).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null
            ? null
            : long.Parse(line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0;
    }
}
