using System.Globalization;

namespace YoungCarers.Benchmarks;

/// <summary>Resident memory of this process or another, from <c>/proc/&lt;pid&gt;/status</c> (Linux); null where that is not available.</summary>
internal static class PeakMemory
{
    /// <summary>The peak resident set (VmHWM) in MB of this process, or of <paramref name="processId"/>.</summary>
    public static double? ResidentMegabytes(int? processId = null) => StatusMegabytes("VmHWM:", processId);

    /// <summary>The current resident set (VmRSS) in MB of this process, or of <paramref name="processId"/>.</summary>
    public static double? CurrentMegabytes(int? processId = null) => StatusMegabytes("VmRSS:", processId);

    /// <summary>
    /// Resets this process's peak resident set (VmHWM) to its current size (Linux: writing 5 to
    /// /proc/self/clear_refs), so a later reading covers only what follows. False where that is not possible.
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double? StatusMegabytes(string field, int? processId)
    {
        var statusFile = processId is { } id ? string.Create(CultureInfo.InvariantCulture, $"/proc/{id}/status") : "/proc/self/status";
        string? line;
        try
        {
            // The line reads "VmHWM:    123456 kB".
            line = File.ReadLines(statusFile).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc, or the process has exited.
            return null;
        }

        return line is null
            ? null
            : long.Parse(line[field.Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0;
    }
}
