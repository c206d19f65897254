using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using YoungCarers.Domain.Contract.Reading;
using YoungCarers.Domain.Contract.Stored;
using YoungCarers.Domain.Contract.Versions;

namespace YoungCarers.Domain.Contract;

/// <summary>
/// Every event type the service accepts and stores, by SPEC type name. A current version is read
/// straight into its record and stored under its own name. A later version that upstream systems
/// may publish is read in its own shape and upcast to the current record, so it is stored as the
/// current version and nothing downstream needs to know it existed.
/// </summary>
public static class EventCatalogue
{
    private static readonly InboundEventType[] CurrentVersions =
    [
        Current(AdultReferralReceived.TypeName, StoredEventJsonContext.Default.AdultReferralReceived, StoredEventReaders.ReadAdultReferralReceived, AdultPayloads.ReferralReceived),
        Current(AdultNeedsAssessmentStarted.TypeName, StoredEventJsonContext.Default.AdultNeedsAssessmentStarted, StoredEventReaders.ReadAdultNeedsAssessmentStarted, AdultPayloads.NeedsAssessmentStarted),
        Current(AdultNeedsAssessmentCompleted.TypeName, StoredEventJsonContext.Default.AdultNeedsAssessmentCompleted, StoredEventReaders.ReadAdultNeedsAssessmentCompleted, AdultPayloads.NeedsAssessmentCompleted),
        Current(AdultCarersAssessmentCompleted.TypeName, StoredEventJsonContext.Default.AdultCarersAssessmentCompleted, StoredEventReaders.ReadAdultCarersAssessmentCompleted, AdultPayloads.CarersAssessmentCompleted),
        Current(AdultTransitionAssessmentOffered.TypeName, StoredEventJsonContext.Default.AdultTransitionAssessmentOffered, StoredEventReaders.ReadAdultTransitionAssessmentOffered, AdultPayloads.TransitionAssessmentOffered),
        Current(AdultTransitionAssessmentCompleted.TypeName, StoredEventJsonContext.Default.AdultTransitionAssessmentCompleted, StoredEventReaders.ReadAdultTransitionAssessmentCompleted, AdultPayloads.TransitionAssessmentCompleted),
        Current(AdultCarePlanAgreed.TypeName, StoredEventJsonContext.Default.AdultCarePlanAgreed, StoredEventReaders.ReadAdultCarePlanAgreed, AdultPayloads.CarePlanAgreed),
        Current(AdultCarePlanReviewed.TypeName, StoredEventJsonContext.Default.AdultCarePlanReviewed, StoredEventReaders.ReadAdultCarePlanReviewed, AdultPayloads.CarePlanReviewed),
        Current(AdultCarePlanEnded.TypeName, StoredEventJsonContext.Default.AdultCarePlanEnded, StoredEventReaders.ReadAdultCarePlanEnded, AdultPayloads.CarePlanEnded),
        Current(AdultReferralToChildrensSent.TypeName, StoredEventJsonContext.Default.AdultReferralToChildrensSent, StoredEventReaders.ReadAdultReferralToChildrensSent, AdultPayloads.ReferralToChildrensSent),
        Current(AdultSafeguardingEnquiryStarted.TypeName, StoredEventJsonContext.Default.AdultSafeguardingEnquiryStarted, StoredEventReaders.ReadAdultSafeguardingEnquiryStarted, AdultPayloads.SafeguardingEnquiryStarted),
        Current(AdultSafeguardingEnquiryConcluded.TypeName, StoredEventJsonContext.Default.AdultSafeguardingEnquiryConcluded, StoredEventReaders.ReadAdultSafeguardingEnquiryConcluded, AdultPayloads.SafeguardingEnquiryConcluded),
        Current(AdultCaseClosed.TypeName, StoredEventJsonContext.Default.AdultCaseClosed, StoredEventReaders.ReadAdultCaseClosed, AdultPayloads.CaseClosed),
        Current(ChildrenReferralReceived.TypeName, StoredEventJsonContext.Default.ChildrenReferralReceived, StoredEventReaders.ReadChildrenReferralReceived, ChildrenPayloads.ReferralReceived),
        Current(ChildrenReferralDecided.TypeName, StoredEventJsonContext.Default.ChildrenReferralDecided, StoredEventReaders.ReadChildrenReferralDecided, ChildrenPayloads.ReferralDecided),
        Current(ChildrenYoungCarerAssessmentStarted.TypeName, StoredEventJsonContext.Default.ChildrenYoungCarerAssessmentStarted, StoredEventReaders.ReadChildrenYoungCarerAssessmentStarted, ChildrenPayloads.YoungCarerAssessmentStarted),
        Current(ChildrenYoungCarerAssessmentCompleted.TypeName, StoredEventJsonContext.Default.ChildrenYoungCarerAssessmentCompleted, StoredEventReaders.ReadChildrenYoungCarerAssessmentCompleted, ChildrenPayloads.YoungCarerAssessmentCompleted),
        Current(ChildrenCinAssessmentStarted.TypeName, StoredEventJsonContext.Default.ChildrenCinAssessmentStarted, StoredEventReaders.ReadChildrenCinAssessmentStarted, ChildrenPayloads.CinAssessmentStarted),
        Current(ChildrenCinAssessmentCompleted.TypeName, StoredEventJsonContext.Default.ChildrenCinAssessmentCompleted, StoredEventReaders.ReadChildrenCinAssessmentCompleted, ChildrenPayloads.CinAssessmentCompleted),
        Current(ChildrenCinPlanStarted.TypeName, StoredEventJsonContext.Default.ChildrenCinPlanStarted, StoredEventReaders.ReadChildrenCinPlanStarted, ChildrenPayloads.CinPlanStarted),
        Current(ChildrenCinPlanEnded.TypeName, StoredEventJsonContext.Default.ChildrenCinPlanEnded, StoredEventReaders.ReadChildrenCinPlanEnded, ChildrenPayloads.CinPlanEnded),
        Current(ChildrenSection47Started.TypeName, StoredEventJsonContext.Default.ChildrenSection47Started, StoredEventReaders.ReadChildrenSection47Started, ChildrenPayloads.Section47Started),
        Current(ChildrenReferralToAdultsSent.TypeName, StoredEventJsonContext.Default.ChildrenReferralToAdultsSent, StoredEventReaders.ReadChildrenReferralToAdultsSent, ChildrenPayloads.ReferralToAdultsSent),
        Current(ChildrenCaseClosed.TypeName, StoredEventJsonContext.Default.ChildrenCaseClosed, StoredEventReaders.ReadChildrenCaseClosed, ChildrenPayloads.CaseClosed),
        Current(PartnerYoungCarerIdentified.TypeName, StoredEventJsonContext.Default.PartnerYoungCarerIdentified, StoredEventReaders.ReadPartnerYoungCarerIdentified, PartnerPayloads.YoungCarerIdentified),
    ];

    private static readonly FrozenDictionary<string, StoredEventType> StoredByName =
        CurrentVersions.ToFrozenDictionary(type => type.Name, type => type.StoredAs, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, StoredEventType> StoredByClrType =
        CurrentVersions.ToFrozenDictionary(type => type.StoredAs.ClrType, type => type.StoredAs);

    // Declared after the stored types: an upcast finds its target among them.
    private static readonly InboundEventType[] LaterVersions =
    [
        Upcast<AdultNeedsAssessmentCompletedV2, AdultNeedsAssessmentCompleted>(
            AdultNeedsAssessmentCompletedV2.TypeName, AdultPayloads.NeedsAssessmentCompletedV2, published => published.ToCurrent()),
    ];

    private static readonly FrozenDictionary<string, InboundEventType> InboundByName =
        CurrentVersions.Concat(LaterVersions).ToFrozenDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>The type names an inbound event may carry, later versions included.</summary>
    public static IReadOnlyCollection<string> AcceptedTypes => InboundByName.Keys;

    /// <summary>The type names events are stored under: the current version of each type.</summary>
    public static IReadOnlyCollection<string> StoredTypes => StoredByName.Keys;

    internal static InboundEventType? FindInbound(string name) => InboundByName.GetValueOrDefault(name);

    internal static StoredEventType? FindStored(string name) => StoredByName.GetValueOrDefault(name);

    internal static StoredEventType? FindStored(Type clrType) => StoredByClrType.GetValueOrDefault(clrType);

    private static InboundEventType Current<TEvent>(string name, JsonTypeInfo<TEvent> typeInfo, StoredReader<TEvent> readStored, Func<Validation, JsonElement, TEvent> read)
        where TEvent : class, IInboundEvent =>
        new(name, new StoredEventType<TEvent>(name, typeInfo, readStored), read);

    private static InboundEventType Upcast<TPublished, TEvent>(string name, Func<Validation, JsonElement, TPublished> read, Func<TPublished, TEvent> upcast)
        where TEvent : class, IInboundEvent =>
        new(name, StoredByClrType[typeof(TEvent)], (validation, data) => upcast(read(validation, data)));
}
