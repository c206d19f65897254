using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace YoungCarers.Ingest.Kafka;

/// <summary>
/// Points Confluent.Kafka at the system's librdkafka. The package that would ship the native
/// library is not used, and Confluent's own loader looks for names (<c>librdkafka.so</c>,
/// <c>centos7-librdkafka.so</c>) that a distribution's runtime package does not install.
/// </summary>
public static class KafkaNative
{
    /// <summary>The soname of librdkafka 1.x and 2.x, found through the system's library search path.</summary>
    public const string LibraryName = "librdkafka.so.1";

    private static readonly Lazy<nint> Handle = new(Load);

    /// <summary>Loads librdkafka once per process; call before any Confluent.Kafka client is built.</summary>
    /// <exception cref="DllNotFoundException">librdkafka is not installed.</exception>
    public static void EnsureLoaded() => _ = Handle.Value;

    private static nint Load()
    {
        if (!NativeLibrary.TryLoad(LibraryName, out var handle))
        {
            throw new DllNotFoundException(
                $"Kafka ingest needs librdkafka ({LibraryName}), which was not found on the library search path. " +
                "Install it with the system's package manager (Debian and Ubuntu: apt-get install librdkafka1).");
        }

        // Every name Confluent.Kafka probes for ends in "librdkafka"; anything else it imports is left to the runtime.
        NativeLibrary.SetDllImportResolver(
            typeof(Library).Assembly,
            (name, _, _) => name.EndsWith("librdkafka", StringComparison.Ordinal) ? handle : 0);
        return handle;
    }
}
