using System.Buffers;
using System.ComponentModel;
using System.Text.Json;
using YoungCarers.Api.Audit;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.TimeTravel;

namespace YoungCarers.Api.Reads;

/// <summary>
/// A family as the read API answers for it. <see cref="FamilyId"/> is the family that answers:
/// when <see cref="RequestedFamilyId"/> was merged into another, the survivor, and
/// <see cref="AnsweredBySurvivor"/> is true.
/// </summary>
/// <param name="AsOf">The instant the family was evaluated at when asked with asOf or knownAt; null for the live read model.</param>
/// <param name="KnownAt">Only events recorded by this instant counted; null when all did.</param>
public sealed record FamilyResponse(
    string RequestedFamilyId, string FamilyId, bool AnsweredBySurvivor, DateTimeOffset? AsOf, DateTimeOffset? KnownAt, FamilyDocument Family);

/// <summary>One page of a family's timeline.</summary>
public sealed record TimelineResponse(
    string RequestedFamilyId, string FamilyId, bool AnsweredBySurvivor, DateTimeOffset? AsOf, DateTimeOffset? KnownAt, IReadOnlyList<TimelineEvent> Items, string? NextCursor);

/// <summary><c>GET /families/{familyId}</c> and <c>GET /families/{familyId}/timeline</c> (scope <c>families:read</c>, audited).</summary>
internal static class FamilyEndpoints
{
    public static async Task<IResult> GetFamilyAsync(
        HttpContext context,
        ReadStore store,
        FamilyTimeMachine timeMachine,
        AccessAudit audit,
        TimeProvider clock,
        string familyId,
        [Description("Evaluate the family as it stood at this instant (events that happened by then, the clock set to then).")] DateTimeOffset? asOf,
        [Description("Count only events the service had recorded by this instant (what did the service show then?).")] DateTimeOffset? knownAt,
        CancellationToken cancellationToken)
    {
        JsonBytesResult found;
        string answeringFamilyId;
        bool answeredBySurvivor;
        (string FamilyId, string DocumentJson)? live = null;
        if (asOf is null && knownAt is null)
        {
            // The access record and the read model's row in one round trip; the row comes back once the record is committed.
            var rows = await audit.RecordWithReadAsync(context, familyId, ReadStore.LiveDocumentRead(familyId), cancellationToken);
            live = rows switch
            {
                [[null, string document]] => (familyId, document),
                [[string survivorId, _]] => await store.SurvivorDocumentAsync(survivorId, cancellationToken),
                _ => null,
            };
        }
        else
        {
            await audit.RecordAsync(context, [familyId], cancellationToken);
        }

        if (live is { } row)
        {
            (answeringFamilyId, answeredBySurvivor) = (row.FamilyId, row.FamilyId != familyId);
            found = new JsonBytesResult(LiveFamilyBody(familyId, row.FamilyId, row.DocumentJson));
        }
        else
        {
            // Asked about an instant, or the read model has not caught up with a family yet: the event store answers.
            var at = (asOf ?? clock.GetUtcNow()).ToUniversalTime();
            var snapshot = await timeMachine.AtAsync(familyId, at, knownAt?.ToUniversalTime(), cancellationToken);
            if (snapshot is null)
            {
                return ReadProblems.NotFound("Family not found", knownAt is null
                    ? "No family has this id."
                    : "No family had this id by the knownAt instant.");
            }

            (answeringFamilyId, answeredBySurvivor) = (snapshot.FamilyId, snapshot.AnsweredBySurvivor);
            found = JsonBytesResult.Ok(context, new FamilyResponse(familyId, snapshot.FamilyId, snapshot.AnsweredBySurvivor, at, knownAt?.ToUniversalTime(), snapshot.Document));
        }

        if (answeredBySurvivor)
        {
            await audit.RecordAsync(context, [answeringFamilyId], cancellationToken);
        }

        return found;
    }

    public static async Task<IResult> GetTimelineAsync(
        HttpContext context,
        ReadStore store,
        AccessAudit audit,
        string familyId,
        [Description("Only events that happened (CloudEvents time) by this instant.")] DateTimeOffset? asOf,
        [Description("Only events the service had recorded by this instant; merges count only if recorded by then too.")] DateTimeOffset? knownAt,
        [Description("The nextCursor of the previous page.")] string? cursor,
        [Description("Events per page: default 50, at most 200.")] int? limit,
        CancellationToken cancellationToken)
    {
        (DateTimeOffset, long)? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (ReadPaging.Decode(cursor, 2) is not [var at, var seq]
                || !long.TryParse(at, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                || !long.TryParse(seq, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position)
                || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return ReadProblems.InvalidCursor();
            }

            after = (new DateTimeOffset(ticks, TimeSpan.Zero), position);
        }

        var survivor = await store.ResolveAsync(familyId, knownAt, cancellationToken);
        if (survivor is null)
        {
            return ReadProblems.NotFound("Family not found", knownAt is null ? "No family has this id." : "No family had this id by the knownAt instant.");
        }

        if (survivor != familyId)
        {
            await audit.RecordAsync(context, [survivor], cancellationToken);
        }

        var take = ReadPaging.Limit(limit);
        var events = await store.TimelineAsync(survivor, asOf, knownAt, after, take + 1, cancellationToken);
        var page = ReadPaging.PageOf(events, take, last => ReadPaging.Encode(
            last.OccurredAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            last.Position.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return JsonBytesResult.Ok(context, new TimelineResponse(familyId, survivor, survivor != familyId, asOf?.ToUniversalTime(), knownAt?.ToUniversalTime(), page.Items, page.NextCursor));
    }

    /// <summary>
    /// A <see cref="FamilyResponse"/> for the live read model, with the stored document (the json column's text
    /// as the projection wrote it, valid JSON by construction) written as it is rather than parsed and serialised again.
    /// </summary>
    private static ReadOnlyMemory<byte> LiveFamilyBody(string requestedFamilyId, string familyId, string documentJson)
    {
        var buffer = new ArrayBufferWriter<byte>(documentJson.Length + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("requestedFamilyId", requestedFamilyId);
            json.WriteString("familyId", familyId);
            json.WriteBoolean("answeredBySurvivor", familyId != requestedFamilyId);
            json.WriteNull("asOf");
            json.WriteNull("knownAt");
            json.WritePropertyName("family");
            json.WriteRawValue(documentJson, skipInputValidation: true);
            json.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }
}
