using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

/// <summary>
/// The read model's own binary COPY encoding against Npgsql's importer: the same values written
/// both ways must read back as the same rows, edge values included.
/// </summary>
public sealed class BinaryCopyRowsTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private const string Columns = "(n, t, b, i, flag, d, ts, doc, names)";

    private static readonly (string? Text, long Big, int? Int, bool Flag, DateOnly? Date, DateTimeOffset? At, string Json, string[] Names)[] Values =
    [
        ("plain", 1, 7, true, new DateOnly(2026, 12, 4), new DateTimeOffset(2026, 12, 4, 16, 59, 59, 999, TimeSpan.Zero).AddTicks(9), """{"a":1}""", ["one", "two"]),
        (null, long.MinValue, null, false, null, null, "[]", []),
        ("", long.MaxValue, int.MinValue, true, new DateOnly(2008, 2, 29), new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(-7), "null", [""]),
        ("Siân Ó Briain – 名前", 0, int.MaxValue, false, new DateOnly(1912, 6, 23), new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero), """{"name":"Zoë \"Z\" Ng\n"}""", ["Åsa", "😀"]),
        ("infinite", 2, 0, true, DateOnly.MaxValue, DateTimeOffset.MaxValue, "{}", ["x"]),
        ("minus infinite", 3, -1, false, DateOnly.MinValue, DateTimeOffset.MinValue, "{}", ["y", "z", "w"]),
        ("offset", 4, 1, true, new DateOnly(2000, 1, 1), new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.FromHours(1)), "0", ["a"]),
    ];

    [Fact]
    public async Task Rows_encoded_by_the_read_model_read_back_as_the_same_rows_as_Npgsql_importer_writes()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("""
            DROP TABLE IF EXISTS copy_ours, copy_npgsql;
            CREATE TABLE copy_ours (n integer, t text, b bigint, i integer, flag boolean, d date, ts timestamptz, doc json, names text[]);
            CREATE TABLE copy_npgsql (LIKE copy_ours);
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var ours = new BinaryCopyRows($"COPY copy_ours {Columns} FROM STDIN (FORMAT BINARY)");
        for (var n = 0; n < Values.Length; n++)
        {
            var (text, big, integer, flag, date, at, json, names) = Values[n];
            ours.StartRow(9);
            ours.Integer(n);
            ours.TextOrNull(text);
            ours.Bigint(big);
            ours.IntegerOrNull(integer);
            ours.Boolean(flag);
            ours.DateOrNull(date);
            ours.TimestampOrNull(at);
            ours.Json(JsonElementOf(json), ElementTypeInfo);
            ours.TextArray(names);
        }

        await ours.CopyAsync(connection, CancellationToken.None);

        await using (var importer = await connection.BeginBinaryImportAsync($"COPY copy_npgsql {Columns} FROM STDIN (FORMAT BINARY)"))
        {
            for (var n = 0; n < Values.Length; n++)
            {
                var (text, big, integer, flag, date, at, json, names) = Values[n];
                await importer.StartRowAsync();
                await importer.WriteAsync(n, NpgsqlDbType.Integer);
                await importer.WriteAsync((object?)text ?? DBNull.Value, NpgsqlDbType.Text);
                await importer.WriteAsync(big, NpgsqlDbType.Bigint);
                await importer.WriteAsync((object?)integer ?? DBNull.Value, NpgsqlDbType.Integer);
                await importer.WriteAsync(flag, NpgsqlDbType.Boolean);
                await importer.WriteAsync((object?)date ?? DBNull.Value, NpgsqlDbType.Date);
                await importer.WriteAsync((object?)at?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(JsonSerializer.Serialize(JsonElementOf(json), ElementTypeInfo), NpgsqlDbType.Json);
                await importer.WriteAsync(names, NpgsqlDbType.Array | NpgsqlDbType.Text);
            }

            await importer.CompleteAsync();
        }

        var written = await RowsAsync(connection, "copy_ours");
        Assert.Equal(Values.Length, written.Count);
        Assert.Equal(await RowsAsync(connection, "copy_npgsql"), written);
    }

    [Fact]
    public async Task Nothing_is_sent_for_no_rows_and_a_cleared_buffer_sends_only_what_follows()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("DROP TABLE IF EXISTS copy_again; CREATE TABLE copy_again (t text)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var rows = new BinaryCopyRows("COPY copy_again (t) FROM STDIN (FORMAT BINARY)");
        await rows.CopyAsync(connection, CancellationToken.None);
        rows.StartRow(1);
        rows.Text("first");
        await rows.CopyAsync(connection, CancellationToken.None);
        rows.StartRow(1);
        rows.Text("second");
        await rows.CopyAsync(connection, CancellationToken.None);

        Assert.Equal(["(first)", "(second)"], await RowsAsync(connection, "copy_again", "t"));
    }

    [Fact]
    public async Task A_family_document_is_written_as_the_same_JSON_as_the_read_model_serializes_it()
    {
        MemberDocument Member(int n) => new(
            $"nhs:{9_000_000_000 + n}", [$"nhs:{9_000_000_000 + n}", $"children:C-{n}"], "Siân <Zoë> & 'Ó'", $"Briain-{n} – 名前 😀",
            new DateOnly(2008, 2, 29), "AB1 2CD", 18, ["young-carer"], ["nhs:9000000000"]);
        var document = new FamilyDocument(
            "family-0123456789abcdef0123456789abcdef", null, ["family-merged"], 42,
            new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero).AddTicks(1),
            "spec-default", [.. Enumerable.Range(0, 60).Select(Member)], [], new LeadProfessionalDocument("Ann \"Lead\"", "Team\n1", "adult-social-care"),
            [], [], []);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("DROP TABLE IF EXISTS copy_document; CREATE TABLE copy_document (doc json)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var rows = new BinaryCopyRows("COPY copy_document (doc) FROM STDIN (FORMAT BINARY)");
        rows.StartRow(1);
        rows.Json(document, FamilyDocuments.JsonTypeInfo);
        await rows.CopyAsync(connection, CancellationToken.None);

        await using var read = new NpgsqlCommand("SELECT doc::text FROM copy_document", connection);
        var written = (string)(await read.ExecuteScalarAsync())!;
        Assert.True(written.Length > 4096, "The document should outgrow the rows' first buffer.");
        Assert.Equal(Encoding.UTF8.GetString(FamilyDocuments.ToUtf8Json(document)), written);
    }

    private static JsonTypeInfo<JsonElement> ElementTypeInfo => (JsonTypeInfo<JsonElement>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonElement));

    private static JsonElement JsonElementOf(string json) => JsonDocument.Parse(json).RootElement.Clone();

    // Each row as PostgreSQL prints it, so that the comparison is PostgreSQL's and not a decoder's.
    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string table, string order = "n")
    {
        await using var command = new NpgsqlCommand($"SET TIME ZONE 'UTC'; SELECT r::text FROM {table} r ORDER BY {order}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
