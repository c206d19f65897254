using System.Text.Json;
using System.Text.Json.Serialization;

namespace YoungCarers.EventStore.Streams;

internal static class MetadataJson
{
    public static string Serialize(EventMetadata? metadata) =>
        JsonSerializer.Serialize(metadata ?? EventMetadata.Empty, MetadataJsonContext.Default.EventMetadata);

    public static EventMetadata Deserialize(string json) =>
        JsonSerializer.Deserialize(json, MetadataJsonContext.Default.EventMetadata) ?? EventMetadata.Empty;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
