using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The baseline: a plain copy of the events table, written with nothing but one binary COPY per
/// batch. It is what storing the same rows costs without streams, version checks or idempotency.
/// </summary>
internal sealed class RawEventsTable
{
    private readonly NpgsqlDataSource _dataSource;
    // Stream versions are worked out here, since nothing on the server keeps them.
    private readonly long[] _streamVersions;

    private RawEventsTable(NpgsqlDataSource dataSource, int streamCount)
    {
        _dataSource = dataSource;
        _streamVersions = new long[streamCount];
    }

    public static async Task<RawEventsTable> CreateAsync(NpgsqlDataSource dataSource, int streamCount, CancellationToken cancellationToken)
    {
        // LIKE ... INCLUDING ALL copies the columns, defaults, identity, checks and every index of
        // events, so the baseline maintains exactly the same indexes.
        await using var command = dataSource.CreateCommand("CREATE TABLE raw_events (LIKE events INCLUDING ALL)");
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new RawEventsTable(dataSource, streamCount);
    }

    /// <summary>Writes a batch in its own transaction.</summary>
    public async Task CopyAsync(IReadOnlyList<GeneratedEvent> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY raw_events (stream_id, stream_version, type, data, metadata, source, source_event_id, occurred_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var (streamIndex, streamId, e) in batch)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(streamId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(++_streamVersions[streamIndex], NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.Type, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.Data, NpgsqlDbType.Json, cancellationToken);
                await importer.WriteAsync(
                    JsonSerializer.Serialize(e.Metadata ?? EventMetadata.Empty, RawMetadataJsonContext.Default.EventMetadata),
                    NpgsqlDbType.Json,
                    cancellationToken);
                await importer.WriteAsync(e.Source, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.SourceEventId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>The same metadata JSON the store writes, so both tables get identical rows.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class RawMetadataJsonContext : JsonSerializerContext;
