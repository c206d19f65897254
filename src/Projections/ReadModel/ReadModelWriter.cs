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
            DELETE FROM {s}.young_carers WHERE family_id = ANY(@ids);
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
                families.StartRow();
                families.Write(record.FamilyId, NpgsqlDbType.Text);
                WriteNullable(families, record.SurvivorId, NpgsqlDbType.Text);
                families.Write(record.StreamVersion, NpgsqlDbType.Bigint);
                families.Write(record.FactCount, NpgsqlDbType.Integer);
                WriteNullable(families, record.LastRecordedAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                families.Write(record.PolicyVersion, NpgsqlDbType.Text);
                families.Write(record.EvaluatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                WriteNullable(families, record.NextChangeAt?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                families.Write(record.DocumentJson, NpgsqlDbType.Json);
                families.Write(updatedAt, NpgsqlDbType.TimestampTz);
            }

            await families.CompleteAsync(cancellationToken);
        }

        if (records.Any(record => record.Obligations.Count > 0))
        {
            await using var obligations = await connection.BeginBinaryImportAsync(
                $"COPY {s}.obligations (family_id, obligation_id, kind, owed_by, person_key, status, opened_on, due_on, deadline, met_on, opened_by_source, opened_by_event_id, met_by_source, met_by_event_id, basis, policy_version, ref) FROM STDIN (FORMAT BINARY)",
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

                    obligations.StartRow();
                    obligations.Write(record.FamilyId, NpgsqlDbType.Text);
                    obligations.Write(obligation.Id, NpgsqlDbType.Text);
                    obligations.Write(obligation.Kind, NpgsqlDbType.Text);
                    obligations.Write(obligation.OwedBy, NpgsqlDbType.Text);
                    obligations.Write(obligation.PersonKey, NpgsqlDbType.Text);
                    obligations.Write(FamilyDocuments.Status(obligation.Status), NpgsqlDbType.Text);
                    obligations.Write(obligation.OpenedOn, NpgsqlDbType.Date);
                    obligations.Write(obligation.DueOn, NpgsqlDbType.Date);
                    obligations.Write(obligation.Deadline.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    WriteNullable(obligations, obligation.MetOn, NpgsqlDbType.Date);
                    obligations.Write(obligation.OpenedBy.Source, NpgsqlDbType.Text);
                    obligations.Write(obligation.OpenedBy.EventId, NpgsqlDbType.Text);
                    WriteNullable(obligations, obligation.MetBy?.Source, NpgsqlDbType.Text);
                    WriteNullable(obligations, obligation.MetBy?.EventId, NpgsqlDbType.Text);
                    obligations.Write(obligation.Basis, NpgsqlDbType.Text);
                    obligations.Write(obligation.PolicyVersion, NpgsqlDbType.Text);
                    obligations.Write(ObligationRefs.Of(record.FamilyId, obligation.Id), NpgsqlDbType.Text);
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
                    flags.StartRow();
                    flags.Write(record.FamilyId, NpgsqlDbType.Text);
                    flags.Write(i, NpgsqlDbType.Integer);
                    flags.Write(flag.Name, NpgsqlDbType.Text);
                    flags.Write(flag.PersonKeys.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                    flags.Write(flag.ObligationKinds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                    flags.Write(services.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                    flags.Write(flag.Reason, NpgsqlDbType.Text);
                    flags.Write(flag.PolicyVersion, NpgsqlDbType.Text);
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
                    disputes.StartRow();
                    disputes.Write(record.FamilyId, NpgsqlDbType.Text);
                    disputes.Write(dispute.DisputeId, NpgsqlDbType.Text);
                    disputes.Write(dispute.Status, NpgsqlDbType.Text);
                    disputes.Write(dispute.Subject, NpgsqlDbType.Text);
                    disputes.Write(dispute.RaisedBy, NpgsqlDbType.Text);
                    disputes.Write(dispute.RaisedOn.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    disputes.Write(dispute.Stage, NpgsqlDbType.Integer);
                    disputes.Write(dispute.StageName, NpgsqlDbType.Text);
                    disputes.Write(dispute.StageDeadline.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                    disputes.Write(dispute.PastDeadline, NpgsqlDbType.Boolean);
                    disputes.Write(dispute.InterimLead.Status, NpgsqlDbType.Text);
                    WriteNullable(disputes, dispute.Overdue, NpgsqlDbType.Text);
                    disputes.Write(dispute.PolicyVersion, NpgsqlDbType.Text);
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
                    deadlines.StartRow();
                    deadlines.Write(record.FamilyId, NpgsqlDbType.Text);
                    deadlines.Write(due.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                }
            }

            await deadlines.CompleteAsync(cancellationToken);
        }

        if (records.Any(record => record.YoungCarers.Count > 0))
        {
            await using var carers = await connection.BeginBinaryImportAsync(
                $"COPY {s}.young_carers (family_id, person_key, identifiers, given_name, family_name, birth_date, age, turns_18, cares_for) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var record in records)
            {
                foreach (var carer in record.YoungCarers)
                {
                    var born = carer.BirthDate!.Value;
                    carers.StartRow();
                    carers.Write(record.FamilyId, NpgsqlDbType.Text);
                    carers.Write(carer.Key, NpgsqlDbType.Text);
                    carers.Write(carer.Identifiers.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                    WriteNullable(carers, carer.GivenName, NpgsqlDbType.Text);
                    WriteNullable(carers, carer.FamilyName, NpgsqlDbType.Text);
                    carers.Write(born, NpgsqlDbType.Date);
                    WriteNullable(carers, carer.Age, NpgsqlDbType.Integer);
                    // As PostgreSQL's date + interval '18 years' (and the list's previous query): 29 February + 18 years is 28 February.
                    carers.Write(born.AddYears(18), NpgsqlDbType.Date);
                    carers.Write(carer.CaresFor.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                }
            }

            await carers.CompleteAsync(cancellationToken);
        }
    }

    // Rows are written synchronously into the importer's buffer, which flushes to the socket when
    // full: an awaited write per field cost more than the rest of the COPY on the client side.
    private static void WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } v)
        {
            importer.Write(v, type);
        }
        else
        {
            importer.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, type);
        }
    }
}
