using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace YoungCarers.Domain.Families;

/// <summary>An event the service itself records in a family's stream (as opposed to one from a case system).</summary>
public interface IFamilyEvent;

/// <summary>Why two families became one.</summary>
public enum MergeReason
{
    /// <summary>An event mentioned members of both, or a person turned out to be in both (a shared identifier).</summary>
    [JsonStringEnumMemberName("linked-by-event")]
    LinkedByEvent,

    /// <summary>The integration team merged them.</summary>
    [JsonStringEnumMemberName("explicit")]
    Explicit,
}

/// <summary>In the surviving stream: another family was merged into this one; its history is now this family's too.</summary>
/// <param name="CausedBySource">With <paramref name="CausedByEventId"/>, the event that linked them (for <see cref="MergeReason.LinkedByEvent"/>).</param>
/// <param name="DecidedBy">Who merged them (for <see cref="MergeReason.Explicit"/>).</param>
public sealed record FamilyMerged(
    string AbsorbedFamilyId,
    MergeReason Reason,
    string? CausedBySource,
    string? CausedByEventId,
    string? DecidedBy,
    string? Note) : IFamilyEvent
{
    public const string TypeName = "family.merged.v1";
}

/// <summary>The last event in an absorbed family's stream: it now lives on as <paramref name="SurvivorFamilyId"/>.</summary>
public sealed record FamilyAbsorbed(
    string SurvivorFamilyId,
    MergeReason Reason,
    string? CausedBySource,
    string? CausedByEventId,
    string? DecidedBy,
    string? Note) : IFamilyEvent
{
    public const string TypeName = "family.absorbed.v1";
}

/// <summary>
/// In the stream a family was split from: the integration team moved these persons (named by one
/// identifier each, such as <c>system:LAS/7781</c>) to a new family.
/// </summary>
public sealed record FamilySplit(string NewFamilyId, IReadOnlyList<string> MovedPersons, string DecidedBy, string? Note) : IFamilyEvent
{
    public const string TypeName = "family.split.v1";
}

/// <summary>The first event of a family made by a split: who it was split from and which persons it holds.</summary>
public sealed record FamilySplitFrom(string FromFamilyId, IReadOnlyList<string> MovedPersons, string DecidedBy, string? Note) : IFamilyEvent
{
    public const string TypeName = "family.split-from.v1";
}

/// <summary>Stored type names and JSON for the service's own family events.</summary>
public static class FamilyEventSerializer
{
    public static (string Type, string Json) Serialize(IFamilyEvent e) => e switch
    {
        FamilyMerged merged => (FamilyMerged.TypeName, JsonSerializer.Serialize(merged, FamilyEventJsonContext.Default.FamilyMerged)),
        FamilyAbsorbed absorbed => (FamilyAbsorbed.TypeName, JsonSerializer.Serialize(absorbed, FamilyEventJsonContext.Default.FamilyAbsorbed)),
        FamilySplit split => (FamilySplit.TypeName, JsonSerializer.Serialize(split, FamilyEventJsonContext.Default.FamilySplit)),
        FamilySplitFrom from => (FamilySplitFrom.TypeName, JsonSerializer.Serialize(from, FamilyEventJsonContext.Default.FamilySplitFrom)),
        DisputeRaised raised => (DisputeRaised.TypeName, JsonSerializer.Serialize(raised, FamilyEventJsonContext.Default.DisputeRaised)),
        DisputeEscalated escalated => (DisputeEscalated.TypeName, JsonSerializer.Serialize(escalated, FamilyEventJsonContext.Default.DisputeEscalated)),
        DisputeInterimLeadAgreed agreed => (DisputeInterimLeadAgreed.TypeName, JsonSerializer.Serialize(agreed, FamilyEventJsonContext.Default.DisputeInterimLeadAgreed)),
        DisputeResolved resolved => (DisputeResolved.TypeName, JsonSerializer.Serialize(resolved, FamilyEventJsonContext.Default.DisputeResolved)),
        ObligationWaived waived => (ObligationWaived.TypeName, JsonSerializer.Serialize(waived, FamilyEventJsonContext.Default.ObligationWaived)),
        _ => throw new ArgumentException($"{e.GetType().Name} has no stored type name.", nameof(e)),
    };

    public static IFamilyEvent Deserialize(string type, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Deserialize(type, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>As <see cref="Deserialize(string, string)"/>, from the JSON's UTF-8 bytes (as the store holds it).</summary>
    public static IFamilyEvent Deserialize(string type, ReadOnlySpan<byte> json) => type switch
    {
        FamilyMerged.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.FamilyMerged)!,
        FamilyAbsorbed.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.FamilyAbsorbed)!,
        FamilySplit.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.FamilySplit)!,
        FamilySplitFrom.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.FamilySplitFrom)!,
        DisputeRaised.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.DisputeRaised)!,
        DisputeEscalated.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.DisputeEscalated)!,
        DisputeInterimLeadAgreed.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.DisputeInterimLeadAgreed)!,
        DisputeResolved.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.DisputeResolved)!,
        ObligationWaived.TypeName => JsonSerializer.Deserialize(json, FamilyEventJsonContext.Default.ObligationWaived)!,
        _ => throw new ArgumentException($"'{type}' is not a family event type.", nameof(type)),
    };
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(FamilyMerged))]
[JsonSerializable(typeof(FamilyAbsorbed))]
[JsonSerializable(typeof(FamilySplit))]
[JsonSerializable(typeof(FamilySplitFrom))]
[JsonSerializable(typeof(DisputeRaised))]
[JsonSerializable(typeof(DisputeEscalated))]
[JsonSerializable(typeof(DisputeInterimLeadAgreed))]
[JsonSerializable(typeof(DisputeResolved))]
[JsonSerializable(typeof(ObligationWaived))]
internal sealed partial class FamilyEventJsonContext : JsonSerializerContext;
