using System.Globalization;

namespace YoungCarers.Benchmarks;

/// <summary>
/// CPU time (user and system) from <c>/proc</c> (Linux): what a piece of work cost, however busy the
/// machine was while it ran, so that runs on a shared machine can be compared.
/// </summary>
internal static class CpuTime
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The CPU time a process has used so far (all its threads), or null when it cannot be read.</summary>
    public static TimeSpan? OfProcess(int processId) => Read(processId, children: false);

    /// <summary>The CPU time of the processes this process has started and waited for (wrk, say).</summary>
    public static TimeSpan? OfWaitedChildren() => Read(null, children: true);

    /// <summary>
    /// The CPU time of a PostgreSQL server: the postmaster, its backends and helpers that are running,
    /// and those that have exited (accounted to the postmaster when it reaped them).
    /// </summary>
    public static TimeSpan? OfPostgres(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).First(), NumberStyles.None, CultureInfo.InvariantCulture, out var postmaster))
        {
            return null;
        }

        if (Read(postmaster, children: false) is not { } own || Read(postmaster, children: true) is not { } reaped)
        {
            return null;
        }

        var total = own + reaped;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } fields && fields[1] == postmaster.ToString(CultureInfo.InvariantCulture) && Read(pid, children: false) is { } child)
            {
                total += child;
            }
        }

        return total;
    }

    private static TimeSpan? Read(int? processId, bool children)
    {
        // After the command: state, ppid, ... utime (14th field of the line), stime, cutime, cstime.
        if (Stat(processId) is not { } fields)
        {
            return null;
        }

        var at = children ? 13 : 11;
        var ticks = long.Parse(fields[at], CultureInfo.InvariantCulture) + long.Parse(fields[at + 1], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name (state first).</summary>
    private static string[]? Stat(int? processId)
    {
        var file = processId is { } id ? string.Create(CultureInfo.InvariantCulture, $"/proc/{id}/stat") : "/proc/self/stat";
        try
        {
            var line = File.ReadAllText(file);
            // The command name is in parentheses and may contain spaces.
            return line[(line.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
