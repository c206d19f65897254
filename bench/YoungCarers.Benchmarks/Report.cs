using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace YoungCarers.Benchmarks;

/// <summary>Plain text lines of label, value and note, in aligned columns.</summary>
internal sealed class Report
{
    private const int LabelWidth = 34;
    private const int ValueWidth = 24;
    private readonly StringBuilder _text = new();

    public void Title(string title) => _text.AppendLine(title);

    public void Row(string label, string value, string note = "") =>
        _text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {label,-LabelWidth} {value,-ValueWidth}  {note}").TrimEnd());

    public void Blank() => _text.AppendLine();

    /// <summary>The machine, and for a benchmark run in this process the garbage collector's settings, which move its figures.</summary>
    public void Machine(bool inProcess)
    {
        Row("machine", $"{Environment.ProcessorCount} processors, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        var (reserved, onDemand, hugePageKilobytes) = PageFaults.HugePages();
        Row("page faults", $"{PageFaults.MicrosecondsEach():N1} µs each",
            reserved + onDemand > 0
                ? $"huge pages of {hugePageKilobytes / 1024:N0} MB: {reserved:N0} reserved, {onDemand:N0} more on demand; PostgreSQL's shared memory takes them when they suffice"
                : "no huge pages (vm.nr_hugepages, vm.nr_overcommit_hugepages): each PostgreSQL backend faults shared memory in 4 kB at a time");
        if (inProcess)
        {
            var settings = GC.GetConfigurationVariables();
            string Setting(string name) => settings.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" : "unknown";
            Row("garbage collector", settings.TryGetValue("ServerGC", out var server) && server is true ? "server" : "workstation",
                $"DATAS {(Setting("GCDynamicAdaptationMode") == "1" ? "on" : "off")}, gen0 growth {Setting("GCDGen0GrowthPercent")}%, heaps at most {Setting("HeapCount")}"
                // The runtime does not report this one, and the README suggests it for large replays.
                + (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is { Length: > 0 } gen0 ? $", DOTNET_GCgen0size={gen0}" : ""));
        }
    }

    public void WriteTo(TextWriter writer) => writer.Write(_text.ToString());
}
