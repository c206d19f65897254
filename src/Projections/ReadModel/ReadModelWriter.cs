using Npgsql;
using NpgsqlTypes;

namespace YoungCarers.Projections.ReadModel;

/// <summary>Writes family records into a read model schema with binary COPY.</summary>
internal static class ReadModelWriter
{
    /// <summary>Removes every row of these families (to be written again in the same transaction).</summary>
    public static async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, string[] familyIds, CancellationToken cancellationToken)
    {
        if (familyIds.Length == 0)
        {
            return;
        }

        var s = ReadModelSchema.Quote(schema);
        await using var command = new NpgsqlCommand($"""
            DELETE FROM {s}.families WHERE family_id = ANY(@ids);
            DELETE FROM {s}.obligations WHERE family_id = ANY(@ids);
            DELETE FROM {s}.flags WHERE family_id = ANY(@ids);
            DELETE FROM {s}.disputes WHERE family_id = ANY(@ids);
            DELETE FROM {s}.deadlines WHERE family_id = ANY(@ids);
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", familyIds);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Appends the records' rows (the families must have none yet).</summary>
    public static async Task CopyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<FamilyRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var s = ReadModelSchema.Quote(schema);
        await using (var families = await connection.BeginBinaryImportAsync(
            $"COPY {s}.families (family_id, survivor_id, stream_version, fact_count, last_recorded_at, policy_version, evaluated_at, next_change_at, document, updated_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            var updatedAt = DateTimeOffset.UtcNow;
            foreach (var record in records)
            {
                await families.StartRowAsync(cancellationToken);
                await families.WriteAsync(record.FamilyId, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(families, record.SurvivorId, NpgsqlDbType.Text, cancellationToken);
                await families.WriteAsync(record.StreamVersion, NpgsqlDbType.Bigint, cancellationToken);
                await families.WriteAsync(record.FactCount, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(families, record.LastRecordedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await families.WriteAsync(record.PolicyVersion, NpgsqlDbType.Text, cancellationToken);
                await families.WriteAsync(record.EvaluatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(families, record.NextChangeAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await families.WriteAsync(record.DocumentJson, NpgsqlDbType.Jsonb, cancellationToken);
                await families.WriteAsync(updatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await families.CompleteAsync(cancellationToken);
        }

        if (records.Any(record => record.Obligations.Count > 0))
        {
            await using var obligations = await connection.BeginBinaryImportAsync(
                $"COPY {s}.obligations (family_id, obligation_id, kind, owed_by, person_key, status, opened_on, due_on, deadline, met_on, opened_by_source, opened_by_event_id, met_by_source, met_by_event_id, basis, policy_version) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var record in records)
            {
                // Two rules can in principle name the same obligation id; the first one stands.
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var obligation in record.Obligations)
                {
                    if (!seen.Add(obligation.Id))
                    {
                        continue;
                    }

                    await obligations.StartRowAsync(cancellationToken);
                    await obligations.WriteAsync(record.FamilyId, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.Id, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.Kind, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.OwedBy, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.PersonKey, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(FamilyDocuments.Status(obligation.Status), NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.OpenedOn, NpgsqlDbType.Date, cancellationToken);
                    await obligations.WriteAsync(obligation.DueOn, NpgsqlDbType.Date, cancellationToken);
                    await obligations.WriteAsync(obligation.Deadline.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                    await WriteNullableAsync(obligations, obligation.MetOn, NpgsqlDbType.Date, cancellationToken);
                    await obligations.WriteAsync(obligation.OpenedBy.Source, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.OpenedBy.EventId, NpgsqlDbType.Text, cancellationToken);
                    await WriteNullableAsync(obligations, obligation.MetBy?.Source, NpgsqlDbType.Text, cancellationToken);
                    await WriteNullableAsync(obligations, obligation.MetBy?.EventId, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.Basis, NpgsqlDbType.Text, cancellationToken);
                    await obligations.WriteAsync(obligation.PolicyVersion, NpgsqlDbType.Text, cancellationToken);
                }
            }

            await obligations.CompleteAsync(cancellationToken);
        }

        if (records.Any(record => record.Flags.Count > 0))
        {
            await using var flags = await connection.BeginBinaryImportAsync(
                $"COPY {s}.flags (family_id, ordinal, flag, person_keys, obligation_kinds, services, reason, policy_version) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var record in records)
            {
                for (var i = 0; i < record.Flags.Count; i++)
                {
                    var (flag, services) = record.Flags[i];
                    await flags.StartRowAsync(cancellationToken);
                    await flags.WriteAsync(record.FamilyId, NpgsqlDbType.Text, cancellationToken);
                    await flags.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                    await flags.WriteAsync(flag.Name, NpgsqlDbType.Text, cancellationToken);
                    await flags.WriteAsync(flag.PersonKeys.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                    await flags.WriteAsync(flag.ObligationKinds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                    await flags.WriteAsync(services.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                    await flags.WriteAsync(flag.Reason, NpgsqlDbType.Text, cancellationToken);
                    await flags.WriteAsync(flag.PolicyVersion, NpgsqlDbType.Text, cancellationToken);
                }
            }

            await flags.CompleteAsync(cancellationToken);
        }

        if (records.Any(record => record.Disputes.Count > 0))
        {
            await using var disputes = await connection.BeginBinaryImportAsync(
                $"COPY {s}.disputes (family_id, dispute_id, status, subject, raised_by, raised_on, stage, stage_name, stage_deadline, past_deadline, interim_lead_status, overdue, policy_version) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var record in records)
            {
                foreach (var dispute in record.Disputes)
                {
                    await disputes.StartRowAsync(cancellationToken);
                    await disputes.WriteAsync(record.FamilyId, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.DisputeId, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.Status, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.Subject, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.RaisedBy, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.RaisedOn.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                    await disputes.WriteAsync(dispute.Stage, NpgsqlDbType.Integer, cancellationToken);
                    await disputes.WriteAsync(dispute.StageName, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.StageDeadline.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                    await disputes.WriteAsync(dispute.PastDeadline, NpgsqlDbType.Boolean, cancellationToken);
                    await disputes.WriteAsync(dispute.InterimLead.Status, NpgsqlDbType.Text, cancellationToken);
                    await WriteNullableAsync(disputes, dispute.Overdue, NpgsqlDbType.Text, cancellationToken);
                    await disputes.WriteAsync(dispute.PolicyVersion, NpgsqlDbType.Text, cancellationToken);
                }
            }

            await disputes.CompleteAsync(cancellationToken);
        }

        if (records.Any(record => record.NextChangeAt is not null))
        {
            await using var deadlines = await connection.BeginBinaryImportAsync(
                $"COPY {s}.deadlines (family_id, due_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var record in records)
            {
                if (record.NextChangeAt is { } due)
                {
                    await deadlines.StartRowAsync(cancellationToken);
                    await deadlines.WriteAsync(record.FamilyId, NpgsqlDbType.Text, cancellationToken);
                    await deadlines.WriteAsync(due.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                }
            }

            await deadlines.CompleteAsync(cancellationToken);
        }
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);
}
