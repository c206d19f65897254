using Npgsql;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// Families' rows for every table of a read model schema, encoded for binary COPY as each family
/// record is added (the record itself is garbage straight after), and appended to a schema's tables
/// in one COPY per table. Reusable: <see cref="CopyAsync"/> empties it.
/// </summary>
internal sealed class ReadModelRows(string schema)
{
    private readonly BinaryCopyRows _families = new(Copy(schema,
        "families (family_id, survivor_id, stream_version, fact_count, last_recorded_at, policy_version, evaluated_at, next_change_at, document)"));

    private readonly BinaryCopyRows _obligations = new(Copy(schema,
        "obligations (family_id, obligation_id, kind, owed_by, person_key, status, opened_on, due_on, deadline, met_on, opened_by_source, opened_by_event_id, met_by_source, met_by_event_id, basis, policy_version, ref)"));

    private readonly BinaryCopyRows _flags = new(Copy(schema,
        "flags (family_id, ordinal, flag, person_keys, obligation_kinds, services, reason, policy_version)"));

    private readonly BinaryCopyRows _disputes = new(Copy(schema,
        "disputes (family_id, dispute_id, status, subject, raised_by, raised_on, stage, stage_name, stage_deadline, past_deadline, interim_lead_status, overdue, policy_version)"));

    private readonly BinaryCopyRows _deadlines = new(Copy(schema, "deadlines (family_id, due_at)"));

    private readonly BinaryCopyRows _youngCarers = new(Copy(schema,
        "young_carers (family_id, person_key, identifiers, given_name, family_name, birth_date, age, turns_18, cares_for)"));

    private readonly List<string> _familyIds = [];

    // Two rules can in principle name the same obligation id; the first one stands.
    private readonly HashSet<string> _obligationIds = new(StringComparer.Ordinal);

    /// <summary>The families added since the last COPY, in the order they were added.</summary>
    public IReadOnlyList<string> FamilyIds => _familyIds;

    /// <summary>Encodes a family's rows (the family must have none in the schema yet when they are copied).</summary>
    public void Add(FamilyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _familyIds.Add(record.FamilyId);
        AddFamily(record);
        AddObligations(record);
        AddFlags(record);
        AddDisputes(record);
        if (record.NextChangeAt is { } due)
        {
            _deadlines.StartRow(2);
            _deadlines.Text(record.FamilyId);
            _deadlines.Timestamp(due);
        }

        AddYoungCarers(record);
    }

    /// <summary>
    /// Removes every row the schema holds of the families added since the last COPY, then appends
    /// theirs, in the transaction, then empties this.
    /// </summary>
    public async Task ReplaceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (_familyIds.Count > 0)
        {
            var s = ReadModelSchema.Quote(schema);
            await using var command = new NpgsqlCommand($"""
                DELETE FROM {s}.families WHERE family_id = ANY(@ids);
                DELETE FROM {s}.obligations WHERE family_id = ANY(@ids);
                DELETE FROM {s}.flags WHERE family_id = ANY(@ids);
                DELETE FROM {s}.disputes WHERE family_id = ANY(@ids);
                DELETE FROM {s}.deadlines WHERE family_id = ANY(@ids);
                DELETE FROM {s}.young_carers WHERE family_id = ANY(@ids);
                """, connection, transaction);
            command.Parameters.AddWithValue("ids", _familyIds);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyAsync(connection, cancellationToken);
    }

    /// <summary>Appends the rows added since the last COPY to the schema's tables (which hold none of these families), then empties this.</summary>
    public async Task CopyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // A family row's updated_at is left to the column's default: the writing transaction's start.
        foreach (var rows in Tables)
        {
            await rows.CopyAsync(connection, cancellationToken);
        }

        Clear();
    }

    /// <summary>Forgets the rows added since the last COPY, keeping the buffers for the next ones.</summary>
    public void Clear()
    {
        foreach (var rows in Tables)
        {
            rows.Clear();
        }

        _familyIds.Clear();
    }

    private BinaryCopyRows[] Tables => [_families, _obligations, _flags, _disputes, _deadlines, _youngCarers];

    private static string Copy(string schema, string tableAndColumns) =>
        $"COPY {ReadModelSchema.Quote(schema)}.{tableAndColumns} FROM STDIN (FORMAT BINARY)";

    private void AddFamily(FamilyRecord record)
    {
        _families.StartRow(9);
        _families.Text(record.FamilyId);
        _families.TextOrNull(record.SurvivorId);
        _families.Bigint(record.StreamVersion);
        _families.Integer(record.FactCount);
        _families.TimestampOrNull(record.LastRecordedAt);
        _families.Text(record.PolicyVersion);
        _families.Timestamp(record.EvaluatedAt);
        _families.TimestampOrNull(record.NextChangeAt);
        _families.Json(record.Document, FamilyDocuments.JsonTypeInfo);
    }

    // The record's lists are walked by index here: enumerating one through its interface allocates.
    private void AddObligations(FamilyRecord record)
    {
        _obligationIds.Clear();
        for (var i = 0; i < record.Obligations.Count; i++)
        {
            var obligation = record.Obligations[i];
            if (!_obligationIds.Add(obligation.Id))
            {
                continue;
            }

            _obligations.StartRow(17);
            _obligations.Text(record.FamilyId);
            _obligations.Text(obligation.Id);
            _obligations.Text(obligation.Kind);
            _obligations.Text(obligation.OwedBy);
            _obligations.Text(obligation.PersonKey);
            _obligations.Text(FamilyDocuments.Status(obligation.Status));
            _obligations.Date(obligation.OpenedOn);
            _obligations.Date(obligation.DueOn);
            _obligations.Timestamp(obligation.Deadline);
            _obligations.DateOrNull(obligation.MetOn);
            _obligations.Text(obligation.OpenedBy.Source);
            _obligations.Text(obligation.OpenedBy.EventId);
            _obligations.TextOrNull(obligation.MetBy?.Source);
            _obligations.TextOrNull(obligation.MetBy?.EventId);
            _obligations.Text(obligation.Basis);
            _obligations.Text(obligation.PolicyVersion);
            _obligations.Text(ObligationRefs.Of(record.FamilyId, obligation.Id));
        }
    }

    private void AddFlags(FamilyRecord record)
    {
        for (var i = 0; i < record.Flags.Count; i++)
        {
            var (flag, services) = record.Flags[i];
            _flags.StartRow(8);
            _flags.Text(record.FamilyId);
            _flags.Integer(i);
            _flags.Text(flag.Name);
            _flags.TextArray(flag.PersonKeys);
            _flags.TextArray(flag.ObligationKinds);
            _flags.TextArray(services);
            _flags.Text(flag.Reason);
            _flags.Text(flag.PolicyVersion);
        }
    }

    private void AddDisputes(FamilyRecord record)
    {
        for (var i = 0; i < record.Disputes.Count; i++)
        {
            var dispute = record.Disputes[i];
            _disputes.StartRow(13);
            _disputes.Text(record.FamilyId);
            _disputes.Text(dispute.DisputeId);
            _disputes.Text(dispute.Status);
            _disputes.Text(dispute.Subject);
            _disputes.Text(dispute.RaisedBy);
            _disputes.Timestamp(dispute.RaisedOn);
            _disputes.Integer(dispute.Stage);
            _disputes.Text(dispute.StageName);
            _disputes.Timestamp(dispute.StageDeadline);
            _disputes.Boolean(dispute.PastDeadline);
            _disputes.Text(dispute.InterimLead.Status);
            _disputes.TextOrNull(dispute.Overdue);
            _disputes.Text(dispute.PolicyVersion);
        }
    }

    private void AddYoungCarers(FamilyRecord record)
    {
        for (var i = 0; i < record.YoungCarers.Count; i++)
        {
            var carer = record.YoungCarers[i];
            var born = carer.BirthDate!.Value;
            _youngCarers.StartRow(9);
            _youngCarers.Text(record.FamilyId);
            _youngCarers.Text(carer.Key);
            _youngCarers.TextArray(carer.Identifiers);
            _youngCarers.TextOrNull(carer.GivenName);
            _youngCarers.TextOrNull(carer.FamilyName);
            _youngCarers.Date(born);
            _youngCarers.IntegerOrNull(carer.Age);
            // As PostgreSQL's date + interval '18 years' (and the list's previous query): 29 February + 18 years is 28 February.
            _youngCarers.Date(born.AddYears(18));
            _youngCarers.TextArray(carer.CaresFor);
        }
    }
}
