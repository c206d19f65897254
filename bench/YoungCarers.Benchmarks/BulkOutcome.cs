using Npgsql;

namespace YoungCarers.Benchmarks;

/// <summary>What the bulk phase left behind: whether both tables hold the same rows, and their sizes.</summary>
internal sealed record BulkOutcome(long StoreRows, long RawRows, long MatchingRows, long StoreBytes, long StreamsBytes, long RawBytes)
{
    public bool Identical => StoreRows == RawRows && MatchingRows == StoreRows;

    public static async Task<BulkOutcome> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // Matching rows agree on everything the writer chose: proof that both writers stored the same data.
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM events),
                   (SELECT count(*) FROM raw_events),
                   (SELECT count(*) FROM events e JOIN raw_events r USING (source, source_event_id)
                    WHERE (e.stream_id, e.stream_version, e.type, e.data, e.metadata, e.occurred_at)
                        = (r.stream_id, r.stream_version, r.type, r.data, r.metadata, r.occurred_at)),
                   pg_total_relation_size('events'), pg_total_relation_size('streams'), pg_total_relation_size('raw_events')
            """);
        command.CommandTimeout = 600;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new BulkOutcome(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }
}
