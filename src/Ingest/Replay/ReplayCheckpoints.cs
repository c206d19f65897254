using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Ingest.Replay;

/// <summary>How far a replay of one file got: the byte offset just past the last durable batch, and the lines before it.</summary>
public sealed record ReplayCheckpoint(long ByteOffset, long Lines);

/// <summary>The replay_checkpoints table: where each file's replay resumes.</summary>
public sealed class ReplayCheckpoints(NpgsqlDataSource dataSource)
{
    /// <summary>How much of the start of a file goes into its key.</summary>
    public const int HashedPrefixBytes = 64 * 1024;

    /// <summary>
    /// The key of a file as it is now: its full path, its size and a hash of its first 64 KiB. A file
    /// replaced, rewritten or appended to gets a new key, so it never resumes at an offset of another.
    /// </summary>
    public static async Task<string> FileKeyAsync(string path, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(path);
        await using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
        var prefix = new byte[(int)Math.Min(HashedPrefixBytes, file.Length)];
        await file.ReadExactlyAsync(prefix, cancellationToken);
        var hash = Convert.ToHexStringLower(SHA256.HashData(prefix));
        return string.Create(CultureInfo.InvariantCulture, $"{fullPath}|{file.Length}|sha256:{hash}");
    }

    public async Task<ReplayCheckpoint?> GetAsync(string fileKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT byte_offset, lines FROM replay_checkpoints WHERE file_key = @key");
        command.Parameters.AddWithValue("key", fileKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new ReplayCheckpoint(reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>
    /// Records the checkpoint. Call it only once everything before the offset is durable. The
    /// checkpoint itself is committed without waiting for its WAL flush: losing the latest one in a
    /// crash only means re-reading a batch whose events are then duplicates, while the next durable
    /// commit (of the next batch) flushes it anyway.
    /// </summary>
    public async Task SaveAsync(string fileKey, ReplayCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'off', true)"),
                SaveCommand(fileKey, checkpoint),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The checkpoint as an acknowledgement of the batch that ends at it: written in the batch's own
    /// transaction by a pipeline that can, so it is durable exactly when the batch is.
    /// </summary>
    public IIngestAcknowledgement Acknowledgement(string fileKey, ReplayCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new CheckpointAcknowledgement(this, fileKey, checkpoint);
    }

    private static NpgsqlBatchCommand SaveCommand(string fileKey, ReplayCheckpoint checkpoint) => new("""
        INSERT INTO replay_checkpoints (file_key, byte_offset, lines) VALUES (@key, @offset, @lines)
        ON CONFLICT (file_key) DO UPDATE SET byte_offset = excluded.byte_offset, lines = excluded.lines, updated_at = now()
        """)
    {
        Parameters =
        {
            new NpgsqlParameter("key", fileKey),
            new NpgsqlParameter("offset", checkpoint.ByteOffset),
            new NpgsqlParameter("lines", checkpoint.Lines),
        },
    };

    private sealed class CheckpointAcknowledgement(ReplayCheckpoints checkpoints, string fileKey, ReplayCheckpoint checkpoint) : IIngestAcknowledgement
    {
        public IReadOnlyList<NpgsqlBatchCommand> Commands() => [SaveCommand(fileKey, checkpoint)];

        public Task SaveAsync(CancellationToken cancellationToken) => checkpoints.SaveAsync(fileKey, checkpoint, cancellationToken);
    }

    /// <summary>Forgets a file's checkpoint, so its next replay starts from the beginning.</summary>
    public async Task DeleteAsync(string fileKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM replay_checkpoints WHERE file_key = @key");
        command.Parameters.AddWithValue("key", fileKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
