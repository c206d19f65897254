using Npgsql;

namespace YoungCarers.EventStore.Streams;

internal static class EventReader
{
    public const string SelectColumns = """
        SELECT seq, transaction_id, stream_id, stream_version, type, data::text, metadata::text,
               source, source_event_id, occurred_at, recorded_at
        """;

    public static RecordedEvent Read(NpgsqlDataReader reader) => new(
        new GlobalPosition(reader.GetFieldValue<ulong>(1), reader.GetInt64(0)),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.GetString(4),
        reader.GetString(5),
        MetadataJson.Deserialize(reader.GetString(6)),
        reader.GetString(7),
        reader.GetString(8),
        reader.GetFieldValue<DateTimeOffset>(9),
        reader.GetFieldValue<DateTimeOffset>(10));
}
