namespace YoungCarers.Benchmarks;

/// <summary>The machine's load averages (1, 5 and 15 minutes), printed beside figures measured on a shared machine.</summary>
internal static class MachineLoad
{
    private const string LoadFile = "/proc/loadavg";

    public static string Average() =>
        File.Exists(LoadFile) ? string.Join(' ', File.ReadAllText(LoadFile).Split(' ').Take(3)) : "n/a";
}
